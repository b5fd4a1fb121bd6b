#!/bin/sh
# valgrind memcheck over a representative set of captures: any memory error
# or any leaked block (definitely, indirectly or possibly lost) fails; no
# suppressions (libnids never holds IPv4 fragments now: capture/ipfrag.c
# reassembles them).
set -u
bin=${1:?usage: valgrind.sh BINARY}
cd "$(dirname "$0")/.." || exit 1
corpus=${DNSBLAME_CORPUS:-../shared/corpus/public}
pass=0; fail=0
# The public corpus is part of the test: missing, the run fails (it must
# not pass by reading less).
if [ ! -f "$corpus/MANIFEST.tsv" ]; then
	echo "FAIL the public corpus is missing: $corpus (set DNSBLAME_CORPUS)"
	echo "valgrind memcheck: 0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for f in pcaps/foundation/*.pcap pcaps/hostile/cut-last-record.pcap pcaps/hostile/ipv4-frag-lost.pcap \
	pcaps/hostile/frag-overlap.pcap pcaps/hostile/frag-endless.pcap pcaps/sample/resolver-mixed.pcap \
	pcaps/lab/unbound.pcap pcaps/lab/kresd.pcap \
	"$corpus"/zeek-dns-edns-ecs.pcap "$corpus"/arkime-synthetic-mixed.pcap \
	"$corpus"/dnscollector-tcp-fastopen.pcap "$corpus"/oarc-dnscap-dnso1tcp-bighole.pcap \
	"$corpus"/ndpi-badpackets-snaplen-dnssec.pcap; do
	if [ ! -f "$f" ]; then
		fail=$((fail + 1)); echo "FAIL $f: missing"; continue
	fi
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
		"$bin" -r "$f" --format json >/dev/null 2>"$tmp"
	if [ $? = 99 ]; then
		fail=$((fail + 1)); echo "FAIL $f"; head -30 "$tmp"
	else
		pass=$((pass + 1))
	fi
done
echo "valgrind memcheck: $pass passed, $fail failed"
[ "$fail" = 0 ]
