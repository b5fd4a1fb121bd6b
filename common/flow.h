/*
 * flow.h - addresses, transport 5-tuples and capture time, shared by
 * capture/ (which produces them) and analyze/ and report/ (which read them).
 */
#ifndef DNSBLAME_FLOW_H
#define DNSBLAME_FLOW_H

#include <stddef.h>
#include <stdint.h>

/* Capture time in microseconds since the Unix epoch (pcap timestamp). */
typedef int64_t db_time_t;

typedef struct db_addr {
	uint8_t family; /* 4 or 6; 0 = unset */
	uint8_t a[16];  /* IPv4 uses the first 4 bytes, rest zero */
} db_addr_t;

enum db_proto { DB_PROTO_UDP = 17, DB_PROTO_TCP = 6 };

typedef struct db_flow {
	db_addr_t src, dst;
	uint16_t sport, dport;
	uint8_t proto; /* enum db_proto */
} db_flow_t;

void db_addr_set4(db_addr_t *a, const uint8_t b[4]);
void db_addr_set6(db_addr_t *a, const uint8_t b[16]);
int db_addr_eq(const db_addr_t *x, const db_addr_t *y);
int db_addr_cmp(const db_addr_t *x, const db_addr_t *y);
/* Parses a textual IPv4/IPv6 address; returns 0 on success, -1 otherwise. */
int db_addr_parse(db_addr_t *a, const char *s);

#define DB_ADDRSTRLEN 46
/* Writes the textual form into buf (DB_ADDRSTRLEN bytes); returns buf. */
char *db_addr_str(const db_addr_t *a, char *buf);

/* Reverses a flow in place (src <-> dst). */
void db_flow_reverse(db_flow_t *f);

#define DB_TIMESTRLEN 32
/* ISO 8601 UTC with microseconds: 2026-01-02T03:04:05.123456Z. */
char *db_time_str(db_time_t t, char *buf);

/* A 64-bit FNV-1a style hash step, for tables. */
static inline uint64_t db_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
#define DB_HASH_INIT 0xcbf29ce484222325ULL

/* One 64-bit word mixed into h: XOR, a multiplication by an odd number
 * (the golden ratio's), an xor-shift.  Each step can be undone. */
static inline uint64_t db_hash_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* MurmurHash3's 64-bit finaliser: every bit of h reaches every bit of the
 * result (the low bits pick a table's slot), and it can be undone. */
static inline uint64_t db_hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#endif
