#!/bin/sh
# Independent counts of the DNS content of captures, from tshark / capinfos
# (not from dnsblame), as recorded in NOTES.md.
#
#   pcaps/foundation/counts.sh FILE... [-- EXTRA_DISPLAY_FILTER LABEL]
#
# For each file: link type and frame count (capinfos), then DNS messages
# counted with
#   tshark -r F -Y 'udp.port==53 || tcp.port==53' -T fields \
#          -e dns.id -e dns.flags.response -e dns.flags.rcode
# counting messages, not frames (a TCP frame may end several DNS messages:
# the fields then hold comma-separated values). Two lines:
#   all:     that filter as is. It also matches ICMP/ICMPv6 errors, whose
#            quoted UDP datagram tshark dissects as a DNS query.
#   no-icmp: the same with '&& !icmp && !icmpv6': the DNS messages really sent.
# Then fragments: frames with IPv4 MF set / IPv4 offset > 0 / an IPv6
# fragment header, and how many DNS messages tshark rebuilt from fragments.
set -eu
extra= label=
files=
while [ $# -gt 0 ]; do
	case $1 in
	--) extra=$2 label=$3; shift 3 ;;
	*) files="$files $1"; shift ;;
	esac
done

count() { # FILE FILTER LABEL
	tshark -r "$1" -Y "$2" -T fields -e dns.id -e dns.flags.response -e dns.flags.rcode 2>/dev/null |
	awk -F'\t' -v label="$3" '
		BEGIN { split("NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED", nm, " ") }
		{ n = split($2, r, ","); split($3, c, ",")
		  for (i = 1; i <= n; i++) { m++
		    if (r[i] == "1" || r[i] == "True") { resp++; rc[c[i]]++ } else q++ } }
		END { s = ""
		      for (k = 0; k <= 5; k++) if (rc[k]) s = s sprintf(" %s=%d", nm[k + 1], rc[k])
		      for (k in rc) if (k + 0 > 5) s = s sprintf(" rcode%s=%d", k, rc[k])
		      printf "  %-8s messages=%d queries=%d responses=%d%s\n", label, m, q, resp, s }'
}

nframes() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l | tr -d ' '; }

for f in $files; do
	lt=$(capinfos -T -E "$f" | awk -F'\t' 'NR==2{print $2}')
	fr=$(capinfos -T -c "$f" | awk -F'\t' 'NR==2{print $2}')
	echo "$(basename "$f"): link=$lt frames=$fr"
	base='udp.port==53 || tcp.port==53'
	count "$f" "$base" all:
	count "$f" "($base) && !icmp && !icmpv6" no-icmp:
	[ -n "$extra" ] && count "$f" "($base) && !icmp && !icmpv6 && ($extra)" "$label:"
	mf=$(nframes "$f" 'ip.flags.mf==1')
	off=$(nframes "$f" 'ip.frag_offset>0')
	v6=$(nframes "$f" 'ipv6.fraghdr')
	rv4=$(nframes "$f" 'dns && ip.fragments')
	rv6=$(nframes "$f" 'dns && ipv6.fragments')
	echo "  fragments: ipv4 MF=1 frames=$mf, ipv4 offset>0 frames=$off, ipv6 fragment-header frames=$v6; DNS messages reassembled from ipv4=$rv4 ipv6=$rv6"
done
