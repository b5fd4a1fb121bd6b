#!/bin/sh
# make bench: dnsblame against a bare libpcap read loop on the same file.
set -eu
cd "$(dirname "$0")/../.."
pairs=${BENCH_PAIRS:-500000}
f=build/bench/resolver-${pairs}.pcap
[ -f "$f" ] || build/bench/genpcap "$f" "$pairs" 2
ls -l "$f" | awk '{printf "capture: %s, %.0f MB\n", $9, $5/1e6}'
t() { s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'; }
for i in 1 2 3; do
	a=$(t build/bench/pcapread "$f")
	b=$(t build/dnsblame -r "$f" --format json)
	echo "run $i: libpcap read loop ${a}s, dnsblame ${b}s, ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }')"
done
/usr/bin/time -f "dnsblame peak RSS %M KB" build/dnsblame -r "$f" >/dev/null
