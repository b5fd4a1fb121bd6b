/*
 * nidsglue.h - libnids behind one file: TCP reassembly of IPv4 port-53
 * connections.  libnids' callbacks take no user pointer, so this is the one
 * place in dnsblame with global state; one capture at a time per process.
 *
 * Whole IPv4 datagrams go in (nidsglue_feed); libnids' IP callback hands
 * each back, as it sees it, to the function given to nidsglue_init -
 * before libnids' TCP code looks at the segment - and its TCP callback
 * frames the stream bytes of port-53 connections into CAP_EV_DNS events
 * (tcpdns.c), and reports streams that end with data missing as
 * CAP_EV_STREAM_LOSS, all through emit.c.
 */
#ifndef DNSBLAME_NIDSGLUE_H
#define DNSBLAME_NIDSGLUE_H

#include <stddef.h>

#include "cap_int.h"

/* Where libnids' IP callback hands each datagram (nids_follows set). */
typedef void (*nidsglue_deliver_fn)(cap_ctx_t *c, const cap_dgram_t *d);

/*
 * Sets libnids up for c (c->max_tcp_streams streams; checksums and
 * port-scan detection off; a dead DLT_RAW libpcap handle, since packets
 * come already stripped to IP).  Returns 0, or -1 with a reason in err.
 * libnids running out of memory later ends the process (exit 6), as
 * libnids leaves no way back.
 */
int nidsglue_init(cap_ctx_t *c, nidsglue_deliver_fn deliver, char *err, size_t errlen);

/*
 * d (IPv4, whole: d->ip holds its header and l4 follows) to libnids, at
 * capture time c->now: deliver gets it back during the call.  A wrong
 * header checksum is corrected in a copy (libnids would drop the packet).
 * Returns 1, or 0 without doing anything for a datagram libnids must not
 * see: a port-53 SYN carrying data (TCP Fast Open, RFC 7413), whose data
 * libnids would drop along with the stream.
 */
int nidsglue_feed(cap_ctx_t *c, const cap_dgram_t *d);

/* 1 when d is an IPv4 TCP segment to or from port 53 of a connection
 * libnids follows (in either direction); 0 otherwise.  Reads at most the
 * first 4 bytes of d->l4. */
int nidsglue_follows(const cap_dgram_t *d);

/* End of input: libnids closes every stream (NIDS_EXITING), so that those
 * still open report what they lost. */
void nidsglue_finish(cap_ctx_t *c);

/* Releases libnids and the handle; reports nothing more. */
void nidsglue_close(cap_ctx_t *c);

#endif
