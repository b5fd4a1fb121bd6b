#!/bin/sh
# The NDJSON stream into Debian's own ClickHouse (clickhouse-server 18.16.1
# in Debian 12), as it is:
#   for each capture of the mixed-load lab (pcaps/lab/load/*.pcap),
#   dnsblame --format ndjson is piped unchanged into
#   clickhouse-client "INSERT INTO dnsblame_verdicts FORMAT JSONEachRow",
#   the table made by docs/clickhouse.sql (one database per capture); every
#   record must become a row, every `time` must parse, and the SQL counts by
#   cause of SERVFAILs, unanswered and pending queries must equal the
#   summary.by_cause, unanswered_by_cause and pending_by_cause of
#   dnsblame --format json on the same capture.  The example queries of
#   docs/clickhouse.sql must run.
# Needs root (network namespace; installs clickhouse-server and
# clickhouse-client when missing, without starting the packaged service).
# The test runs its own server, as the clickhouse user, with a temporary
# data directory, in a network namespace that has only a loopback: it
# listens only on that 127.0.0.1 and can reach nothing else.  The server is
# stopped and its directory removed whatever happens.
# Closing line: "clickhouse: N passed, N failed".
set -u
bin=${1:?usage: clickhouse.sh BINARY}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
schema=$root/docs/clickhouse.sql
captures="unbound bind kresd pdns"
[ "$(id -u)" = 0 ] || { echo "clickhouse: needs root"; echo "clickhouse: 0 passed, 1 failed"; exit 1; }

ns=dnsblame-ch-$$
tmp=$(mktemp -d)
made_policy='' server=''
# shellcheck disable=SC2317  # run by the traps
cleanup() {
	# SIGTERM is ClickHouse's clean shutdown; what is left after 10 s,
	# and anything else in the namespace, is killed.
	if [ -n "$server" ]; then
		kill -TERM "$server" 2>/dev/null
		i=0
		while [ "$i" -lt 100 ] && kill -0 "$server" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$server" 2>/dev/null
		wait "$server" 2>/dev/null
	fi
	ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() { echo "clickhouse: $pass passed, $fail failed"; [ $fail = 0 ]; exit; }

if [ ! -x /usr/sbin/clickhouse-server ] || [ ! -x /usr/bin/clickhouse-client ]; then
	# Never start the packaged service: this test runs its own instance.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	start=$(date +%s)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q clickhouse-server clickhouse-client \
		>"$tmp/apt.log" 2>&1
	rc=$?
	if [ -n "$made_policy" ]; then
		rm -f /usr/sbin/policy-rc.d
		made_policy=
	fi
	if [ $rc = 0 ]; then
		ok "installed clickhouse-server and clickhouse-client ($(($(date +%s) - start)) s)"
	else
		bad "apt-get install clickhouse-server clickhouse-client: $(tail -3 "$tmp/apt.log")"
		finish
	fi
fi

ip netns add "$ns" || { bad "cannot create a network namespace"; finish; }
ip -n "$ns" link set lo up
port=19000

# The smallest configuration 18.16 runs with: the native protocol only (no
# HTTP, no interserver port), on 127.0.0.1, everything under $tmp/server.
srv=$tmp/server
mkdir -p "$srv/data" "$srv/tmp" "$srv/user_files"
cat >"$srv/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>$srv/server.log</log>
        <errorlog>$srv/server.err.log</errorlog>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$port</tcp_port>
    <path>$srv/data/</path>
    <tmp_path>$srv/tmp/</tmp_path>
    <user_files_path>$srv/user_files/</user_files_path>
    <users_config>$srv/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
</yandex>
EOF
cat >"$srv/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles><default></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default></default></quotas>
</yandex>
EOF
# The client reads no configuration of this host's users.
echo '<config></config>' >"$tmp/client.xml"
asuser='' runas=root
if id clickhouse >/dev/null 2>&1; then
	chmod 711 "$tmp"
	chown -R clickhouse:clickhouse "$srv"
	asuser="setpriv --reuid=clickhouse --regid=clickhouse --init-groups --"
	runas=clickhouse
fi

start=$(date +%s)
# shellcheck disable=SC2086
ip netns exec "$ns" $asuser /usr/sbin/clickhouse-server --config-file="$srv/config.xml" \
	>"$srv/stdout.log" 2>&1 &
server=$!

# clickhouse-client inside the namespace, on the test's server.
ch() {
	ip netns exec "$ns" clickhouse-client --config-file="$tmp/client.xml" \
		--host 127.0.0.1 --port $port "$@"
}
i=0
while [ "$i" -lt 300 ] && kill -0 "$server" 2>/dev/null && ! ch --query "SELECT 1" >/dev/null 2>&1; do
	sleep 0.1
	i=$((i + 1))
done
if ch --query "SELECT 1" >/dev/null 2>&1; then
	ok "clickhouse-server $(ch --query "SELECT version()") answers on 127.0.0.1:$port" \
		"($(($(date +%s) - start)) s, as $runas)"
else
	bad "clickhouse-server does not answer: $(tail -5 "$srv/server.err.log" "$srv/stdout.log" 2>/dev/null)"
	finish
fi
listening=$(ip netns exec "$ns" ss -Hltun | awk '{ print $5 }' | sort -u | tr '\n' ' ')
[ "$listening" = "127.0.0.1:$port " ] && ok "it listens on 127.0.0.1:$port and nothing else" ||
	bad "it listens on: $listening"

# Prints the counts by cause, ClickHouse's against the report's, for one
# kind of verdict; fails when they differ.  Arguments: the report (JSON),
# its summary member, the SQL counts (cause TAB count), a label.
compare() {
	python3 - "$@" <<-'EOF'
	import json, sys
	report, member, tsv, label = sys.argv[1:5]
	want = json.load(open(report))["summary"][member]
	got = {}
	for line in open(tsv):
	    cause, n = line.rstrip("\n").split("\t")
	    got[cause] = int(n)
	if not want and not got:
	    print("     %-26s none in either" % label)
	    sys.exit(0)
	print("     %-26s %10s %10s" % (label, "clickhouse", "report"))
	for cause in sorted(set(want) | set(got)):
	    g, w = got.get(cause, 0), want.get(cause, 0)
	    print("       %-24s %10d %10d%s" % (cause, g, w, "" if g == w else "   <- differs"))
	print("       %-24s %10d %10d" % ("total", sum(got.values()), sum(want.values())))
	sys.exit(0 if got == want else 1)
	EOF
}

for name in $captures; do
	pcap=$root/pcaps/lab/load/$name.pcap
	db=lab_$name
	"$bin" -r "$pcap" --format ndjson >"$tmp/$name.ndjson" 2>"$tmp/$name.err" &&
		"$bin" -r "$pcap" --format json >"$tmp/$name.json" 2>>"$tmp/$name.err" ||
		{ bad "$name: dnsblame: $(head -3 "$tmp/$name.err")"; continue; }
	records=$(wc -l <"$tmp/$name.ndjson")
	if ! { ch --query "CREATE DATABASE $db" && ch --database "$db" --multiquery <"$schema"; } \
		>"$tmp/sql.err" 2>&1
	then
		bad "$name: docs/clickhouse.sql: $(head -c 400 "$tmp/sql.err")"
		continue
	fi
	if ch --database "$db" --query "INSERT INTO dnsblame_verdicts FORMAT JSONEachRow" \
		--input_format_skip_unknown_fields=1 --input_format_import_nested_json=1 \
		<"$tmp/$name.ndjson" >"$tmp/sql.err" 2>&1
	then
		ok "$name: INSERT ... FORMAT JSONEachRow of the NDJSON as it is ($records records)"
	else
		bad "$name: INSERT ... FORMAT JSONEachRow: $(head -c 400 "$tmp/sql.err")"
		continue
	fi
	rows=$(ch --database "$db" --query "SELECT count() FROM dnsblame_verdicts")
	[ "$rows" = "$records" ] && ok "$name: $rows rows, one per record" ||
		bad "$name: $rows rows for $records records"
	# ts is `time` to the second, in UTC whatever the server's time zone.
	wrong=$(ch --database "$db" --query "SELECT countIf(toString(ts) !=
		replaceOne(substring(time, 1, 19), 'T', ' ')) FROM dnsblame_verdicts
		WHERE type != 'summary'")
	[ "$wrong" = 0 ] && ok "$name: every verdict's time parsed (ts)" ||
		bad "$name: $wrong verdicts whose ts is not their time"
	for kind in servfail:by_cause unanswered:unanswered_by_cause pending:pending_by_cause; do
		type=${kind%%:*} member=${kind#*:}
		ch --database "$db" --query "SELECT cause, count() FROM dnsblame_verdicts
			WHERE type = '$type' GROUP BY cause" >"$tmp/counts.tsv"
		if compare "$tmp/$name.json" "$member" "$tmp/counts.tsv" "$name $type"; then
			ok "$name: $type by cause in SQL equal summary.$member"
		else
			bad "$name: $type by cause in SQL differ from summary.$member"
		fi
	done
done

# The example queries of docs/clickhouse.sql, between "-- examples begin"
# and "-- examples end", each line "--   " followed by SQL.
sed -n '/^-- examples begin/,/^-- examples end/s/^--   //p' "$schema" >"$tmp/examples.sql"
n=$(grep -c ';$' "$tmp/examples.sql")
if [ "$n" -gt 0 ] && ch --database lab_unbound --multiquery <"$tmp/examples.sql" >"$tmp/examples.out" 2>&1 &&
   [ -s "$tmp/examples.out" ]
then
	ok "the $n example queries of docs/clickhouse.sql run ($(wc -l <"$tmp/examples.out") result rows)"
else
	bad "example queries ($n): $(head -c 400 "$tmp/examples.out")"
fi
finish
