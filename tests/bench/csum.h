/*
 * csum.h - the Internet checksum (RFC 1071) for the capture generators:
 * 16-bit words added up, an odd last byte padded with zero, folded and
 * complemented.
 */
#ifndef DNSBLAME_BENCH_CSUM_H
#define DNSBLAME_BENCH_CSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
