#!/bin/sh
# The fleet view, end to end, with Debian's own Prometheus:
#   dnsblame -i lo --metrics-listen 127.0.0.1:PORT captures a real resolver
#   capture (pcaps/lab/load/unbound.pcap) replayed onto the loopback of a
#   network namespace this test creates; Prometheus scrapes it every second;
#   once every verdict is made, the PromQL sums of SERVFAILs and unanswered
#   queries by cause must equal the final report's summary.by_cause and
#   unanswered_by_cause, and the kernel drops must equal the report's.
# Needs root (network namespace; installs prometheus when missing). Packets
# stay on the namespace's loopback; Prometheus and dnsblame listen only on
# its 127.0.0.1. Closing line: "prometheus: N passed, N failed".
set -u
bin=${1:?usage: prometheus.sh BINARY}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pcap=$root/pcaps/lab/load/unbound.pcap
[ "$(id -u)" = 0 ] || { echo "prometheus: needs root"; echo "prometheus: 0 passed, 1 failed"; exit 1; }

if ! command -v prometheus >/dev/null 2>&1; then
	# Never start the packaged service: this test runs its own instance.
	made_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
	rc=$?
	[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
	[ $rc = 0 ] || { echo "prometheus: cannot install prometheus"; echo "prometheus: 0 passed, 1 failed"; exit 1; }
fi

. "$here/../netns.sh"
netns_setup prometheus
mport=19353 pport=19090

# dnsblame: default options but a short window, so that every verdict is
# made soon after the replay ends; the final report as JSON.
touch "$tmp/final.json"
chmod 666 "$tmp/final.json"
ip netns exec "$ns" "$bin" -i lo --window 5 --metrics-listen 127.0.0.1:$mport \
	--format json -o "$tmp/final.json" 2>"$tmp/dnsblame.err" &
dpid=$!

cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: dnsblame
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
mkdir "$tmp/data"
chown -R nobody "$tmp/data" 2>/dev/null
ip netns exec "$ns" prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
	--web.listen-address=127.0.0.1:$pport >"$tmp/prometheus.log" 2>&1 &

# Waits until URL answers inside the namespace.
up() {
	i=0
	while [ $i -lt 100 ]; do
		ip netns exec "$ns" python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" \
			2>/dev/null && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
up "http://127.0.0.1:$mport/metrics" && ok "dnsblame serves /metrics" || bad "dnsblame /metrics: $(cat "$tmp/dnsblame.err")"
up "http://127.0.0.1:$pport/-/ready" && ok "prometheus ready" || bad "prometheus: $(tail -3 "$tmp/prometheus.log")"

ip netns exec "$ns" python3 "$here/replay.py" "$pcap" lo 3000
# Every verdict is due one window (5 s) after its query, the idle clock
# moves on without packets; then two more scrapes.
sleep 9

promql() {
	ip netns exec "$ns" python3 - "$pport" "$1" <<-'EOF'
	import json, sys, urllib.parse, urllib.request
	url = "http://127.0.0.1:%s/api/v1/query?query=%s" % (sys.argv[1], urllib.parse.quote(sys.argv[2]))
	r = json.load(urllib.request.urlopen(url, timeout=5))
	out = {}
	for s in r["data"]["result"]:
	    key = s["metric"].get("cause", "")
	    out[key] = int(float(s["value"][1]))
	print(json.dumps(out, sort_keys=True))
	EOF
}
sf=$(promql 'sum by (cause) (dnsblame_servfails_total)')
un=$(promql 'sum by (cause) (dnsblame_unanswered_total)')
drops=$(promql 'sum(dnsblame_kernel_drops_total)')
zones=$(promql 'sum(dnsblame_servfails_by_zone_total)')
kill -TERM $dpid
wait $dpid
echo "     PromQL servfails $sf"
echo "     PromQL unanswered $un"
python3 - "$tmp/final.json" "$sf" "$un" "$drops" "$zones" <<-'EOF'
	import json, sys
	rep = json.load(open(sys.argv[1]))
	sf, un, drops, zones = (json.loads(a) for a in sys.argv[2:6])
	nz = lambda d: {k: v for k, v in d.items() if v}
	s = rep["summary"]
	print("     report servfails %s" % json.dumps(s["by_cause"], sort_keys=True))
	print("     report unanswered %s" % json.dumps(s["unanswered_by_cause"], sort_keys=True))
	print("     pending at the end %d; kernel drops %d" % (s["pending"], rep["capture"]["kernel_drops"]))
	ok = True
	def check(cond, what):
	    global ok
	    print(("ok   " if cond else "FAIL ") + what)
	    ok = ok and cond
	check(sum(s["by_cause"].values()) > 0, "the replay gave SERVFAIL verdicts (%d)" % s["servfails"])
	check(nz(sf) == s["by_cause"], "PromQL SERVFAILs by cause equal the final report's by_cause")
	check(nz(un) == s["unanswered_by_cause"], "PromQL unanswered by cause equal the report's unanswered_by_cause")
	check(zones.get("", 0) == s["servfails"], "SERVFAILs by zone add up to the total (%s)" % zones.get(""))
	check(drops.get("", -1) == rep["capture"]["kernel_drops"], "kernel drops: PromQL %s, report %d"
	      % (drops.get(""), rep["capture"]["kernel_drops"]))
	sys.exit(0 if ok else 1)
	EOF
if [ $? = 0 ]; then ok "PromQL equals the final report"; else bad "PromQL differs from the final report"; fi
echo "prometheus: $pass passed, $fail failed"
[ $fail = 0 ]
