/*
 * test_text.c - the plain-text report (report/text.c): the header, the
 * incidents largest first with counts that add up, the examples with their
 * evidence and next steps, the servers, transport trouble and limits, no
 * control byte from the wire on a terminal, and the interim and interval
 * blocks.  The input is built by hand (rpfixture.h).
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

static void header_lines(void **state)
{
	fx_t *x = *state;
	static const char *const files[] = { "/captures/a.pcap", "/captures/b.pcap.gz" };
	x->in.files = files;
	x->in.nfiles = 2;
	x->in.host = "ns1.example.net";
	x->in.command = "dnsblame -r /captures/a.pcap -r /captures/b.pcap.gz";
	fx_addr(&x->in.resolvers[0], "10.0.0.1");
	fx_addr(&x->in.resolvers[1], "2001:db8::53");
	x->in.nresolvers = 2;
	x->cap.truncated_packets = 3;
	const char *s = fx_render(x, rp_text);
	assert_int_equal(strncmp(s,
				 "dnsblame " DNSBLAME_VERSION ": why the resolver answered "
				 "SERVFAIL\n",
				 strlen("dnsblame " DNSBLAME_VERSION ": why the resolver answered "
					"SERVFAIL\n")),
			 0);
	assert_non_null(strstr(s, "\nhost        ns1.example.net\n"));
	assert_non_null(strstr(s, "\ncommand     dnsblame -r /captures/a.pcap -r "
				  "/captures/b.pcap.gz\n"));
	assert_non_null(strstr(s, "\nfilter      (none)\n"));
	assert_non_null(strstr(s, "\ncapture     /captures/a.pcap\n"
				  "            /captures/b.pcap.gz\n"));
	assert_non_null(strstr(s, "\ntime        2023-11-14T22:13:20.000000Z .. "
				  "2023-11-14T22:14:20.000000Z (60.000 s)\n"));
	assert_non_null(strstr(s, "\npackets     100 (3 cut by snaplen)\n"));
	assert_non_null(
	    strstr(s, "\nvantage     resolver-host; resolvers 10.0.0.1, 2001:db8::53\n"));
	assert_null(strstr(s, "interface"));
	/* An empty filter is no filter; a live capture names its interface
	 * and the kernel's counts. */
	x->in.filter = "";
	x->in.files = NULL;
	x->in.nfiles = 0;
	x->in.iface = "eth0";
	x->cap.live = 1;
	x->cap.kernel_received = 1000;
	x->cap.kernel_drops = 7;
	s = fx_render(x, rp_text);
	assert_non_null(strstr(s, "\nfilter      (none)\n"));
	assert_non_null(strstr(s, "\ninterface   eth0\n"));
	assert_null(strstr(s, "capture    "));
	assert_non_null(strstr(s, "; kernel: 1000 received, 7 dropped, 0 dropped by the interface "
				  "(verdicts may lack evidence)"));
	x->in.filter = "udp port 53 or icmp";
	s = fx_render(x, rp_text);
	assert_non_null(strstr(s, "\nfilter      udp port 53 or icmp\n"));
}

/* Seconds under two minutes, minutes under two hours, hours beyond; no
 * time line without a packet. */
static void duration_units(void **state)
{
	fx_t *x = *state;
	static const struct {
		db_time_t span;
		const char *want;
	} rows[] = {
		{ 1500, "(0.002 s)" },      { 119 * SEC, "(119.000 s)" },
		{ 120 * SEC, "(2.0 min)" }, { 7199 * SEC, "(120.0 min)" },
		{ 7200 * SEC, "(2.0 h)" },  { 36 * 3600 * SEC, "(36.0 h)" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		x->cap.last_ts = T0 + rows[i].span;
		assert_non_null(strstr(fx_render(x, rp_text), rows[i].want));
	}
	x->cap.packets = 0;
	assert_null(strstr(fx_render(x, rp_text), "\ntime"));
}

/* No verdict: no incident heading, and none of the sections that only
 * print when there is something to say. */
static void empty_report_is_short(void **state)
{
	fx_t *x = *state;
	const char *s = fx_render(x, rp_text);
	assert_null(strstr(s, "SERVFAILs sent"));
	assert_null(strstr(s, "never answered"));
	assert_null(strstr(s, "Zones"));
	assert_null(strstr(s, "Upstream servers"));
	assert_null(strstr(s, "Transport trouble"));
	assert_null(strstr(s, "Limits reached"));
	assert_null(strstr(s, "Input damaged"));
	assert_null(strstr(s, "rcodes"));
	assert_non_null(strstr(s, "\n  messages  0 (0 queries, 0 responses; 0 over TCP)\n"));
	assert_non_null(strstr(s, "\n  queries   0 answered, 0 unanswered within 30 s\n"));
}

/* Incidents largest first, ties to the earlier; the heading's count and
 * causes are the summary's. */
static void incidents_ranked(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 5, T0);
	fx_incident(x, VD_KIND_SERVFAIL, VD_BLOCKED_PORT, "icmp_port_unreachable", "b.example", 2,
		    T0 + SEC);
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "c.example", 5,
		    T0 + 2 * SEC);
	fx_incident(x, VD_KIND_SERVFAIL, VD_TRUNCATION, "fragment_loss", "d.example", 7,
		    T0 + 3 * SEC);
	const char *s = fx_render(x, rp_text);
	assert_non_null(strstr(s, "\nSERVFAILs sent by resolvers: 19 (timeout 10, blocked_port 2, "
				  "truncation 7)\n"));
	const char *p1 = strstr(s, "  #1 d.example. truncation/fragment_loss: 7 from "),
		   *p2 = strstr(s, "  #2 a.example. timeout/all_servers_silent: 5 from "),
		   *p3 = strstr(s, "  #3 c.example. timeout/all_servers_silent: 5 from "),
		   *p4 = strstr(s, "  #4 b.example. blocked_port/icmp_port_unreachable: 2 from ");
	assert_non_null(p1);
	assert_non_null(p2);
	assert_non_null(p3);
	assert_non_null(p4);
	assert_true(p1 < p2 && p2 < p3 && p3 < p4);
	char line[512];
	/* First and last time, clients, servers, via. */
	assert_non_null(fx_line(s, "  #2 a.example.", line, sizeof(line)));
	assert_string_equal(line, "  #2 a.example. timeout/all_servers_silent: 5 from "
				  "2023-11-14T22:13:20.000000Z to 22:13:24, 5 clients; servers "
				  "192.0.2.1; upstream 5");
	assert_null(strstr(s, "more in"));
	/* The zones: most failures first. */
	const char *z = strstr(s, "\nZones\n");
	assert_non_null(z);
	assert_true(strstr(z, "d.example.") < strstr(z, "a.example."));
}

/* Twenty incidents listed; the rest are counted on one line. */
static void more_than_twenty_incidents(void **state)
{
	fx_t *x = *state;
	char zone[32];
	uint64_t total = 0;
	for (int i = 0; i < 25; i++) {
		snprintf(zone, sizeof(zone), "z%02d.example", i);
		fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", zone,
			    (size_t)(i + 1), T0 + i * SEC);
		total += (uint64_t)i + 1;
	}
	const char *s = fx_render(x, rp_text);
	char want[64];
	snprintf(want, sizeof(want), "SERVFAILs sent by resolvers: %llu (timeout %llu)",
		 (unsigned long long)total, (unsigned long long)total);
	assert_non_null(strstr(s, want));
	assert_non_null(strstr(s, "  #1 z24.example. "));
	assert_non_null(strstr(s, "  #20 z05.example. "));
	assert_null(strstr(s, "  #21 "));
	/* The five smallest: 1 + 2 + 3 + 4 + 5. */
	assert_non_null(strstr(s, "\n  ... 15 more in 5 smaller incidents (--format json)\n"));
	/* The five largest have their example; the sixth has none. */
	assert_non_null(strstr(s, "\n  #5 z20.example. timeout/all_servers_silent\n"));
	assert_null(strstr(s, "\n  #6 z19.example. timeout/all_servers_silent\n"));
	assert_int_equal(fx_count(s, "    example  "), 5);
	assert_int_equal(fx_count(s, "    next     "), 5);
	/* Ten zones of 25 listed. */
	assert_non_null(strstr(s, "\n  ... 15 more zones (their incidents: --format json)\n"));
}

/* The example: its query, explanation, evidence (six attempts at most)
 * and next steps naming the server that failed. */
static void example_evidence_and_steps(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_BLOCKED_PORT, "icmp_port_unreachable", "example.com",
		   "www.example.com", T0 + 2 * SEC, 9);
	for (int i = 0; i < 8; i++) {
		vd_upstream_t *u = fx_attempt(v, i % 2 ? "192.0.2.2" : "192.0.2.1", VD_OUT_ICMP,
					      T0 + i * 100 * MS);
		u->icmp_version = 4;
		u->icmp_type = 3;
		u->icmp_code = 3;
	}
	v->capture_loss = 12;
	fx_add(x, v);
	free(v);
	const char *s = fx_render(x, rp_text);
	assert_non_null(strstr(s,
			       "\n  #1 example.com. blocked_port/icmp_port_unreachable\n"
			       "    example  2023-11-14T22:13:22.000000Z www.example.com. A udp "
			       "from 10.0.0.9:40009, icmp_port_unreachable (high)\n"
			       "             The network refused the resolver's queries to "
			       "192.0.2.2 (example.com.): icmp_port_unreachable.\n"
			       "             (the capture dropped 12 packets meanwhile: evidence "
			       "may be missing)\n"
			       "    evidence 2023-11-14T22:13:20.000000Z  192.0.2.1 udp "
			       "www.example.com. A: icmp port-unreachable\n"));
	assert_int_equal(fx_count(s, ": icmp port-unreachable\n"), 6);
	assert_non_null(strstr(s, "\n             ... 8 attempts in all (--format json)\n"));
	assert_non_null(strstr(s, "\n    next     dig +norec @192.0.2.1 www.example.com. A    "
				  "(from the resolver host 10.0.0.1)\n"));
	/* A repeat's via is said after its detail. */
	v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "example.org",
		   "www.example.org", T0 + 3 * SEC, 3);
	v->via = VD_VIA_FAILURE_CACHE;
	v->confidence = VD_MEDIUM;
	fx_add(x, v);
	free(v);
	s = fx_render(x, rp_text);
	assert_non_null(strstr(s, "from 10.0.0.3:40003, all_servers_silent, via failure_cache "
				  "(medium)\n"));
}

/* A label may hold any byte: none of the control bytes reaches the
 * terminal (an ESC could recolour or retitle it), with or without colour. */
static void control_bytes_never_printed(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent",
		   "\x1b]0;owned\x07.\x1b[2J\r\n", "a\x1b[31mred\x7f\x01.\x1b[2J\r\n", T0, 4);
	fx_attempt(v, "192.0.2.1", VD_OUT_TIMEOUT, T0 - 400 * MS);
	fx_add(x, v);
	free(v);
	for (int color = 0; color < 2; color++) {
		x->in.color = color;
		const char *s = fx_render(x, rp_text);
		for (size_t i = 0; i < x->len; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == 0x1b) {
				/* Only our own SGR sequences: ESC [ digits m. */
				assert_true(color);
				assert_int_equal(s[i + 1], '[');
				size_t k = i + 2;
				while (s[k] >= '0' && s[k] <= '9')
					k++;
				assert_true(k > i + 2);
				assert_int_equal(s[k], 'm');
				continue;
			}
			assert_true(c == '\n' || (c >= 0x20 && c != 0x7f));
		}
		/* The escapes are visible instead. */
		assert_non_null(strstr(s, "\\027]0;owned\\007.\\027[2j\\013\\010."));
		assert_non_null(strstr(s, "a\\027[31mred\\127\\001."));
		if (color) {
			assert_non_null(strstr(s, "\033[1mSERVFAILs sent by resolvers: 1\033[0m"));
			assert_non_null(strstr(s, "\033[31mtimeout/all_servers_silent\033[0m"));
		}
	}
}

static void kinds_have_their_headings(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "u.example", 3, T0);
	fx_incident(x, VD_KIND_PENDING, VD_UNKNOWN, "attempts_pending", "p.example", 2, T0);
	const char *s = fx_render(x, rp_text);
	assert_null(strstr(s, "SERVFAILs sent"));
	const char *u = strstr(s, "\nClient queries the resolvers never answered: 3 (timeout 3)\n"
				  "  #1 u.example. timeout/all_servers_silent: 3 from "),
		   *p = strstr(s, "\nClient queries still unanswered when the capture ended "
				  "(tentative: their answer may have come later): 2 (unknown 2)\n"
				  "  #1 p.example. unknown/attempts_pending: 2 from ");
	assert_non_null(u);
	assert_non_null(p);
	assert_true(u < p);
	/* The zones table counts SERVFAILs and never answered, not pending. */
	char line[256];
	assert_non_null(fx_line(strstr(s, "\nZones\n"), "  u.example.", line, sizeof(line)));
	assert_non_null(strstr(line, "u.example.                               0          3  "));
}

/* Every query to a server that failed: answered, unanswered, ICMP and
 * round trips; at most ten servers. */
static void servers_table(void **state)
{
	fx_t *x = *state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	char srv[32];
	for (int i = 1; i <= 12; i++) {
		fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "example.com",
			   "example.com", T0 + i * SEC, i);
		snprintf(srv, sizeof(srv), "192.0.2.%d", i);
		/* Server i named by i verdicts. */
		for (int k = 0; k < i; k++) {
			v->n_up = 0;
			fx_attempt(v, srv, VD_OUT_TIMEOUT, T0 + i * SEC - 100 * MS);
			fx_add(x, v);
		}
	}
	free(v);
	db_addr_t a;
	fx_addr(&a, "192.0.2.12");
	for (int k = 0; k < 10; k++)
		tally_attempt(&x->ty, &a, T0, k < 8, 2000, k == 9);
	const char *s = fx_render(x, rp_text);
	const char *t = strstr(s, "\nUpstream servers that failed");
	assert_non_null(t);
	char line[256];
	assert_non_null(fx_line(t, "  192.0.2.12 ", line, sizeof(line)));
	assert_string_equal(line, "  192.0.2.12                                    12       10  "
				  "      8          2      1    2.0 ms    2.0 ms");
	/* Not followed: dashes. */
	assert_non_null(fx_line(t, "  192.0.2.11 ", line, sizeof(line)));
	assert_string_equal(line, "  192.0.2.11                                    11        -  "
				  "      -          -      -         -         -");
	assert_true(strstr(t, "  192.0.2.12 ") < strstr(t, "  192.0.2.3 "));
	assert_null(strstr(t, "  192.0.2.2 "));
	assert_null(strstr(t, "  192.0.2.1 "));
	assert_non_null(strstr(t, "\n  ... 2 more servers (--format json)\n"));
}

static void trouble_limits_damage(void **state)
{
	fx_t *x = *state;
	x->an.icmp_errors = 4;
	x->an.tcp_syn_unanswered = 2;
	x->an.txn.evicted = 9;
	x->cap.frag_evicted = 1;
	x->an.model_breaks_evicted = 3;
	x->an.dns_responses = 3;
	x->an.rcodes[DNS_R_NOERROR] = 1;
	x->an.rcodes[DNS_R_SERVFAIL] = 1;
	x->an.rcodes[16] = 1;
	x->in.input_error = "b.pcap: truncated record at byte 4096";
	x->ty.groups_dropped = 5;
	x->ty.health_forgotten = 7;
	const char *s = fx_render(x, rp_text);
	assert_non_null(strstr(s, "\n  rcodes    NOERROR 1 SERVFAIL 1 BADVERS 1\n"));
	assert_non_null(strstr(s, "\nTransport trouble\n"
				  "  4 ICMP errors quoting DNS traffic\n"
				  "  2 TCP connections to port 53 never answered\n"));
	assert_null(strstr(s, "TCP resets"));
	assert_non_null(strstr(s, "\nLimits reached (verdicts may lack evidence)\n"
				  "  9 transactions evicted (--max-transactions)\n"
				  "  1 fragment trains evicted (--max-fragments)\n"
				  "  3 proven DNSSEC breaks forgotten (4,096 kept)\n"));
	assert_non_null(strstr(s, "\n(5 verdicts counted only by cause: more than 4096 "
				  "incidents)\n"));
	assert_non_null(strstr(s, "\n(queries counted while a server was followed: 7 idle "
				  "servers were let go to follow\n"));
	assert_non_null(strstr(s, "\nInput damaged: b.pcap: truncated record at byte 4096\n"
				  "(everything before the damage is counted above)\n"));
}

static void write_failure_reported(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 2, T0);
	fx_write_fails(x, rp_text);
	rp_period_t p = { T0, T0 + 10 * SEC, (const uint64_t(*)[VD_NCAUSES])x->an.by_cause };
	FILE *f = fopen("/dev/null", "r");
	assert_non_null(f);
	assert_int_equal(rp_text_interim(f, &x->in), -1);
	assert_int_equal(rp_text_stats(f, &x->in, &p), -1);
	fclose(f);
}

/* SIGUSR1: the counts so far, two kinds, causes with a count. */
static void interim_lines(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 2, T0);
	fx_incident(x, VD_KIND_SERVFAIL, VD_DNSSEC, "bad_signature", "b.example", 1, T0);
	x->an.dns_messages = 50;
	assert_string_equal(fx_render(x, rp_text_interim),
			    "dnsblame: interim: 100 packets, 50 DNS messages\n"
			    "dnsblame: interim: SERVFAIL 3, timeout 2, dnssec_validation 1\n"
			    "dnsblame: interim: never answered 0\n");
	x->cap.live = 1;
	x->cap.kernel_received = 90;
	x->cap.kernel_drops = 1;
	assert_non_null(strstr(fx_render(x, rp_text_interim),
			       "50 DNS messages, kernel 90 received, 1 dropped, 0 dropped by the "
			       "interface\n"));
}

/* --interval: what the span added, and the totals. */
static void interval_block(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 2, T0);
	uint64_t before[VD_NKINDS][VD_NCAUSES];
	memcpy(before, x->an.by_cause, sizeof(before));
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 3, T0);
	fx_incident(x, VD_KIND_SERVFAIL, VD_UNKNOWN, "no_cause", "b.example", 1, T0);
	fx_incident(x, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "c.example", 1, T0);
	rp_period_t p = { T0, T0 + 10 * SEC, (const uint64_t(*)[VD_NCAUSES])before };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(rp_text_stats(f, &x->in, &p), 0);
	fclose(f);
	assert_string_equal(buf, "-- 2023-11-14T22:13:20.000000Z .. 2023-11-14T22:13:30.000000Z: "
				 "100 packets\n"
				 "   SERVFAIL: 4 in the interval, 6 in all; timeout 3, unknown 1\n"
				 "   never answered: 1 in the interval, 1 in all; timeout 1\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(header_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(duration_units, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_report_is_short, setup, teardown),
		cmocka_unit_test_setup_teardown(incidents_ranked, setup, teardown),
		cmocka_unit_test_setup_teardown(more_than_twenty_incidents, setup, teardown),
		cmocka_unit_test_setup_teardown(example_evidence_and_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(control_bytes_never_printed, setup, teardown),
		cmocka_unit_test_setup_teardown(kinds_have_their_headings, setup, teardown),
		cmocka_unit_test_setup_teardown(servers_table, setup, teardown),
		cmocka_unit_test_setup_teardown(trouble_limits_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(write_failure_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(interim_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(interval_block, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
