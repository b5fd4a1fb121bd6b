/*
 * test_html.c - the report as one self-contained HTML page (report/html.c):
 * nothing fetched from anywhere (a Content-Security-Policy of default-src
 * 'none', no script), every name from the wire and every string of the
 * command line escaped, the incidents largest first with their evidence in
 * <details>, SVG charts whose bars are the counts.  The input is built by
 * hand (rpfixture.h).
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpfixture.h"

static int setup(void **state)
{
	*state = fx_new();
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

/* Case-insensitive occurrences of needle. */
static size_t count_ci(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);
	for (const char *p = hay; *p; p++) {
		size_t i = 0;
		while (i < l && p[i] &&
		       tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
			i++;
		n += i == l;
	}
	return n;
}

/* Every element opened is closed, and nothing can run or load. */
static void assert_page(const char *s)
{
	assert_int_equal(strncmp(s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n", 40), 0);
	size_t l = strlen(s);
	assert_true(l > 16);
	assert_string_equal(s + l - 16, "</body>\n</html>\n");
	assert_non_null(strstr(s, "<meta http-equiv=\"Content-Security-Policy\" "
				  "content=\"default-src 'none'; style-src 'unsafe-inline'; "
				  "img-src data:\">"));
	static const char *const pairs[][2] = {
		{ "<details>", "</details>" },
		{ "<svg ", "</svg>" },
		{ "<table>", "</table>" },
		{ "<pre>", "</pre>" },
		{ "<h3", "</h3>" },
		{ "<code>", "</code>" },
		{ "<p>", "</p>" },
		{ "<tr>", "</tr>" },
		{ "<rect ", "</rect>" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		assert_int_equal(fx_count(s, pairs[i][0]), fx_count(s, pairs[i][1]));
	/* Markup that could run, load or redirect: never (escaped text may
	 * say "onerror", it cannot open a tag). */
	static const char *const never[] = { "<script", "<img",    "<iframe", "<svg/",
					     "<link",   "<object", "<embed",  "<base" };
	assert_int_equal(count_ci(s, "<meta http-equiv"), 1);
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		assert_int_equal(count_ci(s, never[i]), 0);
}

/* The text between from and the next until, copied (malloc). */
static char *between(const char *s, const char *from, const char *until)
{
	const char *a = strstr(s, from);
	assert_non_null(a);
	const char *b = strstr(a, until);
	assert_non_null(b);
	size_t n = (size_t)(b - a);
	char *c = malloc(n + 1);
	assert_non_null(c);
	memcpy(c, a, n);
	c[n] = 0;
	return c;
}

static void empty_page(void **state)
{
	fx_t *x = *state;
	const char *s = fx_render(x, rp_html);
	assert_page(s);
	assert_non_null(strstr(s, "<p>No SERVFAIL, and no client query left unanswered.</p>\n"));
	assert_null(strstr(s, "<svg"));
	assert_null(strstr(s, "<h2"));
	assert_non_null(strstr(s, "<tr><th>filter</th><td><code>(none)</code></td></tr>\n"));
	assert_non_null(strstr(s, "<tr><th>packets</th><td>100</td></tr>\n"));
	assert_non_null(strstr(s, "<tr><th>dnsblame</th><td>" DNSBLAME_VERSION "</td></tr>\n"));
	fx_write_fails(x, rp_html);
}

/* Names from the wire and strings from the command line, escaped
 * wherever they appear: none of them becomes markup. */
static void hostile_strings_escaped(void **state)
{
	fx_t *x = *state;
	static const char *const files[] = { "<script>alert(1)</script>.pcap" };
	x->in.files = files;
	x->in.nfiles = 1;
	x->in.host = "h<b>&amp;\"'";
	x->in.command = "dnsblame -r '<svg/onload=alert(1)>'";
	x->in.filter = "host 1.2.3.4 and \"<\"";
	x->in.iface = "<iframe>";
	x->in.input_error = "<img src=x onerror=alert(1)>";
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TRUNCATION, "fragment_loss", "<script>alert(1)</script>",
		   "\"'><svg/onload=alert(1)>.x&y", T0, 1);
	fx_attempt(v, "192.0.2.1", VD_OUT_FRAG_LOSS, T0 - 400 * MS);
	fx_add(x, v);
	free(v);
	const char *s = fx_render(x, rp_html);
	assert_page(s);
	assert_non_null(strstr(s, "<tr><th>host</th><td><code>h&lt;b&gt;&amp;amp;&quot;&#39;"
				  "</code></td></tr>\n"));
	assert_non_null(strstr(s, "<tr><th>command</th><td><code>dnsblame -r "
				  "&#39;&lt;svg/onload=alert(1)&gt;&#39;</code></td></tr>\n"));
	assert_non_null(strstr(s, "<tr><th>filter</th><td><code>host 1.2.3.4 and "
				  "&quot;&lt;&quot;</code></td></tr>\n"));
	assert_non_null(strstr(s, "<tr><th>interface</th><td><code>&lt;iframe&gt;</code>"));
	assert_non_null(strstr(s, "<tr><th>capture</th><td><code>&lt;script&gt;alert(1)&lt;/"
				  "script&gt;.pcap</code>"));
	/* The zone in the incident's heading, the explanation, the steps. */
	const char *zone = "&lt;script&gt;alert(1)&lt;/script&gt;.";
	assert_true(fx_count(s, zone) >= 3);
	assert_non_null(strstr(s, "<code>&lt;script&gt;alert(1)&lt;/script&gt;.</code> "
				  "truncation/fragment_loss: 1</h3>"));
	/* The question in the example's line and in its evidence. */
	const char *q = "&quot;&#39;&gt;&lt;svg/onload=alert(1)&gt;.x&amp;y.";
	assert_non_null(strstr(s, "<details><summary>example, evidence and next steps</summary>\n"
				  "<p>&quot;&#39;&gt;&lt;svg/onload=alert(1)&gt;.x&amp;y. A from "
				  "<code>10.0.0.1</code> at "));
	assert_true(fx_count(s, q) >= 2);
	assert_non_null(strstr(s, "<h2>Input damaged</h2>\n<p><code>&lt;img src=x "
				  "onerror=alert(1)&gt;</code>: everything"));
	/* No raw < or > inside any text: every '<' starts one of our tags. */
	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
		assert_true(isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!');
}

/* Incidents largest first, twenty at most, each with its example in a
 * <details>; the headings' counts are the summary's. */
static void incidents_ranked(void **state)
{
	fx_t *x = *state;
	char zone[32];
	for (int i = 0; i < 22; i++) {
		snprintf(zone, sizeof(zone), "z%02d.example", i);
		fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", zone,
			    (size_t)(i + 1), T0 + i * SEC);
	}
	fx_incident(x, VD_KIND_PENDING, VD_UNKNOWN, "attempts_pending", "p.example", 1, T0);
	const char *s = fx_render(x, rp_html);
	assert_page(s);
	/* 1 + ... + 22 = 253. */
	assert_non_null(strstr(s, "<h2>SERVFAILs sent by resolvers: 253</h2>\n"));
	assert_non_null(strstr(s, "<h2>Client queries still open when the capture ended "
				  "(tentative): 1</h2>\n"));
	const char *first = strstr(s, ">1. <code>z21.example.</code> timeout/all_servers_silent: "
				      "22</h3>\n<p>From 2023-11-14T22:13:41.000000Z to "
				      "2023-11-14T22:14:02.000000Z; 22 clients; servers "
				      "<code>192.0.2.1</code>; upstream 22.</p>\n");
	assert_non_null(first);
	assert_true(first < strstr(s, ">2. <code>z20.example.</code>"));
	assert_non_null(strstr(s, ">20. <code>z02.example.</code>"));
	assert_null(strstr(s, ">21. "));
	assert_non_null(strstr(s, "<p>3 more in 2 smaller incidents: see the JSON report.</p>\n"));
	/* 20 SERVFAIL incidents and the pending one, each with its example. */
	assert_int_equal(fx_count(s, "<h3 style="), 21);
	assert_int_equal(fx_count(s, "<details>"), 21);
	/* The cause's colour on the heading. */
	assert_non_null(strstr(s, "<h3 style=\"border-left:6px solid #d62728;padding-left:.4em\">"
				  "1. "));
}

/* The charts: a bar per 10 s and cause of the SERVFAILs, two bars per
 * cause (SERVFAIL, never answered), a bar per server and outcome. */
static void charts_are_the_counts(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 3,
		    T0 + SEC);
	fx_incident(x, VD_KIND_SERVFAIL, VD_BLOCKED_PORT, "icmp_port_unreachable", "b.example", 2,
		    T0 + 15 * SEC);
	fx_incident(x, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "c.example", 1,
		    T0 + 20 * SEC);
	const char *s = fx_render(x, rp_html);
	assert_page(s);
	char *t = between(s, "<h3>SERVFAILs every 10 s, by cause</h3>", "</svg>");
	assert_int_equal(fx_count(t, "<rect "), 2);
	assert_non_null(strstr(t, "<title>timeout: 3</title>"));
	assert_non_null(strstr(t, "<title>blocked_port: 2</title>"));
	/* The peak labels the axis; the time runs from the first bucket to
	 * the end of the newest (that of the query never answered). */
	assert_non_null(strstr(t, "<text x=\"0\" y=\"10\">3</text>"));
	assert_non_null(strstr(t, ">2023-11-14T22:13:20</text>"));
	assert_non_null(strstr(t, ">2023-11-14T22:13:50</text>"));
	free(t);
	t = between(s, "<h3>Causes (SERVFAIL, then never answered, lighter)</h3>", "</svg>");
	assert_int_equal(fx_count(t, "<rect "), 4);
	assert_non_null(strstr(t, "<title>SERVFAIL 3</title>"));
	assert_non_null(strstr(t, "<title>never answered 1</title>"));
	assert_non_null(strstr(t, ">3 + 1</text>"));
	assert_non_null(strstr(t, ">2</text>"));
	free(t);
	t = between(s, "<h2>Upstream servers that failed</h2>", "</svg>");
	assert_int_equal(fx_count(t, "<rect "), 1);
	assert_non_null(strstr(t, "<title>timeout 6</title>"));
	free(t);
	/* Only never answered: the charts, and no "nothing found". */
	fx_t *y = fx_new();
	fx_incident(y, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "c.example", 1, T0);
	s = fx_render(y, rp_html);
	assert_page(s);
	assert_non_null(strstr(s, "<h3>Causes (SERVFAIL"));
	assert_null(strstr(s, "No SERVFAIL, and"));
	fx_free(y);
}

/* The example's attempts, twelve at most, the rest counted; the steps. */
static void evidence_block(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_BLOCKED_PORT, "tcp_reset", "example.com",
		   "www.example.com", T0 + 2 * SEC, 3);
	for (int i = 0; i < 14; i++) {
		vd_upstream_t *u = fx_attempt(v, "192.0.2.5", VD_OUT_TCP_RESET, T0 + i * MS);
		u->transport = DB_PROTO_TCP;
	}
	v->capture_loss = 3;
	fx_add(x, v);
	free(v);
	const char *s = fx_render(x, rp_html);
	assert_page(s);
	char *pre = between(s, "<pre>", "</pre>");
	assert_int_equal(fx_count(pre, "192.0.2.5 tcp www.example.com. A: tcp_reset\n"), 12);
	assert_non_null(strstr(pre, "\n... 14 attempts in all (JSON report)\n"));
	free(pre);
	assert_non_null(strstr(s, " (the capture dropped 3 packets meanwhile).</p>\n"));
	assert_non_null(strstr(s, "<p>Next steps:</p>\n<pre>dig +norec @192.0.2.5 "
				  "www.example.com. A    (from the resolver host 10.0.0.1)\n"));
}

/* Ten servers in the table and chart; the others counted. */
static void servers_bounded(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	char srv[32];
	for (int i = 1; i <= 13; i++) {
		fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "example.com",
			   "example.com", T0 + i * SEC, i);
		snprintf(srv, sizeof(srv), "192.0.2.%d", i);
		fx_attempt(v, srv, VD_OUT_TIMEOUT, T0 + i * SEC - 100 * MS);
		fx_add(x, v);
	}
	free(v);
	db_addr_t a;
	fx_addr(&a, "192.0.2.1");
	tally_attempt(&x->ty, &a, T0, 1, 1000, 0);
	tally_attempt(&x->ty, &a, T0, 0, 0, 1);
	const char *s = fx_render(x, rp_html);
	assert_page(s);
	char *t = between(s, "<h2>Upstream servers that failed</h2>", "</table>");
	assert_int_equal(fx_count(t, "<tr><td><code>"), 10);
	assert_non_null(strstr(t,
			       "<tr><td><code>192.0.2.1</code></td><td class=\"n\">1</td>"
			       "<td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">1</td>"
			       "<td class=\"n\">1</td><td class=\"n\">1.0 ms</td><td "
			       "class=\"n\">1.0 ms</td></tr>\n"));
	assert_non_null(strstr(t, "<tr><td><code>192.0.2.2</code></td><td class=\"n\">1</td>"
				  "<td>-</td>"));
	assert_null(strstr(t, "192.0.2.11<"));
	free(t);
	assert_non_null(strstr(s, "<p>3 more servers: see the JSON report.</p>\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(empty_page, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_strings_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(incidents_ranked, setup, teardown),
		cmocka_unit_test_setup_teardown(charts_are_the_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(evidence_block, setup, teardown),
		cmocka_unit_test_setup_teardown(servers_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
