#!/bin/sh
# The HTML report in Debian's headless Chromium, inside a network namespace
# this test creates (only its loopback: nothing the browser sends leaves):
#   - the report of a lab capture loads with no console message: the page
#     carries a Content-Security-Policy of default-src 'none', so any
#     script, image, font or fetch it tried would be blocked and reported
#     on the console; a control page that does try both must produce two
#     such messages (the check can fail);
#   - no attribute of the page points anywhere (src, href, url());
#   - a screenshot (build/html/report.png, kept to be looked at) and a
#     print to PDF (build/html/report.pdf) are made; printed, the folded
#     evidence of every incident is on the page (pdftotext).
# Needs root (namespace; installs chromium when missing). Closing line:
# "html: N passed, N failed".
set -u
bin=${1:?usage: html.sh BINARY}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "html: needs root"; echo "html: 0 passed, 1 failed"; exit 1; }
if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium poppler-utils \
		>/dev/null || { echo "html: cannot install chromium"; echo "html: 0 passed, 1 failed"; exit 1; }
fi
. "$here/../netns.sh"
netns_setup html
out=$root/build/html
mkdir -p "$out"

# page_console: the console messages of the page in $tmp/log.  Chromium's
# own pages log there too (seen once, on a loaded machine: "Slow network is
# detected ..." from chrome://resources/...), and say nothing of ours.
page_console() {
	grep ':CONSOLE' "$tmp/log" | grep -v 'source: chrome://'
}

# chromium PAGE [extra flags...]: stderr (with console messages) in $tmp/log
browse() {
	page=$1
	shift
	timeout 120 ip netns exec "$ns" chromium --headless=new --no-sandbox --disable-gpu \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --disable-default-apps --disable-breakpad --hide-scrollbars \
		--user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@" "file://$page" \
		>"$tmp/log" 2>&1
}

"$bin" -r "$root/pcaps/lab/load/unbound.pcap" --format html -o "$tmp/report.html" 2>"$tmp/err" &&
	ok "dnsblame --format html: $(wc -c <"$tmp/report.html") bytes" || bad "dnsblame: $(head -3 "$tmp/err")"

# The control: a page under the same policy that tries an image and a script.
cat >"$tmp/control.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>control</title></head><body><img src="http://127.0.0.1:9/x.png" alt="x"><script>document.title = "ran"</script></body></html>
EOF
browse "$tmp/control.html" --screenshot="$tmp/control.png"
n=$(page_console | wc -l)
[ "$n" -ge 2 ] && ok "control page: $n console messages (the check sees blocked requests and scripts)" ||
	bad "control page: $n console messages, expected 2 (is console logging on?)"

browse "$tmp/report.html" --window-size=1280,2400 --screenshot="$out/report.png"
n=$(page_console | wc -l)
[ "$n" = 0 ] && ok "report: no console message (nothing blocked: no request, no script)" ||
	bad "report: $n console messages: $(page_console | head -2)"
[ -s "$out/report.png" ] && ok "screenshot $out/report.png ($(wc -c <"$out/report.png") bytes)" ||
	bad "no screenshot"
browse "$tmp/report.html" --print-to-pdf="$out/report.pdf" --no-pdf-header-footer
[ -s "$out/report.pdf" ] && head -c 5 "$out/report.pdf" | grep -q '%PDF' &&
	ok "printed to PDF: $out/report.pdf ($(wc -c <"$out/report.pdf") bytes)" || bad "no PDF"

# Printed, the evidence of every incident is on paper (not folded away).
folded=$(grep -c '<details>' "$tmp/report.html")
printed=$(pdftotext "$out/report.pdf" - 2>/dev/null | grep -c 'Next steps')
[ "$printed" = "$folded" ] && ok "the PDF shows the evidence of all $folded incidents" ||
	bad "the PDF shows $printed of $folded incidents' evidence"

# Nothing in the page points elsewhere.
if grep -Eiq '(src|href)=|url\(|@import' "$tmp/report.html"; then
	bad "the page references a resource: $(grep -Eio '(src|href)=[^ >]*|url\([^)]*\)|@import' "$tmp/report.html" | head -3)"
else
	ok "no src, href, url() or @import in the page"
fi
grep -q '<svg' "$tmp/report.html" && grep -q '<details>' "$tmp/report.html" &&
	ok "inline SVG charts ($(grep -c '<svg' "$tmp/report.html")) and expandable evidence ($(grep -c '<details>' "$tmp/report.html"))" ||
	bad "no chart or no <details>"
echo "html: $pass passed, $fail failed"
[ "$fail" = 0 ]
