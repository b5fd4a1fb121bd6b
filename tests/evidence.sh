#!/bin/sh
# --save-evidence writes the packets of each SERVFAIL incident's example
# (its first verdict: the client's exchange, the upstream attempts with
# their answers, ICMP errors, TCP and fragments). Re-read by dnsblame, the
# evidence must give the examples the same cause and detail (>= 99% on the
# generated busy-resolver capture) and be small (<= 5% of it). The
# mixed-load lab captures are measured too (informational: they are nearly
# all failures, so the evidence is a larger share of them, and a root failure
# found through the resolver model may be missing). Closing line:
# "evidence: N passed, N failed".
set -u
bin=${1:?usage: evidence.sh BINARY}
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# ratio CAPTURE NAME: "examples same percent size%" of its evidence
measure() {
	"$bin" -r "$1" --save-evidence "$tmp/$2.pcap" --format json -o "$tmp/$2.json" 2>"$tmp/$2.err" || return 1
	"$bin" -r "$tmp/$2.pcap" --format json -o "$tmp/$2.ev.json" 2>/dev/null
	python3 - "$tmp/$2.json" "$tmp/$2.ev.json" "$1" "$tmp/$2.pcap" <<-'PY'
	import json, os, sys
	orig, ev = (json.load(open(p)) for p in sys.argv[1:3])
	key = lambda v: (v["client"], v["client_port"], v["id"], v["qname"], v["time"])
	again = {key(v): v for v in ev["servfails"]}
	examples = [g["example"] for g in orig["incidents"] if g["type"] == "servfail" and "example" in g]
	same = sum(1 for v in examples if key(v) in again and
	           (again[key(v)]["cause"], again[key(v)]["detail"]) == (v["cause"], v["detail"]))
	size = 100.0 * os.path.getsize(sys.argv[4]) / os.path.getsize(sys.argv[3])
	print(len(examples), same, "%.1f" % (100.0 * same / max(len(examples), 1)), "%.2f" % size)
	PY
}

gen=build/bench/check-load.pcap
if [ ! -f "$gen" ]; then
	make -s build/bench/genload && build/bench/genload "$gen" --packets 400000 --qps 4000 --seed 7 \
		--truth build/bench/check-load.truth.tsv >/dev/null 2>&1
fi
set -- $(measure "$gen" gen)
if [ $# = 4 ]; then
	echo "     generator: $1 examples, $2 with the same verdict ($3%), evidence $4% of the capture"
	awk "BEGIN { exit !($3 >= 99) }" && ok "generator: $3% of the examples judged the same from the evidence" ||
		bad "generator: $3% of the examples judged the same (< 99%)"
	awk "BEGIN { exit !($4 <= 5) }" && ok "generator: evidence $4% of the capture (<= 5%)" ||
		bad "generator: evidence $4% of the capture (> 5%)"
else
	bad "generator: $(cat "$tmp/gen.err")"
fi
for r in unbound bind kresd pdns; do
	set -- $(measure "pcaps/lab/load/$r.pcap" "$r")
	[ $# = 4 ] && echo "     load lab $r: $1 examples, $2 the same ($3%), evidence $4% of the capture"
done
# Not from a pipe: the evidence is read from the files again.
"$bin" -r - --save-evidence "$tmp/x.pcap" <pcaps/sample/resolver-mixed.pcap >/dev/null 2>"$tmp/pipe.err"
rc=$?
[ $rc = 2 ] && grep -q 'reads the capture files again' "$tmp/pipe.err" && [ ! -e "$tmp/x.pcap" ] &&
	ok "from a pipe: exit 2, no file, '$(cat "$tmp/pipe.err")'" || bad "from a pipe: exit $rc: $(cat "$tmp/pipe.err")"
echo "evidence: $pass passed, $fail failed"
[ "$fail" = 0 ]
