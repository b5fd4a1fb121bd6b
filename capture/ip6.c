#include "ip6.h"

#include <string.h>

enum {
	NH_HOPOPT = 0,
	NH_ROUTING = 43,
	NH_FRAGMENT = 44,
	NH_DSTOPTS = 60,
	NH_AH = 51,
	NH_NONE = 59,
};

db_status_t ip6_parse(wire_t *w, ip6_hdr_t *h)
{
	memset(h, 0, sizeof(*h));
	uint8_t v = wire_u8(w);
	if (wire_ok(w) && v >> 4 != 6)
		return DB_EMALFORMED;
	wire_skip(w, 3); /* traffic class, flow label */
	h->payload_len = wire_u16(w);
	uint8_t nh = wire_u8(w);
	wire_skip(w, 1); /* hop limit */
	const uint8_t *src = wire_take(w, 16);
	const uint8_t *dst = wire_take(w, 16);
	if (!src || !dst)
		return DB_ETRUNC;
	db_addr_set6(&h->src, src);
	db_addr_set6(&h->dst, dst);
	h->have_addrs = 1;

	for (int i = 0; i < IP6_MAX_EXT; i++) {
		switch (nh) {
		case NH_HOPOPT:
		case NH_ROUTING:
		case NH_DSTOPTS: {
			uint8_t next = wire_u8(w);
			uint8_t hlen = wire_u8(w);
			wire_skip(w, (size_t)hlen * 8 + 6);
			nh = next;
			break;
		}
		case NH_AH: {
			/* RFC 4302: length in 4-octet units, minus 2. */
			uint8_t next = wire_u8(w);
			uint8_t hlen = wire_u8(w);
			wire_skip(w, ((size_t)hlen + 2) * 4 - 2);
			nh = next;
			break;
		}
		case NH_FRAGMENT: {
			uint8_t next = wire_u8(w);
			wire_skip(w, 1);
			uint16_t off = wire_u16(w);
			uint32_t id = wire_u32(w);
			if (!wire_ok(w))
				return DB_ETRUNC;
			h->frag = 1;
			h->frag_nh = next;
			h->frag_offset = off & 0xfff8;
			h->frag_more = off & 1;
			h->frag_id = id;
			/* An atomic fragment (offset 0, M 0; RFC 6946) is a
			 * whole datagram: keep walking as if it were absent. */
			if (h->frag_offset == 0 && !h->frag_more) {
				h->frag = 0;
				nh = next;
				break;
			}
			h->nh = next;
			return DB_OK;
		}
		default: h->nh = nh; return wire_ok(w) ? DB_OK : DB_ETRUNC;
		}
		if (!wire_ok(w))
			return DB_ETRUNC;
	}
	return DB_ELIMIT;
}
