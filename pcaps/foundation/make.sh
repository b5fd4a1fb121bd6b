#!/bin/bash
# Regenerate dnsblame's test captures from real DNS software.
#
#   sudo pcaps/foundation/make.sh            # everything
#   sudo pcaps/foundation/make.sh foundation # pcaps/foundation/*.pcap only
#   sudo pcaps/foundation/make.sh sample     # pcaps/sample/resolver-mixed.pcap only
#
# Runs as root on Debian 12. Installs the Debian packages it needs. All
# traffic stays inside network namespaces that this script creates (joined by
# veth pairs, private addresses 10.53.0.0/16 and fd53::/32); every namespace,
# process and temporary file it made is removed on exit, even on failure.
# Outputs are written to a temporary name and moved into place, so a failed
# run leaves the previous captures untouched. Takes about 70 s.
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
FOUND_DIR=$HERE
SAMPLE_DIR=$(cd "$HERE/.." && pwd)/sample
WHAT=${1:-all}
case $WHAT in all|foundation|sample) ;; *) echo "usage: $0 [all|foundation|sample]" >&2; exit 2;; esac

[ "$(id -u)" = 0 ] || { echo "make.sh: must run as root (network namespaces)" >&2; exit 1; }

# ---------------------------------------------------------------- packages
PKGS="nsd unbound bind9-dnsutils knot-dnsutils dnsperf ldnsutils nftables tcpdump tshark ethtool iproute2 procps"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "make.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Should the packages start their own system-wide nsd/unbound, those are left
# alone and unused: every server below runs with its own configuration
# inside a namespace of this script.

# ---------------------------------------------------------------- cleanup
TAG=dnsb$$
WORK=$(mktemp -d "/tmp/dnsblame-pcaps.XXXXXX")
NSES=()
DAEMONS=()
CAP_PID= CAP_IF=

cleanup() {
	local rc=$? ns pids p i st
	trap - EXIT INT TERM HUP
	set +eu
	[ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null
	# The daemons this script started, by pid: TERM lets each one stop and
	# reap its own worker processes; then this shell reaps the daemons.
	for ns in "${NSES[@]}"; do # a paused NSD (dnsperf_pipelined) must run to exit
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -CONT $pids 2>/dev/null
	done
	for p in "${DAEMONS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for i in $(seq 50); do
		st=
		for p in "${DAEMONS[@]}"; do st=$st$(ps -o stat= -p "$p" 2>/dev/null | grep -v '^Z'); done
		[ -z "$st" ] && break
		sleep 0.1
	done
	# Whatever is still running inside the namespaces this script made
	# (clients, stuck daemons): TERM, then KILL; then the namespaces go.
	for ns in "${NSES[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	done
	sleep 0.3
	for ns in "${NSES[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	wait 2>/dev/null
	if [ $rc != 0 ] && [ -d "$WORK" ]; then
		for f in "$WORK"/*.log "$WORK"/*/*.log; do
			[ -s "$f" ] && { echo "---- $f"; tail -n 20 "$f"; }
		done >&2
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { echo "make.sh: [${SECONDS}s] $*"; }
die() { echo "make.sh: FAIL: $*" >&2; exit 1; }

# netns NAME: create a namespace that cleanup will delete.
mkns() {
	local ns=$TAG-$1
	ip netns add "$ns"
	NSES+=("$ns")
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
	# No ICMP rate limiting: a refused port must always answer with an ICMP error.
	ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
}
nsx() { local ns=$TAG-$1; shift; ip netns exec "$ns" "$@"; }

# link NS1 IF1 NS2 IF2 MTU: veth pair, offloads off so that the capture shows
# the segments that really go on the wire (not GSO/GRO super-packets).
link() {
	ip link add "$2" netns "$TAG-$1" mtu "$5" type veth peer name "$4" netns "$TAG-$3" mtu "$5"
	local side
	for side in "$1 $2" "$3 $4"; do
		set -- $side
		nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
		nsx "$1" sysctl -qw "net.ipv6.conf.$2.accept_ra=0" "net.ipv6.conf.$2.accept_dad=0"
		ip -n "$TAG-$1" link set "$2" up
	done
}
addr() { # NS IF ADDR/LEN...
	local ns=$1 ifc=$2; shift 2
	local a
	for a in "$@"; do
		case $a in *:*) ip -n "$TAG-$ns" addr add "$a" dev "$ifc" nodad;; *) ip -n "$TAG-$ns" addr add "$a" dev "$ifc";; esac
	done
}

# wait_for CMD...: retry for up to 10 s
wait_for() {
	local i
	for i in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# capture start NS IFACE FILE FILTER / capture stop
capture_start() {
	local ns=$1 ifc=$2 out=$3 filter=$4
	: >"$WORK/tcpdump.log"
	# ip netns exec execs tcpdump, so $! is tcpdump itself
	ip netns exec "$TAG-$ns" tcpdump -Z root -n -U --immediate-mode -s 65535 -B 65536 -i "$ifc" -w "$out" "$filter" 2>"$WORK/tcpdump.log" &
	CAP_PID=$! CAP_IF=$ifc
	wait_for grep -q 'listening on' "$WORK/tcpdump.log" || die "tcpdump did not start"
	sleep 0.2
}
capture_stop() {
	sleep 0.5
	kill -INT "$CAP_PID"
	timeout 10 tail --pid="$CAP_PID" -f /dev/null || die "tcpdump did not stop"
	wait "$CAP_PID" || true
	CAP_PID=
	grep -E 'captured|dropped' "$WORK/tcpdump.log" | tr '\n' ' ' | sed 's/^/    tcpdump: /'; echo
	grep -qx '0 packets dropped by kernel' "$WORK/tcpdump.log" || die "tcpdump dropped packets"
	local c r
	c=$(awk '/packets captured/{print $1}' "$WORK/tcpdump.log")
	r=$(awk '/packets received by filter/{print $1}' "$WORK/tcpdump.log")
	[ "$c" -gt 0 ] || die "tcpdump captured nothing"
	# On "any", libpcap discards the outgoing copy of loopback packets after
	# the kernel counted them, so "received" exceeds "captured" there.
	[ "$c" = "$r" ] || [ "$CAP_IF" = any ] || die "tcpdump captured $c of $r packets"
}

# nsd_start NS NAME ADDR... : an NSD instance with zones from $WORK/NAME/nsd.zones
nsd_start() {
	local ns=$1 name=$2 d=$WORK/$2 a
	shift 2
	{
		echo "server:"
		for a in "$@"; do echo "  ip-address: $a"; done
		cat <<-EOF
		  port: 53
		  username: ""
		  chroot: ""
		  zonesdir: "$d"
		  database: ""
		  pidfile: "$d/nsd.pid"
		  xfrdfile: "$d/xfrd.state"
		  zonelistfile: "$d/zone.list"
		  xfrdir: "$d"
		  logfile: "$d/nsd.log"
		  server-count: 1
		  reuseport: no
		  ip-transparent: no
		  hide-version: yes
		  hide-identity: yes
		  refuse-any: no
		  minimal-responses: no
		  round-robin: no
		  ipv4-edns-size: 4096
		  ipv6-edns-size: 4096
		  tcp-count: 100
		  verbosity: 1
		remote-control:
		  control-enable: no
		EOF
		cat "$d/nsd.zones"
	} >"$d/nsd.conf"
	nsd-checkconf "$d/nsd.conf" || die "nsd.conf ($name)"
	ip netns exec "$TAG-$ns" nsd -d -c "$d/nsd.conf" >>"$d/nsd.log" 2>&1 &
	DAEMONS+=($!)
	# ready when it answers on its first address over UDP
	wait_for nsx "$ns" dig +time=1 +tries=1 +norec @"$1" . SOA || die "nsd $name did not start"
}

# txt_rrset NAME COUNT LEN: COUNT TXT records, each one string of LEN bytes
txt_rrset() {
	local i s
	for i in $(seq -w "$2"); do
		s=$(printf "%s-%s-" "$1" "$i"; head -c "$3" /dev/zero | tr '\0' 'x')
		printf '%s 300 IN TXT "%s"\n' "$1" "${s:0:$3}"
	done
}

# pids of processes whose name starts with COMM in namespace NS
ns_pids() {
	local p
	for p in $(ip netns pids "$TAG-$1"); do
		case $(cat /proc/$p/comm 2>/dev/null) in "$2"*) echo "$p";; esac
	done
	return 0
}

# dnsperf_pipelined SRV QUERYFILE: dnsperf writes every query of the file on
# one TCP connection without waiting for answers. The server (NSD in "auth")
# is stopped meanwhile (the kernel still completes the handshake and
# buffers the queries), so all the queries are really on the wire before the
# first response, whatever the timing; then NSD answers them in order.
dnsperf_pipelined() {
	local srv=$1 qf=$2 n pids dp
	n=$(grep -c . "$qf")
	pids=$(ns_pids auth nsd)
	[ -n "$pids" ] || die "no nsd in auth"
	kill -STOP $pids
	nsx cli dnsperf -m tcp -s "$srv" -c 1 -q 20 -n 1 -t 5 -d "$qf" >"$qf.log" 2>&1 &
	dp=$!
	sleep 0.5
	kill -CONT $pids
	wait $dp || die "dnsperf failed"
	grep -q "Queries completed: *$n (100.00%)" "$qf.log" || die "dnsperf: not all $n answered"
}

# tshark checks on a capture: expect FILE FILTER MIN WHAT
expect() {
	local n
	n=$(tshark -r "$1" -Y "$2" 2>/dev/null | wc -l)
	[ "$n" -ge "$3" ] || die "$(basename "$1"): $4 (tshark -Y '$2': $n frames, want >= $3)"
}
# every DNS query of the capture precedes its first DNS response (pipelining)
expect_pipelined() {
	tshark -r "$1" -Y dns -T fields -e dns.flags.response 2>/dev/null | tr ',' '\n' |
	awk '$1 == "1" || $1 == "True" { r = 1; next } r { bad = 1 } END { exit bad }' ||
		die "$(basename "$1"): a query follows a response (not pipelined)"
}

install_pcap() { # TMP DEST
	local size
	size=$(stat -c %s "$1")
	[ "$size" -lt 204800 ] || die "$2 is $size bytes (limit 200 KB)"
	mv -f "$1" "$2"
	"$FOUND_DIR/counts.sh" "$2" | sed 's/^/    /'
}

# ================================================================ foundation
# Two namespaces, one veth pair with MTU 1280:
#   cli  c0 10.53.0.2/24 fd53::2/64   <->   auth a0 10.53.0.53/24 fd53::53/64
# NSD in auth serves the private TLD "lab." (big TXT RRsets for fragmentation
# and multi-segment TCP answers).
FDNS4=10.53.0.53
FDNS6=fd53::53
FILTER='port 53 or icmp or (icmp6 and ip6[40] < 128) or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44'

foundation() {
	log "foundation: namespaces"
	mkns cli; mkns auth
	link cli c0 auth a0 1280
	addr cli c0 10.53.0.2/24 fd53::2/64
	addr auth a0 $FDNS4/24 $FDNS6/64

	mkdir -p "$WORK/fauth"
	{
		cat <<-EOF
		\$ORIGIN lab.
		\$TTL 300
		@	SOA	ns1 hostmaster 2024010101 3600 900 604800 300
		@	NS	ns1
		ns1	A	$FDNS4
		ns1	AAAA	$FDNS6
		www	A	10.53.0.80
		www	AAAA	fd53::80
		mail	MX	10 www
		EOF
		for h in a b c d e f g h; do printf '%s\tA\t10.53.0.%d\n' $h $((100 + $(printf '%d' "'$h") - 97)); done
		txt_rrset big.lab. 24 250   # ~6.4 KB: several TCP segments
		txt_rrset frag1.lab. 5 250  # ~1.4 KB: 2 fragments at MTU 1280
		txt_rrset frag2.lab. 9 250  # ~2.5 KB: 2-3 fragments
		txt_rrset frag3.lab. 12 250 # ~3.3 KB: 3 fragments
		txt_rrset frag4.lab. 14 250 # ~3.8 KB: 4 fragments
	} >"$WORK/fauth/lab.zone"
	printf 'zone:\n  name: "lab."\n  zonefile: "lab.zone"\n' >"$WORK/fauth/nsd.zones"
	nsd_start auth fauth $FDNS4 $FDNS6

	local T=$WORK/out; mkdir -p "$T"
	local DIG="nsx cli dig +time=3 +tries=1"

	# 1. IPv6 TCP: dnsperf pipelines all queries of its input on one
	#    connection (up to -q outstanding); big.lab spans several segments.
	log "ipv6-tcp-pipelined"
	printf '%s\n' 'a.lab A' 'b.lab AAAA' 'big.lab TXT' 'www.lab AAAA' 'nx.lab A' 'mail.lab MX' >"$WORK/q1"
	capture_start cli c0 "$T/ipv6-tcp-pipelined.pcap" "$FILTER"
	dnsperf_pipelined $FDNS6 "$WORK/q1"
	capture_stop
	expect_pipelined "$T/ipv6-tcp-pipelined.pcap"
	expect "$T/ipv6-tcp-pipelined.pcap" 'dns && tcp.segments' 1 "no multi-segment DNS message"
	install_pcap "$T/ipv6-tcp-pipelined.pcap" "$FOUND_DIR/ipv6-tcp-pipelined.pcap"

	# 2./3. Large UDP answers, fragmented by the server's kernel (MTU 1280)
	for fam in 4 6; do
		local srv=$FDNS4; [ $fam = 6 ] && srv=$FDNS6
		log "ipv$fam-frag-udp"
		capture_start cli c0 "$T/ipv$fam-frag-udp.pcap" "$FILTER"
		for n in frag1 frag2 frag3 frag4 www; do
			$DIG +bufsize=4096 +notcp +ignore @$srv $n.lab TXT >/dev/null
		done
		capture_stop
		if [ $fam = 4 ]; then
			expect "$T/ipv4-frag-udp.pcap" 'ip.flags.mf==1' 4 "no IPv4 fragments"
			expect "$T/ipv4-frag-udp.pcap" 'dns.flags.response==1 && ip.fragments' 4 "tshark reassembled no DNS response"
		else
			expect "$T/ipv6-frag-udp.pcap" 'ipv6.fraghdr.more==1' 4 "no IPv6 fragments"
			expect "$T/ipv6-frag-udp.pcap" 'dns.flags.response==1 && ipv6.fragments' 4 "tshark reassembled no DNS response"
		fi
		install_pcap "$T/ipv$fam-frag-udp.pcap" "$FOUND_DIR/ipv$fam-frag-udp.pcap"
	done

	# 4. IPv4 TCP: a pipelined connection (dnsperf) with a multi-segment
	#    answer, then dig +tcp +keepopen (sequential queries on one connection).
	log "ipv4-tcp-split"
	printf '%s\n' 'big.lab TXT' 'c.lab A' 'frag3.lab TXT' >"$WORK/q4"
	capture_start cli c0 "$T/ipv4-tcp-split.pcap" "$FILTER"
	dnsperf_pipelined $FDNS4 "$WORK/q4"
	$DIG +tcp +keepopen @$FDNS4 d.lab A big.lab TXT >/dev/null
	capture_stop
	expect "$T/ipv4-tcp-split.pcap" 'dns && tcp.segments' 2 "no multi-segment DNS message"
	install_pcap "$T/ipv4-tcp-split.pcap" "$FOUND_DIR/ipv4-tcp-split.pcap"

	# 6. (extra) segment boundaries that no Debian DNS client produces but
	#    real stacks do: several queries in one segment, a length prefix in
	#    a segment of its own, a message split inside its header. The writer
	#    is tcp-writer.py (plain sockets); the server is NSD as above.
	log "ipv4-tcp-coalesced"
	capture_start cli c0 "$T/ipv4-tcp-coalesced.pcap" "$FILTER"
	nsx cli python3 "$FOUND_DIR/tcp-writer.py" $FDNS4 >"$WORK/writer.log" 2>&1 || die "tcp-writer.py: $(cat "$WORK/writer.log")"
	capture_stop
	[ "$(tshark -r "$T/ipv4-tcp-coalesced.pcap" -Y 'dns' -T fields -e dns.id 2>/dev/null | grep -c ,)" -ge 1 ] ||
		die "ipv4-tcp-coalesced: no segment with several DNS messages"
	install_pcap "$T/ipv4-tcp-coalesced.pcap" "$FOUND_DIR/ipv4-tcp-coalesced.pcap"

	# 5. tcpdump -i any in the server namespace (LINUX_SLL2): UDP and TCP,
	#    v4 and v6, over the veth (from cli) and over lo (from auth itself).
	log "sll2-any"
	capture_start auth any "$T/sll2-any.pcap" "$FILTER"
	$DIG @$FDNS4 www.lab A >/dev/null
	$DIG @$FDNS6 www.lab AAAA >/dev/null
	$DIG +tcp @$FDNS4 mail.lab MX >/dev/null
	$DIG +tcp @$FDNS6 nx.lab A >/dev/null
	$DIG +bufsize=4096 +notcp +ignore @$FDNS6 frag2.lab TXT >/dev/null
	$DIG +tcp @$FDNS4 big.lab TXT >/dev/null
	nsx auth dig +time=3 +tries=1 @$FDNS4 a.lab A >/dev/null
	nsx auth dig +time=3 +tries=1 +tcp @$FDNS6 b.lab A >/dev/null
	nsx auth kdig +timeout=3 +retry=0 @$FDNS4 nonexistent.lab A >/dev/null
	capture_stop
	[ "$(capinfos -T -E "$T/sll2-any.pcap" | awk -F'\t' 'NR==2{print $2}')" = linux-sll2 ] || die "sll2-any: not LINUX_SLL2"
	expect "$T/sll2-any.pcap" 'dns && ipv6 && tcp' 2 "no DNS over TCP/IPv6"
	expect "$T/sll2-any.pcap" 'dns && ip && udp' 2 "no DNS over UDP/IPv4"
	install_pcap "$T/sll2-any.pcap" "$FOUND_DIR/sll2-any.pcap"
}

# ================================================================ sample
# Three namespaces:
#   scli  c0 10.53.1.2 fd53:1::2  <->  sres r0 10.53.1.1 fd53:1::1  (client side)
#   sres  r1 10.53.0.1 fd53::1    <->  sauth a0 10.53.0.10-14 fd53::10-14
# sres runs Unbound (Debian defaults except root hints + trust anchor), sauth
# runs three NSD instances: the private root ".", the TLD "lab." and the child
# zones. Faults, each a real one:
#   dead.lab    NS at 10.53.0.13 / fd53::13: address up, nothing listens
#               (ICMP / ICMPv6 port unreachable, TCP RST)
#   silent.lab  NS at 10.53.0.14 / fd53::14: NSD listens but nftables in sauth
#               drops every packet to that address (timeouts)
#   lame.lab    NS at 10.53.0.12: the child NSD does not serve lame.lab (REFUSED)
#   bogus.lab   signed, but the DS in lab. is of another key (DNSSEC bogus)
sign_zone() { # ZONE FILE KEYBASE -> FILE.signed
	ldns-signzone -i "$(date -u -d '2 days ago' +%Y%m%d)" -e "$(date -u -d '+60 days' +%Y%m%d)" \
		-o "$1" -f "$2.signed" "$2" "$3" || die "signing $1"
}

sample() {
	log "sample: namespaces"
	mkns scli; mkns sres; mkns sauth
	link scli c0 sres r0 1500
	link sres r1 sauth a0 1500
	addr scli c0 10.53.1.2/24 fd53:1::2/64
	addr sres r0 10.53.1.1/24 fd53:1::1/64
	addr sres r1 10.53.0.1/24 fd53::1/64
	local i
	for i in 10 11 12 13 14; do addr sauth a0 10.53.0.$i/24 fd53::$i/64; done

	# --- keys and zones
	local K=$WORK/keys; mkdir -p "$K"
	local kroot klab kok kbogus kother
	kroot=$K/$(cd "$K" && ldns-keygen -a ECDSAP256SHA256 -k .)
	klab=$K/$(cd "$K" && ldns-keygen -a ECDSAP256SHA256 -k lab)
	kok=$K/$(cd "$K" && ldns-keygen -a ECDSAP256SHA256 -k ok.lab)
	kbogus=$K/$(cd "$K" && ldns-keygen -a ECDSAP256SHA256 -k bogus.lab)
	mkdir -p "$K/other"
	kother=$K/other/$(cd "$K/other" && ldns-keygen -a ECDSAP256SHA256 -k bogus.lab)

	mkdir -p "$WORK/root" "$WORK/tld" "$WORK/child"
	cat >"$WORK/child/ok.lab.zone" <<-EOF
	\$ORIGIN ok.lab.
	\$TTL 3600
	@	SOA	ns hostmaster 2024010101 3600 900 604800 300
	@	NS	ns
	@	MX	10 mail
	ns	A	10.53.0.12
	ns	AAAA	fd53::12
	www	A	10.53.0.80
	www	AAAA	fd53::80
	mail	A	10.53.0.25
	mail	AAAA	fd53::25
	alias	CNAME	www
	_sip._udp	SRV	10 5 5060 www
	EOF
	txt_rrset big.ok.lab. 12 250 >>"$WORK/child/ok.lab.zone"
	sign_zone ok.lab "$WORK/child/ok.lab.zone" "$kok"

	cat >"$WORK/child/bogus.lab.zone" <<-EOF
	\$ORIGIN bogus.lab.
	\$TTL 3600
	@	SOA	ns hostmaster 2024010101 3600 900 604800 300
	@	NS	ns
	ns	A	10.53.0.12
	ns	AAAA	fd53::12
	www	A	10.53.0.81
	www	AAAA	fd53::81
	EOF
	sign_zone bogus.lab "$WORK/child/bogus.lab.zone" "$kbogus"

	cat >"$WORK/child/insecure.lab.zone" <<-EOF
	\$ORIGIN insecure.lab.
	\$TTL 3600
	@	SOA	ns hostmaster 2024010101 3600 900 604800 300
	@	NS	ns
	ns	A	10.53.0.12
	ns	AAAA	fd53::12
	www	A	10.53.0.82
	www	AAAA	fd53::82
	EOF
	cat >"$WORK/child/silent.lab.zone" <<-EOF
	\$ORIGIN silent.lab.
	\$TTL 3600
	@	SOA	ns hostmaster 2024010101 3600 900 604800 300
	@	NS	ns
	ns	A	10.53.0.14
	ns	AAAA	fd53::14
	www	A	10.53.0.83
	www	AAAA	fd53::83
	EOF

	{
		cat <<-EOF
		\$ORIGIN lab.
		\$TTL 3600
		@	SOA	ns1 hostmaster 2024010101 3600 900 604800 300
		@	NS	ns1
		ns1	A	10.53.0.11
		ns1	AAAA	fd53::11
		a.root-servers	A	10.53.0.10
		a.root-servers	AAAA	fd53::10
		www	A	10.53.0.80
		www	AAAA	fd53::80
		EOF
		local z h
		for z in ok:12 insecure:12 bogus:12 lame:12 dead:13 silent:14; do
			h=${z#*:}; z=${z%:*}
			printf '%s\tNS\tns.%s\nns.%s\tA\t10.53.0.%s\nns.%s\tAAAA\tfd53::%s\n' "$z" "$z" "$z" "$h" "$z" "$h"
		done
		cat "$kok.ds"
		cat "$kother.ds" # bogus.lab: DS of a key that signs nothing
	} >"$WORK/tld/lab.zone"
	sign_zone lab "$WORK/tld/lab.zone" "$klab"

	{
		cat <<-EOF
		\$TTL 86400
		.	SOA	a.root-servers.lab. hostmaster.lab. 2024010101 1800 900 604800 3600
		.	NS	a.root-servers.lab.
		lab.	NS	ns1.lab.
		ns1.lab.	A	10.53.0.11
		ns1.lab.	AAAA	fd53::11
		a.root-servers.lab.	A	10.53.0.10
		a.root-servers.lab.	AAAA	fd53::10
		EOF
		cat "$klab.ds"
	} >"$WORK/root/root.zone"
	sign_zone . "$WORK/root/root.zone" "$kroot"

	printf 'zone:\n  name: "."\n  zonefile: "root.zone.signed"\n' >"$WORK/root/nsd.zones"
	printf 'zone:\n  name: "lab."\n  zonefile: "lab.zone.signed"\n' >"$WORK/tld/nsd.zones"
	printf 'zone:\n  name: "%s"\n  zonefile: "%s"\n' \
		ok.lab. ok.lab.zone.signed bogus.lab. bogus.lab.zone.signed \
		insecure.lab. insecure.lab.zone silent.lab. silent.lab.zone >"$WORK/child/nsd.zones"
	nsd_start sauth root 10.53.0.10 fd53::10
	nsd_start sauth tld 10.53.0.11 fd53::11
	nsd_start sauth child 10.53.0.12 fd53::12 10.53.0.14 fd53::14
	# silence the silent.lab server: its packets are dropped on the way in
	nsx sauth nft -f - <<-EOF
	table inet dnsblame {
		chain input {
			type filter hook input priority 0; policy accept;
			ip daddr 10.53.0.14 drop
			ip6 daddr fd53::14 drop
		}
	}
	EOF

	# --- unbound: defaults except where it listens, root hints, trust anchor
	local U=$WORK/unbound; mkdir -p "$U"
	cat >"$U/root.hints" <<-EOF
	.	3600000	NS	a.root-servers.lab.
	a.root-servers.lab.	3600000	A	10.53.0.10
	a.root-servers.lab.	3600000	AAAA	fd53::10
	EOF
	cp "$kroot.ds" "$U/root.ds"
	cat >"$U/unbound.conf" <<-EOF
	server:
	  interface: 10.53.1.1
	  interface: fd53:1::1
	  access-control: 10.53.1.0/24 allow
	  access-control: fd53:1::/64 allow
	  root-hints: "$U/root.hints"
	  trust-anchor-file: "$U/root.ds"
	  # process housekeeping only (no effect on DNS behaviour)
	  username: ""
	  chroot: ""
	  directory: "$U"
	  pidfile: "$U/unbound.pid"
	  do-daemonize: no
	  use-syslog: no
	  logfile: "$U/unbound.log"
	  verbosity: 1
	  log-servfail: yes
	remote-control:
	  control-enable: no
	EOF
	unbound-checkconf "$U/unbound.conf" >/dev/null || die "unbound.conf"
	ip netns exec "$TAG-sres" unbound -d -c "$U/unbound.conf" >>"$U/unbound.log" 2>&1 &
	DAEMONS+=($!)
	wait_for sh -c "ip netns exec $TAG-sres ss -Hlun | grep -q '10.53.1.1:53'" || die "unbound did not start"

	local T=$WORK/out; mkdir -p "$T"
	log "resolver-mixed (about 40 s)"
	capture_start sres any "$T/resolver-mixed.pcap" "$FILTER"
	: >"$WORK/answers.txt"
	# q PROTO FAMILY NAME TYPE [dig options]: one client query (dig, real
	# client defaults otherwise: +time=5 +tries=3 on UDP). The outcome is logged.
	q() {
		local proto=$1 fam=$2 name=$3 type=$4 srv=10.53.1.1 st out
		shift 4
		[ "$fam" = 6 ] && srv=fd53:1::1
		[ "$proto" = tcp ] && set -- +tcp "$@"
		out=$(nsx scli dig "$@" @$srv "$name" "$type" 2>&1) || true
		st=$(printf '%s\n' "$out" | awk '
			/status:/ { sub(/,$/, "", $6); s = $6 }
			/timed out|no servers could be reached/ { t = "no-answer" }
			END { print (s != "" ? s : (t != "" ? t : "?")) }')
		printf '%s\t%s\t%s\t%s\t%s\n' "$proto$fam" "$name" "$type" "$st" "$*" >>"$WORK/answers.txt"
	}
	# healthy traffic
	q udp 4 www.ok.lab A
	q udp 6 www.ok.lab AAAA
	q tcp 4 ok.lab MX
	q tcp 6 ok.lab NS
	q udp 4 nx.ok.lab A
	q udp 6 nothere.lab A
	q tcp 4 nosuchtld A
	q udp 4 www.insecure.lab A
	q udp 6 nx.insecure.lab AAAA
	q udp 4 www.ok.lab TXT
	q udp 4 big.ok.lab TXT            # TC from unbound, dig retries over TCP
	q tcp 6 big.ok.lab TXT
	q udp 6 lab SOA
	q udp 4 . NS
	q udp 4 mail.ok.lab A
	q udp 6 mail.ok.lab AAAA
	q tcp 4 www.lab A
	q udp 4 www.ok.lab A
	q udp 6 alias.ok.lab A
	q tcp 6 ok.lab DNSKEY
	q udp 4 www.ok.lab A +dnssec
	q udp 6 _sip._udp.ok.lab SRV
	# fast faults: REFUSED from the lame server, DNSSEC bogus
	q udp 4 www.lame.lab A
	q udp 4 www.bogus.lab A
	q udp 6 www.bogus.lab AAAA
	q tcp 4 www.bogus.lab A +cd        # checking disabled: the data, unvalidated
	q tcp 6 www.lame.lab A
	# slow faults (unreachable port, dropped packets), concurrently with
	# healthy traffic; dig's own defaults (UDP: 3 tries of 5 s) unless given
	local bg=()
	q udp 4 www.dead.lab A & bg+=($!)
	q udp 6 www.silent.lab AAAA & bg+=($!)
	sleep 0.2
	q tcp 4 mail.dead.lab MX +tries=1 & bg+=($!)
	q udp 4 www.silent.lab A +tries=1 +time=12 & bg+=($!)
	sleep 0.5
	q udp 6 www.ok.lab AAAA
	q udp 4 nx2.ok.lab A
	q tcp 6 nx3.lab AAAA
	sleep 2
	q udp 4 www.insecure.lab AAAA
	q udp 6 ok.lab SOA
	wait "${bg[@]}"
	# the same faults again, now that Unbound has given up on those servers
	q udp 6 www.dead.lab AAAA
	q udp 4 ftp.dead.lab A
	q tcp 6 www.silent.lab A +tries=1
	q udp 4 ns.silent.lab A
	q tcp 4 www.ok.lab AAAA
	q udp 4 later.nx.lab A
	sleep 2
	capture_stop
	expect "$T/resolver-mixed.pcap" 'dns.flags.rcode==2 && (ip.dst==10.53.1.2 || ipv6.dst==fd53:1::2)' 3 "no SERVFAIL to the client"
	expect "$T/resolver-mixed.pcap" 'icmp.type==3 && icmp.code==3' 1 "no ICMP port unreachable"
	expect "$T/resolver-mixed.pcap" 'icmpv6.type==1 && icmpv6.code==4' 1 "no ICMPv6 port unreachable"
	install_pcap "$T/resolver-mixed.pcap" "$SAMPLE_DIR/resolver-mixed.pcap"
	cp "$WORK/answers.txt" "$SAMPLE_DIR/answers.tsv"
	grep -E 'error|fail|SERVFAIL|timeout|info: ' "$U/unbound.log" | head -50 >"$WORK/unbound-excerpt.log" || true
	cp "$WORK/unbound-excerpt.log" "$SAMPLE_DIR/unbound-log-excerpt.txt"
}

# ================================================================ main
if [ "$WHAT" != sample ]; then
	foundation
	"$FOUND_DIR/counts.sh" "$FOUND_DIR"/*.pcap >"$FOUND_DIR/COUNTS.txt"
fi
if [ "$WHAT" != foundation ]; then
	mkdir -p "$SAMPLE_DIR"
	sample
	"$FOUND_DIR/counts.sh" "$SAMPLE_DIR/resolver-mixed.pcap" \
		-- 'ip.addr==10.53.1.0/24 || ipv6.addr==fd53:1::/64' client-side >"$SAMPLE_DIR/COUNTS.txt"
fi
log "done"
