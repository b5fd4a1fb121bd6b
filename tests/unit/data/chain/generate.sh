#!/bin/sh
# generate.sh - makes the signed parent/child zones for tests/unit/analyze/test_chain.c.
#
# Run from anywhere; writes into the directory holding this script.  Keys
# are new every run, so the output differs each time; the committed files
# are one run of it.  Needs bind9-utils (dnssec-keygen, dnssec-signzone,
# dnssec-dsfromkey).  Private keys are made in a temporary directory and
# thrown away.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Keys: the parent example. with a KSK and a ZSK (ECDSAP256SHA256, 13), the
# child child.example. with a KSK and a ZSK (RSASHA256, 8), and one more
# child KSK that is never published (its DS is the "wrong DS").
pksk=$(dnssec-keygen -q -a ECDSAP256SHA256 -f KSK -n ZONE example.)
pzsk=$(dnssec-keygen -q -a ECDSAP256SHA256 -n ZONE example.)
cksk=$(dnssec-keygen -q -a RSASHA256 -b 2048 -f KSK -n ZONE child.example.)
czsk=$(dnssec-keygen -q -a RSASHA256 -b 2048 -n ZONE child.example.)
other=$(dnssec-keygen -q -a RSASHA256 -b 2048 -f KSK -n ZONE child.example.)

cat > child.in <<ZONE
\$ORIGIN child.example.
\$TTL 3600
@	IN SOA	ns1.child.example. hostmaster.child.example. 2024010101 7200 3600 1209600 300
@	IN NS	ns1.child.example.
ns1	IN A	192.0.2.53
www	IN A	192.0.2.10
ZONE
cat "$cksk.key" "$czsk.key" >> child.in

parent_in() { # $1: the DS line of child.example.
	cat <<ZONE
\$ORIGIN example.
\$TTL 3600
@	IN SOA	ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 300
@	IN NS	ns1.example.
ns1	IN A	192.0.2.1
child	IN NS	ns1.child.example.
ns1.child	IN A	192.0.2.53
ZONE
	echo "$1"
	cat "$pksk.key" "$pzsk.key"
}

sign() { # zone-origin input output inception expiration keys...
	origin=$1 in=$2 outf=$3 s=$4 e=$5
	shift 5
	# -x: the DNSKEY set is signed by the KSK only; -P: no post-sign
	# verification (it refuses the expired variant).
	dnssec-signzone -q -P -x -O full -s "$s" -e "$e" -o "$origin" -f "$outf" "$in" "$@" >/dev/null
}

version=$(dnssec-signzone -V 2>&1 | head -1)

# Child, valid 2022-01-01 .. 2040-12-31 (inception later than the parent's
# so that a time in 2021 is inside the parent's window, outside the child's).
sign child.example. child.in child.signed 20220101000000 20401231000000 "$cksk.private" "$czsk.private"
# Child, same keys, valid 2020-01-01 .. 2021-01-01 (expired).
sign child.example. child.in child-expired.signed 20200101000000 20210101000000 "$cksk.private" "$czsk.private"

ds=$(dnssec-dsfromkey -a SHA-256 "$cksk.key")
otherds=$(dnssec-dsfromkey -a SHA-256 "$other.key")
parent_in "$ds" > parent.in
parent_in "$otherds" > parent-wrongds.in
# A DS of digest type 3 (GOST R 34.11-94, not implemented by dnsblame) for
# the child's KSK: the digest octets are made up (SHA-256 of a fixed
# string); only the digest type matters to the test.
ktag=$(echo "$cksk" | sed 's/.*+0*//')
fake=$(printf 'not a GOST digest' | sha256sum | cut -d' ' -f1 | tr a-f A-F)
parent_in "child.example. IN DS $ktag 8 3 $fake" > parent-gostds.in
# No DS at all: child.example. is an insecure delegation, proven by the
# NSEC at the cut (NS RRSIG NSEC, no DS).
parent_in "" > parent-insecure.in
# Parent, valid 2020-01-01 .. 2040-12-31.
sign example. parent.in parent.signed 20200101000000 20401231000000 "$pksk.private" "$pzsk.private"
sign example. parent-wrongds.in parent-wrongds.signed 20200101000000 20401231000000 "$pksk.private" "$pzsk.private"
sign example. parent-gostds.in parent-gostds.signed 20200101000000 20401231000000 "$pksk.private" "$pzsk.private"
sign example. parent-insecure.in parent-insecure.signed 20200101000000 20401231000000 "$pksk.private" "$pzsk.private"

emit() { # signed-file comment output
	{
		echo "; $version: $2"
		grep -v '^;' "$1"
	} > "$out/$3"
}
emit child.signed "child.example. KSK $cksk ZSK $czsk, -s 20220101000000 -e 20401231000000" child.zone
emit child-expired.signed "child.example. same keys, -s 20200101000000 -e 20210101000000" child-expired.zone
{
	echo "; $version: example. KSK $pksk ZSK $pzsk, -s 20200101000000 -e 20401231000000, DS of child KSK"
	grep -v '^;' parent.signed
	echo "; the DS of the parent's KSK (what the root would publish)"
	dnssec-dsfromkey -a SHA-256 "$pksk.key"
} > "$out/parent.zone"
emit parent-wrongds.signed "example. same keys and window, the DS of child.example. names $other (never published)" parent-wrongds.zone
emit parent-gostds.signed "example. same keys and window, the only DS of child.example. has digest type 3 (made-up digest)" parent-gostds.zone
emit parent-insecure.signed "example. same keys and window, child.example. delegated without DS (insecure)" parent-insecure.zone
