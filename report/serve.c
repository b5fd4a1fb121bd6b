/*
 * serve.c - the metrics endpoint over HTTP, by libmicrohttpd: its own
 * thread answers GET /metrics with the last text published; the analysis
 * thread publishes a new text now and then.  Nothing else is served.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

struct rp_server {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	char *text;
	size_t len;
};

static const char *const CTYPE = "text/plain; version=0.0.4; charset=utf-8";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body,
			     size_t len, int copy, const char *ctype)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    len, (void *)(uintptr_t)body, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	(void)upload;
	(void)con_cls;
	rp_server_t *s = cls;
	static const char notfound[] = "dnsblame serves /metrics only\n";
	static const char notallowed[] = "GET or HEAD only\n";
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, notallowed, sizeof(notallowed) - 1,
			     0, "text/plain");
	if (*upload_size)
		return MHD_NO;
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, notfound, sizeof(notfound) - 1, 0,
			     "text/plain");
	pthread_mutex_lock(&s->lock);
	enum MHD_Result r = reply(conn, MHD_HTTP_OK, s->text ? s->text : "", s->text ? s->len : 0,
				  1, CTYPE);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* "ADDR:PORT", "[V6]:PORT" or ":PORT" into a socket address. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	if (!colon || colon[1] == '\0') {
		snprintf(err, errlen,
			 "--metrics-listen: '%s': expected ADDR:PORT, [ADDR]:PORT or :PORT", spec);
		return -1;
	}
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535) {
		snprintf(err, errlen, "--metrics-listen: '%s': the port must be 1-65535", spec);
		return -1;
	}
	size_t hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "--metrics-listen: '%s': address too long", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (hl == 0) {
		s6->sin6_family = AF_INET6; /* every address, IPv4 too (dual stack) */
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
	} else {
		snprintf(err, errlen, "--metrics-listen: '%s' is not an IPv4 or IPv6 address",
			 host);
		return -1;
	}
	return 0;
}

rp_server_t *rp_serve_start(const char *listen, db_status_t *st, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	*st = DB_EINVAL;
	if (parse_listen(listen, &ss, err, errlen) < 0)
		return NULL;
	*st = DB_EIO;
	rp_server_t *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		*st = DB_ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		flags |= MHD_USE_DUAL_STACK;
	uint16_t port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	/* A few scrapers at a time; a slow one is cut off after 10 s. */
	s->d = MHD_start_daemon(flags, port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 16u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen,
			 "--metrics-listen: cannot listen on %s (in use, or not an address of "
			 "this host?)",
			 listen);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	*st = DB_OK;
	return s;
}

void rp_serve_publish(rp_server_t *s, char *text, size_t len)
{
	pthread_mutex_lock(&s->lock);
	char *old = s->text;
	s->text = text;
	s->len = len;
	pthread_mutex_unlock(&s->lock);
	free(old);
}

void rp_serve_stop(rp_server_t *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->lock);
	free(s->text);
	free(s);
}
