/*
 * test_markdown.c - the report as Markdown for a ticket (report/markdown.c):
 * the header table, the incidents table largest first, each of the five
 * largest with its example, evidence and next steps in fenced blocks, the
 * zones and servers, transport trouble; names from the wire only in code
 * spans (a backtick or a pipe could not end one there), the explanation
 * escaped.  The input is built by hand (rpfixture.h).
 */
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

/* Unescaped pipes on a line: the cells of a table row, plus one. */
static size_t pipes(const char *line)
{
	size_t n = 0;
	for (const char *p = line; *p && *p != '\n'; p++)
		n += *p == '|' && (p == line || p[-1] != '\\');
	return n;
}

/* Every row of the table whose header line starts with head has as many
 * cells as the header; returns the number of rows. */
static size_t table_rows(const char *s, const char *head)
{
	const char *h = strstr(s, head);
	assert_non_null(h);
	size_t cells = pipes(h), rows = 0;
	const char *p = strchr(h, '\n') + 1;
	/* The delimiter row, then the rows until a line that is not one. */
	assert_int_equal(pipes(p), cells);
	for (p = strchr(p, '\n') + 1; *p == '|'; p = strchr(p, '\n') + 1) {
		assert_int_equal(pipes(p), cells);
		rows++;
	}
	return rows;
}

/* Fenced blocks open with a language and close bare, in turn. */
static void assert_fences(const char *s)
{
	int open = 0;
	for (const char *p = s; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		if (strncmp(p, "```", 3) != 0)
			continue;
		if (open)
			assert_true(p[3] == '\n');
		else
			assert_true(p[3] != '\n' && p[3] != 0);
		open = !open;
	}
	assert_false(open);
}

static void header_table(void **state)
{
	fx_t *x = *state;
	static const char *const files[] = { "a.pcap", "b|`c`.pcap" };
	x->in.files = files;
	x->in.nfiles = 2;
	x->in.host = "ns1";
	x->in.command = "dnsblame -r a.pcap --format markdown";
	const char *s = fx_render(x, rp_markdown);
	assert_int_equal(strncmp(s,
				 "# dnsblame: why the resolver answered SERVFAIL\n\n"
				 "| | |\n|---|---|\n"
				 "| host | `ns1` |\n"
				 "| command | `dnsblame -r a.pcap --format markdown` |\n"
				 "| filter | `(none)` |\n"
				 "| capture | `a.pcap` |\n"
				 "| capture | `b!'c'.pcap` |\n"
				 "| time | 2023-11-14T22:13:20.000000Z .. "
				 "2023-11-14T22:14:20.000000Z |\n"
				 "| packets | 100 |\n"
				 "| vantage | resolver-host |\n"
				 "| dnsblame | " DNSBLAME_VERSION " |\n",
				 strlen("# dnsblame: why the resolver answered SERVFAIL\n\n"
					"| | |\n|---|---|\n"
					"| host | `ns1` |\n"
					"| command | `dnsblame -r a.pcap --format markdown` |\n"
					"| filter | `(none)` |\n"
					"| capture | `a.pcap` |\n"
					"| capture | `b!'c'.pcap` |\n"
					"| time | 2023-11-14T22:13:20.000000Z .. "
					"2023-11-14T22:14:20.000000Z |\n"
					"| packets | 100 |\n"
					"| vantage | resolver-host |\n"
					"| dnsblame | " DNSBLAME_VERSION " |\n")),
			 0);
	assert_int_equal(table_rows(s, "| | |"), 9);
	/* Nothing found: said in a sentence, no empty table. */
	assert_non_null(strstr(s, "\nNo SERVFAIL, and no client query left unanswered.\n"));
	assert_null(strstr(s, "\n## "));
	/* Live: the interface and the kernel's counts. */
	x->in.iface = "eth0";
	x->cap.live = 1;
	x->cap.kernel_received = 10;
	x->cap.interface_drops = 2;
	x->in.filter = "port 53";
	s = fx_render(x, rp_markdown);
	assert_non_null(strstr(s, "\n| interface | `eth0` |\n"));
	assert_non_null(strstr(s, "\n| filter | `port 53` |\n"));
	assert_non_null(
	    strstr(s, "\n| kernel | 10 received, 0 dropped, 2 dropped by the interface |\n"));
	/* Drops are transport trouble. */
	assert_non_null(strstr(s, "\n## Transport trouble and limits\n\n- 2 packets the capture "
				  "dropped\n"));
}

/* Incidents largest first in a table whose every row has its cells; the
 * five largest in detail under headings of their own. */
static void incidents_table(void **state)
{
	fx_t *x = *state;
	char zone[32];
	for (int i = 0; i < 23; i++) {
		snprintf(zone, sizeof(zone), "z%02d.example", i);
		fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", zone,
			    (size_t)(i + 1), T0 + i * SEC);
	}
	fx_incident(x, VD_KIND_UNANSWERED, VD_BLOCKED_PORT, "icmp_port_unreachable", "u.example", 2,
		    T0);
	const char *s = fx_render(x, rp_markdown);
	assert_fences(s);
	/* 1 + 2 + ... + 23 = 276. */
	assert_non_null(strstr(s, "\n## SERVFAILs sent by resolvers: 276\n\n| # | zone | cause |"));
	assert_int_equal(table_rows(s, "| # | zone | cause |"), 20);
	assert_non_null(strstr(s, "\n| 1 | `z22.example.` | timeout | all_servers_silent | 23 | "
				  "2023-11-14T22:13:42.000000Z | 2023-11-14T22:14:04.000000Z | 23 "
				  "| `192.0.2.1` | upstream 23 |\n"));
	assert_non_null(strstr(s, "\n| 20 | `z03.example.` |"));
	/* 1 + 2 + 3: the three smallest. */
	assert_non_null(strstr(s, "\n6 more in 3 smaller incidents: see the JSON report.\n"));
	for (int i = 1; i <= 5; i++) {
		char h[32];
		snprintf(h, sizeof(h), "\n### SERVFAIL %d: `", i);
		assert_int_equal(fx_count(s, h), 1);
	}
	assert_null(strstr(s, "### SERVFAIL 6"));
	assert_non_null(strstr(s, "\n## Client queries never answered: 2\n"));
	assert_non_null(strstr(s, "\n### Never answered 1: `u.example.` "
				  "blocked_port/icmp_port_unreachable\n"));
	assert_int_equal(fx_count(s, "\nNext steps:\n\n```sh\n"), 6);
	/* Zones: ten of 24, each row whole. */
	assert_int_equal(table_rows(s, "| zone | SERVFAILs | never answered |"), 10);
	assert_non_null(strstr(s, "\n14 more zones: see the incidents of the JSON report.\n"));
}

/* A name may hold a backtick or a pipe: replaced inside the code span, so
 * the span and the table cell end where they should. */
static void hostile_names_stay_in_code(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a`b|c.``|`",
		   "x|y.```.a`b|c.``|`", T0, 1);
	fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, T0 - 400 * MS);
	fx_add(x, v);
	free(v);
	x->in.input_error = "cut`here|";
	const char *s = fx_render(x, rp_markdown);
	assert_fences(s);
	assert_int_equal(table_rows(s, "| # | zone | cause |"), 1);
	assert_non_null(strstr(s, "\n| 1 | `a'b!c.''!'.` | timeout |"));
	assert_non_null(strstr(s, "\n### SERVFAIL 1: `a'b!c.''!'.` timeout/all_servers_silent\n"));
	assert_non_null(strstr(s, "\nExample: `x!y.'''.a'b!c.''!'.` A from `10.0.0.1` at "));
	assert_int_equal(table_rows(s, "| zone | SERVFAILs |"), 1);
	assert_non_null(strstr(s, "\n## Input damaged\n\n`cut'here!`\n"));
	/* Outside the fenced blocks (where backticks are only text), the
	 * unescaped backticks of a line pair up into code spans. */
	int fenced = 0;
	for (const char *p = s; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, "```", 3)) {
			fenced = !fenced;
		} else if (!fenced) {
			size_t n = 0;
			for (const char *q = p; *q && *q != '\n'; q++)
				n += *q == '`' && (q == p || q[-1] != '\\');
			assert_int_equal(n % 2, 0);
		}
		if (!strchr(p, '\n'))
			break;
	}
}

/* The explanation is plain text on its own quoted line: emphasis, links,
 * code and HTML from a name are escaped. */
static void explanation_escaped(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "*b*_i_[l](u)<img>",
		   "www", T0, 1);
	fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, T0 - 400 * MS);
	v->ede_disagrees = 1;
	fx_add(x, v);
	free(v);
	const char *s = fx_render(x, rp_markdown);
	assert_non_null(strstr(s, "\n> 1 queries of the resolver to the servers of "
				  "\\*b\\*\\_i\\_\\[l](u)&lt;img>. got no answer before it gave "
				  "up. The resolver's own EDE says otherwise.\n"));
	/* A backslash in a name is escaped too: \\ becomes \\\\. */
	v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "b\\s", "www", T0, 2);
	fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, T0 - 400 * MS);
	fx_add(x, v);
	free(v);
	s = fx_render(x, rp_markdown);
	assert_non_null(strstr(s, "servers of b\\\\\\\\s. got no answer"));
}

/* The example's attempts in a text block, eight at most; the next steps
 * in a shell block, with the server that failed. */
static void evidence_and_steps(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_UPSTREAM_ERROR, "refused", "example.com",
		   "www.example.com", T0 + SEC, 4);
	for (int i = 0; i < 10; i++)
		fx_attempt(v, "192.0.2.9", VD_OUT_ERROR, T0 + i * MS)->rcode = DNS_R_REFUSED;
	fx_add(x, v);
	free(v);
	const char *s = fx_render(x, rp_markdown);
	assert_fences(s);
	const char *e = strstr(s, "\nEvidence (10 upstream attempts, the first shown):\n\n```text\n"
				  "2023-11-14T22:13:20.000000Z  192.0.2.9 udp www.example.com. A: "
				  "error REFUSED\n");
	assert_non_null(e);
	const char *end = strstr(e + 1, "\n```\n");
	assert_non_null(end);
	size_t n = 0;
	for (const char *p = strstr(e, "```text\n") + 8; p < end; p = strchr(p, '\n') + 1)
		n++;
	assert_int_equal(n, 8);
	assert_non_null(strstr(s, "\nNext steps:\n\n```sh\ndig +norec @192.0.2.9 www.example.com. A"
				  "    (the server's own answer)\n"));
	/* Few attempts: all of them, and no "first shown". */
	fx_t *y = fx_new();
	v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "example.com",
		   "www.example.com", T0 + SEC, 4);
	fx_attempt(v, "192.0.2.9", VD_OUT_TIMEOUT, T0);
	fx_add(y, v);
	free(v);
	s = fx_render(y, rp_markdown);
	assert_non_null(strstr(s, "\nEvidence (1 upstream attempts):\n\n```text\n"));
	fx_free(y);
}

/* Servers that failed: every query to them, round trips. */
static void servers_table(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 3, T0);
	db_addr_t a;
	fx_addr(&a, "192.0.2.1");
	for (int k = 0; k < 5; k++)
		tally_attempt(&x->ty, &a, T0, k < 4, 4000, 0);
	const char *s = fx_render(x, rp_markdown);
	assert_int_equal(table_rows(s, "| server | verdicts |"), 1);
	assert_non_null(strstr(s, "\n| `192.0.2.1` | 3 | 5 | 4 | 1 | 0 | 4.1 ms | 4.1 ms |\n"));
}

static void trouble_and_damage(void **state)
{
	fx_t *x = *state;
	x->an.icmp_errors = 4;
	x->an.tcp_rst = 1;
	x->an.txn.evicted = 2;
	x->an.events_lost = 3;
	x->in.input_error = "a.pcap: truncated";
	const char *s = fx_render(x, rp_markdown);
	assert_non_null(strstr(s, "\n## Transport trouble and limits\n\n"
				  "- 4 ICMP errors quoting DNS traffic\n"
				  "- 1 TCP resets on port 53\n"
				  "- 2 transactions evicted (--max-transactions)\n"
				  "- 3 transport events lost (--max-transactions)\n"));
	assert_non_null(strstr(s, "\n## Input damaged\n\n`a.pcap: truncated`\n\nEverything "
				  "before the damage is counted above.\n"));
	fx_write_fails(x, rp_markdown);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(header_table, setup, teardown),
		cmocka_unit_test_setup_teardown(incidents_table, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_names_stay_in_code, setup, teardown),
		cmocka_unit_test_setup_teardown(explanation_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(evidence_and_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(servers_table, setup, teardown),
		cmocka_unit_test_setup_teardown(trouble_and_damage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
