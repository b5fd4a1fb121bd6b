#!/bin/sh
# The format check: every C file of the tree is as clang-format (Debian
# 12's, version 14) writes it with the repository's .clang-format. To fix a
# file: clang-format -i FILE. Closing line: "format: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "format: clang-format is missing (apt-get install clang-format)"
	echo "format: 0 passed, 1 failed"
	exit 1
fi
files="main.c $(find common capture analyze report tests fuzz -name '*.[ch]' | sort)"
# One clang-format for every file (a process per file takes 15 s); only
# when it finds something, a file at a time to name them.
# shellcheck disable=SC2086
if clang-format --dry-run --Werror $files >/dev/null 2>&1; then
	echo "format: $(echo $files | wc -w) passed, 0 failed"
	exit 0
fi
pass=0 fail=0
for f in $files; do
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $f is not as clang-format writes it (clang-format -i $f)"
	fi
done
echo "format: $pass passed, $fail failed"
[ "$fail" = 0 ]
