#!/bin/sh
# --format markdown passes a Markdown linter (Debian's ruby-mdl, every rule
# but line length: tests/markdown/style.rb) on the sample, the four
# mixed-load lab captures, a damaged capture and a client-side capture.
# Closing line: "markdown: N passed, N failed".
set -u
bin=${1:?usage: markdown.sh BINARY}
cd "$(dirname "$0")/.." || exit 1
command -v mdl >/dev/null 2>&1 || { echo "markdown: mdl missing (ruby-mdl)"; echo "markdown: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for c in pcaps/sample/resolver-mixed.pcap pcaps/lab/load/unbound.pcap pcaps/lab/load/bind.pcap \
	pcaps/lab/load/kresd.pcap pcaps/lab/load/pdns.pcap pcaps/hostile/cut-last-record.pcap; do
	name=$(basename "$c" .pcap)
	"$bin" -r "$c" --format markdown -o "$tmp/$name.md" 2>/dev/null
	if [ ! -s "$tmp/$name.md" ]; then
		fail=$((fail + 1)); echo "FAIL $c: no report"
	elif mdl --style tests/markdown/style.rb "$tmp/$name.md" >"$tmp/lint" 2>&1; then
		pass=$((pass + 1)); echo "ok   $c: $(wc -l <"$tmp/$name.md") lines, no lint finding"
	else
		fail=$((fail + 1)); echo "FAIL $c:"; head -5 "$tmp/lint"
	fi
done
echo "markdown: $pass passed, $fail failed"
[ "$fail" = 0 ]
