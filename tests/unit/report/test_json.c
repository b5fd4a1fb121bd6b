/*
 * test_json.c - the JSON report, schema 3, and the NDJSON stream
 * (report/json.c, docs/JSON.md): every document valid JSON whatever bytes
 * the names, EDE texts and command line hold; the lists by kind; the counts
 * of the summary, the incidents and the timeline; members present only
 * when they mean something.  The input is built by hand (rpfixture.h); a
 * small reader below checks the syntax and finds members by path.
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

/* ---- a strict JSON reader (RFC 8259), enough to walk the reports ---------- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static int hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Past a string at p ('"'), or NULL: no raw control byte, known escapes
 * only, well-formed UTF-8 (RFC 3629 4). */
static const char *skip_string(const char *p)
{
	const unsigned char *s = (const unsigned char *)p + 1;
	for (;;) {
		unsigned c = *s;
		if (c == '"')
			return (const char *)s + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			c = s[1];
			if (c == 'u') {
				for (int i = 2; i < 6; i++)
					if (!hex((char)s[i]))
						return NULL;
				s += 6;
			} else if (strchr("\"\\/bfnrt", (int)c) && c) {
				s += 2;
			} else {
				return NULL;
			}
			continue;
		}
		if (c < 0x80) {
			s++;
			continue;
		}
		size_t n;
		unsigned lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			if (c == 0xf4)
				hi = 0x8f;
		} else
			return NULL;
		if (s[1] < lo || s[1] > hi)
			return NULL;
		for (size_t i = 2; i <= n; i++)
			if (s[i] < 0x80 || s[i] > 0xbf)
				return NULL;
		s += n + 1;
	}
}

static const char *skip_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

/* Past the value at p (after white space), or NULL when it is not JSON. */
static const char *skip_value(const char *p)
{
	p = ws(p);
	if (*p == '"')
		return skip_string(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (*p != '"' || !(p = skip_string(p)))
					return NULL;
				p = ws(p);
				if (*p++ != ':')
					return NULL;
			}
			if (!(p = skip_value(p)))
				return NULL;
			p = ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
			p = ws(p);
		}
	}
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return skip_number(p);
}

/* The whole text is one JSON value (and a newline after it, if nl). */
static void assert_json(const char *s, int nl)
{
	const char *e = skip_value(s);
	assert_non_null(e);
	if (nl)
		assert_string_equal(e, "\n");
	else
		assert_string_equal(ws(e), "");
}

/* The reader itself refuses what is not JSON, or the checks above
 * would prove nothing. */
static void reader_is_strict(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{\"a\":1,}", "[1 2]",       "{\"a\" 1}",
		"\"\x01\"",   "\"\xff\"",    "\"\xed\xa0\x80\"",
		"\"\\x\"",    "\"\\u12g4\"", "[01]",
		"tru",        "1.",          "-",
		"{1:2}",      "\"open",      "[",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *e = skip_value(bad[i]);
		assert_true(!e || *ws(e) != 0);
	}
	static const char *const good[] = {
		"{}",
		"[]",
		"{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\n\xc3\xa9\"]}",
		"0",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *e = skip_value(good[i]);
		assert_non_null(e);
		assert_int_equal(*ws(e), 0);
	}
}

/* The member key of the object at p, or NULL. */
static const char *member(const char *p, const char *key)
{
	p = ws(p);
	if (!p || *p != '{')
		return NULL;
	p = ws(p + 1);
	size_t kl = strlen(key);
	while (*p == '"') {
		const char *k = p + 1, *e = skip_string(p);
		p = ws(ws(e) + 1);
		if ((size_t)(e - 1 - k) == kl && !strncmp(k, key, kl))
			return p;
		p = ws(skip_value(p));
		if (*p == ',')
			p = ws(p + 1);
	}
	return NULL;
}

/* The i-th element of the array at p, or NULL. */
static const char *element(const char *p, size_t i)
{
	p = ws(p);
	if (!p || *p != '[')
		return NULL;
	p = ws(p + 1);
	if (*p == ']')
		return NULL;
	for (size_t k = 0; k < i; k++) {
		p = ws(skip_value(p));
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return p;
}

static size_t length(const char *p)
{
	size_t n = 0;
	while (element(p, n))
		n++;
	return n;
}

/* "summary.by_cause.timeout", "servfails.0.upstream.1.qname". */
static const char *at(const char *doc, const char *path)
{
	char part[64];
	const char *p = doc;
	while (p && *path) {
		size_t l = strcspn(path, ".");
		assert_true(l < sizeof(part));
		memcpy(part, path, l);
		part[l] = 0;
		path += l + (path[l] == '.');
		if (part[0] >= '0' && part[0] <= '9')
			p = element(p, (size_t)strtoul(part, NULL, 10));
		else
			p = member(p, part);
	}
	return p;
}

/* The value at path is the JSON text want (a string with its quotes). */
static void assert_at(const char *doc, const char *path, const char *want)
{
	const char *v = at(doc, path);
	if (!v)
		fail_msg("no %s", path);
	const char *e = skip_value(v);
	assert_non_null(e);
	char got[1024];
	size_t l = (size_t)(e - v);
	assert_true(l < sizeof(got));
	memcpy(got, v, l);
	got[l] = 0;
	assert_string_equal(got, want);
}

static uint64_t num_at(const char *doc, const char *path)
{
	const char *v = at(doc, path);
	if (!v)
		fail_msg("no %s", path);
	return strtoull(v, NULL, 10);
}

/* ---- the tests --------------------------------------------------------------- */

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

/* One NDJSON record of v. */
static char *ndjson_of(const verdict_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(rp_ndjson_verdict(f, v), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Nothing found: still every top-level member, with empty lists and the
 * nulls of an empty capture. */
static void empty_document(void **state)
{
	fx_t *x = *state;
	x->cap.packets = 0;
	const char *s = fx_render(x, rp_json);
	assert_json(s, 1);
	assert_at(s, "tool", "\"dnsblame\"");
	assert_at(s, "version", "\"" DNSBLAME_VERSION "\"");
	assert_at(s, "schema", "3");
	assert_at(s, "capture.first_ts", "null");
	assert_at(s, "capture.last_ts", "null");
	assert_at(s, "capture.filter", "null");
	assert_at(s, "capture.files", "[]");
	assert_at(s, "capture.vantage", "\"resolver-host\"");
	assert_at(s, "capture.rcodes", "{}");
	assert_at(s, "summary.servfails", "0");
	assert_at(s, "summary.by_cause", "{}");
	static const char *const lists[] = { "servfails", "unanswered",       "pending",
					     "incidents", "upstream_servers", "timeline.buckets" };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		assert_at(s, lists[i], "[]");
	assert_at(s, "timeline.bucket_s", "10");
	assert_at(s, "limits.window_s", "30.000");
	assert_non_null(at(s, "transactions.total"));
	assert_non_null(at(s, "events.cut_dns_messages"));
	assert_non_null(at(s, "left_out.verdicts_before_timeline"));
	/* Members that only a live capture, an audit or a broken input has. */
	assert_null(at(s, "capture.kernel_received"));
	assert_null(at(s, "capture.input_error"));
	assert_null(at(s, "capture.interface"));
	assert_null(at(s, "capture.host"));
	assert_null(at(s, "dnssec_audit"));
}

/* Whatever bytes the command line, the names and the EDE texts hold, the
 * document is valid JSON with those bytes escaped. */
static void hostile_bytes_escaped(void **state)
{
	fx_t *x = *state;
	static const char *const files[] = { "a\"b\\c\n.pcap", "\xff\xfe.pcap" };
	x->in.files = files;
	x->in.nfiles = 2;
	x->in.host = "h\x01st";
	x->in.command = "dnsblame -r 'a\"b\\c\n.pcap' \xc3\x28";
	x->in.filter = "port 53 and \"\t\"";
	x->in.input_error = "cut at \xed\xa0\x80";
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_DNSSEC, "bogus", "z\"one\\", "a\"b\\c.\xff\x1f</script>",
		   T0, 1);
	v->n_ede = 2;
	v->ede[0].code = 6;
	strcpy(v->ede[0].text, "say \"hi\"\n\xff");
	v->ede[1].code = 9;
	strcpy(v->ede[1].text, "\xe2\x82\xac ok");
	fx_add(x, v);
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass ? fx_render(x, rp_ndjson) : fx_render(x, rp_json);
		assert_json(s, 1);
		assert_at(s, "capture.files.0", "\"a\\\"b\\\\c\\u000a.pcap\"");
		assert_at(s, "capture.files.1", "\"\\ufffd\\ufffd.pcap\"");
		assert_at(s, "capture.host", "\"h\\u0001st\"");
		assert_at(s, "capture.command",
			  "\"dnsblame -r 'a\\\"b\\\\c\\u000a.pcap' \\ufffd(\"");
		assert_at(s, "capture.filter", "\"port 53 and \\\"\\u0009\\\"\"");
		assert_at(s, "capture.input_error", "\"cut at \\ufffd\\ufffd\\ufffd\"");
		const char *ex = pass ? "incidents.0.example" : "servfails.0";
		char path[64];
		snprintf(path, sizeof(path), "%s.qname", ex);
		/* The name printer escapes the backslash and the bytes it
		 * cannot print; JSON escapes the rest. */
		assert_at(s, path, "\"a\\\"b\\\\\\\\c.\\\\255\\\\031</script>.\"");
		snprintf(path, sizeof(path), "%s.zone", ex);
		assert_at(s, path, "\"z\\\"one\\\\\\\\.\"");
		snprintf(path, sizeof(path), "%s.ede.0.text", ex);
		assert_at(s, path, "\"say \\\"hi\\\"\\u000a\\ufffd\"");
		snprintf(path, sizeof(path), "%s.ede.1.text", ex);
		assert_at(s, path, "\"\xe2\x82\xac ok\"");
		snprintf(path, sizeof(path), "%s.ede.1.code", ex);
		assert_at(s, path, "9");
	}
	char *line = ndjson_of(v);
	assert_json(line, 1);
	free(line);
	free(v);
}

/* Each verdict in the list of its kind: SERVFAILs and never answered
 * from the latest kept, pending from their own list. */
static void lists_by_kind(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 3, T0);
	fx_incident(x, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "b.example", 2,
		    T0 + 40 * SEC);
	fx_incident(x, VD_KIND_SERVFAIL, VD_BLOCKED_PORT, "tcp_reset", "c.example", 1,
		    T0 + 50 * SEC);
	fx_incident(x, VD_KIND_PENDING, VD_UNKNOWN, "attempts_pending", "d.example", 4,
		    T0 + 60 * SEC);
	const char *s = fx_render(x, rp_json);
	assert_json(s, 1);
	assert_int_equal(length(at(s, "servfails")), 4);
	assert_int_equal(length(at(s, "unanswered")), 2);
	assert_int_equal(length(at(s, "pending")), 4);
	/* In the order they were made; no "type" in the document's lists. */
	assert_at(s, "servfails.0.qname", "\"a.example.\"");
	assert_at(s, "servfails.3.qname", "\"c.example.\"");
	assert_at(s, "unanswered.1.qname", "\"b.example.\"");
	assert_null(at(s, "servfails.0.type"));
	/* The summary counts them all, by cause. */
	assert_at(s, "summary.servfails", "4");
	assert_at(s, "summary.by_cause",
		  "{\n      \"timeout\": 3,\n      \"blocked_port\": 1\n    }");
	assert_at(s, "summary.unanswered", "2");
	assert_at(s, "summary.unanswered_by_cause.timeout", "2");
	assert_at(s, "summary.pending", "4");
	assert_at(s, "summary.pending_by_cause.unknown", "4");
}

/* The members of a verdict, and those present only when they mean
 * something. */
static void verdict_members(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TRUNCATION, "tcp_reset", "example.com",
		   "www.example.com", T0 + 2 * SEC, 7);
	v->transport = DB_PROTO_TCP;
	vd_upstream_t *u = fx_attempt(v, "192.0.2.1", VD_OUT_TRUNCATED, T0 + 1600 * MS);
	u->tc = 1;
	u->aa = 1;
	u->rcode = DNS_R_NOERROR;
	/* A TCP connection that carried no query: no qname, no qtype. */
	u = fx_attempt(v, "192.0.2.1", VD_OUT_TCP_RESET, T0 + 1700 * MS);
	u->transport = DB_PROTO_TCP;
	tu_name(&u->qname, ".");
	u->qtype = 0;
	u = fx_attempt(v, "2001:db8::1", VD_OUT_ICMP, T0 + 1800 * MS);
	u->icmp_version = 6;
	u->icmp_type = 1;
	u->icmp_code = 1;
	v->n_up_total = 30;
	v->capture_loss = 5;
	char *s = ndjson_of(v);
	assert_json(s, 1);
	assert_int_equal(fx_count(s, "\n"), 1);
	assert_at(s, "type", "\"servfail\"");
	assert_at(s, "time", "\"2023-11-14T22:13:22.000000Z\"");
	assert_at(s, "query_time", "\"2023-11-14T22:13:21.500000Z\"");
	assert_at(s, "latency_ms", "500.000");
	assert_at(s, "client", "\"10.0.0.7\"");
	assert_at(s, "client_port", "40007");
	assert_at(s, "resolver", "\"10.0.0.1\"");
	assert_at(s, "transport", "\"tcp\"");
	assert_at(s, "id", "4103");
	assert_at(s, "qtype", "\"A\"");
	assert_at(s, "cause", "\"truncation\"");
	assert_at(s, "detail", "\"tcp_reset\"");
	assert_at(s, "confidence", "\"high\"");
	assert_at(s, "zone", "\"example.com.\"");
	assert_at(s, "ede", "[]");
	assert_at(s, "via", "\"upstream\"");
	assert_at(s, "capture_loss", "5");
	assert_at(s, "upstream_total", "30");
	assert_int_equal(length(at(s, "upstream")), 3);
	assert_at(s, "upstream.0",
		  "{\"time\":\"2023-11-14T22:13:21.600000Z\",\"server\":\"192.0.2.1\","
		  "\"transport\":\"udp\",\"qname\":\"www.example.com.\",\"qtype\":\"A\","
		  "\"outcome\":\"truncated\",\"rcode\":\"NOERROR\",\"aa\":true,\"tc\":true,"
		  "\"referral\":false}");
	assert_at(s, "upstream.1.qname", "null");
	assert_at(s, "upstream.1.qtype", "null");
	assert_at(s, "upstream.1.outcome", "\"tcp_reset\"");
	assert_null(at(s, "upstream.1.rcode"));
	assert_at(s, "upstream.2.server", "\"2001:db8::1\"");
	assert_at(s, "upstream.2.icmp", "\"admin-prohibited\"");
	assert_null(at(s, "upstream.2.rcode"));
	assert_null(at(s, "repeats"));
	assert_null(at(s, "dnssec"));
	assert_non_null(strstr((const char *)at(s, "explanation"), "retry over TCP failed"));
	free(s);
	/* No via, no loss, no detail: absent, absent, "".  (The cause is one
	 * whose explanation does without a detail.) */
	v->via = VD_VIA_NONE;
	v->capture_loss = 0;
	v->cause = VD_UNKNOWN;
	v->detail = NULL;
	s = ndjson_of(v);
	assert_json(s, 1);
	assert_null(at(s, "via"));
	assert_null(at(s, "capture_loss"));
	assert_at(s, "detail", "\"\"");
	free(s);
	free(v);
}

/* A repeat points at its root failure; the root's detail only when it has
 * one. */
static void repeats_member(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "example.com",
		   "alias.example.net", T0 + 30 * SEC, 2);
	v->via = VD_VIA_FAILURE_CACHE;
	v->repeats_time = T0;
	tu_name(&v->repeats_qname, "www.example.com");
	v->repeats_qtype = DNS_T_AAAA;
	v->repeats_cause = VD_TIMEOUT;
	v->repeats_detail = "all_servers_silent";
	char *s = ndjson_of(v);
	assert_json(s, 1);
	assert_at(s, "type", "\"unanswered\"");
	assert_at(s, "via", "\"failure_cache\"");
	assert_at(s, "repeats",
		  "{\"time\":\"2023-11-14T22:13:20.000000Z\",\"qname\":\"www.example.com.\","
		  "\"qtype\":\"AAAA\",\"cause\":\"timeout\",\"detail\":\"all_servers_silent\"}");
	free(s);
	v->repeats_detail = NULL;
	s = ndjson_of(v);
	assert_null(at(s, "repeats.detail"));
	assert_at(s, "repeats.cause", "\"timeout\"");
	free(s);
	/* The NDJSON type of each kind; a kind out of range is not trusted
	 * to index anything. */
	static const char *const types[] = { "\"servfail\"", "\"unanswered\"", "\"pending\"" };
	for (uint8_t k = 0; k <= VD_NKINDS; k++) {
		v->kind = k;
		s = ndjson_of(v);
		assert_json(s, 1);
		assert_at(s, "type", types[k < VD_NKINDS ? k : 0]);
		free(s);
	}
	free(v);
}

/* The offline DNSSEC check: its findings when found, the counts always. */
static void dnssec_member(void **state)
{
	(void)state;
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_DNSSEC, "ds_mismatch", "example.com", "www.example.com",
		   T0 + 2 * SEC, 3);
	v->dnssec_checked = 1;
	v->dnssec.verified = 4;
	v->dnssec.undecided = 1;
	char *s = ndjson_of(v);
	assert_json(s, 1);
	assert_at(s, "dnssec",
		  "{\"failure_found\":false,\"signatures_verified\":4,\"signatures_failed\":0,"
		  "\"signatures_undecided\":1,\"chain_starts_at\":null}");
	assert_null(at(s, "dnssec_proven_at"));
	free(s);
	v->dnssec.found = 1;
	v->dnssec.detail = "ds_mismatch";
	tu_name(&v->dnssec.zone, "example.com");
	tu_name(&v->dnssec.owner, "example.com");
	v->dnssec.type = DNS_T_DNSKEY;
	v->dnssec.n_ds = 2;
	v->dnssec.ds_tags[0] = 11;
	v->dnssec.ds_tags[1] = 65535;
	v->dnssec.checked_at = T0;
	v->dnssec.have_top = 1;
	tu_name(&v->dnssec.top, "com");
	v->dnssec.missing = 2;
	v->dnssec_earlier = T0 - 60 * SEC;
	s = ndjson_of(v);
	assert_json(s, 1);
	assert_at(s, "dnssec.failure_found", "true");
	assert_at(s, "dnssec.detail", "\"ds_mismatch\"");
	assert_at(s, "dnssec.type", "\"DNSKEY\"");
	assert_at(s, "dnssec.ds_key_tags_unmatched", "[11,65535]");
	assert_at(s, "dnssec.checked_at", "\"2023-11-14T22:13:20.000000Z\"");
	assert_at(s, "dnssec.chain_starts_at", "\"com.\"");
	assert_at(s, "dnssec.answers_no_longer_stored", "2");
	assert_at(s, "dnssec_proven_at", "\"2023-11-14T22:12:20.000000Z\"");
	/* No key: no signer, tag, algorithm or validity. */
	assert_null(at(s, "dnssec.signer"));
	assert_null(at(s, "dnssec.inception"));
	free(s);
	v->dnssec.detail = "signature_expired";
	v->dnssec.key_tag = 4242;
	v->dnssec.algorithm = 13;
	tu_name(&v->dnssec.signer, "example.com");
	v->dnssec.inception = 1698796800;
	v->dnssec.expiration = 1699574400;
	s = ndjson_of(v);
	assert_at(s, "dnssec.signer", "\"example.com.\"");
	assert_at(s, "dnssec.key_tag", "4242");
	assert_at(s, "dnssec.algorithm", "13");
	assert_at(s, "dnssec.inception", "\"2023-11-01T00:00:00.000000Z\"");
	assert_at(s, "dnssec.expiration", "\"2023-11-10T00:00:00.000000Z\"");
	free(s);
	free(v);
}

/* Incidents in the order they appeared, their counts adding up to the
 * summary's, each with its example; servers, via. */
static void incidents_add_up(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "small.example", 1, T0);
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "big.example", 9,
		    T0 + SEC);
	fx_incident(x, VD_KIND_UNANSWERED, VD_TIMEOUT, "all_servers_silent", "small.example", 2,
		    T0 + 2 * SEC);
	/* Ten servers fail for one verdict: eight are named. */
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_UPSTREAM_ERROR, "refused", "many.example",
		   "many.example", T0 + 3 * SEC, 5);
	char srv[32];
	for (int i = 0; i < 10; i++) {
		snprintf(srv, sizeof(srv), "198.51.100.%d", i + 1);
		fx_attempt(v, srv, VD_OUT_ERROR, T0 + 2 * SEC + i * MS)->rcode = DNS_R_REFUSED;
	}
	v->via = VD_VIA_COALESCED;
	fx_add(x, v);
	free(v);
	const char *s = fx_render(x, rp_json);
	assert_json(s, 1);
	const char *inc = at(s, "incidents");
	assert_int_equal(length(inc), 4);
	assert_at(inc, "0.zone", "\"small.example.\"");
	assert_at(inc, "0.type", "\"servfail\"");
	assert_at(inc, "1.zone", "\"big.example.\"");
	assert_at(inc, "1.count", "9");
	assert_at(inc, "1.clients", "9");
	assert_at(inc, "1.first", "\"2023-11-14T22:13:21.000000Z\"");
	assert_at(inc, "1.last", "\"2023-11-14T22:13:29.000000Z\"");
	assert_at(inc, "1.servers", "[\n        \"192.0.2.1\"\n      ]");
	assert_at(inc, "1.via", "{\n        \"upstream\": 9\n      }");
	assert_at(inc, "2.type", "\"unanswered\"");
	assert_at(inc, "2.example.qname", "\"small.example.\"");
	assert_null(at(inc, "0.more_servers"));
	assert_int_equal(length(at(inc, "3.servers")), 8);
	assert_at(inc, "3.more_servers", "true");
	assert_at(inc, "3.via.coalesced", "1");
	assert_at(inc, "3.detail", "\"refused\"");
	/* The counts add up, per kind, to the summary's. */
	uint64_t sf = 0, un = 0;
	for (size_t i = 0; i < length(inc); i++) {
		const char *g = element(inc, i);
		uint64_t n = num_at(g, "count");
		if (!strncmp(at(g, "type"), "\"servfail\"", 10))
			sf += n;
		else
			un += n;
		/* Every incident has its example, of its own zone. */
		const char *z = at(g, "zone"), *ez = at(g, "example.zone");
		assert_non_null(ez);
		assert_int_equal(strncmp(z, ez, (size_t)(skip_value(z) - z)), 0);
	}
	assert_int_equal(sf, num_at(s, "summary.servfails"));
	assert_int_equal(un, num_at(s, "summary.unanswered"));
	/* The servers that failed, first seen first, with their health. */
	db_addr_t a;
	fx_addr(&a, "192.0.2.1");
	for (int k = 0; k < 4; k++)
		tally_attempt(&x->ty, &a, T0 + (4 - k) * SEC, k < 3, 1000, k == 3);
	s = fx_render(x, rp_json);
	const char *up = at(s, "upstream_servers");
	assert_int_equal(length(up), 11);
	assert_at(up, "0.server", "\"192.0.2.1\"");
	assert_at(up, "0.followed_since", "\"2023-11-14T22:13:21.000000Z\""); /* the earliest */
	assert_at(up, "0.verdicts", "12");
	assert_at(up, "0.failed_attempts", "{\n        \"timeout\": 12\n      }");
	assert_at(up, "0.queries", "4");
	assert_at(up, "0.answered", "3");
	assert_at(up, "0.icmp_errors", "1");
	assert_at(up, "0.rtt_p50_ms", "1.024");
	assert_at(up, "1.failed_attempts.error", "1");
	assert_null(at(up, "1.queries"));
	assert_null(at(up, "1.rtt_p50_ms"));
}

/* Every 10 s with a verdict, oldest first, by kind and cause. */
static void timeline_buckets(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 3,
		    T0 + 8 * SEC);
	fx_incident(x, VD_KIND_UNANSWERED, VD_BLOCKED_PORT, "icmp_port_unreachable", "b.example", 1,
		    T0 + 9 * SEC);
	fx_incident(x, VD_KIND_SERVFAIL, VD_UNKNOWN, "no_cause", "c.example", 1, T0 + 95 * SEC);
	const char *s = fx_render(x, rp_json);
	assert_json(s, 1);
	const char *b = at(s, "timeline.buckets");
	/* T0 is a multiple of 10 s: +8 s and +9 s (and the query never
	 * answered at +9 s) in its bucket, +10 s in the next, +95 s in the
	 * bucket of +90 s; none between. */
	assert_int_equal(length(b), 3);
	assert_at(b, "0.start", "\"2023-11-14T22:13:20.000000Z\"");
	assert_at(b, "0.servfail.timeout", "2");
	assert_at(b, "0.unanswered.blocked_port", "1");
	assert_at(b, "1.start", "\"2023-11-14T22:13:30.000000Z\"");
	assert_at(b, "1.servfail", "{\n          \"timeout\": 1\n        }");
	assert_null(at(b, "1.unanswered"));
	assert_at(b, "2.start", "\"2023-11-14T22:14:50.000000Z\"");
	assert_at(b, "2.servfail.unknown", "1");
}

/* What the bounded tally left out, as counted. */
static void left_out_counts(void **state)
{
	fx_t *x = *state;
	x->an.verdicts_dropped = 11;
	x->an.pending_dropped = 12;
	x->ty.groups_dropped = 13;
	x->ty.examples_dropped = 14;
	x->ty.servers_dropped = 15;
	x->ty.health_dropped = 16;
	x->ty.health_forgotten = 18;
	x->ty.buckets_dropped = 17;
	const char *s = fx_render(x, rp_json);
	assert_at(s, "left_out",
		  "{\n    \"verdicts_not_listed\": 11,\n    \"pending_not_listed\": 12,\n"
		  "    \"verdicts_not_grouped\": 13,\n    \"examples_not_kept\": 14,\n"
		  "    \"servers_not_counted\": 15,\n    \"queries_to_servers_not_followed\": 16,\n"
		  "    \"idle_servers_let_go\": 18,\n    \"verdicts_before_timeline\": 17\n  }");
}

/* The capture: a live one's kernel counts, the input's damage, rcodes by
 * name. */
static void capture_members(void **state)
{
	fx_t *x = *state;
	x->in.iface = "eth0";
	x->in.filter = "port 53";
	x->cap.live = 1;
	x->cap.kernel_received = 500;
	x->cap.kernel_drops = 2;
	x->an.verdicts_over_loss = 1;
	x->an.rcodes[0] = 7;
	x->an.rcodes[2] = 3;
	x->an.rcodes[16] = 1;
	x->an.rcodes[23] = 1;
	fx_addr(&x->in.resolvers[0], "10.0.0.1");
	x->in.nresolvers = 1;
	x->in.input_error = "eth0 went down";
	const char *s = fx_render(x, rp_json);
	assert_json(s, 1);
	assert_at(s, "capture.interface", "\"eth0\"");
	assert_at(s, "capture.filter", "\"port 53\"");
	assert_at(s, "capture.first_ts", "\"2023-11-14T22:13:20.000000Z\"");
	assert_at(s, "capture.last_ts", "\"2023-11-14T22:14:20.000000Z\"");
	assert_at(s, "capture.kernel_received", "500");
	assert_at(s, "capture.kernel_drops", "2");
	assert_at(s, "capture.interface_drops", "0");
	assert_at(s, "capture.verdicts_over_loss", "1");
	assert_at(s, "capture.rcodes",
		  "{\n      \"NOERROR\": 7,\n      \"SERVFAIL\": 3,\n      \"BADVERS\": 1,\n"
		  "      \"RCODE23\": 1\n    }");
	assert_at(s, "capture.resolvers", "[\n      \"10.0.0.1\"\n    ]");
	assert_at(s, "capture.input_error", "\"eth0 went down\"");
}

/* --dnssec-audit: its own member, with the bogus answers. */
static void audit_member(void **state)
{
	fx_t *x = *state;
	verdict_t *bad = calloc(2, sizeof(*bad));
	assert_non_null(bad);
	fx_verdict(&bad[0], VD_KIND_SERVFAIL, VD_DNSSEC, "bad_signature", "example.com",
		   "www.example.com", T0, 1);
	fx_verdict(&bad[1], VD_KIND_SERVFAIL, VD_DNSSEC, "signature_expired", "example.org",
		   "www.example.org", T0, 2);
	x->in.audit = 1;
	x->in.audit_bad = bad;
	x->in.naudit_bad = 2;
	x->an.audit_checked = 40;
	x->an.audit_signatures = 80;
	x->an.audit_bogus = 2;
	const char *s = fx_render(x, rp_json);
	assert_json(s, 1);
	assert_at(s, "dnssec_audit.answers_checked", "40");
	assert_at(s, "dnssec_audit.signatures_verified", "80");
	assert_at(s, "dnssec_audit.bogus", "2");
	assert_int_equal(length(at(s, "dnssec_audit.bogus_examples")), 2);
	assert_at(s, "dnssec_audit.bogus_examples.1.detail", "\"signature_expired\"");
	free(bad);
}

/* The last NDJSON record: one line, the counts and incidents, no list of
 * verdicts (they were streamed), the time of the last packet. */
static void ndjson_summary_record(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 2, T0);
	const char *s = fx_render(x, rp_ndjson);
	assert_json(s, 1);
	assert_int_equal(fx_count(s, "\n"), 1);
	assert_at(s, "type", "\"summary\"");
	assert_at(s, "time", "\"2023-11-14T22:14:20.000000Z\"");
	assert_at(s, "schema", "3");
	assert_at(s, "summary.servfails", "2");
	assert_int_equal(length(at(s, "incidents")), 1);
	assert_non_null(at(s, "upstream_servers"));
	assert_non_null(at(s, "left_out"));
	assert_non_null(at(s, "limits.window_s"));
	assert_null(at(s, "servfails"));
	assert_null(at(s, "timeline"));
	/* No packet: no time to give. */
	x->cap.packets = 0;
	s = fx_render(x, rp_ndjson);
	assert_json(s, 1);
	assert_null(at(s, "time"));
}

/* --interval: what the span added, beside the totals. */
static void ndjson_stats_record(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 2, T0);
	uint64_t before[VD_NKINDS][VD_NCAUSES];
	memcpy(before, x->an.by_cause, sizeof(before));
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 1, T0);
	fx_incident(x, VD_KIND_UNANSWERED, VD_UNKNOWN, "no_cause", "b.example", 3, T0);
	rp_period_t p = { T0 + 10 * SEC, T0 + 20 * SEC, (const uint64_t(*)[VD_NCAUSES])before };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(rp_ndjson_stats(f, &x->in, &p), 0);
	fclose(f);
	assert_json(buf, 1);
	assert_at(buf, "type", "\"stats\"");
	assert_at(buf, "time", "\"2023-11-14T22:13:40.000000Z\"");
	assert_at(buf, "from", "\"2023-11-14T22:13:30.000000Z\"");
	assert_at(buf, "to", "\"2023-11-14T22:13:40.000000Z\"");
	assert_at(buf, "summary.servfails", "3");
	assert_at(buf, "interval",
		  "{\"servfails\":1,\"by_cause\":{\"timeout\":1},\"unanswered\":3,"
		  "\"unanswered_by_cause\":{\"unknown\":3}}");
	free(buf);
}

static void ndjson_truncated_record(void **state)
{
	fx_t *x = *state;
	assert_string_equal(fx_render(x, rp_ndjson_truncated),
			    "{\"type\":\"truncated\",\"input_error\":\"\"}\n");
	x->in.input_error = "a.pcap: cut \"short\"";
	assert_string_equal(fx_render(x, rp_ndjson_truncated),
			    "{\"type\":\"truncated\",\"input_error\":\"a.pcap: cut "
			    "\\\"short\\\"\"}\n");
}

static void write_failure_reported(void **state)
{
	fx_t *x = *state;
	fx_incident(x, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", 2, T0);
	fx_write_fails(x, rp_json);
	fx_write_fails(x, rp_ndjson);
	fx_write_fails(x, rp_ndjson_truncated);
	verdict_t *v = malloc(sizeof(*v));
	assert_non_null(v);
	fx_verdict(v, VD_KIND_SERVFAIL, VD_TIMEOUT, "all_servers_silent", "a.example", "a.example",
		   T0, 1);
	FILE *f = fopen("/dev/null", "r");
	assert_non_null(f);
	assert_int_equal(rp_ndjson_verdict(f, v), -1);
	fclose(f);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reader_is_strict),
		cmocka_unit_test_setup_teardown(empty_document, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_bytes_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(lists_by_kind, setup, teardown),
		cmocka_unit_test(verdict_members),
		cmocka_unit_test(repeats_member),
		cmocka_unit_test(dnssec_member),
		cmocka_unit_test_setup_teardown(incidents_add_up, setup, teardown),
		cmocka_unit_test_setup_teardown(timeline_buckets, setup, teardown),
		cmocka_unit_test_setup_teardown(left_out_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(capture_members, setup, teardown),
		cmocka_unit_test_setup_teardown(audit_member, setup, teardown),
		cmocka_unit_test_setup_teardown(ndjson_summary_record, setup, teardown),
		cmocka_unit_test_setup_teardown(ndjson_stats_record, setup, teardown),
		cmocka_unit_test_setup_teardown(ndjson_truncated_record, setup, teardown),
		cmocka_unit_test_setup_teardown(write_failure_reported, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
