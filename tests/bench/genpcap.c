/*
 * genpcap - writes a synthetic resolver-host capture for benchmarks:
 * clients query a resolver, the resolver asks an authority, answers come
 * back (some SERVFAIL), as Ethernet/IPv4/UDP in classic pcap format.
 *   genpcap OUT.pcap PAIRS [unanswered-percent]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static size_t dns_msg(uint8_t *p, uint16_t id, int qr, int rcode, uint32_t n)
{
	size_t o = 0;
	put16(p, id);
	p[2] = (uint8_t)(qr ? 0x81 : 0x01);
	p[3] = (uint8_t)(qr ? (0x80 | rcode) : 0);
	put16(p + 4, 1);
	put16(p + 6, qr && rcode == 0 ? 1 : 0);
	put16(p + 8, 0);
	put16(p + 10, 0);
	o = 12;
	char label[32];
	int l = snprintf(label, sizeof(label), "h%u", n);
	p[o++] = (uint8_t)l;
	memcpy(p + o, label, (size_t)l);
	o += (size_t)l;
	memcpy(p + o, "\7example\3com\0", 13);
	o += 13;
	put16(p + o, 1); put16(p + o + 2, 1);
	o += 4;
	if (qr && rcode == 0) {
		uint8_t rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1};
		memcpy(p + o, rr, sizeof(rr));
		o += sizeof(rr);
	}
	return o;
}

static void packet(FILE *f, uint64_t t, uint32_t src, uint32_t dst, uint16_t sp,
		   uint16_t dp, const uint8_t *dns, size_t dlen)
{
	uint8_t b[1600];
	memset(b, 0, 14);
	b[12] = 0x08;
	uint8_t *ip = b + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + dlen));
	ip[8] = 64;
	ip[9] = 17;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);
	uint8_t *u = ip + 20;
	put16(u, sp);
	put16(u + 2, dp);
	put16(u + 4, (uint16_t)(8 + dlen));
	put16(u + 6, 0);
	memcpy(u + 8, dns, dlen);
	uint32_t len = (uint32_t)(14 + 20 + 8 + dlen);
	uint32_t rec[4] = {(uint32_t)(t / 1000000), (uint32_t)(t % 1000000), len, len};
	fwrite(rec, 4, 4, f);
	fwrite(b, 1, len, f);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: genpcap OUT.pcap PAIRS [unanswered-percent]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "wb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	unsigned long pairs = strtoul(argv[2], NULL, 10);
	unsigned unans = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
	fwrite(hdr, 4, 6, f);
	uint64_t t = 1767225600ULL * 1000000ULL;
	const uint32_t resolver = 0x0a000001, auth = 0x0a000101;
	uint8_t d[512];
	for (unsigned long n = 0; n < pairs; n++) {
		uint32_t client = 0x0a010000 | (uint32_t)(n % 5000);
		uint16_t cport = (uint16_t)(1024 + n % 60000), id = (uint16_t)(n * 7919);
		int rcode = n % 50 == 0 ? 2 : 0;
		size_t l = dns_msg(d, id, 0, 0, (uint32_t)n);
		packet(f, t, client, resolver, cport, 53, d, l);
		t += 20;
		if (unans && n % 100 < unans) {
			t += 20;
			continue;
		}
		l = dns_msg(d, (uint16_t)(id ^ 0x5555), 0, 0, (uint32_t)n);
		packet(f, t, resolver, auth, (uint16_t)(20000 + n % 40000), 53, d, l);
		t += 20;
		l = dns_msg(d, (uint16_t)(id ^ 0x5555), 1, rcode, (uint32_t)n);
		packet(f, t, auth, resolver, 53, (uint16_t)(20000 + n % 40000), d, l);
		t += 20;
		l = dns_msg(d, id, 1, rcode, (uint32_t)n);
		packet(f, t, resolver, client, 53, cport, d, l);
		t += 20;
	}
	return fclose(f) == 0 ? 0 : 1;
}
