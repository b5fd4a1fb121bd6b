/*
 * link.c - link layers seen on resolver hosts and in public captures:
 * Ethernet II with stacked 802.1Q / 802.1ad (QinQ) tags and PPPoE sessions,
 * Linux "cooked" SLL (tcpdump -i any before libpcap 1.10) and SLL2 (after),
 * raw IP, BSD loopback (NULL and OpenBSD LOOP), PPP and Cisco HDLC.
 */
#include "link.h"

#include <pcap/dlt.h>

#include "../common/wire.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
/* DLT_RAW is 12 on most systems and 14 on OpenBSD; LINKTYPE_RAW in files
 * is 101, which libpcap maps to DLT_RAW.  Accept both numbers. */
#define DLT_RAW_ALT1 12
#define DLT_RAW_ALT2 14
#define DLT_LOOP_OPENBSD 108
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif
#ifndef DLT_PKTAP
#define DLT_PKTAP 258
#endif
/* Apple's tcpdump wrote PKTAP files as DLT_USER2 (149) before PKTAP had a
 * link type of its own (258); tcpdump and Wireshark read 149 as PKTAP. */
#define DLT_PKTAP_APPLE 149
#ifndef DLT_IEEE802_11_RADIO
#define DLT_IEEE802_11_RADIO 127
#endif

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_PPPOE 0x8864
#define LINK_MAX_TAGS 8 /* more stacked tags than any real network uses */

int link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW_ALT1:
	case DLT_RAW_ALT2:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP_OPENBSD:
	case DLT_PPP:
	case DLT_PPP_SERIAL:
	case DLT_C_HDLC:
	case DLT_FDDI:
	case DLT_IEEE802_11:
	case DLT_IEEE802_11_RADIO:
	case DLT_NFLOG:
	case DLT_PKTAP:
	case DLT_PKTAP_APPLE: return 1;
	default: return 0;
	}
}

const char *link_name(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return "EN10MB";
	case DLT_LINUX_SLL: return "LINUX_SLL";
	case DLT_LINUX_SLL2: return "LINUX_SLL2";
	case DLT_RAW_ALT1:
	case DLT_RAW_ALT2: return "RAW";
	case DLT_IPV4: return "IPV4";
	case DLT_IPV6: return "IPV6";
	case DLT_NULL: return "NULL";
	case DLT_LOOP_OPENBSD: return "LOOP";
	case DLT_PPP: return "PPP";
	case DLT_PPP_SERIAL: return "PPP_SERIAL";
	case DLT_C_HDLC: return "C_HDLC";
	case DLT_FDDI: return "FDDI";
	case DLT_IEEE802_11: return "IEEE802_11";
	case DLT_IEEE802_11_RADIO: return "IEEE802_11_RADIO";
	case DLT_NFLOG: return "NFLOG";
	case DLT_PKTAP:
	case DLT_PKTAP_APPLE: return "PKTAP";
	default: return "unsupported";
	}
}

static uint8_t l3_from_ethertype(uint16_t et)
{
	if (et == ETH_IPV4)
		return LINK_L3_IPV4;
	if (et == ETH_IPV6)
		return LINK_L3_IPV6;
	return LINK_L3_NONE;
}

/* PPP protocol numbers (RFC 1661, RFC 5072). */
static uint8_t l3_from_ppp(uint16_t proto)
{
	if (proto == 0x0021)
		return LINK_L3_IPV4;
	if (proto == 0x0057)
		return LINK_L3_IPV6;
	return LINK_L3_NONE;
}

/* Raw IP: the version nibble is all there is to go on.  It is the IP
 * header's, so it is looked at, not consumed (nothing there reads as 0). */
static uint8_t l3_from_version(const wire_t *w)
{
	uint8_t v = wire_peek_u8(w, 0) >> 4;
	return v == 4 ? LINK_L3_IPV4 : v == 6 ? LINK_L3_IPV6 : LINK_L3_NONE;
}

/* BSD address families for IPv6 differ by OS (24 NetBSD/OpenBSD, 28 FreeBSD,
 * 30 macOS); all are accepted as they are in tcpdump. */
static uint8_t l3_from_af(uint32_t af)
{
	if (af == 2)
		return LINK_L3_IPV4;
	if (af == 24 || af == 28 || af == 30)
		return LINK_L3_IPV6;
	return LINK_L3_NONE;
}

static db_status_t decode_ether(wire_t *w, link_result_t *r)
{
	wire_skip(w, 12); /* destination and source MAC */
	uint16_t et = wire_u16(w);
	while ((et == ETH_VLAN || et == ETH_QINQ || et == ETH_QINQ_OLD) &&
	       r->vlans < LINK_MAX_TAGS) {
		wire_skip(w, 2); /* TCI */
		et = wire_u16(w);
		r->vlans++;
	}
	if (et == ETH_PPPOE) {
		/* RFC 2516 session header: ver/type, code, session id, length. */
		wire_skip(w, 6);
		r->l3 = l3_from_ppp(wire_u16(w));
	} else if (et < 0x0600) {
		/* IEEE 802.3 length field with LLC/SNAP: DSAP, SSAP, ctrl, OUI. */
		wire_t llc = wire_sub(w, 3);
		uint8_t dsap = wire_u8(&llc);
		uint8_t ssap = wire_u8(&llc);
		if (wire_ok(&llc) && dsap == 0xaa && ssap == 0xaa) {
			wire_skip(w, 3);
			r->l3 = l3_from_ethertype(wire_u16(w));
		}
	} else {
		r->l3 = l3_from_ethertype(et);
	}
	return wire_ok(w) ? DB_OK : DB_ETRUNC;
}

/* IEEE 802.2 LLC with a SNAP header carrying an EtherType (RFC 1042). */
static uint8_t llc_snap(wire_t *w)
{
	wire_t llc = wire_sub(w, 6); /* DSAP, SSAP, control, OUI */
	uint8_t dsap = wire_u8(&llc);
	uint8_t ssap = wire_u8(&llc);
	uint8_t ctrl = wire_u8(&llc);
	if (!wire_ok(&llc) || dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
		return LINK_L3_NONE;
	return l3_from_ethertype(wire_u16(w));
}

/* IEEE 802.11 data frames: the MAC header's length depends on the frame
 * control flags; protected (encrypted) frames carry nothing readable. */
static void decode_80211(wire_t *w, link_result_t *r)
{
	uint8_t fc0 = wire_u8(w);
	uint8_t fc1 = wire_u8(w);
	if (!wire_ok(w) || ((fc0 >> 2) & 3) != 2 || (fc1 & 0x40))
		return;
	size_t hlen = 24 - 2;
	if ((fc1 & 0x03) == 0x03)
		hlen += 6; /* fourth address (WDS) */
	if (fc0 & 0x80) {
		hlen += 2; /* QoS control */
		if (fc1 & 0x80)
			hlen += 4; /* HT control */
	}
	if ((fc0 >> 4) & 0x4)
		return; /* null-data subtypes: no payload */
	wire_skip(w, hlen);
	r->l3 = llc_snap(w);
}

/* NFLOG (Linux nfnetlink_log): a 4-byte header, then TLVs in the host's
 * byte order, 4-byte aligned; the packet is TLV type 9 (NFULA_PAYLOAD). */
static void decode_nflog(wire_t *w, link_result_t *r)
{
	uint8_t family = wire_u8(w);
	wire_skip(w, 3);
	for (int i = 0; i < 64 && wire_ok(w) && wire_left(w) >= 4; i++) {
		size_t len = wire_le16(w);
		size_t type = wire_le16(w);
		if (len < 4)
			return;
		if (type == 9) {
			r->l3 = family == 2    ? LINK_L3_IPV4
				: family == 10 ? LINK_L3_IPV6
					       : LINK_L3_NONE;
			return;
		}
		wire_skip(w, (len + 3) / 4 * 4 - 4);
	}
}

db_status_t link_decode(int dlt, const uint8_t *frame, size_t caplen, link_result_t *r)
{
	wire_t w;
	wire_init(&w, frame, caplen);
	r->l3 = LINK_L3_NONE;
	r->offset = 0;
	r->vlans = 0;
	db_status_t st = DB_OK;

	switch (dlt) {
	case DLT_EN10MB: st = decode_ether(&w, r); break;
	case DLT_LINUX_SLL:
		/* packet type, ARPHRD, address length, 8-byte address, protocol */
		wire_skip(&w, 14);
		r->l3 = l3_from_ethertype(wire_u16(&w));
		break;
	case DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr */
		r->l3 = l3_from_ethertype(wire_u16(&w));
		wire_skip(&w, 18);
		break;
	case DLT_RAW_ALT1:
	case DLT_RAW_ALT2:
	case DLT_IPV4:
	case DLT_IPV6: r->l3 = l3_from_version(&w); break;
	case DLT_NULL: {
		/* The family is in the capturing host's byte order: the same
		 * four bytes are read both ways. */
		wire_t other = w;
		uint32_t le = wire_le32(&other);
		uint32_t be = wire_u32(&w);
		if (wire_ok(&w)) {
			r->l3 = l3_from_af(le < 256 ? le : be);
			/* Some writers put other headers in a NULL capture:
			 * PPP in HDLC framing (ff 03 + protocol) or an
			 * EtherType in the low half (as Wireshark accepts). */
			if (r->l3 == LINK_L3_NONE && be >> 16 == 0xff03)
				r->l3 = l3_from_ppp((uint16_t)be);
			else if (r->l3 == LINK_L3_NONE)
				r->l3 = l3_from_ethertype((uint16_t)be);
		}
		break;
	}
	case DLT_LOOP_OPENBSD: r->l3 = l3_from_af(wire_u32(&w)); break;
	case DLT_PPP:
	case DLT_PPP_SERIAL: {
		/* Address/control 0xff 0x03 may be present or compressed away. */
		if (wire_peek_u16(&w, 0) == 0xff03)
			wire_skip(&w, 2);
		r->l3 = l3_from_ppp(wire_u16(&w));
		break;
	}
	case DLT_C_HDLC:
		wire_skip(&w, 2); /* address, control */
		r->l3 = l3_from_ethertype(wire_u16(&w));
		break;
	case DLT_FDDI:
		wire_skip(&w, 13); /* frame control, destination, source */
		r->l3 = llc_snap(&w);
		break;
	case DLT_IEEE802_11: decode_80211(&w, r); break;
	case DLT_NFLOG: decode_nflog(&w, r); break;
	case DLT_IEEE802_11_RADIO: {
		/* radiotap: version, pad, little-endian header length. */
		wire_t rt = wire_sub(&w, 4);
		wire_skip(&rt, 2);
		size_t rlen = wire_le16(&rt);
		if (wire_ok(&rt) && rlen >= 4) {
			wire_skip(&w, rlen - 4);
			decode_80211(&w, r);
		}
		break;
	}
	case DLT_PKTAP:
	case DLT_PKTAP_APPLE: {
		/* Apple PKTAP: header length and the inner link type, both
		 * little-endian; the inner frame follows (one level only). */
		wire_t ph = wire_sub(&w, 8);
		uint32_t hl = wire_le32(&ph);
		uint32_t inner = wire_le32(&ph);
		if (!wire_ok(&ph))
			break;
		if (hl < 8 || hl > caplen || inner == DLT_PKTAP || inner == DLT_PKTAP_APPLE)
			return DB_EMALFORMED;
		db_status_t is = link_decode((int)inner, frame + hl, caplen - hl, r);
		r->offset += hl;
		return is;
	}
	default: return DB_EUNSUPP;
	}
	if (st == DB_OK && !wire_ok(&w))
		st = DB_ETRUNC;
	if (st != DB_OK)
		r->l3 = LINK_L3_NONE;
	r->offset = w.pos;
	return st;
}
