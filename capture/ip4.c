/*
 * ip4.c - IPv4: fragments through ipfrag.c, TCP reassembly through libnids.
 *
 * This is the one file that knows libnids, and the one place with global
 * state, because libnids' callbacks take no user pointer.  We feed libnids
 * from our own libpcap loop, already stripped to raw IP, through a dead
 * DLT_RAW handle (libnids cannot decode SLL2 or QinQ); checksum checks and
 * port-scan detection are off (captures on a resolver host carry unfinished
 * checksums on outgoing packets, and scans are not our business).
 *
 * libnids would silently drop two kinds of packets that matter here, so
 * they are handled before it sees them: packets cut by snaplen (its length
 * check rejects them; we decode their headers ourselves) and packets whose
 * IP header checksum is wrong (we hand over a corrected copy).  Nor does
 * libnids see fragments: they are reassembled by ipfrag.c, as IPv6's are,
 * because libnids keeps fragments per destination host with no overall
 * limit and forgets a train that never completes without saying so; it
 * gets each datagram whole, with a fresh header.
 */
#include <nids.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap_int.h"
#include "tcpdns.h"
#include "../common/wire.h"

static cap_ctx_t *g_ctx; /* libnids callbacks carry no context */
static pcap_t *g_dead;
static int g_active; /* nids_init done, nids_exit not yet */

typedef struct nstream {
	tcpdns_t to_server; /* client -> server bytes */
	tcpdns_t to_client;
} nstream_t;

int ip4_nids_has(const db_flow_t *f)
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

void ip4_expire(cap_ctx_t *c, db_time_t now)
{
	tcp6_expire(c->tcp4mid, now, cap_emit_cb, c);
	ipfrag_expire(c->frag4, now, cap_emit_cb, c);
}

/* libnids: every whole datagram (fragments were reassembled before it). */
static void on_ip(struct ip *iph, int len)
{
	cap_ctx_t *c = g_ctx;
	const uint8_t *p = (const uint8_t *)iph;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t tot = (size_t)(p[2] << 8 | p[3]);
	if (len < 0 || (size_t)len < ihl || tot < ihl)
		return;
	db_addr_t src, dst;
	db_addr_set4(&src, p + 12);
	db_addr_set4(&dst, p + 16);
	if ((size_t)len > tot)
		len = (int)tot;
	l4_datagram(c, &src, &dst, p[9], p + ihl, (size_t)len - ihl, tot - ihl, 0);
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
	tcpdns_feed(fr, (const uint8_t *)h->data, (size_t)h->count_new, &tmpl,
		    cap_emit_cb, c);
}

static void loss(cap_ctx_t *c, struct tcp_stream *a, tcpdns_t *fr, int to_server,
		 const struct half_stream *h)
{
	/* Bytes of a message begun but not finished, or segments held
	 * behind a hole that never filled: data the stream lost. */
	size_t pending = tcpdns_pending(fr);
	if (pending == 0 && h->rmem_alloc == 0)
		return;
	cap_event_t ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_EV_STREAM_LOSS;
	ev.ts = c->now;
	flow_of(&a->addr, to_server, &ev.flow);
	ev.u.loss.bytes_pending = (uint32_t)(pending + (size_t)h->rmem_alloc);
	cap_emit_cb(&ev, c);
}

/* The stream ends: what it never delivered is reported, its state freed. */
static void stream_end(cap_ctx_t *c, struct tcp_stream *a)
{
	nstream_t *s = a->user;
	if (!s)
		return;
	loss(c, a, &s->to_server, 1, &a->server);
	loss(c, a, &s->to_client, 0, &a->client);
	tcpdns_free(&s->to_server);
	tcpdns_free(&s->to_client);
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
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		tcpdns_init(&s->to_server);
		tcpdns_init(&s->to_client);
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
	const uint8_t *tcp = pkt + ihl;
	if (nids_params.tcp_flow_timeout <= 0 || tot - ihl < 20 || (tcp[13] & 0x16) != 0x02)
		return; /* a SYN without ACK or RST */
	struct tuple4 t;
	memset(&t, 0, sizeof(t));
	memcpy(&t.saddr, pkt + 12, 4);
	memcpy(&t.daddr, pkt + 16, 4);
	t.source = (u_short)(tcp[0] << 8 | tcp[1]);
	t.dest = (u_short)(tcp[2] << 8 | tcp[3]);
	struct tcp_stream *a = nids_find_tcp_stream(&t); /* as its client sees it */
	if (a && a->user && a->ts + nids_params.tcp_flow_timeout < (long)(c->now / 1000000))
		stream_end(c, a);
}

/* libnids reports packets it considers invalid through its syslog hook. */
static void on_nids_warning(int type, int err, struct ip *iph, void *data)
{
	(void)type; (void)err; (void)iph; (void)data;
	g_ctx->st.nids_warnings++;
}

static void on_nids_nomem(char *where)
{
	fprintf(stderr, "dnsblame: out of memory in libnids (%s)\n", where);
	exit(6); /* EXIT_INTERNAL in main.c */
}

int ip4_init(cap_ctx_t *c, char *err, size_t errlen)
{
	static struct nids_chksum_ctl nochk = {0, 0, NIDS_DONT_CHKSUM, 0};
	g_ctx = c;
	/* Connections that began before the capture (or whose handshake a
	 * filter dropped) are invisible to libnids; tcp6.c's mid-stream
	 * pickup follows them from the first segment that starts a message. */
	tcp6_limits_t tl = {0};
	tl.max_streams = c->max_tcp_streams;
	tl.timeout = c->window;
	tl.midstream = 1;
	c->tcp4mid = tcp6_new(&tl);
	ipfrag_limits_t fl = {0};
	fl.max_trains = c->max_frag_trains;
	fl.timeout = CAP_FRAG_TIMEOUT(c);
	c->frag4 = ipfrag_new(&fl);
	if (!c->tcp4mid || !c->frag4) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!g_dead)
		g_dead = pcap_open_dead(DLT_RAW, 65535);
	if (!g_dead) {
		snprintf(err, errlen, "cannot create a libpcap handle for libnids");
		return -1;
	}
	nids_params.pcap_desc = g_dead;
	nids_params.filename = NULL;
	nids_params.device = NULL;
	nids_params.scan_num_hosts = 0;       /* no port-scan detection */
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
	nids_register_ip(on_ip);
	nids_register_tcp(on_tcp);
	g_active = 1;
	return 0;
}

/* A port-53 SYN (without ACK) with payload. */
static int tfo_syn(const uint8_t *tcp, size_t len)
{
	if (len < 20)
		return 0;
	size_t hlen = (size_t)(tcp[12] >> 4) * 4;
	uint16_t sp = (uint16_t)(tcp[0] << 8 | tcp[1]), dp = (uint16_t)(tcp[2] << 8 | tcp[3]);
	return (tcp[13] & 0x12) == 0x02 && hlen >= 20 && len > hlen &&
	       (sp == DNS_PORT || dp == DNS_PORT);
}

/* RFC 791 header checksum over the ihl bytes of the header. */
static uint16_t ip4_csum(const uint8_t *p, size_t ihl)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < ihl; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static int ip4_csum_ok(const uint8_t *p, size_t ihl) { return ip4_csum(p, ihl) == 0xffff; }

static void ip4_csum_set(uint8_t *p, size_t ihl)
{
	p[10] = p[11] = 0;
	uint16_t sum = (uint16_t)~ip4_csum(p, ihl);
	p[10] = (uint8_t)(sum >> 8);
	p[11] = (uint8_t)sum;
}

/* A whole datagram (not a fragment, all of it captured): tunnels are
 * opened, TCP Fast Open SYNs go around libnids, the rest goes through it. */
static void ip4_whole(cap_ctx_t *c, const uint8_t *pkt, size_t tot, size_t ihl)
{
	const uint8_t proto = pkt[9];
	if (tunnel_decap(c, proto, pkt + ihl, tot - ihl))
		return;
	if (proto == 6 && tfo_syn(pkt + ihl, tot - ihl)) {
		/* A SYN carrying data (TCP Fast Open, RFC 7413): libnids drops
		 * the data and loses the stream, so it never sees this
		 * connection and tcp6.c follows it instead (see l4.c). */
		db_addr_t s, d;
		db_addr_set4(&s, pkt + 12);
		db_addr_set4(&d, pkt + 16);
		l4_datagram(c, &s, &d, proto, pkt + ihl, tot - ihl, tot - ihl, 0);
		return;
	}
	static uint8_t fixed[65536];
	if (!ip4_csum_ok(pkt, ihl)) {
		/* A wrong header checksum (crafted captures, some taps) would
		 * make libnids drop the packet; give it a corrected copy. */
		memcpy(fixed, pkt, tot);
		ip4_csum_set(fixed, ihl);
		pkt = fixed;
	}
	if (proto == 6)
		before_reused_syn(c, pkt, ihl, tot);
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(c->now / 1000000);
	h.ts.tv_usec = (suseconds_t)(c->now % 1000000);
	h.caplen = h.len = (bpf_u_int32)tot;
	nids_pcap_handler(NULL, &h, (u_char *)(uintptr_t)pkt);
}

/* RFC 791 keys a train on protocol and identification too: ipfrag.c takes
 * both folded into its id. */
static uint32_t frag4_id(const uint8_t *pkt)
{
	return (uint32_t)pkt[9] << 16 | (uint32_t)(pkt[4] << 8 | pkt[5]);
}

/* A fragment: kept by ipfrag.c until its datagram is whole, which then
 * gets a fresh 20-byte header (options dropped: nothing after IP needs
 * them) and goes on as if it had come in one piece. */
static void ip4_fragment(cap_ctx_t *c, const uint8_t *pkt, size_t ihl, size_t tot,
			 uint16_t off, int more)
{
	db_addr_t s, d;
	db_addr_set4(&s, pkt + 12);
	db_addr_set4(&d, pkt + 16);
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t out_nh = 0;
	db_status_t st = ipfrag_add(c->frag4, c->now, &s, &d, frag4_id(pkt), pkt[9], off, more,
				    pkt + ihl, tot - ihl, &out, &out_len, &out_nh, cap_emit_cb, c);
	if (st != DB_OK || !out)
		return;
	static uint8_t whole[65536];
	if (out_len <= sizeof(whole) - 20) {
		memset(whole, 0, 20);
		whole[0] = 0x45;
		whole[2] = (uint8_t)((out_len + 20) >> 8);
		whole[3] = (uint8_t)(out_len + 20);
		whole[4] = pkt[4];
		whole[5] = pkt[5];
		whole[8] = pkt[8];
		whole[9] = out_nh;
		memcpy(whole + 12, pkt + 12, 8);
		ip4_csum_set(whole, 20);
		memcpy(whole + 20, out, out_len);
		ip4_whole(c, whole, out_len + 20, 20);
	}
	free(out);
}

void ip4_packet(cap_ctx_t *c, const uint8_t *pkt, size_t caplen)
{
	wire_t w;
	wire_init(&w, pkt, caplen);
	uint8_t vhl = wire_u8(&w);
	wire_skip(&w, 1);
	size_t tot = wire_u16(&w);
	wire_skip(&w, 2);
	uint16_t frag = wire_u16(&w);
	wire_skip(&w, 1);
	uint8_t proto = wire_u8(&w);
	wire_skip(&w, 2);
	const uint8_t *src = wire_take(&w, 4);
	const uint8_t *dst = wire_take(&w, 4);
	size_t ihl = (size_t)(vhl & 0x0f) * 4;
	if (!wire_ok(&w) || vhl >> 4 != 4 || ihl < 20 || tot < ihl || caplen < ihl) {
		c->st.ip_errors++;
		return;
	}
	c->st.ip4++;
	uint16_t off = (uint16_t)((frag & 0x1fff) * 8);
	int more = (frag & 0x2000) != 0;
	int is_frag = more || off;
	if (is_frag)
		c->st.ip4_fragments++;
	if (caplen < tot) {
		/* Cut by snaplen: libnids would drop it, but its headers still
		 * tell us something.  A cut first fragment is decoded as far as
		 * it goes (its UDP length says how long the datagram was); the
		 * rest of a cut train can never be reassembled. */
		db_addr_t s, d;
		db_addr_set4(&s, src);
		db_addr_set4(&d, dst);
		if (is_frag)
			ipfrag_cut(c->frag4, c->now, &s, &d, frag4_id(pkt), cap_emit_cb, c);
		if (!is_frag || off == 0)
			l4_datagram(c, &s, &d, proto, pkt + ihl, caplen - ihl,
				    is_frag ? 65535 : tot - ihl, 0);
		return;
	}
	if (is_frag)
		ip4_fragment(c, pkt, ihl, tot, off, more);
	else
		ip4_whole(c, pkt, tot, ihl);
}

/*
 * libnids' nids_exit() frees the head node of its IP handler list, so our
 * IP callback must be unregistered first (or libnids' own node leaks and
 * ours is freed under us); the TCP list is left alone by nids_exit(), and
 * the TCP callback must still be there to see NIDS_EXITING.
 */
static void nids_stop(void)
{
	if (!g_active)
		return;
	nids_unregister_ip(on_ip);
	nids_exit();
	nids_unregister_tcp(on_tcp);
	g_active = 0;
}

void ip4_finish(cap_ctx_t *c)
{
	/* nids_exit() closes every stream with NIDS_EXITING, so streams still
	 * open at the end of the capture report what they lost. */
	nids_stop();
	tcp6_flush(c->tcp4mid, cap_emit_cb, c);
	ipfrag_flush(c->frag4, cap_emit_cb, c);
}

void ip4_close(cap_ctx_t *c)
{
	c->fn = NULL; /* nothing is reported after the end */
	nids_stop();
	ipfrag_free(c->frag4);
	c->frag4 = NULL;
	tcp6_free(c->tcp4mid);
	c->tcp4mid = NULL;
	if (g_dead) {
		pcap_close(g_dead);
		g_dead = NULL;
	}
	g_ctx = NULL;
}
