/*
 * icmp.h - ICMP (RFC 792) and ICMPv6 (RFC 4443) error messages and the
 * datagram they quote.  A resolver's upstream query refused by a firewall or
 * sent to a closed port comes back as one of these; the quoted addresses,
 * ports and DNS bytes tie it to the query.
 */
#ifndef DNSBLAME_ICMP_H
#define DNSBLAME_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"
#include "event.h"

/*
 * Decodes the ICMP message msg[0..len) (from its type byte on), sent by
 * reporter.  version is 4 for ICMP, 6 for ICMPv6.  On DB_OK, out holds the
 * type, code and quoted flow; out->quoted_l4 says whether the ports were
 * quoted, out->payload points into msg at the quoted transport payload (the
 * DNS message, possibly cut).  Returns DB_EUNSUPP for messages that are not
 * errors (echo, neighbour discovery), DB_ETRUNC when the quote is too short
 * to name the datagram, DB_EMALFORMED when it does not hold an IP header of
 * the right version.
 */
db_status_t icmp_decode(uint8_t version, const db_addr_t *reporter, const uint8_t *msg, size_t len,
			cap_icmp_t *out);

#endif
