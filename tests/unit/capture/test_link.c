/*
 * test_link.c - link-layer decoding (capture/link.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "../../../capture/link.h"

#define DLT_SLL2_NUM 276
#define DLT_LOOP_NUM 108
#define DLT_NFLOG_NUM 239
#define DLT_PKTAP_NUM 258
#define DLT_RADIOTAP_NUM 127

#define MACS 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
#define IP4_START 0x45, 0x00, 0x00, 0x1c
#define IP6_START 0x60, 0x00, 0x00, 0x00

static void expect(int dlt, const uint8_t *f, size_t n, db_status_t st, uint8_t l3, size_t offset,
		   uint8_t vlans)
{
	link_result_t r;

	memset(&r, 0xee, sizeof(r));
	assert_int_equal(link_decode(dlt, f, n, &r), st);
	assert_int_equal(r.l3, l3);
	if (st == DB_OK)
		assert_int_equal(r.offset, offset);
	assert_int_equal(r.vlans, vlans);
}

static void ethernet_plain_and_arp(void **state)
{
	(void)state;
	static const uint8_t v4[] = { MACS, 0x08, 0x00, IP4_START };
	static const uint8_t v6[] = { MACS, 0x86, 0xdd, IP6_START };
	static const uint8_t arp[] = { MACS, 0x08, 0x06, 0x00, 0x01 };
	static const uint8_t cut[] = { MACS, 0x08 };

	expect(DLT_EN10MB, v4, sizeof(v4), DB_OK, LINK_L3_IPV4, 14, 0);
	expect(DLT_EN10MB, v6, sizeof(v6), DB_OK, LINK_L3_IPV6, 14, 0);
	expect(DLT_EN10MB, arp, sizeof(arp), DB_OK, LINK_L3_NONE, 14, 0);
	expect(DLT_EN10MB, cut, sizeof(cut), DB_ETRUNC, LINK_L3_NONE, 0, 0);
	expect(DLT_EN10MB, NULL, 0, DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

static void ethernet_vlan_stacks(void **state)
{
	(void)state;
	static const uint8_t one[] = { MACS, 0x81, 0x00, 0x00, 0x64, 0x86, 0xdd, IP6_START };
	/* QinQ: 802.1ad outer tag, 802.1Q inner, then the old 0x9100 tag. */
	static const uint8_t three[] = { MACS, 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00,
					 0x14, 0x91, 0x00, 0x00, 0x1e, 0x08, 0x00, IP4_START };
	/* The inner EtherType is missing. */
	static const uint8_t cut[] = { MACS, 0x81, 0x00, 0x00, 0x64 };

	expect(DLT_EN10MB, one, sizeof(one), DB_OK, LINK_L3_IPV6, 18, 1);
	expect(DLT_EN10MB, three, sizeof(three), DB_OK, LINK_L3_IPV4, 26, 3);
	expect(DLT_EN10MB, cut, sizeof(cut), DB_ETRUNC, LINK_L3_NONE, 0, 1);
}

static void ethernet_pppoe_and_snap(void **state)
{
	(void)state;
	/* PPPoE session (RFC 2516): ver/type 0x11, code 0, session, length, PPP 0x0057. */
	static const uint8_t pppoe6[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x12,
					  0x34, 0x00, 0x2a, 0x00, 0x57, IP6_START };
	static const uint8_t pppoe_lcp[] = { MACS, 0x88, 0x64, 0x11, 0x00, 0x12,
					     0x34, 0x00, 0x2a, 0xc0, 0x21, 0x01 };
	/* 802.3 length 0x0030, LLC AA AA 03, OUI 000000, EtherType 0x0800. */
	static const uint8_t snap[] = { MACS, 0x00, 0x30, 0xaa, 0xaa, 0x03,
					0x00, 0x00, 0x00, 0x08, 0x00, IP4_START };
	/* 802.3 with spanning-tree LLC (42 42 03): not IP. */
	static const uint8_t stp[] = { MACS, 0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00 };

	expect(DLT_EN10MB, pppoe6, sizeof(pppoe6), DB_OK, LINK_L3_IPV6, 22, 0);
	expect(DLT_EN10MB, pppoe_lcp, sizeof(pppoe_lcp), DB_OK, LINK_L3_NONE, 22, 0);
	expect(DLT_EN10MB, snap, sizeof(snap), DB_OK, LINK_L3_IPV4, 22, 0);
	expect(DLT_EN10MB, stp, sizeof(stp), DB_OK, LINK_L3_NONE, 17, 0);
}

static void linux_cooked(void **state)
{
	(void)state;
	/* SLL: packet type, ARPHRD, addr len, 8-byte addr, protocol. */
	static const uint8_t sll[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x11,     0x22,
				       0x33, 0x44, 0x55, 0x00, 0x00, 0x08, 0x00, IP4_START };
	/* SLL2: protocol, reserved, ifindex, ARPHRD, pkttype, addr len, addr. */
	static const uint8_t sll2[] = { 0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00,
					0x02, 0x00, 0x01, 0x04, 0x06, 0x00, 0x11,
					0x22, 0x33, 0x44, 0x55, 0x00, 0x00, IP6_START };

	expect(DLT_LINUX_SLL, sll, sizeof(sll), DB_OK, LINK_L3_IPV4, 16, 0);
	expect(DLT_SLL2_NUM, sll2, sizeof(sll2), DB_OK, LINK_L3_IPV6, 20, 0);
	expect(DLT_SLL2_NUM, sll2, 19, DB_ETRUNC, LINK_L3_NONE, 0, 0);
	expect(DLT_LINUX_SLL, sll, 15, DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

static void raw_null_loop(void **state)
{
	(void)state;
	static const uint8_t raw4[] = { IP4_START };
	static const uint8_t raw6[] = { IP6_START };
	static const uint8_t null_le6[] = { 0x1e, 0x00, 0x00, 0x00, IP6_START }; /* macOS AF 30 */
	static const uint8_t null_be4[] = { 0x00, 0x00, 0x00, 0x02, IP4_START };
	static const uint8_t null_le24[] = { 0x18, 0x00, 0x00, 0x00, IP6_START };
	static const uint8_t null_be28[] = { 0x00, 0x00, 0x00, 0x1c, IP6_START };
	static const uint8_t loop6[] = { 0x00, 0x00, 0x00, 0x18, IP6_START };
	static const uint8_t loop_le[] = { 0x02, 0x00, 0x00, 0x00, IP4_START };

	expect(DLT_RAW, raw4, sizeof(raw4), DB_OK, LINK_L3_IPV4, 0, 0);
	expect(12, raw6, sizeof(raw6), DB_OK, LINK_L3_IPV6, 0, 0);
	expect(14, raw6, sizeof(raw6), DB_OK, LINK_L3_IPV6, 0, 0);
	expect(228, raw4, sizeof(raw4), DB_OK, LINK_L3_IPV4, 0, 0);
	expect(229, raw6, sizeof(raw6), DB_OK, LINK_L3_IPV6, 0, 0);
	expect(DLT_NULL, null_le6, sizeof(null_le6), DB_OK, LINK_L3_IPV6, 4, 0);
	expect(DLT_NULL, null_be4, sizeof(null_be4), DB_OK, LINK_L3_IPV4, 4, 0);
	expect(DLT_NULL, null_le24, sizeof(null_le24), DB_OK, LINK_L3_IPV6, 4, 0);
	expect(DLT_NULL, null_be28, sizeof(null_be28), DB_OK, LINK_L3_IPV6, 4, 0);
	expect(DLT_NULL, null_le6, 3, DB_ETRUNC, LINK_L3_NONE, 0, 0);
	/* OpenBSD LOOP is always network byte order. */
	expect(DLT_LOOP_NUM, loop6, sizeof(loop6), DB_OK, LINK_L3_IPV6, 4, 0);
	expect(DLT_LOOP_NUM, loop_le, sizeof(loop_le), DB_OK, LINK_L3_NONE, 4, 0);
}

static void ppp_and_hdlc(void **state)
{
	(void)state;
	static const uint8_t ppp_full[] = { 0xff, 0x03, 0x00, 0x21, IP4_START };
	static const uint8_t ppp_acfc[] = { 0x00, 0x57, IP6_START };
	static const uint8_t chdlc[] = { 0x0f, 0x00, 0x86, 0xdd, IP6_START };
	static const uint8_t chdlc_cut[] = { 0x0f, 0x00, 0x08 };

	expect(DLT_PPP, ppp_full, sizeof(ppp_full), DB_OK, LINK_L3_IPV4, 4, 0);
	expect(DLT_PPP, ppp_acfc, sizeof(ppp_acfc), DB_OK, LINK_L3_IPV6, 2, 0);
	expect(DLT_PPP_SERIAL, ppp_full, sizeof(ppp_full), DB_OK, LINK_L3_IPV4, 4, 0);
	expect(DLT_C_HDLC, chdlc, sizeof(chdlc), DB_OK, LINK_L3_IPV6, 4, 0);
	expect(DLT_C_HDLC, chdlc_cut, sizeof(chdlc_cut), DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

static void fddi_snap(void **state)
{
	(void)state;
	static const uint8_t fddi[] = { 0x50, MACS, 0xaa, 0xaa, 0x03,     0x00,
					0x00, 0x00, 0x86, 0xdd, IP6_START };

	expect(DLT_FDDI, fddi, sizeof(fddi), DB_OK, LINK_L3_IPV6, 21, 0);
	expect(DLT_FDDI, fddi, 20, DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

#define ADDR3                                                                                      \
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22,  \
	    0x33, 0x44, 0x55
#define SNAP4 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00

static void wifi_frames(void **state)
{
	(void)state;
	/* Data, FromDS: fc 08 02, duration, 3 addresses, sequence control. */
	static const uint8_t data[] = {
		0x08, 0x02, 0x00, 0x00, ADDR3, 0x10, 0x00, SNAP4, IP4_START
	};
	/* QoS data (subtype 8) with WDS (ToDS+FromDS) and the Order bit: 4th
	 * address, QoS control and HT control make a 36-byte header. */
	static const uint8_t qos_wds_ht[] = { 0x88, 0x83, 0x00, 0x00, ADDR3, 0x10, 0x00,
					      0x66, 0x77, 0x88, 0x99, 0xaa,  0xbb, 0x00,
					      0x00, 0x01, 0x02, 0x03, 0x04,  0xaa, 0xaa,
					      0x03, 0x00, 0x00, 0x00, 0x86,  0xdd, IP6_START };
	/* Protected frame: payload encrypted. */
	static const uint8_t prot[] = {
		0x08, 0x42, 0x00, 0x00, ADDR3, 0x10, 0x00, SNAP4, IP4_START
	};
	/* Beacon (management). */
	static const uint8_t beacon[] = { 0x80, 0x00, 0x00, 0x00, ADDR3, 0x10, 0x00 };
	/* Null data (subtype 4) has no payload. */
	static const uint8_t nulldata[] = { 0x48, 0x01, 0x00, 0x00, ADDR3, 0x10, 0x00 };

	expect(DLT_IEEE802_11, data, sizeof(data), DB_OK, LINK_L3_IPV4, 32, 0);
	expect(DLT_IEEE802_11, qos_wds_ht, sizeof(qos_wds_ht), DB_OK, LINK_L3_IPV6, 44, 0);
	expect(DLT_IEEE802_11, prot, sizeof(prot), DB_OK, LINK_L3_NONE, 2, 0);
	expect(DLT_IEEE802_11, beacon, sizeof(beacon), DB_OK, LINK_L3_NONE, 2, 0);
	expect(DLT_IEEE802_11, nulldata, sizeof(nulldata), DB_OK, LINK_L3_NONE, 2, 0);
	expect(DLT_IEEE802_11, data, 30, DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

static void radiotap(void **state)
{
	(void)state;
	/* radiotap v0, length 12 (little-endian), present flags, 4 bytes of fields. */
	static const uint8_t rt[] = { 0x00, 0x00, 0x0c,  0x00, 0x04, 0x00,  0x00,
				      0x00, 0x02, 0x00,  0x00, 0x00, 0x08,  0x02,
				      0x00, 0x00, ADDR3, 0x10, 0x00, SNAP4, IP4_START };
	/* A header length longer than the frame. */
	static const uint8_t rt_long[] = { 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00 };

	expect(DLT_RADIOTAP_NUM, rt, sizeof(rt), DB_OK, LINK_L3_IPV4, 44, 0);
	expect(DLT_RADIOTAP_NUM, rt_long, sizeof(rt_long), DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

static void nflog_tlvs(void **state)
{
	(void)state;
	/* family AF_INET6 (10), version 0, resource id; TLV prefix (type 1,
	 * length 8), TLV hwheader-ish padded (type 4, length 5 -> 8), payload (type 9). */
	static const uint8_t nflog[] = { 0x0a,      0x00, 0x00, 0x01, 0x08, 0x00, 0x01, 0x00,
					 0x86,      0xdd, 0x03, 0x00, 0x05, 0x00, 0x04, 0x00,
					 0x01,      0x00, 0x00, 0x00, 0x0c, 0x00, 0x09, 0x00,
					 IP6_START, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t nflog4[] = {
		0x02, 0x00, 0x00, 0x00, 0x08, 0x00, 0x09, 0x00, IP4_START
	};
	/* A TLV claims more bytes than the frame holds. */
	static const uint8_t cut[] = { 0x02, 0x00, 0x00, 0x00, 0x40, 0x00,
				       0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };

	expect(DLT_NFLOG_NUM, nflog, sizeof(nflog), DB_OK, LINK_L3_IPV6, 24, 0);
	expect(DLT_NFLOG_NUM, nflog4, sizeof(nflog4), DB_OK, LINK_L3_IPV4, 8, 0);
	expect(DLT_NFLOG_NUM, cut, sizeof(cut), DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

static void pktap(void **state)
{
	(void)state;
	/* PKTAP header of 12 bytes (length, inner DLT 1 = EN10MB, 4 more), then Ethernet. */
	static const uint8_t pk[] = { 0x0c, 0x00, 0x00, 0x00, 0x01, 0x00,     0x00,
				      0x00, 0x00, 0x00, 0x00, 0x00, MACS,     0x81,
				      0x00, 0x00, 0x05, 0x86, 0xdd, IP6_START };
	static const uint8_t nested[] = { 0x08, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00 };
	static const uint8_t too_long[] = { 0x40, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };

	expect(DLT_PKTAP_NUM, pk, sizeof(pk), DB_OK, LINK_L3_IPV6, 30, 1);
	expect(DLT_PKTAP_NUM, nested, sizeof(nested), DB_EMALFORMED, LINK_L3_NONE, 0, 0);
	expect(DLT_PKTAP_NUM, too_long, sizeof(too_long), DB_EMALFORMED, LINK_L3_NONE, 0, 0);
	expect(DLT_PKTAP_NUM, pk, 7, DB_ETRUNC, LINK_L3_NONE, 0, 0);
}

static void unsupported_and_names(void **state)
{
	(void)state;
	static const uint8_t b[] = { IP4_START };
	link_result_t r;

	assert_int_equal(link_decode(DLT_IEEE802_15_4, b, sizeof(b), &r), DB_EUNSUPP);
	assert_int_equal(link_supported(DLT_IEEE802_15_4), 0);
	assert_int_equal(link_supported(DLT_EN10MB), 1);
	assert_int_equal(link_supported(DLT_SLL2_NUM), 1);
	assert_int_equal(link_supported(DLT_PKTAP_NUM), 1);
	assert_string_equal(link_name(DLT_SLL2_NUM), "LINUX_SLL2");
	assert_string_equal(link_name(DLT_EN10MB), "EN10MB");
	assert_string_equal(link_name(DLT_IEEE802_15_4), "unsupported");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ethernet_plain_and_arp),
		cmocka_unit_test(ethernet_vlan_stacks),
		cmocka_unit_test(ethernet_pppoe_and_snap),
		cmocka_unit_test(linux_cooked),
		cmocka_unit_test(raw_null_loop),
		cmocka_unit_test(ppp_and_hdlc),
		cmocka_unit_test(fddi_snap),
		cmocka_unit_test(wifi_frames),
		cmocka_unit_test(radiotap),
		cmocka_unit_test(nflog_tlvs),
		cmocka_unit_test(pktap),
		cmocka_unit_test(unsupported_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
