/*
 * test_explain.c - the words every report shares (report/explain.c): the
 * explanation of a verdict (vd_explain), one upstream attempt on a line
 * (vd_attempt_str), causes with their counts (vd_causes_str) and the next
 * steps with the example's real names (vd_next_steps).  Every function
 * writes into a buffer of n bytes, always NUL-terminated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../../report/report.h"
#include "../testname.h"

#define SEC ((db_time_t)1000000)
#define MS ((db_time_t)1000)
#define T0 ((db_time_t)1700000000 * SEC) /* 2023-11-14T22:13:20Z */
#define T0S "2023-11-14T22:13:20.000000Z"

static void addr(db_addr_t *a, const char *s) { assert_int_equal(db_addr_parse(a, s), 0); }

/* The verdict under test: a SERVFAIL of www.example.com A from
 * 10.0.0.2 to the resolver 10.0.0.1, failed in example.com. */
static verdict_t V;

static verdict_t *base(uint8_t cause, const char *detail)
{
	memset(&V, 0, sizeof(V));
	V.time = T0 + 2 * SEC;
	V.query_time = T0;
	addr(&V.client, "10.0.0.2");
	addr(&V.resolver, "10.0.0.1");
	V.client_port = 40000;
	V.transport = DB_PROTO_UDP;
	tu_name(&V.qname, "www.example.com");
	V.qtype = DNS_T_A;
	V.answered = 1;
	V.kind = VD_KIND_SERVFAIL;
	V.cause = cause;
	V.detail = detail;
	V.confidence = VD_HIGH;
	V.via = VD_VIA_UPSTREAM;
	tu_name(&V.zone, "example.com");
	return &V;
}

static vd_upstream_t *attempt(verdict_t *v, const char *server, uint8_t outcome)
{
	assert_true(v->n_up < VD_MAX_UPSTREAM);
	vd_upstream_t *u = &v->up[v->n_up++];
	memset(u, 0, sizeof(*u));
	u->ts = T0 + 10 * MS * v->n_up;
	addr(&u->server, server);
	addr(&u->from, "10.0.1.1");
	u->from_port = (uint16_t)(50000 + v->n_up);
	u->transport = DB_PROTO_UDP;
	tu_name(&u->qname, "www.example.com");
	u->qtype = DNS_T_A;
	u->outcome = outcome;
	v->n_up_total++;
	if (outcome != VD_OUT_ANSWERED && outcome != VD_OUT_PENDING)
		v->n_failed++;
	return u;
}

static const char *explain(const verdict_t *v)
{
	static char buf[RP_EXPLAIN];
	memset(buf, 0x7e, sizeof(buf));
	vd_explain(v, buf, sizeof(buf));
	return buf;
}

/* The repeat's root failure: www.example.com A at T0, a timeout. */
static void repeats(verdict_t *v, uint8_t via)
{
	v->via = via;
	v->repeats_time = T0;
	tu_name(&v->repeats_qname, "www.example.com");
	v->repeats_qtype = DNS_T_A;
	v->repeats_cause = VD_TIMEOUT;
	v->repeats_detail = "all_servers_silent";
	v->query_time = T0 + 5 * SEC;
	v->time = T0 + 5 * SEC + MS;
}

/* ---- vd_explain, by cause ------------------------------------------------- */

static void timeout_sentences(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	attempt(v, "192.0.2.1", VD_OUT_TIMEOUT);
	attempt(v, "192.0.2.2", VD_OUT_ANSWERED);
	attempt(v, "192.0.2.3", VD_OUT_TIMEOUT);
	/* The count is of the queries that failed, not of every attempt. */
	assert_string_equal(explain(v), "2 queries of the resolver to the servers of example.com. "
					"got no answer before it gave up.");
	/* Without its upstream traffic, the resolver's EDE is all there is. */
	v = base(VD_TIMEOUT, "all_servers_silent");
	assert_string_equal(explain(v),
			    "The resolver reports (EDE) that no authority for example.com. could "
			    "be reached; its upstream traffic is not in the capture.");
}

/* The server named is the one that failed last (the decision reads that
 * attempt), not an answered or pending one after it. */
static void blocked_port_names_last_failure(void **state)
{
	(void)state;
	verdict_t *v = base(VD_BLOCKED_PORT, "icmp_port_unreachable");
	attempt(v, "192.0.2.1", VD_OUT_ICMP);
	attempt(v, "192.0.2.2", VD_OUT_ICMP);
	attempt(v, "192.0.2.3", VD_OUT_ANSWERED);
	attempt(v, "192.0.2.4", VD_OUT_PENDING);
	assert_string_equal(explain(v), "The network refused the resolver's queries to 192.0.2.2 "
					"(example.com.): icmp_port_unreachable.");
	v = base(VD_BLOCKED_PORT, "icmp_admin_prohibited");
	assert_string_equal(explain(v),
			    "The resolver reports (EDE) a network error reaching the servers of "
			    "example.com.; its upstream traffic is not in the capture.");
}

static void truncation_sentences(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TRUNCATION, "fragment_loss");
	attempt(v, "2001:db8::53", VD_OUT_FRAG_LOSS);
	assert_string_equal(explain(v), "The answer from 2001:db8::53 (example.com.) came in IP "
					"fragments that never all arrived.");
	v = base(VD_TRUNCATION, "tcp_reset");
	attempt(v, "192.0.2.1", VD_OUT_TRUNCATED)->tc = 1;
	attempt(v, "192.0.2.1", VD_OUT_TCP_RESET)->transport = DB_PROTO_TCP;
	assert_string_equal(explain(v), "192.0.2.1 (example.com.) answered with TC=1 (too big for "
					"UDP) and the retry over TCP failed: tcp_reset.");
}

static void dnssec_sentences(void **state)
{
	(void)state;
	/* No upstream traffic: the resolver's word. */
	verdict_t *v = base(VD_DNSSEC, "bogus");
	assert_string_equal(explain(v), "The resolver reports (EDE) a DNSSEC validation failure "
					"(bogus) for example.com.; its upstream traffic is not in "
					"the capture.");
	/* Answers seen, the chain not proven broken. */
	attempt(v, "192.0.2.1", VD_OUT_ANSWERED);
	assert_string_equal(explain(v), "Answers arrived intact with DNSSEC records, yet the "
					"resolver failed them: DNSSEC validation (bogus).");
	/* DS mismatch: the first unmatched tag, "..." for more. */
	v->detail = "ds_mismatch";
	v->dnssec_checked = 1;
	v->dnssec.found = 1;
	v->dnssec.detail = "ds_mismatch";
	v->dnssec.n_ds = 1;
	v->dnssec.ds_tags[0] = 12345;
	assert_string_equal(explain(v), "The DS records for example.com. in its parent (key tag "
					"12345) match none of the DNSKEYs example.com. publishes: "
					"the chain of trust is broken at the delegation.");
	v->dnssec.n_ds = 2;
	v->dnssec.ds_tags[1] = 999;
	assert_non_null(strstr(explain(v), "(key tag 12345, ...)"));
	/* Signed zone, unsigned answer. */
	v->dnssec.detail = "rrsig_missing";
	tu_name(&v->dnssec.owner, "www.example.com");
	v->dnssec.type = DNS_T_AAAA;
	assert_string_equal(explain(v), "example.com. has a DS in its parent, so it must be "
					"signed, but its servers answered www.example.com. AAAA "
					"without any RRSIG.");
	v->dnssec.detail = "dnskey_missing";
	assert_string_equal(
	    explain(v),
	    "example.com. has a DS in its parent, but its servers return no DNSKEY set.");
	/* A signature: its validity to the second, and the capture time. */
	v->dnssec.detail = "signature_expired";
	tu_name(&v->dnssec.signer, "example.com");
	v->dnssec.key_tag = 4242;
	v->dnssec.algorithm = 13;
	v->dnssec.inception = 1698796800;  /* 2023-11-01 */
	v->dnssec.expiration = 1699574400; /* 2023-11-10 */
	v->dnssec.checked_at = T0 + 123456;
	assert_string_equal(explain(v),
			    "The RRSIG over www.example.com. AAAA by example.com. (key tag 4242, "
			    "algorithm 13) fails: signature_expired; it is valid from "
			    "2023-11-01T00:00:00Z to 2023-11-10T00:00:00Z, the answer was captured "
			    "at 2023-11-14T22:13:20Z.");
	/* Proven on keys fetched earlier: said so. */
	v->dnssec_earlier = T0 - 60 * SEC;
	const char *e = explain(v);
	assert_non_null(strstr(e, "fails: signature_expired"));
	assert_non_null(strstr(e, " (Proven on an earlier answer: the resolver had these records "
				  "cached.)"));
}

static void upstream_error_sentences(void **state)
{
	(void)state;
	/* A delegation whose NS name has no address. */
	verdict_t *v = base(VD_UPSTREAM_ERROR, "lame_delegation");
	vd_upstream_t *u = attempt(v, "192.0.2.53", VD_OUT_LAME);
	tu_name(&u->qname, "ns1.broken.example");
	u->rcode = DNS_R_NXDOMAIN;
	assert_string_equal(explain(v), "The delegation of example.com. names servers that do not "
					"resolve: ns1.broken.example. has no address (NXDOMAIN "
					"from 192.0.2.53).");
	/* An error rcode. */
	v = base(VD_UPSTREAM_ERROR, "refused");
	attempt(v, "192.0.2.1", VD_OUT_ERROR)->rcode = DNS_R_REFUSED;
	assert_string_equal(explain(v), "192.0.2.1 (example.com.) answered REFUSED; no server "
					"gave a usable answer.");
	/* A failed TCP connection carries no question: the EDE's words. */
	v = base(VD_UPSTREAM_ERROR, "refused");
	u = attempt(v, "192.0.2.1", VD_OUT_TCP_RESET);
	tu_name(&u->qname, ".");
	u->qtype = 0;
	assert_string_equal(explain(v), "The resolver reports (EDE) that the servers of "
					"example.com. answered with errors (refused).");
}

static void no_upstream_and_unknown(void **state)
{
	(void)state;
	verdict_t *v = base(VD_NO_UPSTREAM, "no_attempt");
	v->via = VD_VIA_NONE;
	assert_string_equal(explain(v),
			    "No related upstream query is in the capture, and no earlier failure "
			    "it could repeat: local policy, overload, or upstream traffic not "
			    "captured.");
	/* EDE 13 (cached error) with no root failure in the capture. */
	v->via = VD_VIA_FAILURE_CACHE;
	assert_string_equal(explain(v),
			    "The resolver reports (EDE 13) that it answered from its failure "
			    "cache; the failure it repeats is not in the capture.");

	v = base(VD_UNKNOWN, "attempts_pending");
	attempt(v, "192.0.2.1", VD_OUT_PENDING);
	attempt(v, "192.0.2.2", VD_OUT_PENDING);
	assert_string_equal(
	    explain(v), "The capture shows no cause: the resolver gave up while its 2 related "
			"upstream attempts were still unanswered, too recent to call timeouts.");
	v->detail = "no_cause";
	assert_string_equal(explain(v), "The capture shows no cause: 2 related upstream attempts, "
					"all answered usably.");
	v = base(VD_UNKNOWN, "no_cause");
	v->via = VD_VIA_NONE;
	assert_string_equal(explain(v),
			    "The resolver's upstream traffic is not in the capture and it sent no "
			    "Extended DNS Error: capture on the resolver host to see why.");
}

/* ---- vd_explain, repeats --------------------------------------------------- */

/* A repeat from the failure cache says which failure it repeats, and has
 * no sentence of its own evidence. */
static void repeat_failure_cache(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	repeats(v, VD_VIA_FAILURE_CACHE);
	assert_string_equal(explain(v), "No upstream query was made: the resolver answered from "
					"its failure cache, repeating the failure of "
					"www.example.com. A at " T0S " (timeout, "
					"all_servers_silent).");
	v->ede_disagrees = 1;
	assert_string_equal(explain(v), "No upstream query was made: the resolver answered from "
					"its failure cache, repeating the failure of "
					"www.example.com. A at " T0S " (timeout, "
					"all_servers_silent). The resolver's own EDE says "
					"otherwise.");
	/* A root without a detail. */
	v->ede_disagrees = 0;
	v->repeats_detail = NULL;
	assert_non_null(strstr(explain(v), "(timeout, -)."));
}

static void repeat_held_down(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	repeats(v, VD_VIA_HELD_DOWN);
	assert_string_equal(explain(v), "The resolver did not query the servers of example.com.: "
					"it held them down after the failure of www.example.com. "
					"A at " T0S " (timeout, all_servers_silent).");
	/* Only a TCP probe went out (Knot Resolver). */
	attempt(v, "192.0.2.1", VD_OUT_TCP_TIMEOUT)->transport = DB_PROTO_TCP;
	assert_non_null(strstr(explain(v), "The resolver sent only a TCP probe to the servers of "
					   "example.com.: it held them down"));
	/* Held down with no root failure in the capture: the probe, then
	 * the cause of its own evidence. */
	v = base(VD_TIMEOUT, "all_servers_silent");
	v->via = VD_VIA_HELD_DOWN;
	attempt(v, "192.0.2.1", VD_OUT_TCP_TIMEOUT);
	assert_string_equal(explain(v), "The resolver held the servers of example.com. down and "
					"sent them no query, only a TCP probe. 1 queries of the "
					"resolver to the servers of example.com. got no answer "
					"before it gave up.");
}

/* A query that joined work in flight: which work, then why that failed. */
static void repeat_coalesced(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	attempt(v, "192.0.2.1", VD_OUT_TIMEOUT);
	repeats(v, VD_VIA_COALESCED);
	assert_string_equal(explain(v),
			    "This query joined the resolution of an identical query "
			    "(www.example.com. A) already in flight, which failed at " T0S
			    ". 1 queries of the resolver to the servers of "
			    "example.com. got no answer before it gave up.");
	v->repeats_time = 0;
	assert_string_equal(explain(v), "This query joined the resolution of an identical query "
					"already in flight. 1 queries of the resolver to the "
					"servers of example.com. got no answer before it gave up.");
}

static void ede_disagrees_appended(void **state)
{
	(void)state;
	verdict_t *v = base(VD_BLOCKED_PORT, "icmp_port_unreachable");
	attempt(v, "192.0.2.1", VD_OUT_ICMP);
	v->ede_disagrees = 1;
	assert_string_equal(explain(v), "The network refused the resolver's queries to 192.0.2.1 "
					"(example.com.): icmp_port_unreachable. The resolver's own "
					"EDE says otherwise.");
}

/* Whatever n, the text is the full one cut to n - 1 bytes, NUL-terminated,
 * and nothing at or past buf[n] is written (n == 0: nothing at all). */
static void check_cut(const verdict_t *v)
{
	char full[RP_EXPLAIN], buf[RP_EXPLAIN + 16];
	vd_explain(v, full, sizeof(full));
	size_t len = strlen(full);
	assert_true(len + 1 < sizeof(full));
	for (size_t n = 0; n <= len + 2; n++) {
		memset(buf, 0x7e, sizeof(buf));
		vd_explain(v, buf, n);
		for (size_t i = n; i < sizeof(buf); i++)
			assert_int_equal((unsigned char)buf[i], 0x7e);
		if (!n)
			continue;
		size_t want = len < n - 1 ? len : n - 1;
		assert_int_equal(strlen(buf), want);
		assert_memory_equal(buf, full, want);
	}
}

static void explain_small_buffers(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	attempt(v, "192.0.2.1", VD_OUT_TIMEOUT);
	v->ede_disagrees = 1;
	check_cut(v);
	/* Two parts: how it joined, then why that failed. */
	repeats(v, VD_VIA_COALESCED);
	check_cut(v);
	v->via = VD_VIA_FAILURE_CACHE;
	check_cut(v);
	/* Three parts: the sentence, the earlier proof, the EDE. */
	v = base(VD_DNSSEC, "bad_signature");
	attempt(v, "192.0.2.1", VD_OUT_ANSWERED);
	v->dnssec_checked = 1;
	v->dnssec.found = 1;
	v->dnssec.detail = "bad_signature";
	tu_name(&v->dnssec.owner, "www.example.com");
	tu_name(&v->dnssec.signer, "example.com");
	v->dnssec.checked_at = T0;
	v->dnssec_earlier = T0 - SEC;
	v->ede_disagrees = 1;
	check_cut(v);
}

/* The longest names there are still fit RP_EXPLAIN, cut but terminated. */
static void explain_longest_names(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TRUNCATION, "fragment_loss");
	/* Labels of 63, 63, 63 and 59 octets (253 in all), each octet a \DDD
	 * escape in the text: some 1,000 characters. */
	static const uint8_t lens[4] = { 63, 63, 63, 59 };
	memset(&v->zone, 0, sizeof(v->zone));
	size_t o = 0;
	for (int l = 0; l < 4; l++) {
		v->zone.wire[o++] = lens[l];
		memset(&v->zone.wire[o], 0x01, lens[l]);
		o += lens[l];
	}
	v->zone.wire[o++] = 0;
	assert_int_equal(o, 253);
	v->zone.len = (uint8_t)o;
	v->zone.labels = 4;
	attempt(v, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", VD_OUT_FRAG_LOSS);
	char buf[RP_EXPLAIN + 8];
	memset(buf, 0x7e, sizeof(buf));
	vd_explain(v, buf, RP_EXPLAIN);
	assert_true(strlen(buf) == RP_EXPLAIN - 1);
	for (size_t i = RP_EXPLAIN; i < sizeof(buf); i++)
		assert_int_equal((unsigned char)buf[i], 0x7e);
}

/* ---- vd_attempt_str ----------------------------------------------------------- */

static void attempt_lines(void **state)
{
	(void)state;
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	char b[RP_ATTEMPT];
	vd_upstream_t *u = attempt(v, "192.0.2.1", VD_OUT_TIMEOUT);
	vd_attempt_str(u, b, sizeof(b));
	assert_string_equal(b, "2023-11-14T22:13:20.010000Z  192.0.2.1 udp www.example.com. A: "
			       "timeout");
	/* An ICMP error: its label. */
	u->outcome = VD_OUT_ICMP;
	u->icmp_version = 6;
	u->icmp_type = 1;
	u->icmp_code = 4;
	vd_attempt_str(u, b, sizeof(b));
	assert_string_equal(b, "2023-11-14T22:13:20.010000Z  192.0.2.1 udp www.example.com. A: "
			       "icmp port-unreachable");
	/* Answered ones: the rcode, and TC. */
	u->outcome = VD_OUT_TRUNCATED;
	u->tc = 1;
	u->rcode = DNS_R_NOERROR;
	vd_attempt_str(u, b, sizeof(b));
	assert_string_equal(b, "2023-11-14T22:13:20.010000Z  192.0.2.1 udp www.example.com. A: "
			       "truncated NOERROR TC");
	u->outcome = VD_OUT_ERROR;
	u->tc = 0;
	u->rcode = DNS_R_SERVFAIL;
	u->transport = DB_PROTO_TCP;
	u->qtype = DNS_T_DNSKEY;
	vd_attempt_str(u, b, sizeof(b));
	assert_string_equal(b, "2023-11-14T22:13:20.010000Z  192.0.2.1 tcp www.example.com. "
			       "DNSKEY: error SERVFAIL");
	/* No rcode on a failure that got no answer, even if one is set. */
	u->outcome = VD_OUT_TCP_RESET;
	vd_attempt_str(u, b, sizeof(b));
	assert_string_equal(b, "2023-11-14T22:13:20.010000Z  192.0.2.1 tcp www.example.com. "
			       "DNSKEY: tcp_reset");
	/* Cut short: terminated, nothing past n. */
	char s[40];
	memset(s, 0x7e, sizeof(s));
	vd_attempt_str(u, s, 20);
	assert_int_equal(strlen(s), 19);
	assert_int_equal((unsigned char)s[20], 0x7e);
	u->outcome = VD_OUT_ICMP;
	memset(s, 0x7e, sizeof(s));
	vd_attempt_str(u, s, 1);
	assert_int_equal(s[0], 0);
	assert_int_equal((unsigned char)s[1], 0x7e);
}

/* ---- vd_causes_str ------------------------------------------------------------- */

static void causes_in_vocabulary_order(void **state)
{
	(void)state;
	char b[RP_CAUSES];
	uint64_t c[VD_NCAUSES] = { 0 };
	vd_causes_str(c, b, sizeof(b));
	assert_string_equal(b, "");
	c[VD_UNKNOWN] = 1;
	c[VD_TIMEOUT] = 2;
	c[VD_BLOCKED_PORT] = 1;
	vd_causes_str(c, b, sizeof(b));
	assert_string_equal(b, "timeout 2, blocked_port 1, unknown 1");
	for (uint8_t i = 0; i < VD_NCAUSES; i++)
		c[i] = UINT64_MAX;
	vd_causes_str(c, b, sizeof(b));
	assert_string_equal(b, "timeout 18446744073709551615, blocked_port 18446744073709551615, "
			       "truncation 18446744073709551615, dnssec_validation "
			       "18446744073709551615, upstream_error 18446744073709551615, "
			       "no_upstream 18446744073709551615, unknown 18446744073709551615");
	/* Cut short: terminated inside n, nothing written past it. */
	char s[32];
	for (size_t n = 1; n < 24; n++) {
		memset(s, 0x7e, sizeof(s));
		vd_causes_str(c, s, n);
		assert_true(strlen(s) < n);
		for (size_t i = n; i < sizeof(s); i++)
			assert_int_equal((unsigned char)s[i], 0x7e);
	}
}

/* ---- vd_next_steps ----------------------------------------------------------- */

static size_t lines(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Each cause's steps hold the example's real names, one a line, with no
 * empty line and no trailing newline. */
static void next_steps_real_names(void **state)
{
	(void)state;
	char b[RP_STEPS];
	db_addr_t srv;
	addr(&srv, "192.0.2.7");
	for (uint8_t c = 0; c < VD_NCAUSES; c++) {
		verdict_t *v = base(c, "x");
		vd_next_steps(v, &srv, b, sizeof(b));
		assert_true(strlen(b) > 0);
		assert_null(strstr(b, "\n\n"));
		assert_int_not_equal(b[strlen(b) - 1], '\n');
		assert_non_null(strstr(b, "10.0.0.1")); /* the resolver */
	}
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	vd_next_steps(v, &srv, b, sizeof(b));
	assert_string_equal(b, "dig +norec @192.0.2.7 www.example.com. A    (does the server "
			       "answer at all?)\n"
			       "dig +norec +tcp @192.0.2.7 www.example.com. A    (over TCP?)\n"
			       "look for a firewall dropping port 53, UDP and TCP, between "
			       "10.0.0.1 and the servers of example.com.");
	assert_int_equal(lines(b), 3);
	v = base(VD_DNSSEC, "bad_signature");
	vd_next_steps(v, NULL, b, sizeof(b));
	assert_non_null(strstr(b, "delv @10.0.0.1 www.example.com. A"));
	assert_non_null(strstr(b, "dig +dnssec @10.0.0.1 example.com. DS"));
	assert_non_null(strstr(b, "dig +dnssec @10.0.0.1 example.com. DNSKEY"));
	v = base(VD_NO_UPSTREAM, "no_attempt");
	vd_next_steps(v, NULL, b, sizeof(b));
	assert_non_null(strstr(b, "unbound-control flush www.example.com."));
}

/* No failed server in the evidence: the zone's servers are found first. */
static void next_steps_without_server(void **state)
{
	(void)state;
	char b[RP_STEPS];
	verdict_t *v = base(VD_TRUNCATION, "no_tcp_retry");
	vd_next_steps(v, NULL, b, sizeof(b));
	assert_non_null(strstr(b, "dig +norec +tcp @$(dig +short NS example.com. | head -1) "
				  "www.example.com. A"));
	v = base(VD_UPSTREAM_ERROR, "servfail");
	vd_next_steps(v, NULL, b, sizeof(b));
	assert_non_null(strstr(b, "dig +norec @$(dig +short NS example.com. | head -1) "
				  "www.example.com. A"));
}

/* Names from the wire are one shell word each in the commands: a label
 * that is a command substitution, or a \DDD escape, stays in single
 * quotes; an ordinary name is left as it is. */
static void next_steps_quote_hostile_names(void **state)
{
	(void)state;
	char b[RP_STEPS];
	db_addr_t srv;
	addr(&srv, "192.0.2.7");
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	tu_name(&v->qname, "$(touch${IFS}x).example.com");
	vd_next_steps(v, &srv, b, sizeof(b));
	assert_non_null(strstr(b, "dig +norec @192.0.2.7 '$(touch${ifs}x).example.com.' A"));
	assert_null(strstr(b, " $(touch"));
	/* A space in a label: dig gets the \032, the shell sees one word. */
	v = base(VD_UPSTREAM_ERROR, "servfail");
	tu_name(&v->qname, "a b.example.com");
	tu_name(&v->zone, "it's.example.com");
	vd_next_steps(v, NULL, b, sizeof(b));
	assert_non_null(strstr(b, "'a\\032b.example.com.' A"));
	/* The zone, inside the $( ) that finds its servers, quoted too, its
	 * own quote closed and reopened around an escaped one. */
	assert_non_null(strstr(b, "@$(dig +short NS 'it'\\''s.example.com.' | head -1)"));
}

/* A repeat's steps are about the failure it repeats. */
static void next_steps_of_a_repeat(void **state)
{
	(void)state;
	char b[RP_STEPS];
	verdict_t *v = base(VD_TIMEOUT, "all_servers_silent");
	repeats(v, VD_VIA_FAILURE_CACHE);
	tu_name(&v->qname, "alias.example.net");
	v->qtype = DNS_T_AAAA;
	tu_name(&v->repeats_qname, "target.example.com");
	v->repeats_qtype = DNS_T_MX;
	vd_next_steps(v, NULL, b, sizeof(b));
	assert_non_null(strstr(b, "target.example.com. MX"));
	assert_null(strstr(b, "alias.example.net"));
}

static void next_steps_small_buffer(void **state)
{
	(void)state;
	char full[RP_STEPS], s[RP_STEPS + 8];
	db_addr_t srv;
	addr(&srv, "192.0.2.7");
	for (uint8_t c = 0; c < VD_NCAUSES; c++) {
		verdict_t *v = base(c, "x");
		vd_next_steps(v, &srv, full, sizeof(full));
		size_t len = strlen(full);
		for (size_t n = 1; n <= len + 1; n += 7) {
			memset(s, 0x7e, sizeof(s));
			vd_next_steps(v, &srv, s, n);
			size_t want = len < n - 1 ? len : n - 1;
			assert_int_equal(strlen(s), want);
			assert_memory_equal(s, full, want);
			assert_int_equal((unsigned char)s[n], 0x7e);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timeout_sentences),
		cmocka_unit_test(blocked_port_names_last_failure),
		cmocka_unit_test(truncation_sentences),
		cmocka_unit_test(dnssec_sentences),
		cmocka_unit_test(upstream_error_sentences),
		cmocka_unit_test(no_upstream_and_unknown),
		cmocka_unit_test(repeat_failure_cache),
		cmocka_unit_test(repeat_held_down),
		cmocka_unit_test(repeat_coalesced),
		cmocka_unit_test(ede_disagrees_appended),
		cmocka_unit_test(explain_small_buffers),
		cmocka_unit_test(explain_longest_names),
		cmocka_unit_test(attempt_lines),
		cmocka_unit_test(causes_in_vocabulary_order),
		cmocka_unit_test(next_steps_real_names),
		cmocka_unit_test(next_steps_without_server),
		cmocka_unit_test(next_steps_quote_hostile_names),
		cmocka_unit_test(next_steps_of_a_repeat),
		cmocka_unit_test(next_steps_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
