#!/bin/sh
# The threads under ThreadSanitizer: the reading thread and its ring
# (capture/relay.c), the tally's thread and its handoff (common/handoff.c,
# analyze/tally.c).  Their unit tests, then whole runs of a busy capture
# (the report at the end, and NDJSON with periodic summaries, which read
# the analysis's counters while the tally is apart).  Any race reported
# fails.  BUILD is a tree built with SANITIZER=thread.
set -u
build=${1:?usage: tsan.sh BUILD CAPTURE}
cap=${2:?usage: tsan.sh BUILD CAPTURE}
cd "$(dirname "$0")/.." || exit 1
pass=0; fail=0
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
check() {
	what=$1; shift
	if "$@" >/dev/null 2>"$tmp" && ! grep -q "ThreadSanitizer" "$tmp"; then
		pass=$((pass + 1)); echo "ok   $what"
	else
		fail=$((fail + 1)); echo "FAIL $what"; grep -A20 "ThreadSanitizer" "$tmp" | head -40
	fi
}
for t in common/test_handoff analyze/test_tally_apart capture/test_source; do
	check "$t" "$build/tests/$t"
done
check "$cap, JSON" "$build/dnsblame" -q -r "$cap" --format json -o /dev/null
check "$cap, NDJSON every second" "$build/dnsblame" -q -r "$cap" --format ndjson --interval 1 -o /dev/null
check "$cap, HTML" "$build/dnsblame" -q -r "$cap" --format html -o /dev/null
echo "tsan: $pass passed, $fail failed"
[ "$fail" = 0 ]
