#!/bin/sh
# --save-evidence writes the packets of each SERVFAIL incident's example and
# of what its verdict rests on (the client's query and SERVFAIL, the upstream
# attempts with their answers, ICMP errors, TCP handshakes and fragments, the
# earlier referrals, CNAME and DNSSEC key answers it used, the root failure a
# repeat points at). Re-read by dnsblame, the evidence must give every
# example the same cause and detail, and be small: at most 5% of the capture
# it came from. Checked on the generated busy-resolver capture and on each
# mixed-load lab capture (pcaps/lab/load/: real resolvers, nearly all
# failures, so the evidence is a larger share of them); on each of these
# read without the four clients that met the DNSSEC failures first (the
# examples are then later failures, checked with keys the resolver fetched
# for queries the capture no longer holds); and, for the verdicts only, on
# the sequential lab captures (pcaps/lab/: a few queries per scenario,
# mostly failures, so the evidence is a large share of them). Closing line:
# "evidence: N passed, N failed".
set -u
bin=${1:?usage: evidence.sh BINARY}
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# measure CAPTURE NAME [FILTER]: "examples same size%" of its evidence,
# after a line "miss ..." for each example judged otherwise from it
measure() {
	"$bin" -r "$1" --save-evidence "$tmp/$2.pcap" --format json -o "$tmp/$2.json" ${3:+"$3"} \
		2>"$tmp/$2.err" || return 1
	"$bin" -r "$tmp/$2.pcap" --format json -o "$tmp/$2.ev.json" 2>/dev/null
	python3 - "$tmp/$2.json" "$tmp/$2.ev.json" "$1" "$tmp/$2.pcap" <<-'PY'
	import json, os, sys
	orig, ev = (json.load(open(p)) for p in sys.argv[1:3])
	key = lambda v: (v["client"], v["client_port"], v["id"], v["qname"], v["time"])
	again = {key(v): v for v in ev["servfails"]}
	examples = [g["example"] for g in orig["incidents"] if g["type"] == "servfail" and "example" in g]
	same = 0
	for v in examples:
	    a = again.get(key(v))
	    if a and (a["cause"], a["detail"]) == (v["cause"], v["detail"]):
	        same += 1
	    else:
	        print("miss %s %s %s %s/%s -> %s" % (v["time"], v["qname"], v["qtype"], v["cause"], v["detail"],
	              "%s/%s" % (a["cause"], a["detail"]) if a else "no verdict"))
	size = 100.0 * os.path.getsize(sys.argv[4]) / os.path.getsize(sys.argv[3])
	print(len(examples), same, "%.2f" % size)
	PY
}

# check NAME CAPTURE SIZE [FILTER]: every example the same, and with SIZE
# "size" the evidence <= 5% of the capture
check() {
	out=$(measure "$2" "$1" ${4:+"$4"})
	echo "$out" | grep '^miss ' | sed 's/^/     /'
	size=$3
	set -- "$1" $(echo "$out" | tail -n 1)
	if [ $# != 4 ]; then
		bad "$1: $(cat "$tmp/$1.err")"
		return
	fi
	echo "     $1: $2 examples, $3 with the same verdict, evidence $4% of the capture"
	[ "$2" -gt 0 ] && [ "$3" = "$2" ] && ok "$1: all $2 examples judged the same from the evidence" ||
		bad "$1: $3 of $2 examples judged the same from the evidence"
	[ "$size" = size ] || return
	awk "BEGIN { exit !($4 <= 5) }" && ok "$1: evidence $4% of the capture (<= 5%)" ||
		bad "$1: evidence $4% of the capture (> 5%)"
}

gen=build/bench/check-load.pcap
if [ ! -f "$gen" ]; then
	make -s build/bench/genload && build/bench/genload "$gen" --packets 400000 --qps 4000 --seed 7 \
		--truth build/bench/check-load.truth.tsv >/dev/null 2>&1
fi
check generator "$gen" size
for r in unbound bind kresd pdns; do
	check "load lab $r" "pcaps/lab/load/$r.pcap" size
done
first='not (host 10.53.1.18 or host 10.53.1.16 or host 10.53.1.12 or host fd53:1::12)'
for r in unbound bind kresd pdns; do
	check "load lab $r, keys fetched before" "pcaps/lab/load/$r.pcap" size "$first"
done
for r in unbound bind kresd pdns; do
	check "sequential lab $r" "pcaps/lab/$r.pcap" -
done
# Tunnels and stacked VLAN tags: a packet is evidence of what it carries.
for c in geneve-dns ipip-dns sit-6in4-dns ip6tnl-dns qinq-dns; do
	check "encapsulated $c" "pcaps/foundation/$c.pcap" -
done
# Not from a pipe: the evidence is read from the files again.
"$bin" -r - --save-evidence "$tmp/x.pcap" <pcaps/sample/resolver-mixed.pcap >/dev/null 2>"$tmp/pipe.err"
rc=$?
[ $rc = 2 ] && grep -q 'reads the capture files again' "$tmp/pipe.err" && [ ! -e "$tmp/x.pcap" ] &&
	ok "from a pipe: exit 2, no file, '$(cat "$tmp/pipe.err")'" || bad "from a pipe: exit $rc: $(cat "$tmp/pipe.err")"
echo "evidence: $pass passed, $fail failed"
[ "$fail" = 0 ]
