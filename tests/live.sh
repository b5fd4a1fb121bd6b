#!/bin/sh
# Live capture, the way an on-call engineer runs it, on the loopback of a
# network namespace this test creates (and deletes, whatever happens):
#   1. dnsblame -i lo -c 20: the start-up line on stderr, exactly 20 packets,
#      the kernel's counts (received, dropped) at exit and in the JSON;
#   2. --duration 1 on an idle interface stops on time;
#   3. SIGINT mid-run ends with the report;
#   4. NDJSON verdicts are written as they are made, before the input ends;
#      on an idle interface, a query never answered gets its verdict one
#      window later without any further packet (capture time follows the
#      clock);
#   5. SIGUSR1 prints an interim report and the run goes on; SIGHUP reopens
#      the -o file after it was moved away.
# Needs root (network namespaces); packets go only to 127.0.0.1 inside the
# namespace.  Closing line: "live: N passed, N failed".
set -u
bin=${1:?usage: live.sh BINARY}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
. "$(dirname "$0")/netns.sh"
netns_setup live

# N DNS queries from 127.0.0.1 to port 53 (nothing listens: the kernel's
# ICMP errors are not in the filter below).
send() {
	ip netns exec "$ns" python3 - "$1" <<-'EOF'
	import socket, struct, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	for i in range(int(sys.argv[1])):
	    q = struct.pack("!HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0)
	    q += b"\x03www\x07example\x03com\x00" + struct.pack("!HH", 1, 1)
	    s.sendto(q, ("127.0.0.1", 53))
	EOF
}
wait_banner() {
	i=0
	while [ $i -lt 50 ] && ! grep -q "listening on" "$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	grep -q "listening on" "$1"
}

# 1. -c 20
ip netns exec "$ns" "$bin" -i lo -c 20 --format json -o "$tmp/c.json" udp port 53 \
	2>"$tmp/c.err" &
pid=$!
if wait_banner "$tmp/c.err"; then
	ok "start-up line: $(head -1 "$tmp/c.err")"
else
	bad "no start-up line on stderr"
fi
send 25
i=0
while [ $i -lt 50 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if kill -0 $pid 2>/dev/null; then
	bad "-c 20 did not stop"
	kill -INT $pid
fi
wait $pid
rc=$?
[ $rc = 0 ] && ok "-c 20: exit 0" || bad "-c 20: exit $rc"
grep -q "^20 packets captured$" "$tmp/c.err" && ok "stderr: 20 packets captured" ||
	bad "stderr has no '20 packets captured': $(tr '\n' '|' <"$tmp/c.err")"
grep -q "packets dropped by kernel$" "$tmp/c.err" && ok "stderr: kernel drops at exit" ||
	bad "stderr has no kernel drop count"
python3 - "$tmp/c.json" <<-'EOF' && ok "JSON: 20 packets, 20 queries, kernel counts, no drop" || bad "JSON counts"
	import json, sys
	c = json.load(open(sys.argv[1]))["capture"]
	print("     packets %s queries %s kernel_received %s kernel_drops %s interface_drops %s"
	      % (c["packets"], c["dns_queries"], c.get("kernel_received"), c.get("kernel_drops"),
	         c.get("interface_drops")))
	sys.exit(0 if c["packets"] == 20 and c["dns_queries"] == 20 and c["kernel_received"] >= 20
	         and c["kernel_drops"] == 0 else 1)
	EOF

# 2. --duration on an idle interface
start=$(date +%s)
ip netns exec "$ns" timeout 10 "$bin" -i lo --duration 1 >"$tmp/d.txt" 2>"$tmp/d.err"
rc=$?
el=$(($(date +%s) - start))
[ $rc = 0 ] && [ $el -le 4 ] && ok "--duration 1 on an idle interface: exit 0 after ${el} s" ||
	bad "--duration 1: exit $rc after ${el} s"
grep -q "^packets     0; kernel: 0 received, 0 dropped" "$tmp/d.txt" && ok "text report: kernel counts" ||
	bad "text report has no kernel counts: $(grep packets "$tmp/d.txt")"

# 3. SIGINT mid-run: the report is printed
ip netns exec "$ns" "$bin" -i lo --format json -o "$tmp/i.json" udp port 53 2>"$tmp/i.err" &
pid=$!
wait_banner "$tmp/i.err"
send 5
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
python3 -c "import json,sys; sys.exit(0 if json.load(open('$tmp/i.json'))['capture']['packets'] == 5 else 1)" &&
	[ $rc = 0 ] && ok "SIGINT: exit 0, report with the 5 packets" || bad "SIGINT: exit $rc, report $(head -c 200 "$tmp/i.json")"

# 4. NDJSON is a stream: verdicts are written as they are made, before the
#    input ends (here a pipe held open 3 s after the sample capture).
( cat "$(dirname "$0")/../pcaps/sample/resolver-mixed.pcap"; sleep 3 ) |
	"$bin" -r - --format ndjson -o "$tmp/s.ndjson" 2>"$tmp/s.err" &
pid=$!
sleep 1.5
early=$(grep -c '"type":"\(servfail\|unanswered\)"' "$tmp/s.ndjson" 2>/dev/null)
summary_early=$(grep -c '"type":"summary"' "$tmp/s.ndjson" 2>/dev/null)
wait $pid
last=$(tail -1 "$tmp/s.ndjson")
if [ "${early:-0}" -gt 0 ] && [ "${summary_early:-0}" = 0 ] && echo "$last" | grep -q '"type":"summary"'; then
	ok "NDJSON: $early verdicts written while the input was still open, the summary last"
else
	bad "NDJSON: ${early:-0} verdicts before the input ended, summary early ${summary_early:-0}, last: $(echo "$last" | head -c 80)"
fi

# 4b. An idle interface: 5 queries nobody answers (the filter keeps the
#     kernel's ICMP errors out), then silence. With --window 1 and the
#     address named a resolver, their verdicts come ~1 s later, packets or not.
ip netns exec "$ns" "$bin" -i lo --window 1 --resolver 127.0.0.1 --format ndjson -o "$tmp/i.ndjson" \
	udp port 53 2>"$tmp/i.err" &
pid=$!
if wait_banner "$tmp/i.err"; then
	# From 127.0.0.2: a client is not the resolver itself.
	ip netns exec "$ns" python3 - <<-'EOF'
	import socket, struct
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(("127.0.0.2", 0))
	for i in range(5):
	    q = struct.pack("!HHHHHH", 0x2000 + i, 0x0100, 1, 0, 0, 0)
	    q += b"\x04idle\x07example\x03com\x00" + struct.pack("!HH", 1, 1)
	    s.sendto(q, ("127.0.0.1", 53))
	EOF
	sleep 3
	idle=$(grep -c '"type":"unanswered"' "$tmp/i.ndjson" 2>/dev/null)
	kill -INT $pid
	wait $pid
	[ "${idle:-0}" = 5 ] && ok "idle interface: 5 unanswered verdicts 3 s later, no packet since" ||
		bad "idle interface: ${idle:-0} unanswered verdicts of 5 while idle"
else
	kill -INT $pid; wait $pid
	bad "idle run: no start-up line"
fi

# 5. SIGUSR1: an interim report on stderr, the run goes on; SIGHUP after the
#    -o file was moved away (log rotation): a new file, the stream goes on.
ip netns exec "$ns" "$bin" -i lo -Z root --format ndjson -o "$tmp/u.ndjson" udp port 53 \
	2>"$tmp/u.err" &
pid=$!
wait_banner "$tmp/u.err"
send 5
sleep 0.5
kill -USR1 $pid
sleep 0.5
if kill -0 $pid 2>/dev/null && grep -q "^dnsblame: interim: 5 packets" "$tmp/u.err"; then
	ok "SIGUSR1: interim report ($(grep -m1 interim "$tmp/u.err" | cut -c1-60)...), still running"
else
	bad "SIGUSR1: $(grep interim "$tmp/u.err" | head -1), running: $(kill -0 $pid 2>/dev/null && echo yes || echo no)"
fi
mv "$tmp/u.ndjson" "$tmp/u.ndjson.1"
kill -HUP $pid
sleep 0.5
send 3
sleep 0.5
kill -INT $pid
wait $pid
rc=$?
if [ $rc = 0 ] && grep -q "reopened" "$tmp/u.err" && [ -f "$tmp/u.ndjson" ] &&
   tail -1 "$tmp/u.ndjson" | grep -q '"packets":8'; then
	ok "SIGHUP: -o reopened, the summary (8 packets) in the new file"
else
	bad "SIGHUP: exit $rc, $(grep -c reopened "$tmp/u.err") reopened, new file: $(tail -1 "$tmp/u.ndjson" 2>/dev/null | head -c 120)"
fi

echo "live: $pass passed, $fail failed"
[ $fail = 0 ]
