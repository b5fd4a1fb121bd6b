#!/bin/sh
# How many times the path of one packet enters each file of capture/
# (docs/ARCHITECTURE.md, "The path of a packet"): at most twice.
#
# A build of dnsblame in build/trace whose capture/ files are compiled
# with -finstrument-functions and linked with tests/trace/entries.c, which
# counts, under each call of dispatch_frame, the calls that come into a
# capture file from outside it (another file, or libnids calling back).
# emit.c and relay.c, where events leave capture/ (relay.c hands them to
# the analysis's thread), are entered once per event (a TCP segment may
# complete many DNS messages): their counts are shown, not held to two.
# The path is followed on the thread that reads the packets.  It reads the given captures (default: every capture of pcaps/ and of
# the public corpus)
# and prints, per file, the most entries one packet made.
#
#   sh tests/capture-path.sh [CAPTURE...]
# Exits 1 when a packet entered a file more than twice, 2 when the build
# fails.  Needs cc and nm (build-essential, binutils).
set -u
cd "$(dirname "$0")/.." || exit 2
cc=${CC:-cc}
out=build/trace
rm -rf "$out"
mkdir -p "$out/obj"
flags="-std=c11 -D_DEFAULT_SOURCE -O0 -g -w"
objs=""
for f in common/*.c capture/*.c analyze/*.c report/*.c main.c tests/trace/entries.c; do
	o="$out/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
	extra=""
	case $f in capture/*) extra=-finstrument-functions ;; esac
	# shellcheck disable=SC2086
	"$cc" $flags $extra -c -o "$o" "$f" || exit 2
	objs="$objs $o"
done
glib=$(pkg-config --libs gthread-2.0 2>/dev/null || echo -lgthread-2.0 -lglib-2.0)
libs="-lnids -lnet $glib -lpcap -lssl -lcrypto -lmicrohttpd -lz -lzstd -pthread -lm"
# shellcheck disable=SC2086
"$cc" -no-pie -o "$out/dnsblame" $objs $libs || exit 2
# "start size name file" for every function of capture/.
nm -S -n -l --defined-only "$out/dnsblame" |
	awk '($3 == "t" || $3 == "T") && $NF ~ /\/capture\/[^\/]*\.c:/ {
		f = $NF; sub(/:.*/, "", f); sub(/.*\//, "", f)
		print $1, $2, $4, f }' >"$out/table"
[ -s "$out/table" ] || { echo "capture-path: no capture functions in the table" >&2; exit 2; }

if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046
	set -- $(find pcaps ../shared/corpus/public -name '*.pcap' -o -name '*.pcapng' \
		-o -name '*.pcap.gz' -o -name '*.pcap.zst' | sort)
fi
fail=0
: >"$out/all"
for p in "$@"; do
	res=$(CAPTURE_PATH_TABLE="$out/table" CAPTURE_PATH_SINK='emit.c relay.c' "$out/dnsblame" -q -Z root \
		-r "$p" 2>/dev/null | sed -n '/^capture-path:/,$p')
	case $res in
	*FAIL*) fail=1; echo "== $p"; echo "$res" ;;
	'') echo "capture-path: no count for $p" >&2; fail=1 ;;
	esac
	echo "$res" >>"$out/all"
done
# Over all captures: the most entries one packet made into each file.
awk '$2 == "at" && $3 == "most" {
	if ($4 > most[$1]) most[$1] = $4
	if (/one per event/) ev[$1] = 1 }
/^capture-path: [0-9]+ packets/ { n += $2 }
END {
	for (f in most) printf "  %-12s %d%s\n", f, most[f], f in ev ? " (one per event)" : ""
	printf "capture-path: %d packets\n", n }' "$out/all" | sort
bad=$(grep -c FAIL "$out/all" || true)
echo "capture-path: $# captures, $bad with a packet entering a file more than twice"
rm -f "$out/all"
exit $fail
