/*
 * fuzz_ipfrag.c - IP fragment reassembly (capture/ipfrag.c) driven by a
 * byte-coded sequence of fragments: reordering, duplicates, overlaps,
 * inconsistent ends, oversize datagrams, expiry and the table limits.
 *
 * Input:
 *   byte 0     configuration: bits 0-2 max_trains - 1 (1..8); bits 3-6
 *              max_frags - 1 (1..16); bit 7 max_bytes 1024 (else 4 MiB);
 *              trains time out after 10 s
 *   then fragments, each
 *     op       bits 0-1 which train (4 keys: an IPv6 and an IPv4 address
 *              pair, whose 16 address bytes are the same, and two ids),
 *              bit 2 the M flag, bit 3 call ipfrag_expire after it,
 *              bit 4 time jumps by 20 s (else by 1 ms), bit 5 the data is
 *              taken from the input (else a pattern), bit 6 Next Header TCP
 *              (else UDP), bit 7 an offset not a multiple of 8 is kept
 *     offset   16 bits, big endian (bytes; the header's 13-bit field * 8)
 *     len      16 bits, big endian: bit 15 set marks a fragment cut by
 *              snaplen (ipfrag_cut), the rest taken modulo 2049
 *     data     len bytes when op bit 5 is set
 * At the end ipfrag_flush reports every train.  Each completed datagram
 * is read in full (ASan) and freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/ipfrag.h"
#include "fuzz.h"

typedef struct sink {
	uint64_t events;
	volatile uint8_t x;
} sink_t;

static void on_event(const cap_event_t *ev, void *user)
{
	sink_t *s = user;
	s->events++;
	if (ev->kind != CAP_EV_FRAG_EXPIRED)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	const uint8_t *p = buf, *end = buf + size;
	if (p == end) {
		free(buf);
		return 0;
	}
	uint8_t cfg = *p++;
	ipfrag_limits_t lim;
	memset(&lim, 0, sizeof(lim));
	lim.max_trains = 1 + (cfg & 7);
	lim.max_frags = 1 + ((cfg >> 3) & 15);
	lim.max_bytes = (cfg & 0x80) ? 1024 : 0;
	lim.timeout = 10 * 1000000LL; /* a 20 s jump (op bit 4) expires trains */
	ipfrag_t *t = ipfrag_new(&lim);
	uint8_t *pat = malloc(2048);
	if (!t || !pat) {
		ipfrag_free(t);
		free(pat);
		free(buf);
		return 0;
	}
	sink_t sink = { 0, 0 };
	db_addr_t a[2], b[2];
	uint8_t a0[16] = { 192, 0, 2, 1 };
	uint8_t b0[16] = { 192, 0, 2, 53 };
	db_addr_set6(&a[0], a0);
	db_addr_set6(&b[0], b0);
	db_addr_set4(&a[1], a0);
	db_addr_set4(&b[1], b0);
	db_time_t ts = 1700000000LL * 1000000;

	while (end - p >= 5) {
		uint8_t op = p[0];
		uint16_t off = (uint16_t)(p[1] << 8 | p[2]);
		int cut = (p[3] & 0x80) != 0;
		size_t len = (size_t)((p[3] & 0x7f) << 8 | p[4]) % 2049;
		p += 5;
		if (!(op & 0x80))
			off &= 0xfff8;
		const uint8_t *d;
		if (op & 0x20) {
			if ((size_t)(end - p) < len)
				len = (size_t)(end - p);
			d = p;
			p += len;
		} else {
			/* A UDP header to port 53 at offset 0, then a pattern. */
			for (size_t i = 0; i < len; i++) {
				size_t o = off + i;
				pat[i] = o == 3 ? 53 : o < 8 ? 0 : (uint8_t)(o * 7 + (op & 3));
			}
			d = pat;
		}
		ts += (op & 0x10) ? 20 * 1000000LL : 1000;
		uint8_t *out = NULL, nh = 0;
		size_t out_len = 0;
		uint32_t id = 0x1000u + ((op >> 1) & 1);
		db_status_t rc = DB_OK;
		if (cut)
			ipfrag_cut(t, ts, &a[op & 1], &b[op & 1], id, on_event, &sink);
		else
			rc = ipfrag_add(t, ts, &a[op & 1], &b[op & 1], id, (op & 0x40) ? 6 : 17,
					off, (op >> 2) & 1, d, len, &out, &out_len, &nh, on_event,
					&sink);
		if (rc == DB_OK && out) {
			if (out_len > 65535)
				abort();
			for (size_t i = 0; i < out_len; i++)
				sink.x ^= out[i];
			free(out);
		} else if (out) {
			abort(); /* only a completed datagram hands memory over */
		}
		if (op & 8)
			ipfrag_expire(t, ts, on_event, &sink);
		ipfrag_stats_t st;
		ipfrag_stats(t, &st);
		if (st.bytes > (lim.max_bytes ? lim.max_bytes : 4u << 20))
			abort();
	}
	ipfrag_flush(t, on_event, &sink);
	ipfrag_stats_t st;
	ipfrag_stats(t, &st);
	if (st.bytes != 0)
		abort();
#ifdef FUZZ_VERBOSE
	fprintf(stderr,
		"completed %llu overlaps %llu bad %llu dup %llu dropped %llu flushed %llu expired "
		"%llu evicted %llu\n",
		(unsigned long long)st.completed, (unsigned long long)st.overlaps,
		(unsigned long long)st.bad, (unsigned long long)st.duplicates,
		(unsigned long long)st.dropped, (unsigned long long)st.flushed,
		(unsigned long long)st.expired, (unsigned long long)st.evicted);
#endif
	ipfrag_free(t);
	free(pat);
	free(buf);
	return 0;
}
