/*
 * test_tunnel.c - tunnels opened: IP-in-IP, 6in4, GRE (with PPTP's
 * enhanced GRE and PPP), VXLAN, VXLAN-GPE and Geneve (capture/tunnel.c).
 *
 * Every decode runs on a heap copy of exactly the bytes given, so that
 * under ASan a read past l4[0..len) fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/link.h"
#include "../../../capture/tunnel.h"

#define MACS 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
/* The first bytes of an inner IPv4 and IPv6 header (tunnel.c reads none). */
#define INNER4 0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd
#define INNER6 0x60, 0x00, 0x00, 0x00, 0x00, 0x08
/* An Ethernet header carrying ethertype et. */
#define ETH(et) MACS, (et) >> 8, (et)&0xff
/* UDP header sport -> dport. */
#define UDP(sp, dp) (sp) >> 8, (sp)&0xff, (dp) >> 8, (dp)&0xff, 0x00, 0x40, 0x00, 0x00
/* VXLAN (RFC 7348): flags (0x08: VNI valid), reserved, VNI 100, reserved. */
#define VXLAN(flags) (flags), 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00
/* VXLAN-GPE: flags I and P, next protocol np, VNI 100. */
#define GPE(np) 0x0c, 0x00, 0x00, (np), 0x00, 0x00, 0x64, 0x00
/* Geneve (RFC 8926): version 0 and optw 4-byte words of options, the
 * protocol type et, VNI 100. */
#define GENEVE(optw, et) (optw), 0x00, (et) >> 8, (et)&0xff, 0x00, 0x00, 0x64, 0x00
/* GRE flags and protocol. */
#define GRE(flags, proto) (flags) >> 8, (flags)&0xff, (proto) >> 8, (proto)&0xff

#define NONE ((size_t)-1)

/* tunnel_decode on a heap copy of b[0..n); *off is where the inner packet
 * starts (NONE when in.p is NULL). */
static int dec(uint8_t proto, const uint8_t *b, size_t n, tunnel_inner_t *in, size_t *off)
{
	uint8_t *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	if (n)
		memcpy(copy, b, n);
	memset(in, 0xee, sizeof(*in));
	int r = tunnel_decode(proto, copy, n, in);
	*off = in->p ? (size_t)(in->p - copy) : NONE;
	if (in->p) {
		assert_true(in->p >= copy && in->p + in->len <= copy + n);
		assert_int_equal(*off + in->len, n);
	}
	free(copy);
	return r;
}

/* A tunnel with an inner packet of version l3 starting at off. */
static void expect_inner(uint8_t proto, const uint8_t *b, size_t n, uint8_t l3, size_t off)
{
	tunnel_inner_t in;
	size_t at;

	assert_int_equal(dec(proto, b, n, &in, &at), 1);
	assert_int_equal(in.l3, l3);
	assert_int_equal(at, off);
	assert_int_equal(in.len, n - off);
}

/* A tunnel with nothing readable inside. */
static void expect_empty(uint8_t proto, const uint8_t *b, size_t n)
{
	tunnel_inner_t in;
	size_t at;

	assert_int_equal(dec(proto, b, n, &in, &at), 1);
	assert_int_equal(in.l3, LINK_L3_NONE);
}

/* Not a tunnel at all. */
static void expect_not(uint8_t proto, const uint8_t *b, size_t n)
{
	tunnel_inner_t in;
	size_t at;

	assert_int_equal(dec(proto, b, n, &in, &at), 0);
	assert_int_equal(in.l3, LINK_L3_NONE);
}

static void maybe_by_protocol_and_port(void **state)
{
	(void)state;
	static const uint8_t vx[] = { UDP(40000, 4789), VXLAN(0x08) };
	static const uint8_t vx_reply[] = { UDP(4789, 40000), VXLAN(0x08) };
	static const uint8_t gpe[] = { UDP(40000, 4790), GPE(1) };
	static const uint8_t gen[] = { UDP(6081, 6081), GENEVE(0, 0x0800) };
	static const uint8_t dns_from_vx[] = { UDP(4789, 53), VXLAN(0x08) };
	static const uint8_t dns_to_gen[] = { UDP(53, 6081), GENEVE(0, 0x0800) };
	static const uint8_t plain[] = { UDP(40000, 4788), VXLAN(0x08) };

	assert_int_equal(tunnel_maybe(4, NULL, 0), 1);
	assert_int_equal(tunnel_maybe(41, NULL, 0), 1);
	assert_int_equal(tunnel_maybe(47, NULL, 0), 1);
	assert_int_equal(tunnel_maybe(17, vx, sizeof(vx)), 1);
	assert_int_equal(tunnel_maybe(17, vx_reply, sizeof(vx_reply)), 1);
	assert_int_equal(tunnel_maybe(17, gpe, sizeof(gpe)), 1);
	assert_int_equal(tunnel_maybe(17, gen, sizeof(gen)), 1);
	/* DNS wins over an ephemeral port that happens to be a tunnel's. */
	assert_int_equal(tunnel_maybe(17, dns_from_vx, sizeof(dns_from_vx)), 0);
	assert_int_equal(tunnel_maybe(17, dns_to_gen, sizeof(dns_to_gen)), 0);
	assert_int_equal(tunnel_maybe(17, plain, sizeof(plain)), 0);
	/* Shorter than a UDP header and a tunnel header. */
	assert_int_equal(tunnel_maybe(17, vx, 15), 0);
	assert_int_equal(tunnel_maybe(17, vx, 16), 1);
	/* Tunnel ports mean nothing to other protocols. */
	assert_int_equal(tunnel_maybe(6, vx, sizeof(vx)), 0);
	assert_int_equal(tunnel_maybe(1, vx, sizeof(vx)), 0);
	assert_int_equal(tunnel_maybe(58, vx, sizeof(vx)), 0);
	/* Every candidate tunnel_decode opens is one tunnel_maybe names. */
	tunnel_inner_t in;
	size_t at;
	assert_int_equal(dec(17, dns_from_vx, sizeof(dns_from_vx), &in, &at), 0);
	assert_int_equal(dec(17, dns_to_gen, sizeof(dns_to_gen), &in, &at), 0);
	assert_int_equal(dec(17, plain, sizeof(plain), &in, &at), 0);
	assert_int_equal(dec(6, vx, sizeof(vx), &in, &at), 0);
}

static void ip_in_ip(void **state)
{
	(void)state;
	static const uint8_t v4[] = { INNER4 };
	static const uint8_t v6[] = { INNER6 };

	expect_inner(4, v4, sizeof(v4), LINK_L3_IPV4, 0);
	expect_inner(41, v6, sizeof(v6), LINK_L3_IPV6, 0);
	/* The inner header is the IP path's to judge, even when empty. */
	tunnel_inner_t in;
	size_t at;
	assert_int_equal(dec(4, v4, 0, &in, &at), 1);
	assert_int_equal(in.len, 0);
	/* Not tunnels. */
	expect_not(17, v4, sizeof(v4));
	expect_not(6, v4, sizeof(v4));
	expect_not(0, v4, sizeof(v4));
}

static void gre_plain_and_optional_fields(void **state)
{
	(void)state;
	static const uint8_t g4[] = { GRE(0x0000, 0x0800), INNER4 };
	static const uint8_t g6[] = { GRE(0x0000, 0x86dd), INNER6 };
	/* Checksum, key and sequence present: 12 more bytes (RFC 2890). */
	static const uint8_t csk[] = {
		GRE(0xb000, 0x0800), 0xaa, 0xbb, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1, INNER4
	};
	/* Key only. */
	static const uint8_t key[] = { GRE(0x2000, 0x86dd), 0, 0, 0, 9, INNER6 };
	/* Transparent Ethernet bridging: an Ethernet frame inside. */
	static const uint8_t teb[] = { GRE(0x0000, 0x6558), ETH(0x0800), INNER4 };
	static const uint8_t teb_vlan[] = {
		GRE(0x0000, 0x6558), MACS, 0x81, 0x00, 0x00, 0x0a, 0x86, 0xdd, INNER6
	};

	expect_inner(47, g4, sizeof(g4), LINK_L3_IPV4, 4);
	expect_inner(47, g6, sizeof(g6), LINK_L3_IPV6, 4);
	expect_inner(47, csk, sizeof(csk), LINK_L3_IPV4, 16);
	expect_inner(47, key, sizeof(key), LINK_L3_IPV6, 8);
	expect_inner(47, teb, sizeof(teb), LINK_L3_IPV4, 18);
	expect_inner(47, teb_vlan, sizeof(teb_vlan), LINK_L3_IPV6, 22);
	/* The header itself, nothing after it: an empty inner packet. */
	expect_inner(47, g4, 4, LINK_L3_IPV4, 4);
}

static void gre_nothing_readable(void **state)
{
	(void)state;
	static const uint8_t g4[] = { GRE(0x0000, 0x0800), INNER4 };
	static const uint8_t csk[] = {
		GRE(0xb000, 0x0800), 0xaa, 0xbb, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1, INNER4
	};
	/* Version 2 does not exist. */
	static const uint8_t v2[] = { GRE(0x0002, 0x0800), INNER4 };
	/* ERSPAN and other payloads are not IP. */
	static const uint8_t erspan[] = { GRE(0x1000, 0x88be), 0, 0, 0, 1, INNER4 };
	/* Ethernet carrying ARP, and an Ethernet header cut short. */
	static const uint8_t teb_arp[] = { GRE(0x0000, 0x6558), ETH(0x0806), 0, 1 };
	static const uint8_t teb_cut[] = { GRE(0x0000, 0x6558), MACS, 0x08 };

	/* Cut inside the fixed header or the optional fields. */
	expect_empty(47, g4, 0);
	expect_empty(47, g4, 3);
	expect_empty(47, csk, 15);
	expect_empty(47, csk, 4);
	expect_empty(47, v2, sizeof(v2));
	expect_empty(47, erspan, sizeof(erspan));
	expect_empty(47, teb_arp, sizeof(teb_arp));
	expect_empty(47, teb_cut, sizeof(teb_cut));
}

/* PPTP (RFC 2637): GRE version 1 with a key, a sequence and an
 * acknowledgment number, carrying PPP. */
static void enhanced_gre_with_ppp(void **state)
{
	(void)state;
/* K, S, A set, version 1, protocol 0x880b; payload length, call id, seq, ack. */
#define PPTP 0x30, 0x81, 0x88, 0x0b, 0x00, 0x20, 0x12, 0x34, 0, 0, 0, 5, 0, 0, 0, 4
	static const uint8_t ppp4[] = { PPTP, 0xff, 0x03, 0x00, 0x21, INNER4 };
	static const uint8_t ppp6[] = { PPTP, 0xff, 0x03, 0x00, 0x57, INNER6 };
	/* Address and control omitted, protocol field compressed (RFC 1661 6.5). */
	static const uint8_t pfc4[] = { PPTP, 0x21, INNER4 };
	static const uint8_t nac6[] = { PPTP, 0x00, 0x57, INNER6 };
	/* Without the A flag there is no acknowledgment number. */
	static const uint8_t noack[] = { 0x30, 0x01, 0x88, 0x0b, 0x00, 0x20, 0x12, 0x34,  0,
					 0,    0,    5,    0xff, 0x03, 0x00, 0x21, INNER4 };
	/* LCP is not IP; a PPP header cut short. */
	static const uint8_t lcp[] = { PPTP, 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01 };
	static const uint8_t cut[] = { PPTP, 0xff, 0x03, 0x00 };

	expect_inner(47, ppp4, sizeof(ppp4), LINK_L3_IPV4, 20);
	expect_inner(47, ppp6, sizeof(ppp6), LINK_L3_IPV6, 20);
	expect_inner(47, pfc4, sizeof(pfc4), LINK_L3_IPV4, 17);
	expect_inner(47, nac6, sizeof(nac6), LINK_L3_IPV6, 18);
	expect_inner(47, noack, sizeof(noack), LINK_L3_IPV4, 16);
	expect_empty(47, lcp, sizeof(lcp));
	expect_empty(47, cut, sizeof(cut));
	expect_empty(47, ppp4, 16); /* no PPP byte at all */
	expect_empty(47, ppp4, 15); /* the acknowledgment number cut */
#undef PPTP
}

static void vxlan(void **state)
{
	(void)state;
	static const uint8_t v4[] = { UDP(40000, 4789), VXLAN(0x08), ETH(0x0800), INNER4 };
	static const uint8_t reply6[] = { UDP(4789, 51000), VXLAN(0x08), ETH(0x86dd), INNER6 };
	/* The I flag clear: not VXLAN after all. */
	static const uint8_t noflag[] = { UDP(40000, 4789), VXLAN(0x00), ETH(0x0800), INNER4 };
	static const uint8_t arp[] = { UDP(40000, 4789), VXLAN(0x08), ETH(0x0806), 0, 1 };
	static const uint8_t dns[] = { UDP(53, 4789), VXLAN(0x08), ETH(0x0800), INNER4 };

	expect_inner(17, v4, sizeof(v4), LINK_L3_IPV4, 30);
	expect_inner(17, reply6, sizeof(reply6), LINK_L3_IPV6, 30);
	expect_not(17, noflag, sizeof(noflag));
	expect_empty(17, arp, sizeof(arp));
	expect_not(17, dns, sizeof(dns));
	/* UDP and VXLAN headers and no frame, or a frame cut short. */
	expect_empty(17, v4, 16);
	expect_empty(17, v4, 29);
	/* Shorter than both headers: nothing of it is read. */
	expect_not(17, v4, 15);
	expect_not(17, v4, 0);
}

static void vxlan_gpe(void **state)
{
	(void)state;
	static const uint8_t g4[] = { UDP(40000, 4790), GPE(1), INNER4 };
	static const uint8_t g6[] = { UDP(40000, 4790), GPE(2), INNER6 };
	static const uint8_t geth[] = { UDP(4790, 40000), GPE(3), ETH(0x86dd), INNER6 };
	/* Network Service Header (4) is not opened. */
	static const uint8_t nsh[] = { UDP(40000, 4790), GPE(4), INNER4 };
	/* The next protocol is read even with the P flag clear. */
	static const uint8_t nop[] = { UDP(40000, 4790), 0x08, 0, 0, 1, 0, 0, 0x64, 0, INNER4 };
	/* Without the I flag, not a tunnel. */
	static const uint8_t noi[] = { UDP(40000, 4790), 0x04, 0, 0, 1, 0, 0, 0x64, 0, INNER4 };

	expect_inner(17, g4, sizeof(g4), LINK_L3_IPV4, 16);
	expect_inner(17, g6, sizeof(g6), LINK_L3_IPV6, 16);
	expect_inner(17, geth, sizeof(geth), LINK_L3_IPV6, 30);
	expect_empty(17, nsh, sizeof(nsh));
	expect_inner(17, nop, sizeof(nop), LINK_L3_IPV4, 16);
	expect_not(17, noi, sizeof(noi));
	expect_inner(17, g4, 16, LINK_L3_IPV4, 16);
	expect_empty(17, geth, 20);
}

static void geneve(void **state)
{
	(void)state;
	static const uint8_t eth4[] = { UDP(40000, 6081), GENEVE(0, 0x6558), ETH(0x0800), INNER4 };
	static const uint8_t ip4[] = { UDP(40000, 6081), GENEVE(0, 0x0800), INNER4 };
	/* Two words of options before an IPv6 packet. */
	static const uint8_t opt6[] = { UDP(6081, 40000),
					GENEVE(2, 0x86dd),
					0x01,
					0x02,
					0x03,
					0x01,
					0xaa,
					0xbb,
					0xcc,
					0xdd,
					INNER6 };
	/* Version 1 is not Geneve as we know it. */
	static const uint8_t ver1[] = {
		UDP(40000, 6081), 0x40, 0x00, 0x08, 0x00, 0, 0, 0x64, 0, INNER4
	};
	/* Options said to be 63 words long, in a short datagram. */
	static const uint8_t longopt[] = { UDP(40000, 6081), GENEVE(63, 0x0800), INNER4 };
	static const uint8_t other[] = { UDP(40000, 6081), GENEVE(0, 0x894f), INNER4 };

	expect_inner(17, eth4, sizeof(eth4), LINK_L3_IPV4, 30);
	expect_inner(17, ip4, sizeof(ip4), LINK_L3_IPV4, 16);
	expect_inner(17, opt6, sizeof(opt6), LINK_L3_IPV6, 24);
	expect_not(17, ver1, sizeof(ver1));
	expect_empty(17, longopt, sizeof(longopt));
	expect_empty(17, other, sizeof(other));
	/* The options reach exactly to the end: an empty inner packet. */
	expect_inner(17, opt6, 24, LINK_L3_IPV6, 24);
	/* One byte of options missing. */
	expect_empty(17, opt6, 23);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(maybe_by_protocol_and_port),
		cmocka_unit_test(ip_in_ip),
		cmocka_unit_test(gre_plain_and_optional_fields),
		cmocka_unit_test(gre_nothing_readable),
		cmocka_unit_test(enhanced_gre_with_ppp),
		cmocka_unit_test(vxlan),
		cmocka_unit_test(vxlan_gpe),
		cmocka_unit_test(geneve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
