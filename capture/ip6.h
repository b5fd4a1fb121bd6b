/*
 * ip6.h - the IPv6 header and its extension header chain (RFC 8200 4).
 */
#ifndef DNSBLAME_IP6_H
#define DNSBLAME_IP6_H

#include <stdint.h>

#include "../common/flow.h"
#include "../common/status.h"
#include "../common/wire.h"

#define IP6_MAX_EXT 16 /* extension headers walked before giving up */

typedef struct ip6_hdr {
	db_addr_t src, dst;
	uint8_t have_addrs;   /* the fixed header was complete */
	uint16_t payload_len; /* from the fixed header (0 = jumbogram) */
	uint8_t nh;           /* upper-layer protocol after the chain */
	uint8_t frag;         /* a Fragment header was present */
	uint8_t frag_more;    /* its M flag */
	uint16_t frag_offset; /* in bytes */
	uint32_t frag_id;
	uint8_t frag_nh; /* next header named in the Fragment header */
} ip6_hdr_t;

/*
 * Reads the fixed header at w's position and walks hop-by-hop, routing,
 * fragment and destination options headers.  On DB_OK, w sits on the first
 * byte after the chain (the upper-layer header, or the fragment data when
 * h->frag) and h->nh names what follows.  A fragment that is not the first
 * ends the walk at its data.  DB_ETRUNC when the chain is cut (h->have_addrs
 * tells whether the addresses were read), DB_EMALFORMED when the version is
 * not 6, DB_ELIMIT after IP6_MAX_EXT headers.
 */
db_status_t ip6_parse(wire_t *w, ip6_hdr_t *h);

#endif
