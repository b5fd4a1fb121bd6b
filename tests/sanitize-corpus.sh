#!/bin/sh
# Runs the sanitizer build over every capture in pcaps/ and in the shared
# public corpus, in every report format (json, text with --save-evidence
# reading the capture again, markdown, html); any AddressSanitizer /
# UndefinedBehaviorSanitizer / LeakSanitizer report fails the test (the
# build aborts on the first one).
set -u
bin=${1:?usage: sanitize-corpus.sh SANITIZER-BINARY}
cd "$(dirname "$0")/.." || exit 1
corpus=${DNSBLAME_CORPUS:-../shared/corpus/public}
pass=0; fail=0
# The public corpus is part of the test: missing, the run fails.
if [ ! -f "$corpus/MANIFEST.tsv" ]; then
	echo "FAIL the public corpus is missing: $corpus (set DNSBLAME_CORPUS)"
	echo "sanitizer corpus run: 0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp); ev=$(mktemp); trap 'rm -f "$tmp" "$ev"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
for f in $(find pcaps "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort); do
	for fmt in json text markdown html; do
		# The text run also writes the evidence pcap (the files read again).
		extra=
		[ "$fmt" = text ] && extra="--save-evidence $ev"
		# shellcheck disable=SC2086
		"$bin" -r "$f" --format "$fmt" $extra >/dev/null 2>"$tmp"
		rc=$?
		if [ "$rc" = 99 ] || grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error" "$tmp"; then
			fail=$((fail + 1))
			echo "FAIL $f ($fmt):"; head -20 "$tmp"
		else
			pass=$((pass + 1))
		fi
	done
done
echo "sanitizer corpus run: $pass passed, $fail failed"
[ "$fail" = 0 ]
