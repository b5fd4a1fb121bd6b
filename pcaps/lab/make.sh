#!/bin/bash
# The capture lab: real recursive resolvers from Debian 12 against a private,
# signed DNS tree with injected faults. One capture per resolver, taken on the
# resolver host, with the ground truth of every client query beside it.
#
#   sudo pcaps/lab/make.sh                    # all four resolvers
#   sudo pcaps/lab/make.sh unbound            # one (or several) of:
#                                             #   unbound bind kresd pdns
#   LAB_OUT=/tmp/x LAB_SCENARIOS="silent lame" pcaps/lab/make.sh unbound
#                                             # a subset of the scenarios, written
#                                             # elsewhere (testing); LAB_KEEP=1 keeps
#                                             # the temporary directory (logs)
#   LAB_MODE=load pcaps/lab/make.sh [resolvers]
#                                             # the mixed-load lab: every fault at
#                                             # once, 16 concurrent clients
#                                             # (loadgen.py), one resolver start;
#                                             # writes pcaps/lab/load/; LAB_LOAD_SECONDS
#                                             # (60) and LAB_LOAD_RATE (35 q/s) tune it
#   LAB_MODE=live LAB_LIVE_BIN=build/dnsblame pcaps/lab/make.sh [resolver]
#                                             # the acceptance test of live capture
#                                             # under load (tests/lab/live_check.py):
#                                             # dnsblame -i beside tcpdump while dnsperf
#                                             # asks LAB_LIVE_RATE (2000) q/s for
#                                             # LAB_LIVE_SECONDS (60); unbound by default;
#                                             # writes nothing (LAB_KEEP=1 keeps the run)
#
# Runs as root on Debian 12 and installs the Debian packages it needs. Every
# packet stays on loopback or inside the network namespaces this script makes
# (10.53.0.0/16, fd53::/32; the resolvers have no route anywhere else). On
# exit (normal, error, Ctrl-C, TERM) every process in those namespaces is
# stopped, the namespaces are deleted and the temporary directory removed.
# Outputs are written to a temporary name, checked, then moved into place: a
# failed run leaves the committed files as they were. See NOTES.md.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
umask 022
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
# LAB_MODE=load: the mixed-load lab (see "mixed load" below and NOTES.md);
# its files go to pcaps/lab/load/ by default. LAB_MODE=live: the live-capture
# test (see "live capture under load" below); it writes nothing here
MODE=${LAB_MODE:-seq}
ALL_RESOLVERS="unbound bind kresd pdns"
case $MODE in
seq) OUT=${LAB_OUT:-$HERE} ;;
load) OUT=${LAB_OUT:-$HERE/load} ;;
live) OUT=
	[ -x "${LAB_LIVE_BIN:-}" ] || { echo "make.sh: LAB_MODE=live needs LAB_LIVE_BIN=/path/to/dnsblame" >&2; exit 2; }
	LAB_LIVE_BIN=$(cd "$(dirname "$LAB_LIVE_BIN")" && pwd)/$(basename "$LAB_LIVE_BIN") ;;
*) echo "make.sh: LAB_MODE is seq (default), load or live" >&2; exit 2 ;;
esac
RESOLVERS=${*:-$ALL_RESOLVERS}
[ "$MODE" != live ] || RESOLVERS=${*:-unbound}
for r in $RESOLVERS; do
	case " $ALL_RESOLVERS " in *" $r "*) ;; *) echo "usage: $0 [unbound] [bind] [kresd] [pdns]" >&2; exit 2;; esac
done
[ "$(id -u)" = 0 ] || { echo "make.sh: must run as root (network namespaces)" >&2; exit 1; }
# Which resolver's capture uses `tcpdump -i any` (LINUX_SLL2); the others are
# captured per interface (Ethernet) and merged with mergecap.
SLL2_RESOLVER=bind

# ---------------------------------------------------------------- packages
PKGS="nsd unbound bind9 bind9-dnsutils knot-resolver pdns-recursor ldnsutils nftables tcpdump tshark ethtool iproute2 procps python3"
[ "$MODE" != live ] || PKGS="$PKGS dnsperf"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "make.sh: installing:$missing"
	# The packages must not start their system-wide services: a stock BIND,
	# Knot Resolver or PowerDNS Recursor would query the real root servers.
	# Debian's maintainer scripts obey policy-rc.d (exit 101 = do not start).
	made_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	rc=0
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; } || rc=$?
	[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
	[ $rc = 0 ] || { echo "make.sh: apt-get failed" >&2; exit 1; }
fi

# ---------------------------------------------------------------- cleanup
TAG=dnsl$$
WORK=$(mktemp -d /tmp/dnsblame-lab.XXXXXX)
chmod 755 "$WORK"

lab_nses() { ip netns list 2>/dev/null | awk -v t="$TAG-" 'index($1, t) == 1 {print $1}'; }
# Stop everything that runs in our namespaces (daemons, tcpdump, clients):
# TERM first so that tcpdump flushes and the daemons exit cleanly, then KILL.
kill_ns_procs() {
	local ns pids i
	for ns in $(lab_nses); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	done
	for i in $(seq 30); do
		pids=
		for ns in $(lab_nses); do pids="$pids$(ip netns pids "$ns" 2>/dev/null)"; done
		[ -z "$pids" ] && return 0
		sleep 0.1
	done
	for ns in $(lab_nses); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	sleep 0.2
}
cleanup() {
	local rc=$? ns
	trap - EXIT INT TERM HUP
	set +eu
	kill_ns_procs
	for ns in $(lab_nses); do ip netns del "$ns" 2>/dev/null; done
	wait 2>/dev/null
	# (live: a failed check has said what failed; the logs are for a broken lab)
	if [ $rc != 0 ] && [ -z "$LIVE_CHECKED" ] && [ -d "$WORK" ]; then
		for f in "$WORK"/*/*.log "$WORK"/*/*/*.log; do
			[ -s "$f" ] && { echo "---- $f"; tail -n 15 "$f"; }
		done >&2
	fi
	if [ -n "${LAB_KEEP:-}" ]; then echo "make.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
	[ -z "$(lab_nses)" ] || echo "make.sh: WARNING: namespaces left: $(lab_nses)" >&2
	exit $rc
}
LIVE_CHECKED=
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

T_START=$SECONDS
log() { echo "make.sh: [$((SECONDS - T_START))s] $*"; }
die() { echo "make.sh: FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }

# wait_for CMD...: retry for up to 10 s
wait_for() {
	local i
	for i in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# ================================================================ zones
# The private tree (built once per run; fresh keys each run):
#   .               signed root, a.root-servers.lab = 10.53.0.10 / fd53::10
#   lab.            signed TLD on 10.53.0.11 / fd53::11
#   <child>.lab     see the table in NOTES.md; faults by address (nftables in
#                   the auth namespace) or by zone content.
Z=$WORK/zones
FILTER='port 53 or icmp or icmp6 or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44'

sign_zone() { # ZONE FILE KEYBASE [INCEPTION EXPIRATION] -> FILE.signed
	local inc=${4:-$(date -u -d '2 days ago' +%Y%m%d)} exp=${5:-$(date -u -d '+60 days' +%Y%m%d)}
	ldns-signzone -i "$inc" -e "$exp" -o "$1" -f "$2.signed" "$2" "$3" >/dev/null || die "signing $1"
}
keygen() { # DIR ZONE -> prints key base path
	mkdir -p "$1"
	echo "$1/$(cd "$1" && ldns-keygen -a ECDSAP256SHA256 -k "$2")"
}
txt_rrset() { # NAME COUNT LEN
	local i s
	for i in $(seq -w "$2"); do
		s=$(printf "%s-%s-" "$1" "$i"; head -c "$3" /dev/zero | tr '\0' 'x')
		printf '%s 300 IN TXT "%s"\n' "$1" "${s:0:$3}"
	done
}
# child_zone NAME NS-ADDRS...: a small zone whose NS is ns.NAME
child_zone() {
	local z=$1 a
	shift
	printf '$ORIGIN %s.\n$TTL 300\n@\tSOA\tns hostmaster 2024010101 3600 900 604800 300\n@\tNS\tns\n@\tMX\t10 mail\n' "$z"
	for a in "$@"; do
		case $a in *:*) printf 'ns\tAAAA\t%s\n' "$a";; *) printf 'ns\tA\t%s\n' "$a";; esac
	done
	printf 'www\tA\t10.53.9.%d\nwww\tAAAA\tfd53:9::%d\nmail\tA\t10.53.9.25\nmail\tAAAA\tfd53:9::25\n' $((${#z} + 10)) $((${#z} + 10))
}

# name:addresses of the child zones (the NS host ns.<zone>.lab, glue in lab.)
CHILDREN="ok:10.53.0.12,fd53::12 v6only:fd53::30 silent:10.53.0.14,fd53::14
dead:10.53.0.13,fd53::13 prohib:10.53.0.17,fd53::17 tcdrop:10.53.0.15,fd53::15
tcreset:10.53.0.16,fd53::16 frag:10.53.2.20 badsig:10.53.0.12,fd53::12
expired:10.53.0.12,fd53::12 dsmismatch:10.53.0.12,fd53::12 unsigned:10.53.0.12,fd53::12
lame:10.53.0.12,fd53::12 servfail:10.53.0.12,fd53::12 v6dead:fd53::31"

build_zones() {
	log "zones and keys"
	local K=$WORK/keys c z addrs
	mkdir -p "$Z"
	local kroot klab kok kv6 kbad kexp kdsm kdsm_other kuns
	kroot=$(keygen "$K" .)
	klab=$(keygen "$K" lab)
	kok=$(keygen "$K" ok.lab)
	kv6=$(keygen "$K" v6only.lab)
	kbad=$(keygen "$K" badsig.lab)
	kexp=$(keygen "$K" expired.lab)
	kdsm=$(keygen "$K" dsmismatch.lab)
	kdsm_other=$(keygen "$K/other" dsmismatch.lab) # its DS goes to lab.; it signs nothing
	kuns=$(keygen "$K/other" unsigned.lab)         # DS in lab.; the zone is served unsigned
	cp "$kroot.ds" "$Z/root.ds"

	for c in $CHILDREN; do
		z=${c%%:*} addrs=${c#*:}
		child_zone "$z.lab" ${addrs//,/ } >"$Z/$z.lab.zone"
	done
	{
		printf 'alias\tCNAME\twww\n_sip._udp\tSRV\t10 5 5060 www\n'
		txt_rrset big.ok.lab. 8 250 # ~2.1 KB: TC over UDP, the client retries over TCP
		# live: a wildcard, so that the live test asks names that no cache holds
		[ "$MODE" != live ] || printf '*.live\tA\t10.53.9.99\n*.live\tAAAA\tfd53:9::99\n'
	} >>"$Z/ok.lab.zone"
	# CNAME chains from the healthy signed zones into the failing ones
	# (aliases.tsv; the mixed-load lab asks for them)
	local owner target
	while read -r owner target; do
		case $owner in '#'* | '') continue ;; esac
		z=${owner#*.}
		printf '%s\t300\tIN\tCNAME\t%s\n' "$owner" "$target" >>"$Z/${z%.}.zone"
	done <"$HERE/aliases.tsv"
	for z in tcdrop tcreset; do # answers larger than 1232: TC=1, then TCP
		txt_rrset big1.$z.lab. 8 250 >>"$Z/$z.lab.zone"
		txt_rrset big2.$z.lab. 8 250 >>"$Z/$z.lab.zone"
	done
	# ~1000-byte answers: below the resolvers' EDNS 1232 (no TC), above the
	# MTU 600 of the frag server's link: two IPv4 fragments
	txt_rrset txt1.frag.lab. 4 220 >>"$Z/frag.lab.zone"
	txt_rrset txt2.frag.lab. 4 220 >>"$Z/frag.lab.zone"
	# authority SERVFAIL: NSD cannot load this zone file (bad RR) and answers
	# SERVFAIL for the configured zone (checked below)
	printf 'www\tA\t10.53.9.999\nbad\tNOSUCHTYPE\tx\n' >>"$Z/servfail.lab.zone"

	sign_zone ok.lab "$Z/ok.lab.zone" "$kok"
	sign_zone v6only.lab "$Z/v6only.lab.zone" "$kv6"
	sign_zone dsmismatch.lab "$Z/dsmismatch.lab.zone" "$kdsm"
	# expired: inception 40 days ago, expiration 10 days ago (every RRSIG)
	sign_zone expired.lab "$Z/expired.lab.zone" "$kexp" \
		"$(date -u -d '40 days ago' +%Y%m%d)" "$(date -u -d '10 days ago' +%Y%m%d)"
	# bad signature: the RRSIGs of www A/AAAA and of the apex MX are altered
	# (one base64 character of the signature); DNSKEY and the rest stay valid
	sign_zone badsig.lab "$Z/badsig.lab.zone" "$kbad"
	awk 'BEGIN { OFS = "\t" }
		$4 == "RRSIG" && (($1 == "www.badsig.lab." && ($5 == "A" || $5 == "AAAA")) || ($1 == "badsig.lab." && $5 == "MX")) {
			s = $NF; c = substr(s, 20, 1); c = (c == "A") ? "B" : "A"
			$NF = substr(s, 1, 19) c substr(s, 21); n++
		}
		{ print }
		END { if (n != 3) exit 1 }' "$Z/badsig.lab.zone.signed" >"$Z/badsig.lab.zone.signed.tmp" ||
		die "badsig: RRSIGs not found"
	mv "$Z/badsig.lab.zone.signed.tmp" "$Z/badsig.lab.zone.signed"

	{
		printf '$ORIGIN lab.\n$TTL 3600\n@\tSOA\tns1 hostmaster 2024010101 3600 900 604800 300\n@\tNS\tns1\n'
		printf 'ns1\tA\t10.53.0.11\nns1\tAAAA\tfd53::11\n'
		printf 'a.root-servers\tA\t10.53.0.10\na.root-servers\tAAAA\tfd53::10\n'
		printf 'www\tA\t10.53.9.80\nwww\tAAAA\tfd53:9::80\n'
		local a
		for c in $CHILDREN; do
			z=${c%%:*} addrs=${c#*:}
			printf '%s\tNS\tns.%s\n' "$z" "$z"
			for a in ${addrs//,/ }; do
				case $a in *:*) printf 'ns.%s\tAAAA\t%s\n' "$z" "$a";; *) printf 'ns.%s\tA\t%s\n' "$z" "$a";; esac
			done
		done
		# NS names that do not resolve: nowhere.lab and nowhere-tld. do not exist
		printf 'nsnx\tNS\tns.nowhere.lab.\nnsnx\tNS\tns.nowhere-tld.\n'
		cat "$kok.ds" "$kv6.ds" "$kbad.ds" "$kexp.ds" "$kdsm_other.ds" "$kuns.ds"
	} >"$Z/lab.zone"
	sign_zone lab "$Z/lab.zone" "$klab"
	{
		printf '$TTL 86400\n.\tSOA\ta.root-servers.lab. hostmaster.lab. 2024010101 1800 900 604800 3600\n'
		printf '.\tNS\ta.root-servers.lab.\nlab.\tNS\tns1.lab.\nns1.lab.\tA\t10.53.0.11\nns1.lab.\tAAAA\tfd53::11\n'
		printf 'a.root-servers.lab.\tA\t10.53.0.10\na.root-servers.lab.\tAAAA\tfd53::10\n'
		cat "$klab.ds"
	} >"$Z/root.zone"
	sign_zone . "$Z/root.zone" "$kroot"
	printf '.\t3600000\tNS\ta.root-servers.lab.\na.root-servers.lab.\t3600000\tA\t10.53.0.10\na.root-servers.lab.\t3600000\tAAAA\tfd53::10\n' >"$Z/root.hints"
	# the root DS as "tag alg digesttype digest"
	ROOT_DS=$(awk '{ for (i = 1; i < NF; i++) if ($i == "DS") { print $(i+1), $(i+2), $(i+3), $(i+4); exit } }' "$Z/root.ds")
	[ -n "$ROOT_DS" ] || die "no root DS"
}

# ================================================================ the lab network
# Per resolver, three namespaces (so each resolver starts from a clean lab):
#   cli   c0 10.53.1.2, .3, fd53:1::2, ::3  <-> res r0 10.53.1.1 fd53:1::1   (MTU 1500)
#   res   r1 10.53.0.1 fd53::1               <-> auth a0 10.53.0.10-17, fd53::10-17, ::30, ::31
#   res   r2 10.53.2.1                       <-> auth a1 10.53.2.20          (MTU 600, IPv4)
# Offloads are off on every veth so that the capture shows what is on the wire.
NS_CLI= NS_RES= NS_AUTH= L=
mkns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
	ip netns exec "$1" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
}
link() { # NS1 IF1 NS2 IF2 MTU
	ip link add "$2" netns "$1" mtu "$5" type veth peer name "$4" netns "$3" mtu "$5"
	local side
	for side in "$1 $2" "$3 $4"; do
		set -- $side
		ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
		ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.accept_ra=0" "net.ipv6.conf.$2.accept_dad=0" 2>/dev/null || true
		ip -n "$1" link set "$2" up
	done
}
addr() { # NS IF ADDR/LEN...
	local ns=$1 ifc=$2 a
	shift 2
	for a in "$@"; do
		case $a in *:*) ip -n "$ns" addr add "$a" dev "$ifc" nodad;; *) ip -n "$ns" addr add "$a" dev "$ifc";; esac
	done
}

nsd_start() { # NAME ZONES-STANZA ADDR...
	local name=$1 zones=$2 d=$L/nsd-$1 a
	shift 2
	mkdir -p "$d"
	{
		echo "server:"
		for a in "$@"; do echo "  ip-address: $a"; done
		cat <<-EOF
		  port: 53
		  username: ""
		  chroot: ""
		  zonesdir: "$Z"
		  database: ""
		  pidfile: "$d/nsd.pid"
		  xfrdfile: "$d/xfrd.state"
		  zonelistfile: "$d/zone.list"
		  xfrdir: "$d"
		  logfile: "$d/nsd.log"
		  server-count: 1
		  reuseport: no
		  hide-version: yes
		  hide-identity: yes
		  minimal-responses: no
		  ipv4-edns-size: 4096
		  ipv6-edns-size: 4096
		  verbosity: 1
		remote-control:
		  control-enable: no
		EOF
		printf '%b' "$zones"
	} >"$d/nsd.conf"
	nsd-checkconf "$d/nsd.conf" || die "nsd.conf ($name)"
	ip netns exec "$NS_AUTH" nsd -d -c "$d/nsd.conf" >>"$d/nsd.log" 2>&1 </dev/null &
	wait_for ip netns exec "$NS_AUTH" dig +time=1 +tries=1 +norec @"$1" . SOA || die "nsd $name did not start"
}

lab_up() { # RESOLVER
	local r=$1 i
	L=$WORK/$r
	mkdir -p "$L"
	NS_CLI=$TAG-$r-cli NS_RES=$TAG-$r-res NS_AUTH=$TAG-$r-auth
	mkns "$NS_CLI"; mkns "$NS_RES"; mkns "$NS_AUTH"
	link "$NS_CLI" c0 "$NS_RES" r0 1500
	link "$NS_RES" r1 "$NS_AUTH" a0 1500
	link "$NS_RES" r2 "$NS_AUTH" a1 600
	addr "$NS_CLI" c0 10.53.1.2/24 10.53.1.3/24 fd53:1::2/64 fd53:1::3/64
	addr "$NS_RES" r0 10.53.1.1/24 fd53:1::1/64
	addr "$NS_RES" r1 10.53.0.1/24 fd53::1/64
	addr "$NS_RES" r2 10.53.2.1/24
	for i in 10 11 12 13 14 15 16 17; do addr "$NS_AUTH" a0 10.53.0.$i/24 fd53::$i/64; done
	addr "$NS_AUTH" a0 fd53::30/64 fd53::31/64
	addr "$NS_AUTH" a1 10.53.2.20/24
	# IPv6 is off on the MTU-600 link (below the IPv6 minimum MTU)
	ip netns exec "$NS_RES" sysctl -qw net.ipv6.conf.r2.disable_ipv6=1 2>/dev/null || true
	ip netns exec "$NS_AUTH" sysctl -qw net.ipv6.conf.a1.disable_ipv6=1 2>/dev/null || true

	local zst='zone:\n  name: "%s"\n  zonefile: "%s"\n' cz= z
	for z in ok.lab:ok.lab.zone.signed v6only.lab:v6only.lab.zone.signed silent.lab:silent.lab.zone \
		prohib.lab:prohib.lab.zone tcdrop.lab:tcdrop.lab.zone tcreset.lab:tcreset.lab.zone \
		frag.lab:frag.lab.zone badsig.lab:badsig.lab.zone.signed expired.lab:expired.lab.zone.signed \
		dsmismatch.lab:dsmismatch.lab.zone.signed unsigned.lab:unsigned.lab.zone servfail.lab:servfail.lab.zone; do
		cz=$cz$(printf "$zst" "${z%%:*}" "${z#*:}")'\n'
	done
	nsd_start root "$(printf "$zst" . root.zone.signed)" 10.53.0.10 fd53::10
	nsd_start tld "$(printf "$zst" lab. lab.zone.signed)" 10.53.0.11 fd53::11
	# One NSD serves every child zone on every child address; the faults are
	# per address (nftables below). dead (.13, ::13) and v6dead (::31) have
	# no listener: ICMP port unreachable. lame.lab is not served: REFUSED.
	nsd_start child "$cz" 10.53.0.12 fd53::12 10.53.0.14 fd53::14 10.53.0.15 fd53::15 \
		10.53.0.16 fd53::16 10.53.0.17 fd53::17 fd53::30 10.53.2.20
	ip netns exec "$NS_AUTH" nft -f - <<-EOF || die "nftables"
	table inet lab {
		chain input {
			type filter hook input priority 0; policy accept;
			# silent: every DNS packet to the server is dropped
			ip daddr 10.53.0.14 meta l4proto { tcp, udp } th dport 53 drop
			ip6 daddr fd53::14 meta l4proto { tcp, udp } th dport 53 drop
			# admin-prohibited: ICMP type 3 code 13 / ICMPv6 type 1 code 1
			ip daddr 10.53.0.17 meta l4proto { tcp, udp } th dport 53 reject with icmpx admin-prohibited
			ip6 daddr fd53::17 meta l4proto { tcp, udp } th dport 53 reject with icmpx admin-prohibited
			# TC=1, then TCP dropped / reset
			ip daddr 10.53.0.15 tcp dport 53 drop
			ip6 daddr fd53::15 tcp dport 53 drop
			ip daddr 10.53.0.16 tcp dport 53 reject with tcp reset
			ip6 daddr fd53::16 tcp dport 53 reject with tcp reset
		}
	}
	# fragment loss: non-first fragments from the frag server never leave
	# (the egress hook sees the fragments the kernel made; output does not)
	table netdev labfrags {
		chain egress {
			type filter hook egress device "a1" priority 0; policy accept;
			ip saddr 10.53.2.20 ip frag-off & 0x1fff != 0 drop
		}
	}
	EOF
	# the authority SERVFAIL is real
	ip netns exec "$NS_AUTH" dig +norec +time=1 +tries=1 @10.53.0.12 www.servfail.lab A | grep -q 'status: SERVFAIL' ||
		die "NSD does not answer SERVFAIL for servfail.lab"
	ip netns exec "$NS_AUTH" dig +norec +time=1 +tries=1 @10.53.0.12 www.lame.lab A | grep -q 'status: REFUSED' ||
		die "NSD does not answer REFUSED for lame.lab"
}

lab_down() {
	kill_ns_procs
	local ns
	for ns in $(lab_nses); do ip netns del "$ns"; done
}

# ================================================================ resolvers
# Each resolver: <r>_conf writes its configuration in $RD, <r>_start runs it
# in the foreground (backgrounded here) inside the res namespace. Settings are
# the package defaults apart from: the addresses it listens on and who may
# ask, the lab's root hints and trust anchor, and process housekeeping (no
# chroot/user switch, files in $RD, logging). Resolver-specific exceptions are
# commented where they are made.
RD= RES_PID=

unbound_conf() {
	cat >"$RD/unbound.conf" <<-EOF
	server:
	  interface: 10.53.1.1
	  interface: fd53:1::1
	  access-control: 10.53.1.0/24 allow
	  access-control: fd53:1::/64 allow
	  root-hints: "$Z/root.hints"
	  trust-anchor-file: "$Z/root.ds"
	  # housekeeping and logging only
	  username: ""
	  chroot: ""
	  directory: "$RD"
	  pidfile: "$RD/unbound.pid"
	  do-daemonize: no
	  use-syslog: no
	  logfile: "$RD/unbound.log"
	  log-time-ascii: yes
	  verbosity: 1
	  log-servfail: yes
	remote-control:
	  control-enable: no
	EOF
	unbound-checkconf "$RD/unbound.conf" >/dev/null || die "unbound.conf"
}
unbound_start() { ip netns exec "$NS_RES" unbound -d -c "$RD/unbound.conf" >>"$RD/unbound.log" 2>&1 </dev/null & RES_PID=$!; }
unbound_wipe() { :; }

bind_conf() {
	local tag alg dt dg
	read -r tag alg dt dg <<<"$ROOT_DS"
	cat >"$RD/named.conf" <<-EOF
	options {
		directory "$RD";
		pid-file "$RD/named.pid";
		listen-on { 10.53.1.1; };
		listen-on-v6 { fd53:1::1; };
		allow-query { 10.53.1.0/24; fd53:1::/64; };
		allow-recursion { 10.53.1.0/24; fd53:1::/64; };
		// Debian's named.conf.options has "dnssec-validation auto" (the
		// built-in ICANN key); the lab's own root key needs "yes" + trust-anchors.
		dnssec-validation yes;
	};
	trust-anchors { . static-ds $tag $alg $dt "$dg"; };
	zone "." { type hint; file "$Z/root.hints"; };
	controls { };
	logging {
		channel lab { file "$RD/named.log"; print-time yes; print-category yes; print-severity yes; severity info; };
		channel labq { file "$RD/named.log"; print-time yes; print-category yes; print-severity yes; severity debug 2; };
		category default { lab; };
		category lame-servers { lab; };
		category dnssec { lab; };
		category edns-disabled { lab; };
		category resolver { lab; };
		category query-errors { labq; };
	};
	EOF
	named-checkconf "$RD/named.conf" || die "named.conf"
}
bind_start() { ip netns exec "$NS_RES" named -f -c "$RD/named.conf" >>"$RD/named.stderr.log" 2>&1 </dev/null & RES_PID=$!; }
bind_wipe() { rm -f "$RD"/managed-keys.bind* "$RD"/*.mkeys* "$RD"/*.jnl; }

kresd_conf() {
	local tag alg dt dg
	read -r tag alg dt dg <<<"$ROOT_DS"
	mkdir -p "$RD/run"
	cat >"$RD/kresd.conf" <<-EOF
	-- Debian 12's /etc/knot-resolver/kresd.conf, with the lab's addresses
	-- (no DoT listener: no certificate in the lab)
	net.listen('10.53.1.1', 53, { kind = 'dns' })
	net.listen('fd53:1::1', 53, { kind = 'dns', freebind = true })
	modules = {
		'hints > iterate',  -- Allow loading /etc/hosts or custom root hints
		'stats',            -- Track internal statistics
		'predict',          -- Prefetch expiring/frequent records
	}
	cache.size = 100 * MB
	-- the lab: root hints and root trust anchor (instead of the built-in
	-- ICANN root key file; unmanaged, so nothing is ever fetched)
	hints.root({ ['a.root-servers.lab.'] = { '10.53.0.10', 'fd53::10' } })
	trust_anchors.remove('.')
	trust_anchors.add('. 3600 IN DS $tag $alg $dt $dg')
	-- logging only: the validator's and the server selection's reasons
	log_level('info')
	log_groups({ 'valdtr', 'select' })
	EOF
}
# kresd@.service runs "kresd -c distro-preconfig.lua -c kresd.conf -n" under
# systemd; the preconfig only sets the systemd control socket and the cache
# path. Here kresd runs directly, its rundir (and cache) in $RD/run.
kresd_start() { ip netns exec "$NS_RES" kresd -n -c "$RD/kresd.conf" "$RD/run" >>"$RD/kresd.log" 2>&1 </dev/null & RES_PID=$!; }
kresd_wipe() { rm -rf "$RD/run"; mkdir -p "$RD/run"; }

pdns_conf() {
	local tag alg dt dg
	read -r tag alg dt dg <<<"$ROOT_DS"
	cat >"$RD/recursor.lua" <<-EOF
	clearTA()
	addTA('.', "$tag $alg $dt $dg")
	EOF
	cat >"$RD/recursor.conf" <<-EOF
	# Debian's /etc/powerdns/recursor.conf sets these:
	config-dir=$RD
	hint-file=$Z/root.hints
	lua-config-file=$RD/recursor.lua
	public-suffix-list-file=/usr/share/publicsuffix/public_suffix_list.dat
	security-poll-suffix=
	# the lab's listening address and clients
	local-address=10.53.1.1, fd53:1::1
	allow-from=10.53.1.0/24, fd53:1::/64
	# needed in the lab: the default dont-query refuses 10.0.0.0/8 and
	# fc00::/7 (the lab's addresses); here the default list without those two
	dont-query=127.0.0.0/8, 100.64.0.0/10, 169.254.0.0/16, 192.168.0.0/16, 172.16.0.0/12, ::1/128, fe80::/10, 0.0.0.0/8, 192.0.0.0/24, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 240.0.0.0/4, ::/96, ::ffff:0:0/96, 100::/64, 2001:db8::/32
	# needed in the lab: the default (0.0.0.0) never queries over IPv6
	query-local-address=0.0.0.0, ::
	# housekeeping and logging only
	socket-dir=$RD
	daemon=no
	write-pid=no
	disable-syslog=yes
	log-timestamp=yes
	quiet=yes
	trace=fail
	dnssec-log-bogus=yes
	EOF
}
pdns_start() { ip netns exec "$NS_RES" pdns_recursor --config-dir="$RD" >>"$RD/pdns.log" 2>&1 </dev/null & RES_PID=$!; }
pdns_wipe() { :; }

res_listening() {
	local s
	s=$(ip netns exec "$NS_RES" ss -Hln 2>/dev/null)
	for a in '10.53.1.1:53' '\[fd53:1::1\]:53'; do
		printf '%s\n' "$s" | grep -E "^udp .* $a " >/dev/null || return 1
		printf '%s\n' "$s" | grep -E "^tcp .* $a " >/dev/null || return 1
	done
}
res_stop() {
	[ -n "$RES_PID" ] || return 0
	kill -TERM "$RES_PID" 2>/dev/null || true
	timeout 10 tail --pid="$RES_PID" -f /dev/null 2>/dev/null || kill -KILL "$RES_PID" 2>/dev/null || true
	wait "$RES_PID" 2>/dev/null || true
	RES_PID=
	wait_for sh -c "! ip netns exec $NS_RES ss -Hln | grep -q '10.53.1.1:53 '" || die "$R did not stop"
}
# res_restart EVENT: a fresh resolver process (empty caches), logged as an event
res_restart() {
	res_stop
	"${R}_wipe"
	"${R}_start"
	wait_for res_listening || die "$R did not start"
	sleep 0.3
	printf '%s\t%s\t%s\n' "$(now)" "$1" "$SCN" >>"$L/events.tsv"
}

# ================================================================ clients
# Q EXPECT PROTO FAM CLIENT NAME TYPE [dig options]: one client query, started
# in the background. EXPECT is F (a name hit by the scenario's fault) or H (a
# healthy control). CLIENT a = 10.53.1.2 / fd53:1::2, b = .3 / ::3. dig keeps
# its defaults (UDP: 3 tries of 5 s, each try from a new port with the same
# id; TCP: one connection) unless options are given. +qr prints the query, so
# its id is known.
QPIDS=()
Q() {
	local exp=$1 proto=$2 fam=$3 who=$4 name=$5 type=$6 src srv cause=- detail=-
	shift 6
	case $fam$who in 4a) src=10.53.1.2;; 4b) src=10.53.1.3;; 6a) src=fd53:1::2;; 6b) src=fd53:1::3;; *) die "Q: $fam$who";; esac
	srv=10.53.1.1; [ "$fam" = 6 ] && srv=fd53:1::1
	[ "$proto" = tcp ] && set -- +tcp "$@"
	[ "$exp" = F ] && cause=$SCN_CAUSE detail=$SCN_DETAIL
	NQ=$((NQ + 1))
	local n=$NQ
	(
		t0=$(now)
		out=$(timeout 40 ip netns exec "$NS_CLI" dig +qr -b "$src" "$@" @"$srv" "$name" "$type" 2>&1) || true
		t1=$(now)
		id=$(printf '%s\n' "$out" | awk '/->>HEADER<<-/ { sub(/.*id: /, ""); print; exit }')
		# the status of the last response printed (a response's flags have qr)
		st=$(printf '%s\n' "$out" | awk '
			/->>HEADER<<-/ { h = $6; sub(/,$/, "", h); next }
			/^;; flags:/ { if (h != "" && $0 ~ /flags:[a-z ]* qr/) s = h; h = ""; next }
			END { print (s != "" ? s : "no-answer") }')
		printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
			"$n" "$SCN" "$exp" "$cause" "$detail" "$proto" "$src" "$name" "$type" "${id:--}" "$t0" "$t1" "$st" "${*:-(dig defaults)}" "$(date -u -d @"${t0%.*}" +%T)" \
			>"$L/inv/$n"
	) &
	QPIDS+=($!)
	sleep 0.15
}
W() { # wait for the scenario's client queries
	local p
	for p in "${QPIDS[@]}"; do wait "$p" || true; done
	QPIDS=()
}
# scenario NAME CAUSE DETAIL: the resolver restarts (fresh caches) first
SCN= SCN_CAUSE= SCN_DETAIL=
scenario() {
	W
	SCN=$1 SCN_CAUSE=$2 SCN_DETAIL=$3
	if [ -n "${LAB_SCENARIOS:-}" ] && [ "$SCN" != baseline ]; then
		case " $LAB_SCENARIOS " in *" $SCN "*) ;; *) return 1;; esac
	fi
	log "$R: scenario $SCN"
	res_restart restart
}

# The scenarios. Each one: restart, the faulty names and healthy controls
# concurrently (UDP/TCP, IPv4/IPv6, two client addresses), then once they are
# done a repeat of the first faulty query (failure caches).
run_scenarios() {
	NQ=0
	mkdir -p "$L/inv"
	if scenario baseline - -; then
		Q H udp 4 a www.ok.lab A
		Q H udp 6 b www.ok.lab AAAA
		Q H tcp 4 b ok.lab MX
		Q H udp 4 b nx.ok.lab A
		Q H tcp 6 a www.v6only.lab AAAA
		Q H udp 4 a alias.ok.lab A
		Q H udp 6 a big.ok.lab TXT
		Q H udp 4 b nosuch.lab A
		Q H udp 6 b _sip._udp.ok.lab SRV
		W
		Q H udp 4 a www.ok.lab A
	fi
	if scenario silent timeout all_servers_silent; then
		Q F udp 4 a www.silent.lab A
		Q F udp 6 b www.silent.lab AAAA
		Q H udp 4 b www.ok.lab A
		Q F tcp 4 a mail.silent.lab MX
		Q H tcp 6 b www.v6only.lab AAAA
		W
		Q F udp 4 a www.silent.lab A +tries=1
	fi
	if scenario lame upstream_error refused; then
		Q F udp 4 a www.lame.lab A
		Q F tcp 6 b www.lame.lab AAAA
		Q H udp 6 a nx.ok.lab AAAA
		Q F udp 4 b lame.lab MX
		W
		Q F udp 4 a www.lame.lab A
	fi
	if scenario dead blocked_port icmp_port_unreachable; then
		Q F udp 4 a www.dead.lab A
		Q F udp 6 a www.dead.lab AAAA
		Q H tcp 4 b mail.ok.lab A
		Q F tcp 6 b mail.dead.lab MX
		W
		Q F udp 4 a www.dead.lab A +tries=1
	fi
	if scenario badsig dnssec_validation bad_signature; then
		Q F udp 4 a www.badsig.lab A
		Q F tcp 6 b www.badsig.lab AAAA
		Q H udp 4 b www.badsig.lab A +cd
		Q H udp 6 a alias.ok.lab AAAA
		Q F udp 4 b badsig.lab MX
		W
		Q F udp 4 a www.badsig.lab A
	fi
	if scenario prohib blocked_port icmp_admin_prohibited; then
		Q F udp 4 b www.prohib.lab A
		Q F udp 6 a www.prohib.lab AAAA
		Q H udp 4 a www.v6only.lab A
		Q F tcp 4 b mail.prohib.lab MX
		W
		Q F udp 4 b www.prohib.lab A +tries=1
	fi
	if scenario expired dnssec_validation signature_expired; then
		Q F udp 4 b www.expired.lab A
		Q F udp 6 a www.expired.lab AAAA
		Q H tcp 4 a www.ok.lab AAAA
		Q F tcp 6 b expired.lab MX
		W
		Q F udp 4 b www.expired.lab A
	fi
	if scenario tcdrop truncation tcp_timeout; then
		Q F udp 4 a big1.tcdrop.lab TXT
		Q F tcp 6 b big2.tcdrop.lab TXT
		Q H udp 4 b www.tcdrop.lab A
		Q H udp 6 a mail.ok.lab MX
		W
		Q F udp 4 a big1.tcdrop.lab TXT +tries=1
	fi
	if scenario dsmismatch dnssec_validation ds_mismatch; then
		Q F udp 4 a www.dsmismatch.lab A
		Q F udp 6 b www.dsmismatch.lab AAAA
		Q H udp 4 b nosuch.lab AAAA
		Q F tcp 4 a dsmismatch.lab MX
		W
		Q F udp 4 a www.dsmismatch.lab A
	fi
	if scenario frag truncation fragment_loss; then
		Q F udp 4 a txt1.frag.lab TXT
		Q F udp 6 b txt2.frag.lab TXT
		Q H udp 4 b www.frag.lab A
		Q H tcp 6 a www.ok.lab A
		W
		Q F udp 4 a txt1.frag.lab TXT +tries=1
	fi
	if scenario servfail upstream_error servfail; then
		Q F udp 4 b www.servfail.lab A
		Q F tcp 6 a www.servfail.lab AAAA
		Q H udp 6 b www.lab AAAA
		Q F udp 4 a servfail.lab MX
		W
		Q F udp 4 b www.servfail.lab A
	fi
	if scenario tcreset truncation tcp_reset; then
		Q F udp 4 b big1.tcreset.lab TXT
		Q F udp 6 a big2.tcreset.lab TXT
		Q H udp 4 a www.tcreset.lab A
		Q H tcp 4 b big.ok.lab TXT
		W
		Q F udp 4 b big1.tcreset.lab TXT +tries=1
	fi
	if scenario unsigned dnssec_validation rrsig_missing; then
		Q F udp 4 a www.unsigned.lab A
		Q F tcp 6 a www.unsigned.lab AAAA
		Q H udp 4 b www.v6only.lab AAAA
		Q F udp 6 b unsigned.lab MX
		W
		Q F udp 4 a www.unsigned.lab A
	fi
	if scenario nsnx upstream_error lame_delegation; then
		Q F udp 4 a www.nsnx.lab A
		Q F udp 6 b www.nsnx.lab AAAA
		Q H tcp 4 a ok.lab DNSKEY
		Q F tcp 4 b mail.nsnx.lab MX
		W
		Q F udp 4 a www.nsnx.lab A
	fi
	if scenario v6only - -; then
		Q H udp 4 a www.v6only.lab A
		Q H udp 6 b www.v6only.lab AAAA
		Q H tcp 4 b v6only.lab SOA
		Q H udp 4 b nx.v6only.lab A
		Q H udp 6 a v6only.lab DNSKEY +dnssec
		W
	fi
	if scenario v6dead blocked_port icmp_port_unreachable; then
		Q F udp 4 b www.v6dead.lab A
		Q F udp 6 a www.v6dead.lab AAAA
		Q H udp 6 b www.ok.lab TXT
		Q F tcp 4 a mail.v6dead.lab MX
		W
		Q F udp 4 b www.v6dead.lab A +tries=1
	fi
	W
	SCN=end
}

# ================================================================ mixed load
# LAB_MODE=load: one resolver start (empty caches), then loadgen.py runs for
# LAB_LOAD_SECONDS in the client namespace: 16 clients (10 IPv4, 6 IPv6
# addresses beside the sequential lab's four), a fresh socket per query, UDP
# and some TCP, every fault zone at once, CNAME chains into them, repeats
# within the failure caches, bursts of identical questions; each query waits
# up to 12 s. The truth is load_truth.py's.
LOAD_SECONDS=${LAB_LOAD_SECONDS:-60}
LOAD_RATE=${LAB_LOAD_RATE:-35}
LOAD_CLIENTS="10.53.1.10 10.53.1.11 10.53.1.12 10.53.1.13 10.53.1.14 10.53.1.15 10.53.1.16 10.53.1.17 10.53.1.18 10.53.1.19 fd53:1::10 fd53:1::11 fd53:1::12 fd53:1::13 fd53:1::14 fd53:1::15"
run_load() {
	local a
	for a in $LOAD_CLIENTS; do
		case $a in *:*) addr "$NS_CLI" c0 "$a/64";; *) addr "$NS_CLI" c0 "$a/24";; esac
	done
	SCN=load
	res_restart start
	log "$R: mixed load for ${LOAD_SECONDS} s at ${LOAD_RATE} q/s"
	timeout $((${LOAD_SECONDS%.*} + 60)) ip netns exec "$NS_CLI" /usr/bin/python3 "$HERE/loadgen.py" \
		--clients "$(echo $LOAD_CLIENTS | tr ' ' ,)" --server4 10.53.1.1 --server6 fd53:1::1 \
		--aliases "$HERE/aliases.tsv" --duration "$LOAD_SECONDS" --rate "$LOAD_RATE" --timeout 12 \
		--out "$L/queries.tsv" || die "$R: loadgen failed"
	# the resolver keeps running a while: answers later than the clients'
	# 12 s (Knot Resolver: up to 19 s) still reach the capture
	sleep "${LAB_LOAD_DRAIN:-10}"
	SCN=end
}

# ================================================================ live capture under load
# LAB_MODE=live: the acceptance test of `dnsblame -i` under load. One resolver
# start (empty caches), every fault of the lab active; then live_check.py,
# run inside the resolver's namespace, captures there with tcpdump (the
# oracle) and LAB_LIVE_BIN -i any (default options) side by side while
# dnsperf asks LAB_LIVE_RATE q/s for LAB_LIVE_SECONDS from the client
# namespace (10.53.1.2), signals dnsblame (USR1, HUP), follows its NDJSON and
# its RSS, and checks the run (see its docstring). Exit status: its own.
# LAB_LIVE_RESULT=FILE: its closing line goes there (tests/lab/live_load.sh).
LIVE_SECONDS=${LAB_LIVE_SECONDS:-60}
LIVE_RATE=${LAB_LIVE_RATE:-2000}
run_live() {
	local rc=0
	SCN=live
	res_restart start
	# dnsblame runs as nobody (its default -Z): SIGHUP creates its -o file anew here
	mkdir -p "$L/live"
	chown nobody "$L/live"
	log "$R: live capture under load, ${LIVE_SECONDS} s at ${LIVE_RATE} q/s"
	ip netns exec "$NS_RES" /usr/bin/python3 "$HERE/../../tests/lab/live_check.py" --bin "$LAB_LIVE_BIN" \
		--dir "$L/live" --client-ns "$NS_CLI" --server 10.53.1.1 --client 10.53.1.2 --trickle-client 10.53.1.3 \
		--resolver "$R" --seconds "$LIVE_SECONDS" --rate "$LIVE_RATE" ${LAB_LIVE_RESULT:+--result "$LAB_LIVE_RESULT"} &
	wait $! || rc=$?
	# 1: checks failed (each said why); anything else: the run broke
	[ $rc != 1 ] || LIVE_CHECKED=1
	SCN=end
	res_stop
	lab_down
	return $rc
}

# ================================================================ capture
CAP_PIDS=() CAP_FILES=()
capture_start() {
	local ifs ifc
	CAP_PIDS=() CAP_FILES=()
	if [ "$R" = "$SLL2_RESOLVER" ]; then ifs=any; else ifs="r0 r1 r2"; fi
	for ifc in $ifs; do
		# ip netns exec execs tcpdump: $! is tcpdump itself
		ip netns exec "$NS_RES" tcpdump -Z root -n -U --immediate-mode -s 65535 -B 8192 -i "$ifc" \
			-w "$L/cap-$ifc.pcap" "$FILTER" 2>"$L/tcpdump-$ifc.log" </dev/null &
		CAP_PIDS+=($!) CAP_FILES+=("$L/cap-$ifc.pcap")
		wait_for grep -q 'listening on' "$L/tcpdump-$ifc.log" || die "tcpdump ($ifc) did not start"
	done
	sleep 0.2
}
capture_stop() { # OUTFILE
	local p ifc c r
	sleep 1
	for p in "${CAP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${CAP_PIDS[@]}"; do
		timeout 10 tail --pid="$p" -f /dev/null || die "tcpdump did not stop"
		wait "$p" || true
	done
	for f in "$L"/tcpdump-*.log; do
		ifc=${f##*/tcpdump-}; ifc=${ifc%.log}
		c=$(awk '/packets captured/{print $1}' "$f")
		r=$(awk '/packets received by filter/{print $1}' "$f")
		grep -qx '0 packets dropped by kernel' "$f" || die "tcpdump ($ifc) dropped packets"
		[ "$ifc" = any ] || [ "$c" = "$r" ] || die "tcpdump ($ifc) captured $c of $r"
		echo "    tcpdump $ifc: $c packets"
	done
	if [ ${#CAP_FILES[@]} = 1 ]; then
		mv "${CAP_FILES[0]}" "$1"
	else
		mergecap -F pcap -w "$1" "${CAP_FILES[@]}" || die "mergecap"
	fi
}

# ================================================================ one resolver
# The resolver's own reasons, one file: Unbound's log-servfail and error lines,
# BIND's query-errors / lame-servers / dnssec / resolver categories, Knot
# Resolver's log (info), PowerDNS Recursor's trace=fail traces (only the lines
# that give a result or a reason).
resolver_log_excerpt() {
	case $R in
	unbound) grep -E 'SERVFAIL|error|notice|info:' "$RD/unbound.log" ;;
	bind) grep -vE 'general: (info|notice): (loading|using|found|none|listening|reading|command|running|zone|managed-keys|all zones|automatic|not using)' "$RD/named.log" ;;
	kresd) awk '/^\[(system|net)\]/ || /<= (answer valid, OK|DS: OK|parent: updating DNSKEY)/ { next }
		/^\[select\]/ && !/noting selection error|no suitable transport|NO6: (timed out|success)/ { next }
		{ print }' "$RD/kresd.log" ;;
	pdns) grep -E 'rcode=[1-9]|[Tt]imeout|timed out|unreachable|[Bb]ogus|[Ff]ailed|throttl|[Gg]iving up|[Ee]rror|[Tt]runcat|TCP|ServFail|SERVFAIL|lame|Validates|vstate|[Rr]efused|Insecure' "$RD/pdns.log" | grep -v 'Periodic statistics' ;;
	esac | cut -c1-400 | head -n 4000
}

run_resolver() {
	R=$1
	local t0=$SECONDS
	log "=== $R"
	lab_up "$R"
	RD=$L/$R; mkdir -p "$RD"
	"${R}_conf"
	: >"$L/events.tsv"
	if [ "$MODE" = live ]; then
		run_live
		log "$R: done in $((SECONDS - t0)) s"
		return
	fi
	capture_start
	if [ "$MODE" = load ]; then run_load; else run_scenarios; fi
	res_stop
	printf '%s\t%s\t%s\n' "$(now)" stop end >>"$L/events.tsv"
	local T=$L/out; mkdir -p "$T"
	capture_stop "$T/$R.pcap"
	if [ "$MODE" = load ]; then load_outputs "$T"; else seq_outputs "$T"; fi
	local size
	size=$(stat -c %s "$T/$R.pcap")
	[ "$size" -lt 3000000 ] || die "$R.pcap is $size bytes"
	mkdir -p "$OUT"
	for f in "$T"/*; do mv -f "$f" "$OUT/"; done
	lab_down
	log "$R: done in $((SECONDS - t0)) s ($size bytes)"
	sed 's/^/    /' "$OUT/$R.summary.txt" | head -n 5
}

load_outputs() { # DIR
	local T=$1
	cp "$L/queries.tsv" "$T/$R.queries.tsv"
	{ echo "# time (epoch)	event	(start: the resolver process, empty caches, before the first query)"; cat "$L/events.tsv"; } >"$T/$R.events.tsv"
	{
		echo "# $R (mixed load): the resolver's own reasons (log excerpt, first 1500 lines; see NOTES.md)"
		resolver_log_excerpt | head -n 1500 || true
	} >"$T/$R.log.txt"
	/usr/bin/python3 "$HERE/load_truth.py" --resolver "$R" --pcap "$T/$R.pcap" --queries "$T/$R.queries.tsv" \
		--aliases "$HERE/aliases.tsv" --truth "$T/$R.truth.tsv" --summary "$T/$R.summary.txt" ||
		die "$R: load truth/verification failed"
}

seq_outputs() { # DIR
	local T=$1
	{
		printf '# the scripted client queries (dig): n, scenario, F (name hit by the fault) or H (healthy control), cause, detail, transport, source, name, type, dig id (first try), start, end (epoch), dig status, dig options, start (UTC)\n'
		cat "$L"/inv/* | sort -n
	} >"$T/$R.clients.tsv"
	{
		echo "# $R: the resolver's own reasons (log excerpt; see NOTES.md), then the EDEs it sent"
		resolver_log_excerpt || true
	} >"$T/$R.log.txt"
	# ground truth and checks (tshark): truth.py fails on any mismatch
	/usr/bin/python3 "$HERE/truth.py" --resolver "$R" --pcap "$T/$R.pcap" --invocations "$T/$R.clients.tsv" \
		--events "$L/events.tsv" --truth "$T/$R.truth.tsv" --summary "$T/$R.summary.txt" \
		--events-out "$T/$R.events.tsv" --ede-out "$L/ede.tsv" ||
		die "$R: truth/verification failed"
	{ echo; cat "$L/ede.tsv"; } >>"$T/$R.log.txt"
}

build_zones
for r in $RESOLVERS; do run_resolver "$r"; done
log "all done: $RESOLVERS"
