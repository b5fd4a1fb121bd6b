#!/bin/sh
# Conformance of dnsblame's capture counts with tshark on the public corpus.
#
#   sh tests/conformance.sh build/dnsblame [CAPTURE...]
#
# For each capture in the corpus ($DNSBLAME_CORPUS, else ../shared/corpus/public beside the
# repository) it runs tshark (the oracle, computed now, never cached) and
# `BINARY -r FILE --format json`, and compares dns_messages, dns_queries, dns_responses and
# rcodes.SERVFAIL. Differences must be listed with a reason in
# tests/conformance/known-differences.tsv; at least 95% of the files must match exactly.
# See tests/conformance/README.md for the oracle's semantics and the rules.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: $0 BINARY [CAPTURE...]" >&2
	exit 2
fi
binary=$1
shift

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
corpus=${DNSBLAME_CORPUS:-$root/../shared/corpus/public}

# Debian's python3 when present (only the standard library is used).
if [ -x /usr/bin/python3 ]; then
	py=/usr/bin/python3
else
	py=python3
fi

exec "$py" "$here/conformance/run.py" --binary "$binary" --corpus "$corpus" \
	--known "$here/conformance/known-differences.tsv" ${CONFORMANCE_ARGS:-} "$@"
