/*
 * test_decide.c - the judgment without packets (analyze/decide.c): each row
 * of the decision order, driven by a summary of evidence and memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../../analyze/decide.h"
#include "../../../analyze/dns.h"

static decide_out_t run(const decide_in_t *in)
{
	decide_out_t o;
	memset(&o, 0xA5, sizeof(o)); /* decide must set every field */
	decide(in, &o);
	return o;
}

static void expect(const decide_out_t *o, uint8_t cause, const char *detail, uint8_t conf,
		   uint8_t via)
{
	assert_int_equal(o->cause, cause);
	assert_string_equal(o->detail, detail);
	assert_int_equal(o->confidence, conf);
	assert_int_equal(o->via, via);
}

/* A failed attempt of the query's own names the cause, and is a root. */
static void own_failure_is_root(void **state)
{
	(void)state;
	static const struct {
		uint8_t outcome, transport, tc, icmp_ver, icmp_type, icmp_code;
		uint16_t rcode;
		uint8_t cause;
		const char *detail;
	} rows[] = {
		{ VD_OUT_TIMEOUT, DB_PROTO_UDP, 0, 0, 0, 0, 0, VD_TIMEOUT, "all_servers_silent" },
		{ VD_OUT_ICMP, DB_PROTO_UDP, 0, 4, 3, 3, 0, VD_BLOCKED_PORT,
		  "icmp_port_unreachable" },
		{ VD_OUT_ICMP, DB_PROTO_UDP, 0, 4, 3, 13, 0, VD_BLOCKED_PORT,
		  "icmp_admin_prohibited" },
		{ VD_OUT_ICMP, DB_PROTO_UDP, 0, 6, 1, 4, 0, VD_BLOCKED_PORT,
		  "icmp_port_unreachable" },
		{ VD_OUT_ICMP, DB_PROTO_UDP, 0, 6, 1, 5, 0, VD_BLOCKED_PORT,
		  "icmp_admin_prohibited" },
		{ VD_OUT_ICMP, DB_PROTO_UDP, 0, 6, 1, 6, 0, VD_BLOCKED_PORT,
		  "icmp_admin_prohibited" },
		{ VD_OUT_ICMP, DB_PROTO_UDP, 0, 4, 3, 0, 0, VD_BLOCKED_PORT,
		  "icmp_net_unreachable" },
		{ VD_OUT_TCP_RESET, DB_PROTO_TCP, 1, 0, 0, 0, 0, VD_TRUNCATION, "tcp_reset" },
		{ VD_OUT_TCP_RESET, DB_PROTO_TCP, 0, 0, 0, 0, 0, VD_BLOCKED_PORT, "tcp_reset" },
		{ VD_OUT_TCP_TIMEOUT, DB_PROTO_TCP, 1, 0, 0, 0, 0, VD_TRUNCATION, "tcp_timeout" },
		{ VD_OUT_FRAG_LOSS, DB_PROTO_UDP, 0, 0, 0, 0, 0, VD_TRUNCATION, "fragment_loss" },
		{ VD_OUT_TRUNCATED, DB_PROTO_UDP, 1, 0, 0, 0, 0, VD_TRUNCATION, "no_tcp_retry" },
		{ VD_OUT_ERROR, DB_PROTO_UDP, 0, 0, 0, 0, DNS_R_REFUSED, VD_UPSTREAM_ERROR,
		  "refused" },
		{ VD_OUT_ERROR, DB_PROTO_UDP, 0, 0, 0, 0, DNS_R_SERVFAIL, VD_UPSTREAM_ERROR,
		  "servfail" },
		{ VD_OUT_LAME, DB_PROTO_UDP, 0, 0, 0, 0, 0, VD_UPSTREAM_ERROR, "lame_delegation" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		decide_in_t in;
		memset(&in, 0, sizeof(in));
		in.n_attempts = in.n_failed = 1;
		in.own_failure = 1;
		in.resolver_host = 1;
		in.last_outcome = rows[i].outcome;
		in.last_transport = rows[i].transport;
		in.tc = rows[i].tc;
		in.last_icmp_version = rows[i].icmp_ver;
		in.last_icmp_type = rows[i].icmp_type;
		in.last_icmp_code = rows[i].icmp_code;
		in.last_rcode = rows[i].rcode;
		/* Memory never overrides fresh evidence. */
		in.root_kind = DECIDE_ROOT_QUESTION;
		in.root_cause = VD_DNSSEC;
		in.root_detail = "bad_signature";
		decide_out_t o = run(&in);
		assert_int_equal(o.cause, rows[i].cause);
		assert_string_equal(o.detail, rows[i].detail);
		assert_int_equal(o.via, VD_VIA_UPSTREAM);
		assert_int_equal(o.root, 1);
		assert_int_equal(o.from_root, 0);
	}
}

/* Failures of work begun before the client asked: it joined that work. */
static void joined_work_is_coalesced(void **state)
{
	(void)state;
	decide_in_t in;
	memset(&in, 0, sizeof(in));
	in.n_attempts = in.n_failed = 2;
	in.last_outcome = VD_OUT_TIMEOUT;
	in.resolver_host = 1;
	decide_out_t o = run(&in);
	expect(&o, VD_TIMEOUT, "all_servers_silent", VD_HIGH, VD_VIA_COALESCED);
	assert_int_equal(o.root, 0);
}

/* Answers arrived and failed the chain: validation, a root. */
static void dnssec_from_answers(void **state)
{
	(void)state;
	decide_in_t in;
	memset(&in, 0, sizeof(in));
	in.n_attempts = in.n_answered = 3;
	in.any_rrsig = 1;
	in.dnssec_found = 1;
	in.dnssec_detail = "bad_signature";
	in.resolver_host = 1;
	decide_out_t o = run(&in);
	expect(&o, VD_DNSSEC, "bad_signature", VD_HIGH, VD_VIA_UPSTREAM);
	assert_int_equal(o.root, 1);

	/* The resolver's EDE names another DNSSEC failure: less sure. */
	in.have_ede = 1;
	in.ede_cause = VD_DNSSEC;
	in.ede_detail = "signature_expired";
	o = run(&in);
	expect(&o, VD_DNSSEC, "bad_signature", VD_MEDIUM, VD_VIA_UPSTREAM);
}

/* No attempt: the failure memory names the root cause, via says how. */
static void repeats_carry_the_root(void **state)
{
	(void)state;
	decide_in_t in;
	memset(&in, 0, sizeof(in));
	in.resolver_host = 1;
	in.root_cause = VD_BLOCKED_PORT;
	in.root_detail = "icmp_port_unreachable";

	in.root_kind = DECIDE_ROOT_QUESTION;
	decide_out_t o = run(&in);
	expect(&o, VD_BLOCKED_PORT, "icmp_port_unreachable", VD_HIGH, VD_VIA_FAILURE_CACHE);
	assert_int_equal(o.from_root, 1);
	assert_int_equal(o.root, 0); /* a repeat is never remembered */

	in.root_kind = DECIDE_ROOT_IN_FLIGHT;
	o = run(&in);
	expect(&o, VD_BLOCKED_PORT, "icmp_port_unreachable", VD_HIGH, VD_VIA_COALESCED);

	/* Another name of a zone whose servers failed: held down. */
	in.root_kind = DECIDE_ROOT_ZONE;
	in.root_server_side = 1;
	o = run(&in);
	expect(&o, VD_BLOCKED_PORT, "icmp_port_unreachable", VD_MEDIUM, VD_VIA_HELD_DOWN);

	/* A zone that failed for its data: the failure cache. */
	in.root_server_side = 0;
	in.root_cause = VD_DNSSEC;
	in.root_detail = "ds_mismatch";
	o = run(&in);
	expect(&o, VD_DNSSEC, "ds_mismatch", VD_MEDIUM, VD_VIA_FAILURE_CACHE);

	/* Only a TCP probe to held-down servers, reset: still the root's. */
	in.root_cause = VD_TIMEOUT;
	in.root_detail = "all_servers_silent";
	in.root_server_side = 1;
	in.n_attempts = in.n_failed = 1;
	in.only_probes = 1;
	in.last_outcome = VD_OUT_TCP_RESET;
	in.last_transport = DB_PROTO_TCP;
	o = run(&in);
	expect(&o, VD_TIMEOUT, "all_servers_silent", VD_MEDIUM, VD_VIA_HELD_DOWN);

	/* The same probe with nothing remembered: held down, the probe's cause. */
	in.root_kind = DECIDE_ROOT_NONE;
	o = run(&in);
	expect(&o, VD_BLOCKED_PORT, "tcp_reset", VD_MEDIUM, VD_VIA_HELD_DOWN);
}

/* Nothing failed, nothing remembered. */
static void no_evidence(void **state)
{
	(void)state;
	decide_in_t in;
	memset(&in, 0, sizeof(in));
	in.resolver_host = 1;
	decide_out_t o = run(&in);
	expect(&o, VD_NO_UPSTREAM, "no_attempt", VD_MEDIUM, VD_VIA_NONE);
	assert_int_equal(o.root, 0);

	in.resolver_host = 0;
	o = run(&in);
	expect(&o, VD_UNKNOWN, "upstream_not_captured", VD_LOW, VD_VIA_NONE);

	/* EDE 22 on a client-side capture: the resolver's word, low. */
	in.have_ede = 1;
	in.ede_code = 22;
	in.ede_cause = VD_TIMEOUT;
	in.ede_detail = "no_reachable_authority";
	o = run(&in);
	expect(&o, VD_TIMEOUT, "no_reachable_authority", VD_LOW, VD_VIA_NONE);

	/* EDE 13, cached error, nothing remembered. */
	in.ede_code = 13;
	in.ede_cause = VD_NO_UPSTREAM;
	in.ede_detail = "cached_failure";
	in.resolver_host = 1;
	o = run(&in);
	expect(&o, VD_NO_UPSTREAM, "cached_failure", VD_MEDIUM, VD_VIA_FAILURE_CACHE);

	/* Attempts all answered, signed, no EDE: the resolver rejected them. */
	memset(&in, 0, sizeof(in));
	in.resolver_host = 1;
	in.n_attempts = in.n_answered = 2;
	in.any_rrsig = 1;
	o = run(&in);
	expect(&o, VD_DNSSEC, "bogus", VD_MEDIUM, VD_VIA_UPSTREAM);
	/* The same for a query never answered: nothing says it failed
	 * validation. */
	in.silent = 1;
	o = run(&in);
	expect(&o, VD_UNKNOWN, "all_answered", VD_LOW, VD_VIA_UPSTREAM);
	in.silent = 0;
	in.any_rrsig = 0;
	o = run(&in);
	expect(&o, VD_UNKNOWN, "all_answered", VD_LOW, VD_VIA_UPSTREAM);
	in.n_answered = 0;
	o = run(&in);
	expect(&o, VD_UNKNOWN, "attempts_pending", VD_LOW, VD_VIA_UPSTREAM);
}

/* Several kinds of failure lower the confidence; a TC=1 beside a
 * truncation verdict does not. */
static void mixed_failures(void **state)
{
	(void)state;
	decide_in_t in;
	memset(&in, 0, sizeof(in));
	in.n_attempts = in.n_failed = 3;
	in.own_failure = 1;
	in.last_outcome = VD_OUT_TCP_RESET;
	in.last_transport = DB_PROTO_TCP;
	in.tc = 1;
	in.mixed_tc = 1;
	decide_out_t o = run(&in);
	expect(&o, VD_TRUNCATION, "tcp_reset", VD_HIGH, VD_VIA_UPSTREAM);
	in.mixed = 1;
	o = run(&in);
	expect(&o, VD_TRUNCATION, "tcp_reset", VD_MEDIUM, VD_VIA_UPSTREAM);
}

/* The one ICMP table (analyze/verdict.c): RFC 792 / RFC 1812 and RFC 4443
 * destination-unreachable codes to details and labels. */
static void icmp_table(void **state)
{
	(void)state;
	static const struct {
		uint8_t v, type, code;
		const char *detail, *label;
	} rows[] = {
		{ 4, 3, 0, "icmp_net_unreachable", "net-unreachable" },
		{ 4, 3, 1, "icmp_host_unreachable", "host-unreachable" },
		{ 4, 3, 3, "icmp_port_unreachable", "port-unreachable" },
		{ 4, 3, 9, "icmp_admin_prohibited", "admin-prohibited" },
		{ 4, 3, 10, "icmp_admin_prohibited", "admin-prohibited" },
		{ 4, 3, 13, "icmp_admin_prohibited", "admin-prohibited" },
		{ 4, 3, 4, "icmp_unreachable", "unreachable" },
		{ 4, 11, 0, "icmp_unreachable", "icmp-error" },
		{ 6, 1, 0, "icmp_net_unreachable", "net-unreachable" },
		{ 6, 1, 1, "icmp_admin_prohibited", "admin-prohibited" },
		{ 6, 1, 3, "icmp_host_unreachable", "host-unreachable" },
		{ 6, 1, 4, "icmp_port_unreachable", "port-unreachable" },
		{ 6, 1, 5, "icmp_admin_prohibited", "admin-prohibited" },
		{ 6, 1, 6, "icmp_admin_prohibited", "admin-prohibited" },
		{ 6, 2, 0, "icmp_unreachable", "icmp-error" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_string_equal(vd_icmp_detail(rows[i].v, rows[i].type, rows[i].code),
				    rows[i].detail);
		assert_string_equal(vd_icmp_label(rows[i].v, rows[i].type, rows[i].code),
				    rows[i].label);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_failure_is_root), cmocka_unit_test(joined_work_is_coalesced),
		cmocka_unit_test(dnssec_from_answers), cmocka_unit_test(repeats_carry_the_root),
		cmocka_unit_test(no_evidence),         cmocka_unit_test(mixed_failures),
		cmocka_unit_test(icmp_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
