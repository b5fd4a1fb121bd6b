/*
 * nidsglue.h - libnids behind one file: TCP reassembly of IPv4 port-53
 * connections.  libnids' callbacks take no user pointer, so this is the one
 * place in dnsblame with global state; one capture at a time per process.
 *
 IPv4 TCP segments go in (nidsglue_tcp): each is handed on to the
 * function given to nidsglue_init, then libnids' TCP code sees it, and its
 * TCP callback frames the stream bytes of port-53 connections into
 * CAP_EV_DNS events (tcpdns.c) and reports streams that end with data
 * missing as CAP_EV_STREAM_LOSS, all through emit.c.  libnids sees no
 * other packet.
 */
#ifndef DNSBLAME_NIDSGLUE_H
#define DNSBLAME_NIDSGLUE_H

#include <stddef.h>

#include "cap_int.h"

/* Where nidsglue_tcp hands each segment on (nids_follows set). */
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
 * An IPv4 TCP datagram d at capture time c->now.  Sets d->nids_follows
 * (libnids follows its connection, as it stood before this segment) and
 * hands d to the deliver function; then, when d is whole, libnids sees the
 * segment.  Not a datagram libnids must not see: a port-53 SYN carrying
 * data (TCP Fast Open, RFC 7413), whose data libnids would drop along with
 * the stream.  A wrong header checksum is corrected in a copy (libnids
 * would drop the packet).  A stream ends here, with what it lost reported,
 * when libnids is about to forget it: its close timed out, or its client
 * sends a SYN again long after (see before_reused_syn).
 */
void nidsglue_tcp(cap_ctx_t *c, cap_dgram_t *d);

/* Expiry at capture time now (dispatch_expire): streams whose close timed
 * out in libnids end, with what they lost reported.  Costs nothing while
 * no stream is closing. */
void nidsglue_expire(cap_ctx_t *c, db_time_t now);

/* End of input: libnids closes every stream (NIDS_EXITING), so that those
 * still open report what they lost. */
void nidsglue_finish(cap_ctx_t *c);

/* Releases libnids and the handle; reports nothing more. */
void nidsglue_close(cap_ctx_t *c);

#endif
