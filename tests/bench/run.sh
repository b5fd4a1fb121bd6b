#!/bin/sh
# make bench: dnsblame against a bare libpcap read loop on the same file.
#   BENCH_PAIRS     genpcap's simple capture (default 500000 resolutions)
#   GENLOAD_SIZES   genload's busy-resolver captures, in packets (default
#                   "1000000 10000000"; empty: skip); each is also scored
#                   against its truth (tests/bench/score.py, not a failure)
#   DNSBLAME        the binary measured (default build/dnsblame)
set -eu
cd "$(dirname "$0")/../.."
dnsblame=${DNSBLAME:-build/dnsblame}
pairs=${BENCH_PAIRS:-500000}
f=build/bench/resolver-${pairs}.pcap
[ -f "$f" ] || build/bench/genpcap "$f" "$pairs" 2
ls -l "$f" | awk '{printf "capture: %s, %.0f MB\n", $9, $5/1e6}'
t() { s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'; }
for i in 1 2 3; do
	a=$(t build/bench/pcapread "$f")
	b=$(t "$dnsblame" -r "$f" --format json)
	echo "run $i: libpcap read loop ${a}s, dnsblame ${b}s, ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }')"
done
/usr/bin/time -f "dnsblame peak RSS %M KB" "$dnsblame" -r "$f" >/dev/null

# genload: a busy resolver (40,000 client queries/s, thousands in flight,
# every cause of failure and its repeats); dnsblame's time against the
# libpcap loop's, and how it grows with a 10 times larger capture.
sizes=${GENLOAD_SIZES-1000000 10000000}
[ -n "$sizes" ] || exit 0
if [ ! -x build/bench/genload ]; then
	echo "genload: build/bench/genload is missing (make build/bench/genload); skipped"
	exit 0
fi
first=""
first_n=""
for n in $sizes; do
	g=build/bench/load-$n.pcap
	if [ ! -f "$g" ] || [ build/bench/genload -nt "$g" ]; then
		build/bench/genload "$g" --packets "$n" --seed 1 --truth "build/bench/load-$n.truth.tsv" 2>"build/bench/load-$n.log"
	fi
	ls -l "$g" | awk '{printf "genload capture: %s, %.0f MB\n", $9, $5/1e6}'
	grep -E "client_queries|failed|in flight" "build/bench/load-$n.log" | sed 's/^/  /'
	a=$(t build/bench/pcapread "$g")
	b=$(t "$dnsblame" -r "$g" --format json -o "build/bench/load-$n.json")
	echo "genload $n packets: libpcap read loop ${a}s, dnsblame ${b}s, ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }')"
	/usr/bin/time -o "build/bench/load-$n.rss" -f "  dnsblame peak RSS %M KB" "$dnsblame" -r "$g" >/dev/null
	cat "build/bench/load-$n.rss"
	python3 tests/bench/score.py "$dnsblame" "$g" "build/bench/load-$n.truth.tsv" \
		--json "build/bench/load-$n.json" --min 0 | grep -E "^(truth|cause agreement|via agreement|false|missing)" | sed 's/^/  /'
	if [ -z "$first" ]; then
		first=$b
		first_n=$n
	else
		echo "scaling: $first_n -> $n packets ($(awk -v a="$first_n" -v b="$n" 'BEGIN { printf "%.0fx", b / a }')): dnsblame time x$(awk -v a="$first" -v b="$b" 'BEGIN { printf "%.1f", b / a }')"
	fi
done
