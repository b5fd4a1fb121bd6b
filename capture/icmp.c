#include "icmp.h"

#include <string.h>

#include "../common/wire.h"
#include "ip6.h"

static int is_error4(uint8_t type)
{
	/* destination unreachable, source quench, time exceeded, parameter problem */
	return type == 3 || type == 4 || type == 11 || type == 12;
}

static int is_error6(uint8_t type)
{
	/* RFC 4443 2.1: error messages have types 0..127. */
	return type >= 1 && type <= 4;
}

/* Reads the quoted transport header: UDP has 8 bytes, TCP its data offset.
 * Ports need only the first 4 bytes, which RFC 792's "64 bits" guarantee. */
static void quoted_l4(wire_t *w, cap_icmp_t *out)
{
	if (out->quoted.proto != DB_PROTO_UDP && out->quoted.proto != DB_PROTO_TCP)
		return;
	size_t start = w->pos;
	out->quoted.sport = wire_u16(w);
	out->quoted.dport = wire_u16(w);
	if (!wire_ok(w))
		return;
	out->quoted_l4 = 1;
	size_t hlen = 8;
	if (out->quoted.proto == DB_PROTO_TCP) {
		wire_skip(w, 8); /* seq, ack */
		uint8_t off = wire_u8(w);
		hlen = (size_t)(off >> 4) * 4;
		if (!wire_ok(w) || hlen < 20)
			return;
	}
	wire_t all = *w;
	wire_seek(&all, start);
	wire_skip(&all, hlen);
	if (wire_ok(&all)) {
		out->payload = wire_cur(&all);
		out->payload_len = wire_left(&all);
		/* DNS over TCP: the quote starts with the 2-byte length. */
		if (out->quoted.proto == DB_PROTO_TCP && out->payload_len >= 2) {
			out->payload += 2;
			out->payload_len -= 2;
		} else if (out->quoted.proto == DB_PROTO_TCP) {
			out->payload_len = 0;
		}
		/* The quoted query's id, which ties the error to one attempt. */
		wire_t id;
		wire_init(&id, out->payload, out->payload_len);
		out->dns_id = wire_u16(&id);
		out->has_dns_id = (uint8_t)wire_ok(&id);
	}
}

static db_status_t quoted4(wire_t *w, cap_icmp_t *out)
{
	size_t start = w->pos;
	uint8_t vhl = wire_u8(w);
	if (!wire_ok(w))
		return DB_ETRUNC;
	if (vhl >> 4 != 4 || (vhl & 0x0f) < 5)
		return DB_EMALFORMED;
	wire_skip(w, 5);
	uint16_t frag = wire_u16(w);
	wire_skip(w, 1); /* ttl */
	uint8_t proto = wire_u8(w);
	wire_skip(w, 2);
	const uint8_t *src = wire_take(w, 4);
	const uint8_t *dst = wire_take(w, 4);
	if (!src || !dst)
		return DB_ETRUNC;
	db_addr_set4(&out->quoted.src, src);
	db_addr_set4(&out->quoted.dst, dst);
	out->quoted.proto = proto;
	wire_seek(w, start + (size_t)(vhl & 0x0f) * 4);
	if (!wire_ok(w))
		return DB_ETRUNC;
	/* Only the first fragment carries the transport header. */
	if ((frag & 0x1fff) == 0)
		quoted_l4(w, out);
	return DB_OK;
}

static db_status_t quoted6(wire_t *w, cap_icmp_t *out)
{
	ip6_hdr_t h;
	db_status_t st = ip6_parse(w, &h);
	if (st == DB_EMALFORMED)
		return st;
	if (h.have_addrs) {
		out->quoted.src = h.src;
		out->quoted.dst = h.dst;
	}
	if (st != DB_OK)
		return h.have_addrs ? DB_OK : DB_ETRUNC;
	out->quoted.proto = h.nh;
	if (!h.frag || h.frag_offset == 0)
		quoted_l4(w, out);
	return DB_OK;
}

db_status_t icmp_decode(uint8_t version, const db_addr_t *reporter, const uint8_t *msg, size_t len,
			cap_icmp_t *out)
{
	wire_t w;
	wire_init(&w, msg, len);
	memset(out, 0, sizeof(*out));
	out->version = version;
	out->reporter = *reporter;
	out->type = wire_u8(&w);
	out->code = wire_u8(&w);
	wire_skip(&w, 6); /* checksum; unused / next-hop MTU / pointer */
	if (!wire_ok(&w))
		return DB_ETRUNC;
	if (version == 4 ? !is_error4(out->type) : !is_error6(out->type))
		return DB_EUNSUPP;
	return version == 4 ? quoted4(&w, out) : quoted6(&w, out);
}
