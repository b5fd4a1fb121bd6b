#!/bin/sh
# generate.sh - makes the signed test zones for tests/unit/analyze/test_dnssec.c.
#
# Run from anywhere; writes into the directory holding this script.  The
# keys are new every run, so the output differs each time; the committed
# files are one run of it.  Needs bind9-utils (dnssec-keygen,
# dnssec-signzone, dnssec-dsfromkey) and ldnsutils (ldns-keygen,
# ldns-signzone, ldns-key2ds).  Private keys are not kept.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

zone=example.org.
# Fixed window so the test can pick a "now" inside and outside it.
inception=20240101000000
expiration=20340101000000

# Mixed case on purpose: owners and rdata names are signed lower-cased
# (RFC 4034 6.2) and the test reads them as written here.
cat > zone.in <<ZONE
\$ORIGIN $zone
\$TTL 3600
@	IN SOA	NS1.Example.ORG. hostmaster.example.org. 2024010101 7200 3600 1209600 300
@	IN NS	NS1.Example.ORG.
@	IN NS	ns2.example.org.
@	IN MX	10 Mail.Example.Org.
@	IN MX	20 backup.example.org.
ns1	IN A	192.0.2.53
ns2	IN A	192.0.2.54
mail	IN A	192.0.2.25
www	IN A	192.0.2.3
www	IN A	192.0.2.1
www	IN A	192.0.2.2
WwW2	IN A	192.0.2.80
txt	IN TXT	"hello" "world"
*.wild	IN A	192.0.2.99
*.wild	IN TXT	"wildcard"
sub	IN NS	ns.sub.example.org.
ns.sub	IN A	192.0.2.77
ZONE

# name  bind-algorithm  ldns-algorithm  bits  nsec3
for spec in \
	rsasha1:RSASHA1:RSASHA1:1024:no \
	nsec3rsasha1:NSEC3RSASHA1:RSASHA1-NSEC3-SHA1:1024:yes \
	rsasha256:RSASHA256:RSASHA256:2048:no \
	rsasha512:RSASHA512:RSASHA512:1024:no \
	ecdsap256:ECDSAP256SHA256:ECDSAP256SHA256:0:no \
	ecdsap384:ECDSAP384SHA384:ECDSAP384SHA384:0:no \
	ed25519:ED25519:ED25519:0:no \
	ed448:ED448:ED448:0:no
do
	IFS=: read -r name balg lalg bits nsec3 <<SPEC
$spec
SPEC
	# BIND: dnssec-keygen + dnssec-signzone.
	mkdir -p "bind-$name" && cd "bind-$name"
	bopt=""
	[ "$bits" != 0 ] && bopt="-b $bits"
	# shellcheck disable=SC2086
	key=$(dnssec-keygen -q -a "$balg" $bopt -n ZONE "$zone")
	cp ../zone.in zone
	cat "$key.key" >> zone
	sopt=""
	[ "$nsec3" = yes ] && sopt="-3 -"
	# shellcheck disable=SC2086
	dnssec-signzone -q -O full -z -s "$inception" -e "$expiration" \
		$sopt -o "$zone" -f signed zone "$key.private" >/dev/null
	{
		echo "; $(dnssec-signzone -V 2>&1 | head -1), -a $balg"
		grep -v '^;' signed
		for d in SHA-1 SHA-256 SHA-384; do
			dnssec-dsfromkey -a "$d" "$key.key"
		done
	} > "$out/bind-$name.zone"
	cd ..

	# ldns: ldns-keygen + ldns-signzone.
	mkdir -p "ldns-$name" && cd "ldns-$name"
	lopt=""
	[ "$bits" != 0 ] && lopt="-b $bits"
	# shellcheck disable=SC2086
	key=$(ldns-keygen -a "$lalg" $lopt "$zone")
	rm -f "$key.ds"
	cp ../zone.in zone
	sopt=""
	[ "$nsec3" = yes ] && sopt="-n"
	# shellcheck disable=SC2086
	ldns-signzone -i "$inception" -e "$expiration" $sopt -f signed \
		zone "$key" >/dev/null
	{
		echo "; ldns-signzone: $(ldns-signzone -v 2>&1 | head -1), -a $lalg"
		grep -v '^;' signed
		for d in -1 -2 -4; do
			ldns-key2ds -f -n $d "$key.key"
		done
	} > "$out/ldns-$name.zone"
	cd ..
done
