/*
 * link.h - link-layer decoding: from a captured frame to the IP packet in it.
 *
 * libnids understands only some link types (one 802.1Q tag, no SLL2, no
 * QinQ), so dnsblame strips every link layer itself and hands plain IP on.
 */
#ifndef DNSBLAME_LINK_H
#define DNSBLAME_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"

enum link_l3 { LINK_L3_NONE = 0, LINK_L3_IPV4 = 4, LINK_L3_IPV6 = 6 };

typedef struct link_result {
	uint8_t l3;    /* enum link_l3 */
	size_t offset; /* where the IP header starts in the frame */
	uint8_t vlans; /* 802.1Q/802.1ad tags crossed */
} link_result_t;

/* 1 when dnsblame can decode this pcap link type (DLT_*). */
int link_supported(int dlt);
/* A short name for a link type, for messages ("EN10MB", "LINUX_SLL2"). */
const char *link_name(int dlt);

/*
 * Decodes the link header of one frame of type dlt, using only frame[0..caplen).
 * Returns DB_OK with r->l3 set to the network protocol, DB_OK with
 * r->l3 == LINK_L3_NONE for frames that carry something else (ARP, LLDP),
 * DB_ETRUNC when the link header is cut, DB_EUNSUPP for unknown link types.
 */
db_status_t link_decode(int dlt, const uint8_t *frame, size_t caplen, link_result_t *r);

#endif
