#!/bin/sh
# The architecture, checked (docs/ARCHITECTURE.md):
#   - each foreign library's headers appear in its one file: libpcap in
#     capture/source.c (capture/link.c may take the DLT_* numbers from
#     <pcap/dlt.h>; capture/nidsglue.c, the libnids glue, hands libnids the
#     pcap handle and packet headers its API asks for), libnids in
#     capture/nidsglue.c, OpenSSL in analyze/crypto.c, libmicrohttpd in
#     report/serve.c, zlib and libzstd in capture/compress.c, cmocka in
#     none of the program's files;
#   - the stages only look downstream: capture/ includes nothing of
#     analyze/ or report/, analyze/ nothing of report/; common/ includes
#     no stage.
# Closing line: "arch: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
src=$(ls main.c common/*.[ch] capture/*.[ch] analyze/*.[ch] report/*.[ch] 2>/dev/null)

# only FILES... -- PATTERN WHAT: the pattern may appear in those files only
only() {
	what=$1 pattern=$2
	shift 2
	found=$(grep -l -E "$pattern" $src 2>/dev/null | sort)
	allowed=$(printf '%s\n' "$@" | sort)
	extra=$(printf '%s\n' "$found" | grep -vxF "$allowed" | grep -v '^$')
	if [ -z "$extra" ]; then
		ok "$what only in: $(echo "$found" | tr '\n' ' ' | sed 's/^ *$/(none)/')"
	else
		bad "$what outside its file: $(echo "$extra" | tr '\n' ' ')"
	fi
}
only "libpcap" '#include <pcap[/.]' capture/source.c capture/link.c capture/nidsglue.c
only "libpcap beyond DLT numbers" '#include <pcap(\.h|/pcap\.h)>' capture/source.c capture/nidsglue.c
only "libnids" '#include <nids\.h>' capture/nidsglue.c
only "OpenSSL" '#[[:space:]]*include[[:space:]]*[<"]openssl/' analyze/crypto.c
only "libmicrohttpd" '#include <microhttpd\.h>' report/serve.c
only "zlib" '#include <zlib\.h>' capture/compress.c
only "libzstd" '#include <zstd(_errors)?\.h>' capture/compress.c
only "cmocka" '#include <cmocka\.h>'

# The stages look downstream only.
up=$(grep -l -E '#include "\.\./(analyze|report)/' capture/*.[ch] 2>/dev/null)
[ -z "$up" ] && ok "capture/ includes nothing of analyze/ or report/" || bad "capture/ includes a later stage: $up"
up=$(grep -l -E '#include "\.\./report/' analyze/*.[ch] 2>/dev/null)
[ -z "$up" ] && ok "analyze/ includes nothing of report/" || bad "analyze/ includes report/: $up"
up=$(grep -l -E '#include "\.\./(capture|analyze|report)/' common/*.[ch] 2>/dev/null)
[ -z "$up" ] && ok "common/ includes no stage" || bad "common/ includes a stage: $up"
echo "arch: $pass passed, $fail failed"
[ "$fail" = 0 ]
