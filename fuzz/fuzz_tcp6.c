/*
 * fuzz_tcp6.c - TCP reassembly (capture/tcpreasm.c; the target keeps its
 * old name, "tcp6", and its corpus) driven by a byte-coded sequence of
 * segments, so the fuzzer explores reordering, overlaps,
 * retransmissions, sequence wraparound, mid-stream pickup and the limits.
 *
 * Input:
 *   byte 0     configuration: bit 0 midstream; bits 1-3 max_streams - 1
 *              (1..8); bits 4-7 max_held = 16 << (bits & 7) bytes (16..2048),
 *              bit 7 of it an alternative 1 s timeout
 *   then segments, each
 *     op       bits 0-1 connection (4 of them; 0 and 1 IPv6, 2 and 3 IPv4
 *              addresses, the module does not care), bit 2 direction (0:
 *              client -> server), bit 3 absolute sequence number follows,
 *              bit 4 call tcpreasm_expire after the segment, bit 5 acknowledge
 *              the peer's next byte (else ack from the input), bit 6 time
 *              jumps by 20 s (else by the time byte * 10 ms), bit 7 the
 *              payload is taken from the input (else synthesized: DNS
 *              messages with valid length prefixes)
 *     flags    TCP flag byte (FIN SYN RST PSH ACK)
 *     seq      int16 delta, big endian, to the end of the furthest
 *              segment the direction has sent so far (after its SYN: the
 *              next new byte), or with op bit 3 a 32-bit absolute number
 *              (so a stream can start just below 2^32 and wrap)
 *     [ack]    32 bits when op bit 5 is clear
 *     time     1 byte
 *     len      1 byte of payload length (0..255)
 *     payload  len bytes when op bit 7 is set
 * At the end tcpreasm_flush reports every stream.  Every event is checked for
 * sane bounds and its message bytes are read in full (ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/tcpreasm.h"
#include "fuzz.h"

typedef struct rd {
	const uint8_t *p;
	size_t n;
} rd_t;

static int rd_u8(rd_t *r, uint8_t *v)
{
	if (r->n < 1)
		return -1;
	*v = r->p[0];
	r->p++;
	r->n--;
	return 0;
}

static int rd_u16(rd_t *r, uint16_t *v)
{
	if (r->n < 2)
		return -1;
	*v = (uint16_t)(r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->n -= 2;
	return 0;
}

static int rd_u32(rd_t *r, uint32_t *v)
{
	if (r->n < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->n -= 4;
	return 0;
}

typedef struct sink {
	uint64_t events;
	volatile uint8_t x;
} sink_t;

static void on_event(const cap_event_t *ev, void *user)
{
	sink_t *s = user;
	s->events++;
	if (ev->kind == CAP_EV_DNS) {
		if (ev->u.dns.len > 65535 || ev->u.dns.len > ev->u.dns.wire_len || !ev->u.dns.msg)
			abort();
		for (size_t i = 0; i < ev->u.dns.len; i++)
			s->x ^= ev->u.dns.msg[i];
	} else if (ev->kind != CAP_EV_STREAM_LOSS) {
		abort(); /* tcpreasm emits only these two */
	}
	if (ev->flow.proto != DB_PROTO_TCP)
		abort();
}

static void flow_of(unsigned conn, unsigned dir, db_flow_t *f)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 }, b[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	memset(f, 0, sizeof(*f));
	a[15] = (uint8_t)(1 + conn);
	b[15] = 0x35;
	if (conn < 2) {
		db_addr_set6(&f->src, a);
		db_addr_set6(&f->dst, b);
	} else {
		uint8_t a4[4] = { 192, 0, 2, (uint8_t)conn }, b4[4] = { 192, 0, 2, 53 };
		db_addr_set4(&f->src, a4);
		db_addr_set4(&f->dst, b4);
	}
	f->sport = (uint16_t)(40000 + (conn & 1));
	f->dport = 53;
	f->proto = DB_PROTO_TCP;
	if (dir)
		db_flow_reverse(f);
}

/* A stream of DNS-looking messages: 2-byte length prefix, a header with
 * QDCOUNT 1, filler; pos says where in the byte stream the payload starts. */
static void synth(uint8_t *out, size_t len, uint32_t pos)
{
	static const uint8_t msg[] = {
		0x00, 0x1d, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',
		0x03, 'c',  'o',  'm',  0x00, 0x00, 0x01, 0x00, 0x01,
	};
	for (size_t i = 0; i < len; i++)
		out[i] = msg[(pos + i) % sizeof(msg)];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	rd_t r = { buf, size };
	uint8_t cfg;
	if (rd_u8(&r, &cfg) < 0) {
		free(buf);
		return 0;
	}
	tcpreasm_limits_t lim;
	memset(&lim, 0, sizeof(lim));
	lim.midstream = cfg & 1;
	lim.max_streams = 1 + ((cfg >> 1) & 7);
	lim.max_held = (size_t)16 << ((cfg >> 4) & 7);
	lim.timeout = (cfg & 0x80) ? 1000000 : 0;
	tcpreasm_t *t = tcpreasm_new(&lim);
	if (!t) {
		free(buf);
		return 0;
	}
	sink_t sink = { 0, 0 };
	/* Next byte each side has sent, per connection and direction: the
	 * base of relative sequence numbers. */
	uint32_t next[4][2] = {
		{ 1000, 5000 }, { 0xfffffff0u, 0x7ffffff0u }, { 1, 2 }, { 0x80000000u, 0 }
	};
	db_time_t ts = 1700000000LL * 1000000;
	uint8_t *pl = malloc(256);
	uint8_t op;
	while (pl && rd_u8(&r, &op) == 0) {
		uint8_t flags, tb, len;
		uint16_t d16;
		uint32_t seq, ack;
		unsigned conn = op & 3, dir = (op >> 2) & 1;
		if (rd_u8(&r, &flags) < 0)
			break;
		if (op & 8) {
			if (rd_u32(&r, &seq) < 0)
				break;
		} else {
			if (rd_u16(&r, &d16) < 0)
				break;
			seq = next[conn][dir] + (uint32_t)(int32_t)(int16_t)d16;
		}
		if (op & 0x20)
			ack = next[conn][!dir];
		else if (rd_u32(&r, &ack) < 0)
			break;
		if (rd_u8(&r, &tb) < 0 || rd_u8(&r, &len) < 0)
			break;
		if (op & 0x80) {
			if (r.n < len)
				len = (uint8_t)r.n;
			memcpy(pl, r.p, len);
			r.p += len;
			r.n -= len;
		} else {
			synth(pl, len, seq - next[conn][dir]);
		}
		ts += (op & 0x40) ? 20 * 1000000LL : (db_time_t)tb * 10000;
		db_flow_t f;
		flow_of(conn, dir, &f);
		uint32_t end = seq + len + ((flags & TCPREASM_SYN) ? 1u : 0u) +
			       ((flags & TCPREASM_FIN) ? 1u : 0u);
		tcpreasm_segment(t, ts, &f, seq, ack, flags & 0x1f, pl, len, on_event, &sink);
		if ((int32_t)(end - next[conn][dir]) > 0 || (flags & TCPREASM_SYN))
			next[conn][dir] = end;
		if (op & 0x10)
			tcpreasm_expire(t, ts, on_event, &sink);
		tcpreasm_stats_t st;
		tcpreasm_stats(t, &st);
		if (st.active > lim.max_streams)
			abort();
	}
	free(pl);
	tcpreasm_flush(t, on_event, &sink);
	tcpreasm_stats_t st;
	tcpreasm_stats(t, &st);
	if (st.active != 0)
		abort();
#ifdef FUZZ_VERBOSE
	fprintf(stderr,
		"streams %llu messages %llu losses %llu pickups %llu no_syn %llu retrans %llu\n",
		(unsigned long long)st.streams, (unsigned long long)st.messages,
		(unsigned long long)st.losses, (unsigned long long)st.midstream_pickups,
		(unsigned long long)st.no_syn_segments, (unsigned long long)st.retrans_bytes);
#endif
	tcpreasm_free(t);
	free(buf);
	return 0;
}
