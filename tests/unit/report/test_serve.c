/*
 * test_serve.c - the metrics endpoint (report/serve.c, metrics.h): the
 * listen address checked (ADDR:PORT, [ADDR]:PORT, :PORT, the port 1-65535)
 * before anything is bound; GET and HEAD /metrics serving the last text
 * published; any other path 404, any other method 405; a port in use
 * refused.  The server listens on 127.0.0.1 only, on a port the kernel
 * found free, and is spoken to over the loopback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../report/metrics.h"

/* Bad listen specifications: refused as the user's error, with a reason,
 * and nothing bound. */
static void listen_spec_rejected(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"9353",
		"127.0.0.1:",
		"127.0.0.1:0",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:99999999999999999999",
		"127.0.0.1:53x",
		"localhost:9353",
		"127.0.0.256:9353",
		"[::1:9353",
		"::1",
		"0123456789012345678901234567890123456789012345678901234567890123456789:9353",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		db_status_t st = DB_OK;
		rp_server_t *s = rp_serve_start(bad[i], &st, err, sizeof(err));
		if (s) {
			rp_serve_stop(s);
			fail_msg("'%s' accepted", bad[i]);
		}
		assert_int_equal(st, DB_EINVAL);
		assert_non_null(strstr(err, "--metrics-listen"));
	}
	/* A reason cut to the buffer, terminated. */
	char small[8];
	memset(small, 0x7e, sizeof(small));
	db_status_t st;
	assert_null(rp_serve_start("nonsense", &st, small, 4));
	assert_int_equal(strlen(small), 3);
	assert_int_equal((unsigned char)small[4], 0x7e);
}

/* A port of 127.0.0.1 nobody listens on: the kernel picks it. */
static uint16_t free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t l = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* The server on 127.0.0.1 (another free port if one was taken meanwhile). */
static rp_server_t *start(uint16_t *port)
{
	for (int tries = 0; tries < 5; tries++) {
		char spec[32], err[256];
		db_status_t st;
		*port = free_port();
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", (unsigned)*port);
		rp_server_t *s = rp_serve_start(spec, &st, err, sizeof(err));
		if (s) {
			assert_int_equal(st, DB_OK);
			return s;
		}
		assert_int_equal(st, DB_EIO);
	}
	fail_msg("no port of 127.0.0.1 to listen on");
	return NULL;
}

/* One HTTP/1.0 exchange with 127.0.0.1:port: the whole response, malloc'd. */
static char *http(uint16_t port, const char *request)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	size_t rl = strlen(request);
	assert_int_equal(send(fd, request, rl, 0), (ssize_t)rl);
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	for (;;) {
		if (n + 1024 > cap) {
			cap *= 2;
			b = realloc(b, cap);
			assert_non_null(b);
		}
		ssize_t got = recv(fd, b + n, cap - n - 1, 0);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	b[n] = 0;
	return b;
}

static int status_of(const char *resp)
{
	const char *sp = strchr(resp, ' ');
	return sp ? atoi(sp + 1) : -1;
}

static const char *body_of(const char *resp)
{
	const char *b = strstr(resp, "\r\n\r\n");
	return b ? b + 4 : NULL;
}

/* The value of a header, case-insensitively named, into buf. */
static const char *header(const char *resp, const char *name, char *buf, size_t n)
{
	size_t l = strlen(name);
	const char *end = strstr(resp, "\r\n\r\n");
	for (const char *p = strstr(resp, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, l) == 0 && p[2 + l] == ':') {
			const char *v = p + 3 + l;
			while (*v == ' ')
				v++;
			const char *e = strstr(v, "\r\n");
			size_t vl = (size_t)(e - v) < n - 1 ? (size_t)(e - v) : n - 1;
			memcpy(buf, v, vl);
			buf[vl] = 0;
			return buf;
		}
	}
	return NULL;
}

static char *dup_text(const char *s)
{
	char *c = malloc(strlen(s) + 1);
	assert_non_null(c);
	strcpy(c, s);
	return c;
}

/* GET /metrics: nothing before the first text, then the last text
 * published, as Prometheus' text format. */
static void serves_last_text(void **state)
{
	(void)state;
	uint16_t port;
	rp_server_t *s = start(&port);
	char h[128];
	char *r = http(port, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_int_equal(status_of(r), 200);
	assert_string_equal(body_of(r), "");
	free(r);
	static const char t1[] = "# TYPE dnsblame_servfails_total counter\n"
				 "dnsblame_servfails_total{cause=\"timeout\"} 3\n";
	rp_serve_publish(s, dup_text(t1), sizeof(t1) - 1);
	r = http(port, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_int_equal(status_of(r), 200);
	assert_string_equal(body_of(r), t1);
	assert_non_null(header(r, "Content-Type", h, sizeof(h)));
	assert_string_equal(h, "text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(header(r, "Content-Length", h, sizeof(h)));
	assert_int_equal(atoi(h), (int)sizeof(t1) - 1);
	free(r);
	/* A new text replaces it (the old one is freed). */
	rp_serve_publish(s, dup_text("a 1\nb 2\n"), 8);
	rp_serve_publish(s, dup_text("c 3\n"), 4);
	r = http(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
	assert_int_equal(status_of(r), 200);
	assert_string_equal(body_of(r), "c 3\n");
	free(r);
	/* The length published, not the string's. */
	rp_serve_publish(s, dup_text("x 1\ny 2\n"), 4);
	r = http(port, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_string_equal(body_of(r), "x 1\n");
	free(r);
	/* HEAD: the headers only. */
	r = http(port, "HEAD /metrics HTTP/1.0\r\n\r\n");
	assert_int_equal(status_of(r), 200);
	assert_string_equal(body_of(r), "");
	free(r);
	rp_serve_stop(s);
}

/* Nothing else is served: other paths 404, other methods 405 with Allow. */
static void only_get_metrics(void **state)
{
	(void)state;
	uint16_t port;
	rp_server_t *s = start(&port);
	rp_serve_publish(s, dup_text("m 1\n"), 4);
	char h[128];
	static const char *const paths[] = { "/", "/metrics/", "/Metrics", "/metricsx",
					     "/favicon.ico" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char req[128];
		snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", paths[i]);
		char *r = http(port, req);
		assert_int_equal(status_of(r), 404);
		assert_string_equal(body_of(r), "dnsblame serves /metrics only\n");
		free(r);
	}
	static const char *const methods[] = { "POST", "PUT", "DELETE", "OPTIONS" };
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char req[128];
		snprintf(req, sizeof(req), "%s /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
			 methods[i]);
		char *r = http(port, req);
		assert_int_equal(status_of(r), 405);
		assert_non_null(header(r, "Allow", h, sizeof(h)));
		assert_string_equal(h, "GET, HEAD");
		assert_string_equal(body_of(r), "GET or HEAD only\n");
		assert_null(strstr(r, "m 1\n"));
		free(r);
	}
	rp_serve_stop(s);
}

/* A port someone listens on already: refused as an input error. */
static void port_in_use(void **state)
{
	(void)state;
	uint16_t port;
	rp_server_t *s = start(&port);
	char spec[32], err[256] = "";
	db_status_t st = DB_OK;
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", (unsigned)port);
	rp_server_t *t = rp_serve_start(spec, &st, err, sizeof(err));
	if (t)
		rp_serve_stop(t);
	assert_null(t);
	assert_int_equal(st, DB_EIO);
	assert_non_null(strstr(err, "cannot listen on 127.0.0.1:"));
	rp_serve_stop(s);
	/* Stopping nothing is harmless. */
	rp_serve_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listen_spec_rejected),
		cmocka_unit_test(serves_last_text),
		cmocka_unit_test(only_get_metrics),
		cmocka_unit_test(port_in_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
