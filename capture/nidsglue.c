/*
 * nidsglue.c - the one file that knows libnids, and the one place with
 * global state, because libnids' callbacks take no user pointer.  We feed
 * libnids from our own libpcap loop, already stripped to raw IP, through a
 * dead DLT_RAW handle (libnids cannot decode SLL2 or QinQ); checksum checks
 * and port-scan detection are off (captures on a resolver host carry
 * unfinished checksums on outgoing packets, and scans are not our
 * business).
 *
 * libnids only ever sees TCP: UDP and ICMP are ours from end to end, so a
 * UDP packet costs libnids nothing.  libnids would silently drop packets
 * whose IP header checksum is wrong: it gets a corrected copy.  It never
 * sees fragments (ip4.c reassembles them, because libnids keeps fragments
 * per destination host with no overall limit and forgets a train that
 * never completes without saying so), nor packets cut by snaplen (its
 * length check rejects them), nor SYNs that carry data (TCP Fast Open: it
 * would drop the data and lose the stream; tcpreasm.c follows those
 * connections instead).
 *
 * A segment is handed on (to the function the caller gave nidsglue_init)
 * before libnids' TCP code sees it, so that its handshake events come
 * before the stream data it completes, as for IPv6; this file names no
 * function of the files that call it (capture/ stays a tree of files:
 * tests/capture-tree.sh).  libnids then calls back once, its TCP callback
 * (on_tcp), with what the segment changed in its stream: stream bytes go
 * to tcpdns.c, and everything is reported through emit.c.
 */
#include <nids.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nidsglue.h"
#include "emit.h"
#include "ip4.h"
#include "tcpdns.h"
#include "../common/wire.h"

static cap_ctx_t *g_ctx; /* libnids callbacks carry no context */
static nidsglue_deliver_fn g_deliver;
static pcap_t *g_dead;
static int g_active;  /* nids_init done, nids_exit not yet */
static int g_ticking; /* nidsglue_expire's empty record is in libnids */

typedef struct nstream {
	tcpdns_t to_server; /* client -> server bytes */
	tcpdns_t to_client;
} nstream_t;

/* 1 when libnids has this TCP connection (either direction) in its table. */
static int nids_has(const db_flow_t *f)
{
	struct tuple4 t;
	memset(&t, 0, sizeof(t));
	memcpy(&t.saddr, f->src.a, 4);
	memcpy(&t.daddr, f->dst.a, 4);
	t.source = f->sport;
	t.dest = f->dport;
	if (nids_find_tcp_stream(&t))
		return 1;
	/* libnids keys a stream on the client's view only. */
	memcpy(&t.saddr, f->dst.a, 4);
	memcpy(&t.daddr, f->src.a, 4);
	t.source = f->dport;
	t.dest = f->sport;
	return nids_find_tcp_stream(&t) != NULL;
}

/* 1 when d is an IPv4 TCP segment to or from port 53 of a connection
 * libnids follows (in either direction).  Reads at most the first 4 bytes
 * of d->l4. */
static int follows(const cap_dgram_t *d)
{
	if (d->version != 4 || d->proto != 6)
		return 0;
	wire_t w;
	wire_init(&w, d->l4, d->len);
	db_flow_t f;
	memset(&f, 0, sizeof(f));
	f.src = d->src;
	f.dst = d->dst;
	f.proto = DB_PROTO_TCP;
	f.sport = wire_u16(&w);
	f.dport = wire_u16(&w);
	if (!wire_ok(&w))
		return 0;
	if (f.sport != DNS_PORT && f.dport != DNS_PORT)
		return 0;
	return nids_has(&f);
}

static void flow_of(const struct tuple4 *t, int to_server, db_flow_t *f)
{
	memset(f, 0, sizeof(*f));
	uint8_t s[4], d[4];
	memcpy(s, &t->saddr, 4); /* network byte order, as on the wire */
	memcpy(d, &t->daddr, 4);
	db_addr_set4(&f->src, to_server ? s : d);
	db_addr_set4(&f->dst, to_server ? d : s);
	f->sport = to_server ? t->source : t->dest;
	f->dport = to_server ? t->dest : t->source;
	f->proto = DB_PROTO_TCP;
}

static void feed(cap_ctx_t *c, struct tcp_stream *a, tcpdns_t *fr, int to_server,
		 const struct half_stream *h)
{
	cap_event_t tmpl;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.ts = c->now;
	flow_of(&a->addr, to_server, &tmpl.flow);
	tcpdns_feed(fr, (const uint8_t *)h->data, (size_t)h->count_new, &tmpl, emit_cb, c);
}

static void loss(cap_ctx_t *c, struct tcp_stream *a, size_t pending, int to_server,
		 const struct half_stream *h)
{
	/* Bytes of a message begun but not finished, or segments held
	 * behind a hole that never filled: data the stream lost. */
	if (pending == 0 && h->rmem_alloc == 0)
		return;
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_STREAM_LOSS;
	ev.ts = c->now;
	flow_of(&a->addr, to_server, &ev.flow);
	ev.u.loss.bytes_pending = (uint32_t)(pending + (size_t)h->rmem_alloc);
	emit_event(c, &ev);
}

/* The stream ends: what it never delivered is reported, its state freed. */
static void stream_end(cap_ctx_t *c, struct tcp_stream *a)
{
	nstream_t *s = a->user;
	if (!s)
		return;
	loss(c, a, tcpdns_free(&s->to_server), 1, &a->server);
	loss(c, a, tcpdns_free(&s->to_client), 0, &a->client);
	free(s);
	a->user = NULL;
	c->nids_streams--;
}

/* libnids: TCP stream state changes and data. */
static void on_tcp(struct tcp_stream *a, void **param)
{
	(void)param;
	cap_ctx_t *c = g_ctx;
	nstream_t *s = a->user;
	switch (a->nids_state) {
	case NIDS_JUST_EST:
		if (a->addr.dest != DNS_PORT && a->addr.source != DNS_PORT)
			return;
		s = calloc(1, sizeof(*s)); /* both framers idle */
		if (!s)
			return;
		a->user = s;
		a->client.collect++;
		a->server.collect++;
		c->nids_streams++;
		return;
	case NIDS_DATA:
		if (!s)
			return;
		if (a->server.count_new)
			feed(c, a, &s->to_server, 1, &a->server);
		if (a->client.count_new)
			feed(c, a, &s->to_client, 0, &a->client);
		return;
	default: /* NIDS_CLOSE, NIDS_RESET, NIDS_TIMED_OUT, NIDS_EXITING */
		if (a->nids_state == NIDS_TIMED_OUT && s)
			c->nids_evicted++;
		stream_end(c, a);
		return;
	}
}

/*
 * libnids (1.24 and later, tcp.c) frees a stream without telling its
 * listeners when a SYN from the stream's client arrives more than
 * tcp_flow_timeout seconds after the stream was set up, and starts a new
 * one: our state for the old stream would leak and its loss go unsaid.
 * Such a SYN is seen here first, and the old stream ended as libnids will.
 */
static void before_reused_syn(cap_ctx_t *c, const uint8_t *pkt, size_t ihl, size_t tot)
{
	struct tuple4 t;
	memset(&t, 0, sizeof(t));
	wire_t w;
	wire_init(&w, pkt, tot);
	wire_skip(&w, 12);
	wire_copy(&w, &t.saddr, 4);
	wire_copy(&w, &t.daddr, 4);
	wire_seek(&w, ihl);
	t.source = wire_u16(&w);
	t.dest = wire_u16(&w);
	wire_skip(&w, 9); /* sequence and acknowledgment numbers, data offset */
	uint8_t flags = wire_u8(&w);
	wire_skip(&w, 6); /* window, checksum, urgent pointer: a whole header */
	/* A SYN without ACK or RST, its whole header captured. */
	if (nids_params.tcp_flow_timeout <= 0 || !wire_ok(&w) || (flags & 0x16) != 0x02)
		return;
	struct tcp_stream *a = nids_find_tcp_stream(&t); /* as its client sees it */
	if (a && a->user && a->ts + nids_params.tcp_flow_timeout < (long)(c->now / 1000000))
		stream_end(c, a);
}

/* libnids reports packets it considers invalid through its syslog hook. */
static void on_nids_warning(int type, int err, struct ip *iph, void *data)
{
	(void)type;
	(void)err;
	(void)iph;
	(void)data;
	if (!g_ticking)
		g_ctx->st.nids_warnings++;
}

static void on_nids_nomem(char *where)
{
	fprintf(stderr, "dnsblame: out of memory in libnids (%s)\n", where);
	exit(6); /* EXIT_INTERNAL in main.c */
}

int nidsglue_init(cap_ctx_t *c, nidsglue_deliver_fn deliver, char *err, size_t errlen)
{
	static struct nids_chksum_ctl nochk = { 0, 0, NIDS_DONT_CHKSUM, 0 };
	g_ctx = c;
	g_deliver = deliver;
	if (!g_dead)
		g_dead = pcap_open_dead(DLT_RAW, 65535);
	if (!g_dead) {
		snprintf(err, errlen, "cannot create a libpcap handle for libnids");
		return -1;
	}
	nids_params.pcap_desc = g_dead;
	nids_params.filename = NULL;
	nids_params.device = NULL;
	nids_params.scan_num_hosts = 0; /* no port-scan detection */
	nids_params.syslog = on_nids_warning;
	nids_params.no_mem = on_nids_nomem;
	nids_params.tcp_workarounds = 1;
	nids_params.n_hosts = 1024;
	/* libnids sets max_stream to 3/4 of n_tcp_streams and evicts only
	 * when it holds more than that: max_stream + 1 streams.  So
	 * max_stream = limit - 1, the smallest n with 3n/4 = limit - 1. */
	size_t lim = c->max_tcp_streams ? c->max_tcp_streams : 1;
	size_t n = ((lim - 1) * 4 + 2) / 3;
	nids_params.n_tcp_streams = (int)(n ? n : 1);
	nids_params.multiproc = 0;
	if (!nids_init()) {
		snprintf(err, errlen, "libnids: %s", nids_errbuf);
		return -1;
	}
	nids_register_chksum_ctl(&nochk, 1);
	nids_register_tcp(on_tcp);
	g_active = 1;
	return 0;
}

/* A port-53 SYN (without ACK) with payload. */
static int tfo_syn(const uint8_t *tcp, size_t len)
{
	wire_t w;
	wire_init(&w, tcp, len);
	uint16_t sp = wire_u16(&w);
	uint16_t dp = wire_u16(&w);
	wire_skip(&w, 8); /* sequence and acknowledgment numbers */
	size_t hlen = (size_t)(wire_u8(&w) >> 4) * 4;
	uint8_t flags = wire_u8(&w);
	wire_skip(&w, 6); /* window, checksum, urgent pointer */
	if (!wire_ok(&w))
		return 0;
	return (flags & 0x12) == 0x02 && hlen >= 20 && len > hlen &&
	       (sp == DNS_PORT || dp == DNS_PORT);
}

/*
 * libnids ends streams whose close never completed (tcp_workarounds) when
 * it is handed a packet later than their deadline.  It sees only TCP, so
 * its clock is also moved on when capture/ expires its own state (every
 * 0.1 s of capture time): an empty record, which libnids' IP code rejects
 * as too short for a header after its timeouts ran (the warning it gives
 * is not counted).  A closing stream thus ends within 0.1 s of its
 * deadline, whatever else the capture holds.
 */
/* Hands libnids len bytes of raw IP at capture time now. */
static void nids_at(db_time_t now, const uint8_t *pkt, size_t len)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(now / 1000000);
	h.ts.tv_usec = (suseconds_t)(now % 1000000);
	h.caplen = h.len = (bpf_u_int32)len;
	nids_pcap_handler(NULL, &h, (u_char *)(uintptr_t)pkt);
}

void nidsglue_expire(cap_ctx_t *c, db_time_t now)
{
	(void)c;
	if (!g_active || !nids_tcp_timeouts)
		return;
	static const uint8_t none[1];
	g_ticking = 1;
	nids_at(now, none, 0);
	g_ticking = 0;
}

void nidsglue_tcp(cap_ctx_t *c, cap_dgram_t *d)
{
	const uint8_t *pkt = d->ip;
	size_t ihl = d->ihl, tot = d->ihl + d->len;
	int to_nids = d->whole && !tfo_syn(d->l4, d->len);
	if (to_nids)
		before_reused_syn(c, pkt, ihl, tot);
	d->nids_follows = (uint8_t)follows(d);
	g_deliver(c, d);
	if (!to_nids)
		return;
	static uint8_t fixed[65536];
	if (!ip4_hdr_sum_ok(pkt, ihl)) {
		/* A wrong header checksum (crafted captures, some taps) would
		 * make libnids drop the packet; give it a corrected copy. */
		memcpy(fixed, pkt, tot);
		ip4_hdr_sum_set(fixed, ihl);
		pkt = fixed;
	}
	nids_at(c->now, pkt, tot);
}

/*
 * nids_exit() leaves the TCP callback list alone, and the TCP callback
 * must still be there to see NIDS_EXITING.
 */
static void nids_stop(void)
{
	if (!g_active)
		return;
	nids_exit();
	nids_unregister_tcp(on_tcp);
	g_active = 0;
}

void nidsglue_finish(cap_ctx_t *c)
{
	(void)c;
	/* nids_exit() closes every stream with NIDS_EXITING, so streams still
	 * open at the end of the capture report what they lost. */
	nids_stop();
}

void nidsglue_close(cap_ctx_t *c)
{
	(void)c;
	nids_stop();
	if (g_dead) {
		pcap_close(g_dead);
		g_dead = NULL;
	}
	g_ctx = NULL;
	g_deliver = NULL;
}
