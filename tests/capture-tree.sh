#!/bin/sh
# The call graph of capture/, file by file, and the check that it is a tree
# (docs/ARCHITECTURE.md, capture/): no two files that call each other,
# directly or around a loop.
#
# The graph is read from the compiler's output, not from the sources'
# text: each capture/*.c is compiled to an object file, and nm lists the
# global symbols the object defines (they belong to that file) and the
# ones it leaves undefined (what the file uses of others).  An edge
# a.c -> b.c is a function of b.c that a.c calls, or whose address it
# hands on (a callback given to ipfrag_add counts as a call of its file),
# or data of b.c that a.c reads.  Calls made through a function pointer a
# file was given (libnids' IP and TCP callbacks, the event sink) name no
# symbol and are no edge: the file that hands the pointer over is the one
# that depends on it.  Static functions never leave their file.
#
#   sh tests/capture-tree.sh [DIR]    DIR: the capture sources (capture/);
#                                     its ../common must exist
# Prints each file's edges with the symbols behind them, then every circle
# (a strongly connected set of files); closing line
# "capture-tree: N files, E edges, C circles"; exits 1 when C > 0.
# Needs cc and nm (build-essential, binutils).
set -u
cd "$(dirname "$0")/.." || exit 1
dir=${1:-capture}
cc=${CC:-cc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

: >"$tmp/syms"
for f in "$dir"/*.c; do
	b=$(basename "$f")
	o="$tmp/${b%.c}.o"
	# The project's language and feature macros, no optimisation: every
	# reference the source makes is in the object.
	if ! "$cc" -std=c11 -D_DEFAULT_SOURCE -O0 -w -c -o "$o" "$f"; then
		echo "capture-tree: cannot compile $f" >&2
		exit 2
	fi
	# "FILE DEF|USE SYMBOL" for global symbols (nm -P: name type ...).
	nm -P "$o" | awk -v f="$b" '
		$2 == "U" { print f, "USE", $1; next }
		$2 ~ /^[TDBRCGSVW]$/ { print f, "DEF", $1 }' >>"$tmp/syms"
done

awk '
$2 == "DEF" { owner[$3] = $1; files[$1] = 1; next }
$2 == "USE" { files[$1] = 1; use[++nu] = $1 SUBSEP $3 }
END {
	for (i = 1; i <= nu; i++) {
		split(use[i], u, SUBSEP)
		a = u[1]; s = u[2]
		if (!(s in owner) || owner[s] == a)
			continue
		b = owner[s]
		if (!((a, b) in edge)) {
			edge[a, b] = 1
			nedge++
			via[a, b] = s
		} else {
			via[a, b] = via[a, b] " " s
		}
	}
	n = 0
	for (f in files)
		name[++n] = f
	# Sorted, so that the output is stable.
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && name[j - 1] > name[j]; j--) {
			t = name[j]; name[j] = name[j - 1]; name[j - 1] = t
		}
	print "capture call graph (" dir "/, from the objects):"
	for (i = 1; i <= n; i++) {
		a = name[i]
		for (j = 1; j <= n; j++) {
			b = name[j]
			if ((a, b) in edge)
				printf "  %-12s -> %-12s %s\n", a, b, via[a, b]
		}
	}
	# Reachability (Warshall), then the strongly connected sets.
	for (i = 1; i <= n; i++)
		for (j = 1; j <= n; j++)
			r[i, j] = ((name[i], name[j]) in edge)
	for (k = 1; k <= n; k++)
		for (i = 1; i <= n; i++)
			if (r[i, k])
				for (j = 1; j <= n; j++)
					if (r[k, j])
						r[i, j] = 1
	circles = 0
	for (i = 1; i <= n; i++) {
		if (done[i] || !r[i, i])
			continue
		set = name[i]; done[i] = 1
		for (j = i + 1; j <= n; j++)
			if (r[i, j] && r[j, i]) {
				set = set " " name[j]; done[j] = 1
			}
		circles++
		print "FAIL circle: " set
		for (j = 1; j <= n; j++)
			for (k = 1; k <= n; k++)
				if ((name[j], name[k]) in edge && r[i, j] && r[j, i] && r[i, k] && r[k, i])
					printf "       %s -> %s (%s)\n", name[j], name[k], via[name[j], name[k]]
	}
	if (!circles)
		print "ok   no circle: capture/ is a tree of files"
	printf "capture-tree: %d files, %d edges, %d circles\n", n, nedge, circles
	exit circles > 0
}' dir="$dir" "$tmp/syms"
