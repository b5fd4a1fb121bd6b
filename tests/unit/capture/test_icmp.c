/*
 * test_icmp.c - ICMP / ICMPv6 error decoding and the quoted datagram
 * (capture/icmp.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../capture/icmp.h"

/* ICMP header: type, code, checksum, 4 bytes unused / MTU / pointer. */
#define ICMP_HDR(type, code) (type), (code), 0x12, 0x34, 0x00, 0x00, 0x00, 0x00
/* Quoted IPv4 header, IHL 5: 192.0.2.1 -> 198.51.100.53, given proto and fragment word. */
#define IP4Q(proto, f0, f1)                                                                        \
	0x45, 0x00, 0x00, 0x29, 0xab, 0xcd, (f0), (f1), 0x40, (proto), 0x00, 0x00, 192, 0, 2, 1,   \
	    198, 51, 100, 53
/* UDP 54321 -> 53. */
#define UDPQ 0xd4, 0x31, 0x00, 0x35, 0x00, 0x15, 0x00, 0x00
/* DNS query header, id 0xbeef, RD, one question. */
#define DNSQ                                                                                       \
	0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  \
	    0x00, 0x01
#define SRC6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define DST6 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53
#define IP6Q(nh) 0x60, 0x00, 0x00, 0x00, 0x00, 0x19, (nh), 0x40, SRC6, DST6

struct fx {
	db_addr_t reporter, c4, s4, c6, s6;
};

static void fx_init(struct fx *x)
{
	assert_int_equal(db_addr_parse(&x->reporter, "203.0.113.9"), 0);
	assert_int_equal(db_addr_parse(&x->c4, "192.0.2.1"), 0);
	assert_int_equal(db_addr_parse(&x->s4, "198.51.100.53"), 0);
	assert_int_equal(db_addr_parse(&x->c6, "2001:db8::1"), 0);
	assert_int_equal(db_addr_parse(&x->s6, "2001:db8::53"), 0);
}

static void assert_flow4(const struct fx *x, const cap_icmp_t *o, uint8_t proto)
{
	assert_true(db_addr_eq(&o->quoted.src, &x->c4));
	assert_true(db_addr_eq(&o->quoted.dst, &x->s4));
	assert_int_equal(o->quoted.proto, proto);
}

static void port_unreachable_quotes_dns_id(void **state)
{
	(void)state;
	static const uint8_t m[] = { ICMP_HDR(3, 3), IP4Q(17, 0x40, 0x00), UDPQ, DNSQ };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(4, &x.reporter, m, sizeof(m), &o), DB_OK);
	assert_int_equal(o.version, 4);
	assert_int_equal(o.type, 3);
	assert_int_equal(o.code, 3);
	assert_true(db_addr_eq(&o.reporter, &x.reporter));
	assert_flow4(&x, &o, 17);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.sport, 54321);
	assert_int_equal(o.quoted.dport, 53);
	assert_ptr_equal(o.payload, m + 36);
	assert_int_equal(o.payload_len, 17);
	assert_int_equal(o.payload[0], 0xbe);
	assert_int_equal(o.payload[1], 0xef);
	assert_int_equal(o.has_dns_id, 1);
	assert_int_equal(o.dns_id, 0xbeef);
}

static void admin_prohibited_with_ip_options(void **state)
{
	(void)state;
	/* IHL 6: one word of options (NOP NOP NOP EOL) before UDP. */
	static const uint8_t m[] = { ICMP_HDR(3, 13),
				     0x46,
				     0x00,
				     0x00,
				     0x2d,
				     0xab,
				     0xcd,
				     0x00,
				     0x00,
				     0x40,
				     17,
				     0x00,
				     0x00,
				     192,
				     0,
				     2,
				     1,
				     198,
				     51,
				     100,
				     53,
				     0x01,
				     0x01,
				     0x01,
				     0x00,
				     UDPQ,
				     0xbe,
				     0xef };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(4, &x.reporter, m, sizeof(m), &o), DB_OK);
	assert_int_equal(o.code, 13);
	assert_flow4(&x, &o, 17);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.sport, 54321);
	assert_int_equal(o.quoted.dport, 53);
	assert_int_equal(o.payload_len, 2);
	assert_ptr_equal(o.payload, m + 40);
	assert_int_equal(o.has_dns_id, 1);
	assert_int_equal(o.dns_id, 0xbeef);
}

static void quote_cut_in_udp_header(void **state)
{
	(void)state;
	static const uint8_t m[] = { ICMP_HDR(3, 3), IP4Q(17, 0x00, 0x00), UDPQ };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	/* RFC 792's 64 bits: the whole UDP header, no DNS bytes. */
	assert_int_equal(icmp_decode(4, &x.reporter, m, sizeof(m), &o), DB_OK);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.sport, 54321);
	assert_int_equal(o.payload_len, 0);
	assert_int_equal(o.has_dns_id, 0);
	/* One byte of the DNS id is not an id. */
	static const uint8_t m1[] = { ICMP_HDR(3, 3), IP4Q(17, 0x00, 0x00), UDPQ, 0xbe };
	assert_int_equal(icmp_decode(4, &x.reporter, m1, sizeof(m1), &o), DB_OK);
	assert_int_equal(o.payload_len, 1);
	assert_int_equal(o.has_dns_id, 0);
	/* Only the ports. */
	assert_int_equal(icmp_decode(4, &x.reporter, m, 8 + 20 + 4, &o), DB_OK);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.dport, 53);
	assert_int_equal(o.payload_len, 0);
	/* Not even both ports: the addresses still name the datagram. */
	assert_int_equal(icmp_decode(4, &x.reporter, m, 8 + 20 + 3, &o), DB_OK);
	assert_flow4(&x, &o, 17);
	assert_int_equal(o.quoted_l4, 0);
	assert_int_equal(o.payload_len, 0);
}

static void quote_cut_in_ip_header(void **state)
{
	(void)state;
	static const uint8_t m[] = { ICMP_HDR(3, 3), IP4Q(17, 0x00, 0x00), UDPQ };
	static const uint8_t opts[] = {
		ICMP_HDR(3, 3), 0x47, 0x00, 0x00, 0x2d, 0xab, 0xcd, 0x00, 0x00, 0x40, 17,
		0x00,           0x00, 192,  0,    2,    1,    198,  51,   100,  53,   0x01,
		0x01,           0x01, 0x01
	};
	static const uint8_t v6in4[] = { ICMP_HDR(3, 3), IP6Q(17) };
	static const uint8_t badihl[] = { ICMP_HDR(3, 3), 0x44, 0x00, 0x00, 0x29 };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(4, &x.reporter, m, 8 + 19, &o), DB_ETRUNC);
	assert_int_equal(icmp_decode(4, &x.reporter, m, 8, &o), DB_ETRUNC);
	assert_int_equal(icmp_decode(4, &x.reporter, m, 7, &o), DB_ETRUNC);
	/* IHL 7 but only one option word present. */
	assert_int_equal(icmp_decode(4, &x.reporter, opts, sizeof(opts), &o), DB_ETRUNC);
	assert_int_equal(icmp_decode(4, &x.reporter, v6in4, sizeof(v6in4), &o), DB_EMALFORMED);
	assert_int_equal(icmp_decode(4, &x.reporter, badihl, sizeof(badihl), &o), DB_EMALFORMED);
}

static void non_errors_unsupported(void **state)
{
	(void)state;
	static const uint8_t echo_req[] = { ICMP_HDR(8, 0), 0x61, 0x62 };
	static const uint8_t echo_rep[] = { ICMP_HDR(0, 0) };
	static const uint8_t echo6[] = { ICMP_HDR(128, 0) };
	static const uint8_t ns6[] = { ICMP_HDR(135, 0), SRC6 };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(4, &x.reporter, echo_req, sizeof(echo_req), &o), DB_EUNSUPP);
	assert_int_equal(icmp_decode(4, &x.reporter, echo_rep, sizeof(echo_rep), &o), DB_EUNSUPP);
	assert_int_equal(icmp_decode(6, &x.c6, echo6, sizeof(echo6), &o), DB_EUNSUPP);
	assert_int_equal(icmp_decode(6, &x.c6, ns6, sizeof(ns6), &o), DB_EUNSUPP);
}

static void quoted_tcp_skips_length_prefix(void **state)
{
	(void)state;
	/* TCP 54321 -> 53, data offset 8 (12 bytes of options), then the
	 * 2-byte DNS length and the message. */
	static const uint8_t m[] = { ICMP_HDR(3, 3),
				     IP4Q(6, 0x40, 0x00),
				     0xd4,
				     0x31,
				     0x00,
				     0x35,
				     0,
				     0,
				     0,
				     1,
				     0,
				     0,
				     0,
				     0,
				     0x80,
				     0x18,
				     0xff,
				     0xff,
				     0,
				     0,
				     0,
				     0,
				     1,
				     1,
				     8,
				     10,
				     0,
				     0,
				     0,
				     1,
				     0,
				     0,
				     0,
				     0,
				     0x00,
				     0x11,
				     DNSQ };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(4, &x.reporter, m, sizeof(m), &o), DB_OK);
	assert_flow4(&x, &o, 6);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.sport, 54321);
	assert_int_equal(o.quoted.dport, 53);
	assert_ptr_equal(o.payload, m + 8 + 20 + 32 + 2);
	assert_int_equal(o.payload_len, 17);
	assert_int_equal(o.payload[0], 0xbe);
	assert_int_equal(o.payload[1], 0xef);
	/* Only the first 8 bytes of TCP: ports, nothing more. */
	assert_int_equal(icmp_decode(4, &x.reporter, m, 8 + 20 + 8, &o), DB_OK);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.sport, 54321);
	assert_int_equal(o.payload_len, 0);
	/* Header and one byte of the length prefix. */
	assert_int_equal(icmp_decode(4, &x.reporter, m, 8 + 20 + 32 + 1, &o), DB_OK);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.payload_len, 0);
}

static void non_first_v4_fragment_has_no_ports(void **state)
{
	(void)state;
	/* Fragment offset 185 (1480 bytes): the bytes after the IP header are data. */
	static const uint8_t m[] = { ICMP_HDR(11, 1), IP4Q(17, 0x00, 0xb9), UDPQ };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(4, &x.reporter, m, sizeof(m), &o), DB_OK);
	assert_flow4(&x, &o, 17);
	assert_int_equal(o.quoted_l4, 0);
	assert_int_equal(o.quoted.sport, 0);
	assert_int_equal(o.quoted.dport, 0);
	assert_int_equal(o.payload_len, 0);
}

static void v6_port_unreachable_and_admin(void **state)
{
	(void)state;
	static const uint8_t m[] = { ICMP_HDR(1, 4), IP6Q(17), UDPQ, DNSQ };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(6, &x.s6, m, sizeof(m), &o), DB_OK);
	assert_int_equal(o.version, 6);
	assert_int_equal(o.type, 1);
	assert_int_equal(o.code, 4);
	assert_true(db_addr_eq(&o.reporter, &x.s6));
	assert_true(db_addr_eq(&o.quoted.src, &x.c6));
	assert_true(db_addr_eq(&o.quoted.dst, &x.s6));
	assert_int_equal(o.quoted.proto, 17);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.sport, 54321);
	assert_int_equal(o.quoted.dport, 53);
	assert_ptr_equal(o.payload, m + 56);
	assert_int_equal(o.payload_len, 17);
	assert_int_equal(o.payload[0], 0xbe);
	assert_int_equal(o.payload[1], 0xef);

	/* Code 1 (administratively prohibited), quote cut after UDP. */
	static const uint8_t adm[] = { ICMP_HDR(1, 1), IP6Q(17), UDPQ };
	assert_int_equal(icmp_decode(6, &x.reporter, adm, sizeof(adm), &o), DB_OK);
	assert_int_equal(o.code, 1);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.dport, 53);
	assert_int_equal(o.payload_len, 0);
}

static void v6_quote_with_fragment_header(void **state)
{
	(void)state;
	/* First fragment (offset 0, M = 1): ports and DNS id are there. */
	static const uint8_t first[] = { ICMP_HDR(1, 4), IP6Q(44), 17,  0, 0x00, 0x01, 0, 0, 0, 7,
					 UDPQ,           0xbe,     0xef };
	/* Non-first fragment: data only, no ports. */
	static const uint8_t later[] = {
		ICMP_HDR(3, 1), IP6Q(44), 17, 0, 0x05, 0xc8, 0, 0, 0, 7, UDPQ
	};
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	assert_int_equal(icmp_decode(6, &x.s6, first, sizeof(first), &o), DB_OK);
	assert_int_equal(o.quoted.proto, 17);
	assert_int_equal(o.quoted_l4, 1);
	assert_int_equal(o.quoted.sport, 54321);
	assert_int_equal(o.quoted.dport, 53);
	assert_int_equal(o.payload_len, 2);
	assert_int_equal(o.payload[0], 0xbe);
	assert_int_equal(o.payload[1], 0xef);

	assert_int_equal(icmp_decode(6, &x.s6, later, sizeof(later), &o), DB_OK);
	assert_int_equal(o.quoted.proto, 17);
	assert_true(db_addr_eq(&o.quoted.src, &x.c6));
	assert_int_equal(o.quoted_l4, 0);
	assert_int_equal(o.quoted.sport, 0);
}

static void v6_quote_cut_or_wrong_version(void **state)
{
	(void)state;
	static const uint8_t m[] = { ICMP_HDR(1, 4), IP6Q(0), 17, 2, 0, 0 };
	static const uint8_t v4in6[] = { ICMP_HDR(1, 4), IP4Q(17, 0, 0), UDPQ };
	struct fx x;
	cap_icmp_t o;

	fx_init(&x);
	/* Cut inside the fixed header: nothing names the datagram. */
	assert_int_equal(icmp_decode(6, &x.s6, m, 8 + 30, &o), DB_ETRUNC);
	/* Addresses read, hop-by-hop cut: the flow is known without ports. */
	assert_int_equal(icmp_decode(6, &x.s6, m, sizeof(m), &o), DB_OK);
	assert_true(db_addr_eq(&o.quoted.src, &x.c6));
	assert_true(db_addr_eq(&o.quoted.dst, &x.s6));
	assert_int_equal(o.quoted_l4, 0);
	assert_int_equal(icmp_decode(6, &x.s6, v4in6, sizeof(v4in6), &o), DB_EMALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_unreachable_quotes_dns_id),
		cmocka_unit_test(admin_prohibited_with_ip_options),
		cmocka_unit_test(quote_cut_in_udp_header),
		cmocka_unit_test(quote_cut_in_ip_header),
		cmocka_unit_test(non_errors_unsupported),
		cmocka_unit_test(quoted_tcp_skips_length_prefix),
		cmocka_unit_test(non_first_v4_fragment_has_no_ports),
		cmocka_unit_test(v6_port_unreachable_and_admin),
		cmocka_unit_test(v6_quote_with_fragment_header),
		cmocka_unit_test(v6_quote_cut_or_wrong_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
