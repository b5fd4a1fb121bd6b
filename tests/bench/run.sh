#!/bin/sh
# make bench: dnsblame beside the floor (tests/bench/pcapread.c, a bare
# libpcap loop) and beside tshark (what an operator runs today) on genload's
# busy-resolver captures, each size in one run; its verdicts scored against
# genload's truth; instructions per packet under callgrind.  A Markdown
# section on standard output (progress on standard error); the acceptance
# lines are informational, never a failure exit.  docs/PERFORMANCE.md says
# what each figure means and how it is taken.
#   BENCH_SIZES      genload captures, in packets (default
#                    "100000 1000000 20000000"), made once in BUILD/bench and
#                    made again when genload is newer
#   BENCH_REPEAT     timed runs of the floor and of dnsblame, alternately,
#                    the best kept (default 3); the ratio of each pair is
#                    reported too, for the spread the machine's load makes
#   BENCH_TSHARK     tshark's slice: the first N packets of each capture
#                    (default 1000000; 0: no tshark)
#   BENCH_CALLGRIND  the capture size run under callgrind (default 100000;
#                    0: no profile)
#   BENCH_FORMAT     dnsblame's report format while timed (default json)
#   BENCH_OUT        also write the Markdown section to this file
#   BUILD            build directory (default build): binaries, captures
#   DNSBLAME         the binary measured (default BUILD/dnsblame)
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${BUILD:-build}
bin=$build/bench
dnsblame=${DNSBLAME:-$build/dnsblame}
sizes=${BENCH_SIZES:-100000 1000000 20000000}
slice=${BENCH_TSHARK:-1000000}
cgn=${BENCH_CALLGRIND:-100000}
fmt=${BENCH_FORMAT:-json}
out=${BENCH_OUT:-}
measure="python3 tests/bench/measure.py"

for f in "$dnsblame" "$bin/pcapread" "$bin/genload"; do
	if [ ! -x "$f" ]; then
		echo "bench: $f is missing (make BUILD=$build all $bin/pcapread $bin/genload)" >&2
		exit 2
	fi
done
if [ ! -x /usr/bin/time ]; then
	echo "bench: /usr/bin/time is missing (make deps)" >&2
	exit 2
fi
have() { command -v "$1" >/dev/null 2>&1; }
if [ "$slice" != 0 ] && ! { have tshark && have editcap; }; then
	echo "bench: tshark or editcap is missing (make deps): no tshark column" >&2
	slice=0
fi
if [ "$cgn" != 0 ] && ! { have valgrind && have callgrind_annotate; }; then
	echo "bench: valgrind is missing (make deps): no profile" >&2
	cgn=0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
errlog=$bin/bench-stderr.log
: >"$errlog"
say() { printf '%s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }
calc() { awk "BEGIN { $1 }" </dev/null; }
label() {
	awk -v n="$1" 'BEGIN {
		if (n % 1000000 == 0) printf "%dM", n / 1000000
		else if (n % 1000 == 0) printf "%dk", n / 1000
		else printf "%d", n }'
}
t_all=$(now)
load0=$(cut -d' ' -f1 /proc/loadavg)
# The tree as the run starts: a commit made during the run does not change
# what the header says was measured.
date0=$(date -u +%Y-%m-%dT%H:%MZ)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git --no-optional-locks status --porcelain 2>/dev/null | wc -l)
[ "$dirty" = 0 ] || rev="$rev, working tree with $dirty uncommitted changes"

# genload's capture of N packets and its truth, written under temporary
# names so that an interrupted run does not leave a capture that looks
# complete.  Reused while it is newer than genload.
gen() {
	g=$bin/load-$1.pcap
	tr=$bin/load-$1.truth.tsv
	if [ -f "$g" ] && [ -f "$tr" ] && ! [ "$bin/genload" -nt "$g" ]; then
		return 0
	fi
	say "$(label "$1"): generating $g"
	s=$(now)
	"$bin/genload" "$g.tmp" --packets "$1" --seed 1 --truth "$tr.tmp" 2>"$bin/load-$1.log"
	mv "$tr.tmp" "$tr"
	mv "$g.tmp" "$g"
	say "$(label "$1"): generated in $(since "$s") s, $(wc -c <"$g" | awk '{ printf "%.0f", $1 / 1e6 }') MB"
}

# One row per size in $tmp/rows:
#   n packets bytes floor_s floor_rss dnsblame_s dnsblame_rss dnsblame_rc
#   tshark_packets tshark_s score
: >"$tmp/rows"
for n in $sizes; do
	L=$(label "$n")
	t0=$(now)
	gen "$n"
	g=$bin/load-$n.pcap
	tr=$bin/load-$n.truth.tsv
	bytes=$(wc -c <"$g")

	# The page cache is warmed by one untimed floor run, which reads the
	# whole file and counts its packets.
	s=$(now)
	pk=$("$bin/pcapread" "$g" | awk '{ print $1 }')
	say "$L: $pk packets, $(calc "printf \"%.0f\", $bytes / 1e6") MB; warm read $(since "$s") s"

	r=${BENCH_REPEAT:-3}
	s=$(now)
	$measure -n "$r" -e "$errlog" -- "$bin/pcapread" "$g" \
		::: "$dnsblame" -r "$g" --format "$fmt" >"$tmp/m"
	fl_s=$(awk '$1 == 0 { print $2 }' "$tmp/m")
	fl_rss=$(awk '$1 == 0 { print $3 }' "$tmp/m")
	db_s=$(awk '$1 == 1 { print $2 }' "$tmp/m")
	db_rss=$(awk '$1 == 1 { print $3 }' "$tmp/m")
	db_rc=$(awk '$1 == 1 { print $4 }' "$tmp/m")
	# Each pair's ratio (dnsblame's run over the floor's just before it):
	# the lowest, the median and the highest.
	pairs=$(awk '$1 == 0 { nf = split($5, f, ",") } $1 == 1 { split($5, d, ",") }
		END {
			for (i = 1; i <= nf; i++) q[i] = d[i] / f[i]
			for (i = 1; i <= nf; i++) for (j = i + 1; j <= nf; j++)
				if (q[j] < q[i]) { x = q[i]; q[i] = q[j]; q[j] = x }
			m = nf % 2 ? q[(nf + 1) / 2] : (q[nf / 2] + q[nf / 2 + 1]) / 2
			printf "%.2f,%.2f,%.2f", q[1], m, q[nf] }' "$tmp/m")
	say "$L: floor and dnsblame, best of $r: floor $fl_s s ($(awk '$1 == 0 { print $5 }' "$tmp/m")), dnsblame $db_s s ($(awk '$1 == 1 { print $5 }' "$tmp/m")), pair ratios lowest, median, highest $pairs; peak RSS $db_rss KiB; $(since "$s") s"
	[ "$db_rc" = 0 ] || say "$L: dnsblame exited with status $db_rc (see $errlog)"

	ts_n=0
	ts_s=0
	if [ "$slice" != 0 ]; then
		s=$(now)
		if [ "$n" -le "$slice" ]; then
			sf=$g
			ts_n=$pk
		else
			sf=$bin/load-$n.first-$slice.pcap
			ts_n=$slice
			if [ ! -f "$sf" ] || [ "$g" -nt "$sf" ]; then
				editcap -F pcap -r "$g" "$sf.tmp" "1-$slice"
				mv "$sf.tmp" "$sf"
			fi
			cat "$sf" >/dev/null
		fi
		$measure -n 1 -e "$errlog" -- tshark -r "$sf" -Y 'dns.flags.rcode==2' >"$tmp/m"
		ts_s=$(awk '$1 == 0 { print $2 }' "$tmp/m")
		say "$L: tshark on $ts_n packets: $ts_s s, peak RSS $(awk '$1 == 0 { print $3 }' "$tmp/m") KiB; $(since "$s") s"
	fi

	# The score needs every verdict listed whole in the JSON: a run of its
	# own with --max-verdicts above the truth's count (not timed; the
	# timed runs keep the default limits).
	s=$(now)
	score=n/a
	nt=$(grep -vc '^#' "$tr" || true)
	if "$dnsblame" -r "$g" --format json --max-verdicts $((nt + nt / 10 + 1000)) \
		-o "$bin/load-$n.json" 2>>"$errlog" &&
		python3 tests/bench/score.py "$dnsblame" "$g" "$tr" --json "$bin/load-$n.json" \
			--min 0 >"$bin/load-$n.score"; then
		score=$(sed -n 's/^cause agreement: \([0-9.]*\)%.*/\1/p' "$bin/load-$n.score")
		grep -E '^(truth|cause agreement|via agreement|false|missing)' "$bin/load-$n.score" |
			sed "s/^/$L:   /" >&2
	else
		say "$L: scoring failed (see $errlog)"
	fi
	say "$L: score $(since "$s") s; this size $(since "$t0") s"
	echo "$n $pk $bytes $fl_s $fl_rss $db_s $db_rss $db_rc $ts_n $ts_s $score $pairs" >>"$tmp/rows"
done

# Instructions per packet: dnsblame and the floor under callgrind on the
# same capture; the counts do not depend on the load of the machine.
cg_db=""
if [ "$cgn" != 0 ]; then
	s=$(now)
	gen "$cgn"
	g=$bin/load-$cgn.pcap
	cg_pk=$("$bin/pcapread" "$g" | awk '{ print $1 }')
	# -Z: dnsblame run as root drops to nobody, who could not write
	# callgrind's file at exit.
	valgrind --tool=callgrind --vgdb=no --callgrind-out-file="$bin/callgrind.dnsblame.out" \
		"$dnsblame" -Z "$(id -un)" -r "$g" --format "$fmt" >/dev/null 2>>"$errlog"
	valgrind --tool=callgrind --vgdb=no --callgrind-out-file="$bin/callgrind.pcapread.out" \
		"$bin/pcapread" "$g" >/dev/null 2>>"$errlog"
	cg_db=$(sed -n 's/^summary: *//p' "$bin/callgrind.dnsblame.out")
	cg_fl=$(sed -n 's/^summary: *//p' "$bin/callgrind.pcapread.out")
	callgrind_annotate --auto=no --threshold=100 "$bin/callgrind.dnsblame.out" >"$tmp/self" 2>>"$errlog"
	callgrind_annotate --auto=no --threshold=100 --inclusive=yes "$bin/callgrind.dnsblame.out" \
		>"$tmp/incl" 2>>"$errlog"
	prof=$bin/callgrind-$cgn.txt
	{
		echo "# callgrind: dnsblame -r $g --format $fmt ($cg_pk packets), self cost"
		cat "$tmp/self"
		echo
		echo "# inclusive cost"
		cat "$tmp/incl"
	} >"$prof"
	say "callgrind ($(label "$cgn")): $(since "$s") s; profile in $prof"
fi

# The top N functions of a callgrind_annotate listing, as Markdown rows:
# the function, where it is (a file of this tree, or a library), Ir per
# packet and the share of the total.  Startup frames (below main, the
# dynamic loader) are left out.
top() {
	awk -v root="$root/" -v self="${dnsblame##*/}" -v pk="$cg_pk" -v want="$2" '
	/ file:function$/ { on = 1; next }
	on && /^ *[0-9,]+ +\( *[0-9.]+%\) / {
		ir = $1; gsub(",", "", ir)
		rest = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", rest)
		pct = $0; sub(/^ *[0-9,]+ +\( */, "", pct); sub(/%\).*/, "", pct)
		obj = ""
		if (match(rest, / \[[^]]*\]$/)) {
			obj = substr(rest, RSTART + 2, RLENGTH - 3)
			rest = substr(rest, 1, RSTART - 1)
			sub(/.*\//, "", obj)
		}
		fn = rest; sub(/.*:/, "", fn)
		file = rest; sub(/:[^:]*$/, "", file)
		if (fn ~ /below main|^0x/ || fn ~ /^__libc_start/) next
		if (obj == "" || obj == self) {
			if (index(file, root) == 1) file = substr(file, length(root) + 1)
			while (sub(/[^\/]*\/\.\.\//, "", file)) {}
			where = file ~ /\.h$/ ? file " (inlined)" : file
		} else {
			where = obj
		}
		# callgrind_annotate lists a function once per spelling of its
		# file (absolute, relative): the first is kept.
		if ((fn, where) in seen) next
		seen[fn, where] = 1
		printf "| %s | %s | %.0f | %.1f |\n", fn, where, ir / pk, pct
		if (++k >= want) exit
	}' "$1"
}

load1=$(cut -d' ' -f1 /proc/loadavg)
cc_v=$(readelf -p .comment "$dnsblame" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *GCC: */gcc /p' | head -1)
[ -n "$cc_v" ] || cc_v=$(${CC:-cc} --version | head -1)

{
	echo "### ${date0%%T*}, $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo
	echo "- Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores," \
		"$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
		"Linux $(uname -r); Debian $(cat /etc/debian_version 2>/dev/null || echo unknown)"
	echo "- Date: $date0; load average $load0 at the start, $load1 at the end"
	echo "- dnsblame: tree at $rev; $dnsblame built $(date -u -r "$dnsblame" +%Y-%m-%dT%H:%MZ)" \
		"by $cc_v; libpcap" \
		"$(dpkg-query -W -f='${Version}' libpcap0.8 2>/dev/null || echo unknown);" \
		"$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([^ ]*\).*/tshark \1/p');" \
		"$(valgrind --version 2>/dev/null || true)"
	echo "- Timed: \`pcapread FILE\` (the floor) and \`dnsblame -r FILE --format $fmt\`," \
		"alternately, best of ${BENCH_REPEAT:-3}, page cache warm;" \
		"$([ "$slice" = 0 ] && echo "no tshark" ||
			echo "tshark \`-r SLICE -Y 'dns.flags.rcode==2'\` once on the first $slice packets" \
				"(\`editcap -F pcap -r FILE SLICE 1-$slice\`; the whole capture when smaller)")"
	echo
	echo "| packets | capture MB | floor s | dnsblame s | ratio | pair ratios | dnsblame Mpkt/s | ns/pkt | peak RSS MiB | tshark pkt/s (slice) | speed-up over tshark | score % |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while read -r n pk bytes fl_s fl_rss db_s db_rss db_rc ts_n ts_s score pairs; do
		awk -v L="$(label "$n")" -v pk="$pk" -v bytes="$bytes" -v fl="$fl_s" -v db="$db_s" \
			-v rss="$db_rss" -v rc="$db_rc" -v tn="$ts_n" -v ts="$ts_s" -v sc="$score" \
			-v pr="$pairs" 'BEGIN {
			tsr = ts > 0 ? sprintf("%.0f", tn / ts) : "n/a"
			up = ts > 0 ? sprintf("%.1f", (pk / db) / (tn / ts)) : "n/a"
			split(pr, q, ",")
			printf "| %s | %.0f | %.3f | %.3f%s | %.2f | %s (%s to %s) | %.2f | %.0f | %.1f | %s | %s | %s |\n",
				L, bytes / 1e6, fl, db, rc == 0 ? "" : " (exit " rc ")", db / fl,
				q[2], q[1], q[3], pk / db / 1e6, db / pk * 1e9, rss / 1024, tsr, up, sc }'
	done <"$tmp/rows"
	echo
	echo "ratio: dnsblame's best wall time over the floor's best; pair ratios: the median of" \
		"each alternate pair's ratio (the lowest to the highest), which shows how much the" \
		"machine's load moved the figure; speed-up: dnsblame's packet rate on the whole" \
		"capture over tshark's on the slice; score: cause agreement with genload's truth" \
		"(tests/bench/score.py)."
	if [ -n "$cg_db" ]; then
		echo
		echo "Instructions per packet (callgrind, $(label "$cgn") capture, $cg_pk packets):" \
			"$(calc "printf \"dnsblame %.0f, floor %.0f, dnsblame - floor %.0f\", $cg_db / $cg_pk, $cg_fl / $cg_pk, ($cg_db - $cg_fl) / $cg_pk")" \
			"(the whole run: start-up and the report included)."
		echo
		echo "Top 10 by self cost:"
		echo
		echo "| function | where | Ir/pkt | % |"
		echo "|---|---|---:|---:|"
		top "$tmp/self" 10
		echo
		echo "Top 15 by inclusive cost:"
		echo
		echo "| function | where | Ir/pkt | % |"
		echo "|---|---|---:|---:|"
		top "$tmp/incl" 15
	fi
	echo
	echo "Acceptance (informational):"
	echo
	awk -v ref=1000000 '
	{ n[NR] = $1; pk[NR] = $2; fl[NR] = $4; db[NR] = $6; rss[NR] = $7; tn[NR] = $9; ts[NR] = $10; sc[NR] = $11
	  split($12, q, ","); pm[NR] = q[2]
	  if ($1 == ref) r = NR; if (!big || $1 > n[big]) big = NR }
	function lab(x) { return x % 1000000 == 0 ? sprintf("%dM", x / 1000000) : x % 1000 == 0 ? sprintf("%dk", x / 1000) : x }
	function ok(c) { return c ? "PASS" : "MISS" }
	END {
		if (!big) exit
		b = big; L = lab(n[b])
		note = n[b] == 20000000 ? "" : " (the criterion is on 20M packets)"
		printf "- %s: wall time ratio dnsblame/floor %.2f (best over best; median of the pairs %s) <= 3: %s%s\n", L, db[b] / fl[b], pm[b], ok(db[b] / fl[b] <= 3), note
		if (ts[b] > 0) {
			up = (pk[b] / db[b]) / (tn[b] / ts[b])
			printf "- %s: packet rate over tshark'"'"'s %.1fx >= 50x: %s%s\n", L, up, ok(up >= 50), note
		}
		if (r && r != b)
			printf "- %s: peak RSS %.1f MiB <= 1.2 x %s'"'"'s %.1f MiB (%.2fx): %s%s\n", L, rss[b] / 1024,
				lab(ref), rss[r] / 1024, rss[b] / rss[r], ok(rss[b] <= 1.2 * rss[r]), note
		printf "- %s: peak RSS %.1f MiB < 128 MiB: %s%s\n", L, rss[b] / 1024, ok(rss[b] < 128 * 1024), note
		for (i = 1; i <= NR; i++)
			printf "- %s: verdicts agree with the truth %s%% >= 97%%: %s\n", lab(n[i]), sc[i],
				sc[i] == "n/a" ? "MISS" : ok(sc[i] + 0 >= 97)
	}' "$tmp/rows"
} >"$tmp/md"

cat "$tmp/md"
if [ -n "$out" ]; then
	cp "$tmp/md" "$out"
	say "bench: Markdown written to $out"
fi
say "bench: $(since "$t_all") s in all"
