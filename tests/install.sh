#!/bin/sh
# make install into a staging directory (DESTDIR, PREFIX), as a packager
# does: the binary runs, the man page renders with no warning, it names
# every option the binary accepts, --help fits an 80-column terminal, and
# make uninstall removes both. Closing line: "install: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

make -s install DESTDIR="$tmp" PREFIX=/usr >"$tmp/log" 2>&1 || bad "make install: $(tail -3 "$tmp/log")"
bin=$tmp/usr/bin/dnsblame man=$tmp/usr/share/man/man1/dnsblame.1
[ -x "$bin" ] && ok "binary installed: $("$bin" --version)" || bad "no $bin"
[ -f "$man" ] && ok "man page installed" || bad "no $man"
MANWIDTH=80 man --warnings -l "$man" >"$tmp/man.txt" 2>"$tmp/man.err"
if [ -s "$tmp/man.txt" ] && [ ! -s "$tmp/man.err" ]; then
	ok "man -l renders it ($(wc -l <"$tmp/man.txt") lines, no warning)"
else
	bad "man -l: $(head -3 "$tmp/man.err")"
fi
# Every option of --help is in the man page.
missing=
for o in $("$bin" --help | grep -o -- '^  -[-a-zA-Z]*\|, --[a-z-]*\|;  --[a-z-]*' | grep -o -- '-[-a-zA-Z]*' | sort -u); do
	grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$man" || missing="$missing $o"
done
[ -z "$missing" ] && ok "the man page names every option of --help" || bad "options missing from the man page:$missing"
long=$("$bin" --help | awk 'length > 80' | wc -l)
[ "$long" = 0 ] && ok "--help fits 80 columns ($("$bin" --help | wc -l) lines)" || bad "$long --help lines over 80 columns"
make -s uninstall DESTDIR="$tmp" PREFIX=/usr >/dev/null 2>&1
[ ! -e "$bin" ] && [ ! -e "$man" ] && ok "make uninstall removes both" || bad "make uninstall left files"
echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
