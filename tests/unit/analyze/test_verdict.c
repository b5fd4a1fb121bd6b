/*
 * test_verdict.c - the verdict contract between analyze/ and report/
 * (analyze/verdict.c): the cause, confidence, outcome and via vocabularies,
 * the one table of ICMP errors, and the copies a tally keeps (vd_copy,
 * vd_pack / vd_unpack).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/verdict.h"

/* design.md's vocabulary, exactly, in enum order (docs/JSON.md, summary). */
static void cause_vocabulary(void **state)
{
	(void)state;
	static const char *const want[VD_NCAUSES] = {
		"timeout",        "blocked_port", "truncation", "dnssec_validation",
		"upstream_error", "no_upstream",  "unknown",
	};
	for (uint8_t c = 0; c < VD_NCAUSES; c++)
		assert_string_equal(vd_cause_str(c), want[c]);
	/* Out of range: a word of the vocabulary, never NULL. */
	assert_string_equal(vd_cause_str(VD_NCAUSES), "unknown");
	assert_string_equal(vd_cause_str(255), "unknown");
}

static void confidence_words(void **state)
{
	(void)state;
	assert_string_equal(vd_confidence_str(VD_HIGH), "high");
	assert_string_equal(vd_confidence_str(VD_MEDIUM), "medium");
	assert_string_equal(vd_confidence_str(VD_LOW), "low");
	/* Confidence is lowered a step at a time: the order is the enum's. */
	assert_true(VD_LOW < VD_MEDIUM && VD_MEDIUM < VD_HIGH);
}

static void outcome_words(void **state)
{
	(void)state;
	static const struct {
		uint8_t o;
		const char *s;
	} rows[] = {
		{ VD_OUT_ANSWERED, "answered" },
		{ VD_OUT_ERROR, "error" },
		{ VD_OUT_TRUNCATED, "truncated" },
		{ VD_OUT_TIMEOUT, "timeout" },
		{ VD_OUT_ICMP, "icmp" },
		{ VD_OUT_TCP_RESET, "tcp_reset" },
		{ VD_OUT_TCP_TIMEOUT, "tcp_timeout" },
		{ VD_OUT_FRAG_LOSS, "fragment_loss" },
		{ VD_OUT_LAME, "ns_unresolvable" },
		{ VD_OUT_PENDING, "pending" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_string_equal(vd_outcome_str(rows[i].o), rows[i].s);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(rows[i].s, vd_outcome_str(rows[j].o));
	}
	assert_string_equal(vd_outcome_str(VD_OUT_PENDING + 1), "unknown");
	assert_string_equal(vd_outcome_str(200), "unknown");
}

/* "Absent when unknown": no via has no word, so a writer leaves it out. */
static void via_words(void **state)
{
	(void)state;
	assert_null(vd_via_str(VD_VIA_NONE));
	assert_string_equal(vd_via_str(VD_VIA_UPSTREAM), "upstream");
	assert_string_equal(vd_via_str(VD_VIA_FAILURE_CACHE), "failure_cache");
	assert_string_equal(vd_via_str(VD_VIA_HELD_DOWN), "held_down");
	assert_string_equal(vd_via_str(VD_VIA_COALESCED), "coalesced");
	assert_null(vd_via_str(VD_VIA_COALESCED + 1));
	assert_null(vd_via_str(255));
}

/* RFC 792 / RFC 1812 5.2.7.1 and RFC 4443 3.1: each destination-
 * unreachable code the table knows, by detail and by label. */
static void icmp_table(void **state)
{
	(void)state;
	static const struct {
		uint8_t ver, type, code;
		const char *detail, *label;
	} rows[] = {
		{ 4, 3, 0, "icmp_net_unreachable", "net-unreachable" },
		{ 4, 3, 1, "icmp_host_unreachable", "host-unreachable" },
		{ 4, 3, 3, "icmp_port_unreachable", "port-unreachable" },
		{ 4, 3, 9, "icmp_admin_prohibited", "admin-prohibited" },
		{ 4, 3, 10, "icmp_admin_prohibited", "admin-prohibited" },
		{ 4, 3, 13, "icmp_admin_prohibited", "admin-prohibited" },
		{ 6, 1, 0, "icmp_net_unreachable", "net-unreachable" },
		{ 6, 1, 1, "icmp_admin_prohibited", "admin-prohibited" },
		{ 6, 1, 3, "icmp_host_unreachable", "host-unreachable" },
		{ 6, 1, 4, "icmp_port_unreachable", "port-unreachable" },
		{ 6, 1, 5, "icmp_admin_prohibited", "admin-prohibited" },
		{ 6, 1, 6, "icmp_admin_prohibited", "admin-prohibited" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_string_equal(vd_icmp_detail(rows[i].ver, rows[i].type, rows[i].code),
				    rows[i].detail);
		assert_string_equal(vd_icmp_label(rows[i].ver, rows[i].type, rows[i].code),
				    rows[i].label);
	}
}

/* Codes the table does not name: any other unreachable, then any other
 * error.  The two versions' code spaces are not mixed (ICMPv6 port
 * unreachable is code 4, ICMP's is 3). */
static void icmp_other_codes(void **state)
{
	(void)state;
	static const struct {
		uint8_t ver, type, code;
		const char *label;
	} rows[] = {
		{ 4, 3, 2, "unreachable" },  /* protocol unreachable */
		{ 4, 3, 4, "unreachable" },  /* fragmentation needed */
		{ 4, 3, 15, "unreachable" }, /* precedence cutoff */
		{ 6, 1, 2, "unreachable" },  /* beyond scope of source address */
		{ 6, 1, 7, "unreachable" },  /* error in source routing header */
		{ 4, 11, 0, "icmp-error" },  /* time exceeded */
		{ 6, 3, 0, "icmp-error" },   /* ICMPv6 time exceeded */
		{ 6, 2, 0, "icmp-error" },   /* packet too big */
		{ 6, 3, 3, "icmp-error" },   /* ICMP's (3, 3) is not ICMPv6's */
		{ 4, 1, 4, "icmp-error" },   /* ICMPv6's (1, 4) is not ICMP's */
		{ 0, 3, 3, "icmp-error" },   /* no version */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_string_equal(vd_icmp_detail(rows[i].ver, rows[i].type, rows[i].code),
				    "icmp_unreachable");
		assert_string_equal(vd_icmp_label(rows[i].ver, rows[i].type, rows[i].code),
				    rows[i].label);
	}
}

/* ---- copies ---------------------------------------------------------------- */

static void set_name(dns_name_t *n, const char *label)
{
	memset(n, 0, sizeof(*n));
	size_t l = strlen(label);
	n->wire[0] = (uint8_t)l;
	memcpy(&n->wire[1], label, l);
	n->len = (uint8_t)(l + 2);
	n->labels = 1;
}

/* A verdict as the analysis fills one: memset first (its padding too),
 * a few names, a few attempts. */
static void sample(verdict_t *v, uint16_t n_up)
{
	memset(v, 0, sizeof(*v));
	v->time = 1700000002000000LL;
	v->query_time = 1700000000000000LL;
	uint8_t c[4] = { 192, 0, 2, 10 }, r[4] = { 192, 0, 2, 1 };
	db_addr_set4(&v->client, c);
	db_addr_set4(&v->resolver, r);
	v->client_port = 40000;
	v->transport = DB_PROTO_UDP;
	v->id = 0xbeef;
	set_name(&v->qname, "www");
	v->qtype = DNS_T_AAAA;
	v->answered = 1;
	v->kind = VD_KIND_SERVFAIL;
	v->cause = VD_TIMEOUT;
	v->detail = "all_servers_silent";
	v->confidence = VD_HIGH;
	v->n_ede = 1;
	v->ede[0].code = 22;
	strcpy(v->ede[0].text, "no reachable authority");
	set_name(&v->zone, "example");
	v->via = VD_VIA_UPSTREAM;
	v->n_up = n_up;
	v->n_up_total = n_up + 3u;
	v->n_failed = n_up;
	for (uint16_t i = 0; i < n_up; i++) {
		vd_upstream_t *u = &v->up[i];
		u->ts = v->query_time + i * 1000;
		uint8_t s[4] = { 198, 51, 100, (uint8_t)(i + 1) };
		db_addr_set4(&u->server, s);
		u->from_port = (uint16_t)(50000 + i);
		u->transport = DB_PROTO_UDP;
		set_name(&u->qname, "www");
		u->qtype = DNS_T_AAAA;
		u->outcome = VD_OUT_TIMEOUT;
	}
}

static size_t used(const verdict_t *v)
{
	return offsetof(verdict_t, up) + (size_t)v->n_up * sizeof(v->up[0]);
}

/* vd_copy holds the verdict up to up[n_up], no more. */
static void copy_holds_n_up_attempts(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	static const uint16_t ns[] = { 0, 1, 5, VD_MAX_UPSTREAM };
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		sample(v, ns[k]);
		size_t bytes = 0;
		verdict_t *c = vd_copy(v, &bytes);
		assert_non_null(c);
		assert_int_equal(bytes, used(v));
		assert_memory_equal(c, v, bytes);
		/* The static detail is shared, not copied. */
		assert_ptr_equal(c->detail, v->detail);
		free(c);
	}
	free(v);
}

/* Packing then unpacking gives back every byte up to up[n_up], and leaves
 * up[] past n_up as it was in the destination. */
static void pack_round_trip(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v)), *out = malloc(sizeof(*out));
	assert_non_null(v);
	assert_non_null(out);
	static const uint16_t ns[] = { 0, 1, 2, 7, VD_MAX_UPSTREAM };
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		sample(v, ns[k]);
		size_t bytes = 0;
		uint8_t *p = vd_pack(v, &bytes);
		assert_non_null(p);
		memset(out, 0xa5, sizeof(*out));
		vd_unpack(p, out);
		assert_memory_equal(out, v, used(v));
		for (size_t i = used(v); i < sizeof(*out); i++)
			assert_int_equal(((const uint8_t *)out)[i], 0xa5);
		assert_ptr_equal(out->detail, v->detail);
		free(p);
	}
	free(v);
	free(out);
}

/* Most of a verdict is the unused tails of its names: packed, a verdict
 * with a few attempts is a small fraction of its copy. */
static void packed_is_small(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	sample(v, 4);
	size_t bytes = 0;
	uint8_t *p = vd_pack(v, &bytes);
	assert_non_null(p);
	assert_true(bytes * 5 < used(v));
	free(p);
	free(v);
}

/* An attempt that repeats the one before it (the same question sent
 * again, to the next server, from the next port, a millisecond later)
 * costs a few bytes packed: only what differs is kept, the changed bytes
 * of its time, server and port. */
static void repeated_attempts_pack_small(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v)), *out = malloc(sizeof(*out));
	assert_non_null(v);
	assert_non_null(out);
	size_t one = 0, all = 0;
	sample(v, 1);
	uint8_t *p = vd_pack(v, &one);
	assert_non_null(p);
	free(p);
	sample(v, VD_MAX_UPSTREAM);
	p = vd_pack(v, &all);
	assert_non_null(p);
	print_message("packed: %zu bytes with 1 attempt, %zu with %d\n", one, all, VD_MAX_UPSTREAM);
	assert_true(all - one <= (VD_MAX_UPSTREAM - 1) * 12);
	vd_unpack(p, out);
	assert_memory_equal(out, v, used(v));
	free(p);
	free(v);
	free(out);
}

/* Bytes with no zero at all (the worst case) and bytes with zero runs of
 * every length around the token limits (1, 2, 127, 128, 129, 256 and at
 * the very end) survive the round trip, within the bound: a token per
 * 128 bytes more than the copy, and the length. */
static void pack_edge_runs(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v)), *out = malloc(sizeof(*out));
	assert_non_null(v);
	assert_non_null(out);
	uint8_t *b = (uint8_t *)v;
	static const size_t runs[] = { 1, 2, 3, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000 };
	for (size_t r = 0; r <= sizeof(runs) / sizeof(runs[0]); r++) {
		/* r == the count: no zero byte anywhere. */
		memset(v, 0xff, sizeof(*v));
		if (r < sizeof(runs) / sizeof(runs[0])) {
			/* Zero runs of this length every so often, one at the
			 * end of what is packed. */
			for (size_t at = 5; at + runs[r] < sizeof(*v); at += runs[r] + 37)
				memset(b + at, 0, runs[r]);
		}
		v->n_up = (uint16_t)(r % 2 ? VD_MAX_UPSTREAM : 3);
		size_t n = used(v);
		if (r < sizeof(runs) / sizeof(runs[0]))
			memset(b + n - (runs[r] < 64 ? runs[r] : 64), 0,
			       runs[r] < 64 ? runs[r] : 64);
		size_t bytes = 0;
		uint8_t *p = vd_pack(v, &bytes);
		assert_non_null(p);
		assert_true(bytes <= 4 + n + n / 128 + 1);
		memset(out, 0x5a, sizeof(*out));
		vd_unpack(p, out);
		assert_memory_equal(out, v, n);
		free(p);
	}
	free(v);
	free(out);
}

/* Random bytes with random zero runs, many times: what comes back is
 * what went in. */
static void pack_random(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v)), *out = malloc(sizeof(*out));
	assert_non_null(v);
	assert_non_null(out);
	uint8_t *b = (uint8_t *)v;
	uint32_t rnd = 7;
	for (int round = 0; round < 200; round++) {
		size_t i = 0;
		while (i < sizeof(*v)) {
			rnd = rnd * 1103515245u + 12345u;
			size_t len = 1 + (rnd >> 16) % 300;
			int zero = (rnd >> 8) & 1;
			for (size_t k = 0; k < len && i < sizeof(*v); k++, i++) {
				rnd = rnd * 1103515245u + 12345u;
				b[i] = zero ? 0 : (uint8_t)(rnd >> 16);
			}
		}
		v->n_up = (uint16_t)(round % (VD_MAX_UPSTREAM + 1));
		size_t bytes = 0;
		uint8_t *p = vd_pack(v, &bytes);
		assert_non_null(p);
		memset(out, 0, sizeof(*out));
		vd_unpack(p, out);
		assert_memory_equal(out, v, used(v));
		free(p);
	}
	free(v);
	free(out);
}

/* The token stream of p decoded, without undoing the XORs: the bytes
 * that were squeezed, into d (n of them, returned). */
static size_t tokens_decode(const uint8_t *p, uint8_t *d)
{
	uint32_t n;
	memcpy(&n, p, 4);
	size_t i = 0, o = 4;
	while (i < n) {
		uint8_t t = p[o++];
		if (t < 128) {
			memcpy(d + i, p + o, (size_t)t + 1);
			o += (size_t)t + 1;
			i += (size_t)t + 1;
		} else {
			memset(d + i, 0, (size_t)t - 127);
			i += (size_t)t - 127;
		}
	}
	return n;
}

/* The format's definition, an octet at a time: a run of two or more
 * zeros (or one at the very end), up to 128, is a zero token; otherwise a
 * literal of up to 128 octets, ending before the next two zeros.  Returns
 * the packed length. */
static size_t tokens_reference(const uint8_t *s, size_t n, uint8_t *out)
{
	uint32_t len = (uint32_t)n;
	memcpy(out, &len, 4);
	size_t o = 4, i = 0;
	while (i < n) {
		size_t z = 0;
		while (i + z < n && s[i + z] == 0 && z < 128)
			z++;
		if (z >= 2 || (z && i + z == n)) {
			out[o++] = (uint8_t)(127 + z);
			i += z;
			continue;
		}
		size_t lit = 1;
		while (i + lit < n && lit < 128 &&
		       !(s[i + lit] == 0 && i + lit + 1 < n && s[i + lit + 1] == 0))
			lit++;
		out[o++] = (uint8_t)(lit - 1);
		memcpy(out + o, s + i, lit);
		o += lit;
		i += lit;
	}
	return o;
}

/* vd_pack counts zero runs eight octets at a time: its tokens are exactly
 * those of the octet-at-a-time definition, for zero pairs at every offset
 * from a word's start, single zeros, runs at the token limits and random
 * bytes. */
static void pack_matches_the_definition(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v));
	uint8_t *d = malloc(sizeof(*v)), *ref = malloc(2 * sizeof(*v));
	assert_non_null(v);
	assert_non_null(d);
	assert_non_null(ref);
	uint8_t *b = (uint8_t *)v;
	uint32_t rnd = 11;
	for (int round = 0; round < 600; round++) {
		memset(v, 0xa5, sizeof(*v));
		if (round < 300) {
			/* A zero pair (or a single zero) at each offset, every
			 * 9 to 300 octets. */
			size_t step = 9 + (size_t)round % 292, at = (size_t)round % 17;
			for (; at + 2 < sizeof(*v); at += step) {
				b[at] = 0;
				if (round % 3)
					b[at + 1] = 0;
			}
		} else {
			for (size_t i = 0; i < sizeof(*v); i++) {
				rnd = rnd * 1103515245u + 12345u;
				uint8_t x = (uint8_t)(rnd >> 16);
				b[i] = x < 96 ? 0 : x; /* many zeros, alone and in runs */
			}
		}
		v->n_up = (uint16_t)(round % (VD_MAX_UPSTREAM + 1));
		size_t bytes = 0;
		uint8_t *p = vd_pack(v, &bytes);
		assert_non_null(p);
		size_t n = tokens_decode(p, d);
		size_t want = tokens_reference(d, n, ref);
		assert_int_equal(bytes, want);
		assert_memory_equal(p, ref, want);
		free(p);
	}
	free(v);
	free(d);
	free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cause_vocabulary),
		cmocka_unit_test(confidence_words),
		cmocka_unit_test(outcome_words),
		cmocka_unit_test(via_words),
		cmocka_unit_test(icmp_table),
		cmocka_unit_test(icmp_other_codes),
		cmocka_unit_test(copy_holds_n_up_attempts),
		cmocka_unit_test(pack_round_trip),
		cmocka_unit_test(packed_is_small),
		cmocka_unit_test(repeated_attempts_pack_small),
		cmocka_unit_test(pack_edge_runs),
		cmocka_unit_test(pack_random),
		cmocka_unit_test(pack_matches_the_definition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
