#!/bin/sh
# run.sh TARGET [SECONDS] - builds the libFuzzer binary of fuzz_TARGET.c
# (clang, ASan + UBSan, into build/fuzz/) when missing or stale and runs it
# for SECONDS (default 60) on fuzz/corpus/TARGET, new inputs going to a
# scratch corpus under build/fuzz/, crashes to fuzz/crashes/TARGET/.
# Prints the final execs/s and coverage.  Set JOBS=0 to skip the build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
t=${1:?usage: run.sh TARGET [SECONDS]}
secs=${2:-60}
bd=$root/build/fuzz
cd "$root"
[ -f "fuzz/fuzz_$t.c" ] || { echo "run.sh: no fuzz/fuzz_$t.c" >&2; exit 2; }

make -s BUILD=build/fuzz CC=clang SANITIZER=fuzzer-no-link,address,undefined \
	OPT=-O1 build/fuzz/libdnsblame.a
if [ ! -x "$bd/fuzz_$t" ] || [ "fuzz/fuzz_$t.c" -nt "$bd/fuzz_$t" ] ||
   [ "$bd/libdnsblame.a" -nt "$bd/fuzz_$t" ]; then
	clang -std=c11 -O1 -g -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o "$bd/fuzz_$t" "fuzz/fuzz_$t.c" "$bd/libdnsblame.a" \
		-lnids -lnet $(pkg-config --libs gthread-2.0 2>/dev/null || echo -lgthread-2.0 -lglib-2.0) \
		-lpcap -lssl -lcrypto -lmicrohttpd -lz -lzstd -pthread -lm
fi

case $t in
dns)     opts="-max_len=4096 -dict=fuzz/dns.dict" ;;
pcap)    opts="-max_len=65536 -dict=fuzz/dns.dict -rss_limit_mb=4096" ;;
dnssec)  opts="-max_len=8192" ;;
compress) opts="-max_len=65536 -rss_limit_mb=4096" ;;
*)       opts="-max_len=4096" ;;
esac
work=$bd/corpus-$t
mkdir -p "$work" "fuzz/crashes/$t"
log=$bd/fuzz_$t.log
# -timeout: an input taking 10 s or more is reported as a hang (the pcap
# target runs a whole capture per input); libFuzzer's leak check is on.
# shellcheck disable=SC2086
"$bd/fuzz_$t" $opts -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	-artifact_prefix="fuzz/crashes/$t/" "$work" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
echo "== $t: ${secs}s, exit ${rc:-0}, log $log"
grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1
grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
ls "fuzz/crashes/$t"
exit "${rc:-0}"
