/*
 * test_metrics.c - the Prometheus text (report/metrics.c): label values
 * escaped, cardinality bounded, the counts those of the summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../report/metrics.h"

static void name(dns_name_t *n, const char *label)
{
	memset(n, 0, sizeof(*n));
	size_t l = strlen(label);
	n->wire[0] = (uint8_t)l;
	memcpy(&n->wire[1], label, l);
	n->wire[l + 1] = 0;
	n->len = (uint8_t)(l + 2);
	n->labels = 1;
}

static void zones_are_escaped_and_bounded(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 10), 0);
	an_stats_t a;
	memset(&a, 0, sizeof(a));
	verdict_t v;
	char z[32];
	/* 105 zones, one with a double quote in its label. */
	for (int i = 0; i < 105; i++) {
		memset(&v, 0, sizeof(v));
		v.kind = VD_KIND_SERVFAIL;
		v.cause = VD_TIMEOUT;
		v.time = 1000000;
		snprintf(z, sizeof(z), i == 0 ? "q\"uote" : "z%d", i);
		name(&v.zone, z);
		tally_add(&t, &v);
		a.by_cause[VD_KIND_SERVFAIL][VD_TIMEOUT]++;
	}
	cap_stats_t c;
	memset(&c, 0, sizeof(c));
	rp_input_t in;
	memset(&in, 0, sizeof(in));
	in.an = &a;
	in.cap = &c;
	in.tally = &t;
	size_t len;
	char *text = rp_metrics_text(&in, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_non_null(strstr(text, "dnsblame_servfails_total{cause=\"timeout\"} 105\n"));
	/* The quote is escaped (whatever the name printer made of it, no
	 * bare quote ends the label early). */
	const char *q = strstr(text, "zone=\"q");
	assert_non_null(q);
	assert_true(q[7] == '\\');
	/* 100 zones by name, the other 5 together. */
	assert_non_null(strstr(text, "dnsblame_servfails_by_zone_total{cause=\"timeout\",detail=\"_"
				     "other\",zone=\"_other\"} 5\n"));
	size_t lines = 0;
	for (const char *p = text; (p = strstr(p, "dnsblame_servfails_by_zone_total{")); p++)
		lines++;
	assert_int_equal(lines, 101);
	free(text);
	tally_free(&t);
}

/* Every counter capture/ keeps is exported, each under its own name. */
static void capture_health_is_exported(void **state)
{
	(void)state;
	tally_t t;
	assert_int_equal(tally_init(&t, 10), 0);
	an_stats_t a;
	memset(&a, 0, sizeof(a));
	cap_stats_t c;
	memset(&c, 0, sizeof(c));
	c.bytes = 1001;
	c.truncated_packets = 1002;
	c.not_ip = 1003;
	c.link_errors = 1004;
	c.ip_errors = 1005;
	c.ip4 = 1006;
	c.ip6 = 1007;
	c.ip4_fragments = 1008;
	c.ip6_fragments = 1009;
	c.frag_trains_cut = 1010;
	c.tunnelled = 1011;
	c.tcp_segments = 1012;
	c.tcp_no_syn = 1013;
	c.nids_warnings = 1014;
	c.time_backwards = 1015;
	rp_input_t in;
	memset(&in, 0, sizeof(in));
	in.an = &a;
	in.cap = &c;
	in.tally = &t;
	size_t len;
	char *text = rp_metrics_text(&in, &len);
	assert_non_null(text);
	static const char *const want[] = {
		"dnsblame_capture_bytes_total 1001\n",
		"dnsblame_packets_truncated_total 1002\n",
		"dnsblame_packets_undecoded_total{reason=\"not_ip\"} 1003\n",
		"dnsblame_packets_undecoded_total{reason=\"link_header\"} 1004\n",
		"dnsblame_packets_undecoded_total{reason=\"ip_header\"} 1005\n",
		"dnsblame_ip_packets_total{version=\"4\"} 1006\n",
		"dnsblame_ip_packets_total{version=\"6\"} 1007\n",
		"dnsblame_ip_fragments_total{version=\"4\"} 1008\n",
		"dnsblame_ip_fragments_total{version=\"6\"} 1009\n",
		"dnsblame_fragment_trains_cut_total 1010\n",
		"dnsblame_packets_tunnelled_total 1011\n",
		"dnsblame_tcp_segments_total 1012\n",
		"dnsblame_tcp_segments_without_syn_total 1013\n",
		"dnsblame_tcp_segments_rejected_total 1014\n",
		"dnsblame_records_out_of_order_total 1015\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *p = strstr(text, want[i]);
		assert_non_null(p);
		/* At the start of a line, and announced by its TYPE line. */
		assert_true(p == text || p[-1] == '\n');
	}
	/* Every metric has a HELP and a TYPE. */
	size_t helps = 0, types = 0;
	for (const char *p = text; (p = strstr(p, "# HELP ")); p++)
		helps++;
	for (const char *p = text; (p = strstr(p, "# TYPE ")); p++)
		types++;
	assert_int_equal(helps, types);
	free(text);
	tally_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zones_are_escaped_and_bounded),
		cmocka_unit_test(capture_health_is_exported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
