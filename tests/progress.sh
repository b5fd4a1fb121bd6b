#!/bin/sh
# Reading big, compressed and many -r files:
#   - the progress line: on a terminal (script(1) gives dnsblame a
#     pseudo-terminal), "dnsblame: N packets  P% of SIZE  R packets/s
#     ETA M:SS" on stderr, redrawn in place with \r and cleared before the
#     report, which is the same as without it; from a pipe "N packets
#     SIZE read  R packets/s"; none with -q or --quiet, none when stderr is
#     not a terminal.  strace's fault injection delays some reads, so that
#     a run lasts longer than the half second before the first line on any
#     machine;
#   - a pcapng capture compressed with gzip and with zstd, read from a file
#     and from a pipe: the output of the uncompressed capture; and
#     --save-evidence from a compressed capture: the same packets;
#   - 463 files of one packet each (editcap -c 1 of the sample capture),
#     more than the 256 once allowed: the verdicts of the whole capture,
#     with at most 2 of the files open at once (strace: openat, dup, close).
# Closing line: "progress: N passed, N failed".
set -u
bin=${1:?usage: progress.sh BINARY}
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
for t in script strace editcap gzip zstd python3; do
	command -v $t >/dev/null || { echo "FAIL $t is missing (sh .ci/deps.sh)"; exit 1; }
done
sample=pcaps/sample/resolver-mixed.pcap
# As root, dnsblame runs as nobody once its inputs are open: the test
# directory must be readable to it.
chmod 755 "$tmp"

# 20 copies of the sample, each 40 s after the one before: 9,260 packets,
# 1.6 MB, read in 128 KiB blocks (13 reads).
python3 - "$sample" "$tmp/big.pcap" <<-'PY'
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	assert data[:4] == b"\xd4\xc3\xb2\xa1"  # classic pcap, little-endian
	out = [data[:24]]
	for copy in range(20):
	    at = 24
	    while at < len(data):
	        sec, usec, caplen, length = struct.unpack_from("<IIII", data, at)
	        out.append(struct.pack("<IIII", sec + 40 * copy, usec, caplen, length))
	        out.append(data[at + 16:at + 16 + caplen])
	        at += 16 + caplen
	open(sys.argv[2], "wb").write(b"".join(out))
	PY
chmod 644 "$tmp/big.pcap"
# Every read from the 2nd takes 100 ms longer: 1.2 s in all (-f: the
# files are read on a thread of their own).
# LeakSanitizer cannot work under ptrace: a sanitizer build's leaks are
# looked for in the runs without strace.
traced="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f"
slow="$traced -o /dev/null -e trace=read -e inject=read:delay_exit=100000:when=2+1"
strace -o /dev/null true 2>/dev/null || { echo "FAIL strace cannot trace here"; exit 1; }

# tty CMD: runs CMD on a pseudo-terminal; its output is in $tmp/tty.
tty() { script -qec "$1" /dev/null </dev/null >"$tmp/tty" 2>&1; }
progress='dnsblame: [0-9]+ packets  '
"$bin" -r "$tmp/big.pcap" --color never >"$tmp/plain.txt" 2>"$tmp/plain.err"

# On a terminal: the line, redrawn, then cleared before the report.
tty "$slow $bin -r $tmp/big.pcap --color never"
tr '\r' '\n' <"$tmp/tty" >"$tmp/tty.lines"
n=$(grep -cE "^$progress[0-9.]+% of [0-9.]+ [kM]B  [0-9]+ packets/s  ETA [0-9]+:[0-9][0-9]" "$tmp/tty.lines")
[ "$n" -ge 2 ] && ok "terminal: $n progress lines ($(grep -E "^$progress" "$tmp/tty.lines" | tail -1))" ||
	bad "terminal: $n progress lines with percent and ETA: $(head -c 300 "$tmp/tty" | od -c | head -5)"
# The report starts right after a \r, spaces, \r: the line was wiped.
python3 - "$tmp/tty" "$tmp/plain.txt" <<-'PY' && ok "terminal: the line is cleared, then the report as without it" || bad "terminal: not cleared, or the report differs"
	import re, sys
	raw = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n")
	m = re.search(rb"\r( +)\r(dnsblame [0-9.]+: why)", raw)
	report = raw[m.start(2):] if m else b""
	sys.exit(0 if m and b"packets/s" not in report and report == open(sys.argv[2], "rb").read() else 1)
PY

# From a pipe: what is known (packets, bytes read), no percent.
tty "{ head -c 400000 $tmp/big.pcap; sleep 1; tail -c +400001 $tmp/big.pcap; } | $bin -r - --color never"
tr '\r' '\n' <"$tmp/tty" | grep -E "^$progress[0-9.]+ [kM]B read  [0-9]+ packets/s\$" | tail -1 >"$tmp/pipe.line"
[ -s "$tmp/pipe.line" ] && ok "pipe: $(cat "$tmp/pipe.line")" || bad "pipe: no progress line: $(head -c 200 "$tmp/tty")"

# --quiet, -q, and stderr not a terminal: no line, the same report.
for how in "--quiet" "-q"; do
	tty "$slow $bin -r $tmp/big.pcap --color never $how"
	tr -d '\r' <"$tmp/tty" | grep -v '^command ' >"$tmp/tty.txt"
	! grep -q 'packets/s' "$tmp/tty" && grep -v '^command ' "$tmp/plain.txt" | cmp -s - "$tmp/tty.txt" &&
		ok "$how: no progress line" || bad "$how: $(head -c 200 "$tmp/tty")"
done
tty "$slow $bin -r $tmp/big.pcap --color never 2>$tmp/err"
tr -d '\r' <"$tmp/tty" >"$tmp/tty.txt"
! grep -q 'packets/s' "$tmp/tty" "$tmp/err" && cmp -s "$tmp/err" "$tmp/plain.err" && cmp -s "$tmp/tty.txt" "$tmp/plain.txt" &&
	ok "stderr to a file: no progress line" || bad "stderr to a file: $(head -c 200 "$tmp/err")"

# Compressed pcapng, from a file and from a pipe.
editcap -F pcapng "$sample" "$tmp/s.pcapng"
gzip -c "$tmp/s.pcapng" >"$tmp/s.pcapng.gz"
zstd -q -c "$tmp/s.pcapng" >"$tmp/s.pcapng.zst"
"$bin" -r "$tmp/s.pcapng" --format json >"$tmp/ng.json" 2>&1
"$bin" -r - --format json <"$tmp/s.pcapng" >"$tmp/ng-pipe.json" 2>&1
for z in gz zst; do
	"$bin" -r "$tmp/s.pcapng.$z" --format json 2>&1 | sed "s#s\.pcapng\.$z#s.pcapng#g" >"$tmp/ng.$z.json"
	cat "$tmp/s.pcapng.$z" | "$bin" -r - --format json >"$tmp/ng-pipe.$z.json" 2>&1
	cmp -s "$tmp/ng.$z.json" "$tmp/ng.json" && cmp -s "$tmp/ng-pipe.$z.json" "$tmp/ng-pipe.json" &&
		ok "pcapng.$z, file and pipe: the uncompressed output" || bad "pcapng.$z: the output differs"
done
gzip -c "$sample" >"$tmp/s.pcap.gz"
"$bin" -r "$sample" --save-evidence "$tmp/ev.pcap" -o /dev/null 2>/dev/null
"$bin" -r "$tmp/s.pcap.gz" --save-evidence "$tmp/ev-gz.pcap" -o /dev/null 2>/dev/null
[ -s "$tmp/ev.pcap" ] && cmp -s "$tmp/ev.pcap" "$tmp/ev-gz.pcap" &&
	ok "--save-evidence from a .gz: the same $(wc -c <"$tmp/ev.pcap") bytes" || bad "--save-evidence from a .gz differs"

# Many files: merged as one, a file open only while the merge is in it.
mkdir "$tmp/split" && chmod 755 "$tmp/split"
editcap -c 1 "$sample" "$tmp/split/part.pcap"
set -- $(ls "$tmp"/split/*.pcap | sed 's/^/-r /')
nfiles=$(($# / 2))
# As root dnsblame holds every file's descriptor (it runs as nobody once
# they are open, and nobody may not be allowed to open them later): the
# files open at once are counted without the drop, and the verdicts with
# and without it.
asroot=""
[ "$(id -u)" = 0 ] && asroot="-Z root"
"$bin" -r "$sample" --format json >"$tmp/whole.json" 2>/dev/null
# shellcheck disable=SC2086
$traced -o "$tmp/trace" -e trace=openat,close,dup,dup2,dup3,fcntl "$bin" "$@" $asroot --format json \
	>"$tmp/split.json" 2>"$tmp/split.err"
rc=$?
"$bin" "$@" --format json >"$tmp/split-drop.json" 2>/dev/null
same() {
	python3 - "$1" "$2" <<-'PY'
	import json, sys
	a, b = (json.load(open(p)) for p in sys.argv[1:3])
	for d in (a, b):
	    del d["capture"]["files"], d["capture"]["command"]
	sys.exit(0 if a == b else 1)
	PY
}
[ $rc = 0 ] && same "$tmp/whole.json" "$tmp/split.json" && same "$tmp/whole.json" "$tmp/split-drop.json" &&
	ok "$nfiles files: the verdicts and counts of the whole capture" ||
	bad "$nfiles files: exit $rc, $(head -c 200 "$tmp/split.err"), or the report differs"
# The most descriptors open at once on the split files (openat returns one,
# dup and F_DUPFD copy one, close ends one).
most=$(awk -v dir="$tmp/split/" '
	function track(fd) { if (!(fd in open)) { open[fd] = 1; n++; if (n > max) max = n } }
	{
		line = $0; sub(/^[0-9]+ +/, "", line)
		ret = line; sub(/.*= /, "", ret); sub(/ .*/, "", ret)
		arg = line; sub(/^[a-z0-9]+\(/, "", arg); sub(/[,)].*/, "", arg)
		if (line ~ /^openat\(/ && index(line, dir) && ret ~ /^[0-9]+$/) track(ret)
		else if (line ~ /^(dup|dup2|dup3)\(/ && (arg in open) && ret ~ /^[0-9]+$/) track(ret)
		else if (line ~ /^fcntl\(.*F_DUPFD/ && (arg in open) && ret ~ /^[0-9]+$/) track(ret)
		else if (line ~ /^close\(/ && (arg in open)) { delete open[arg]; n-- }
	}
	END { print max + 0 }' "$tmp/trace")
opened=$(grep -c "openat(.*$tmp/split/" "$tmp/trace")
[ "$most" -ge 1 ] && [ "$most" -le 2 ] && ok "$nfiles files: at most $most open at once ($opened opens)" ||
	bad "$nfiles files: $most open at once"

echo "progress: $pass passed, $fail failed"
[ "$fail" = 0 ]
