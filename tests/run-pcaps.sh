#!/bin/sh
# Capture-driven regression tests: every line of pcaps/TESTLIST names a
# test, the capture it reads (relative to pcaps/, or corpus/NAME: a capture
# of the public corpus, $DNSBLAME_CORPUS else ../shared/corpus/public,
# which must then be there), the expected exit code,
# the file of expected output (in pcaps/expected/) and dnsblame's options.
# Output must match byte for byte (stdout; stderr is checked separately
# when the expected exit code is not 0: it must be exactly one line).
# A capture compressed beside its original (NAME.pcap.gz or .zst next to
# NAME.pcap) must give the original's output: its name is mapped back to
# the original's before comparing, so both share one expected file.
#   tests/run-pcaps.sh BINARY            run
#   tests/run-pcaps.sh BINARY --update   rewrite the expected files (review the diff!)
set -u
bin=${1:?usage: run-pcaps.sh BINARY [--update]}
update=${2:-}
cd "$(dirname "$0")/.." || exit 1
pass=0; fail=0
corpus=${DNSBLAME_CORPUS:-../shared/corpus/public}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
while read -r name capture code expected opts; do
	case "$name" in ''|'#'*) continue ;; esac
	case "$capture" in
	corpus/*)
		path="$corpus/${capture#corpus/}"
		# The corpus is part of the test: missing, the case fails.
		if [ ! -f "$path" ]; then
			fail=$((fail + 1)); echo "FAIL $name: $path missing (set DNSBLAME_CORPUS)"; continue
		fi ;;
	*) path="pcaps/$capture" ;;
	esac
	orig=$path
	case "$path" in
	*.gz|*.zst) [ -f "${path%.*}" ] && orig=${path%.*} ;;
	esac
	# shellcheck disable=SC2086
	"$bin" -r "$path" $opts >"$tmp/raw" 2>"$tmp/err"
	rc=$?
	# The host a report was made on differs from machine to machine, and
	# the corpus's place from checkout to checkout.
	sed -e 's/^host        .*/host        HOST/' -e 's/"host":[ ]*"[^"]*"/"host": "HOST"/' \
		-e "s#$corpus/#CORPUS/#g" -e "s#$path#$orig#g" "$tmp/raw" >"$tmp/out"
	if [ "$update" = --update ]; then
		cp "$tmp/out" "pcaps/expected/$expected"
		[ "$rc" = "$code" ] || echo "note: $name exits $rc, TESTLIST says $code"
		continue
	fi
	why=""
	[ "$rc" = "$code" ] || why="exit $rc, expected $code"
	if [ -z "$why" ] && ! cmp -s "$tmp/out" "pcaps/expected/$expected"; then
		why="output differs:"
		diff -u "pcaps/expected/$expected" "$tmp/out" | head -30 >"$tmp/diff"
	fi
	if [ -z "$why" ] && [ "$code" != 0 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
		why="stderr is not one line"
	fi
	# A message that is part of the contract: pcaps/expected/NAME.stderr.
	if [ -z "$why" ] && [ -f "pcaps/expected/$name.stderr" ] &&
	   ! cmp -s "$tmp/err" "pcaps/expected/$name.stderr"; then
		why="stderr differs: $(head -1 "$tmp/err")"
	fi
	if [ -z "$why" ] && [ "$code" = 0 ] && [ -s "$tmp/err" ] && [ ! -f "pcaps/expected/$name.stderr" ]; then
		why="unexpected stderr: $(head -3 "$tmp/err")"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name: $why"
		[ -f "$tmp/diff" ] && cat "$tmp/diff" && rm -f "$tmp/diff"
		grep -E "ERROR|runtime error" "$tmp/err" | head -5
	fi
done <pcaps/TESTLIST
[ "$update" = --update ] && { echo "expected outputs rewritten: review git diff pcaps/expected"; exit 0; }
echo "pcap regression ($bin): $pass passed, $fail failed"
[ "$fail" = 0 ]
