#!/bin/sh
# A report for a ticket stays short however many SERVFAILs there are: a
# generated capture of a resolver with 102,000 SERVFAILs of three kinds in
# one zone (build/bench/genpcap --zone: 1.7 million resolutions, 6.8
# million packets) must give a text report under 200 lines whose incident
# lines add up to the total. Closing line: "report-scale: N passed, N failed".
set -u
bin=${1:?usage: report-scale.sh BINARY}
cd "$(dirname "$0")/.." || exit 1
gen=build/bench/genpcap
[ -x "$gen" ] || make -s "$gen" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

"$gen" "$tmp/big.pcap" 1700000 0 --flood 0 --zone 2>"$tmp/gen" || { bad "genpcap: $(cat "$tmp/gen")"; exit 1; }
"$bin" -r "$tmp/big.pcap" >"$tmp/report.txt" 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && ok "exit 0" || bad "exit $rc: $(head -3 "$tmp/err")"
lines=$(wc -l <"$tmp/report.txt")
total=$(sed -n 's/^SERVFAILs sent by resolvers: \([0-9]*\) .*/\1/p' "$tmp/report.txt")
[ "${total:-0}" -ge 100000 ] && ok "$total SERVFAILs" || bad "SERVFAILs: ${total:-none}"
[ "$lines" -lt 200 ] && ok "text report: $lines lines (< 200)" || bad "text report: $lines lines"
# The incident lines: "  #N ZONE CAUSE/DETAIL: COUNT from ..."
n=$(grep -c '^  #[0-9]* [^ ]* [a-z_]*/[a-z_]*: [0-9]* from' "$tmp/report.txt")
sum=$(sed -n 's/^  #[0-9]* [^ ]* [a-z_]*\/[a-z_]*: \([0-9]*\) from.*/\1/p' "$tmp/report.txt" | awk '{s += $1} END {print s + 0}')
[ "$n" -ge 1 ] && [ "$n" -le 20 ] && ok "$n incidents (<= 20)" || bad "$n incidents"
[ "$sum" = "$total" ] && ok "incident counts add up: $sum = $total" || bad "incident counts $sum, total $total"
echo "report-scale: $pass passed, $fail failed"
[ "$fail" = 0 ]
