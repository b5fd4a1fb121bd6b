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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zones_are_escaped_and_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
