#!/bin/sh
# Installs the Debian packages dnsblame needs to build and test, when missing.
set -e
pkgs="build-essential pkg-config clang clang-format libpcap-dev libnids-dev libnet1-dev libglib2.0-dev
libssl-dev libcmocka-dev libmicrohttpd-dev zlib1g-dev libzstd-dev ruby-mdl tshark tcpdump valgrind
iproute2 nftables python3 time zstd strace bsdutils binutils"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "dnsblame: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "dnsblame: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
