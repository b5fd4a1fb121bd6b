/*
 * verdict.h - what the analysis concludes about one failed client query:
 * a SERVFAIL the resolver sent, or a query it never answered.  This is the
 * contract between analyze/ (which fills verdicts) and report/ (which
 * prints them); the cause vocabulary is design.md's, exactly.
 */
#ifndef DNSBLAME_VERDICT_H
#define DNSBLAME_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/flow.h"
#include "chain.h"
#include "dns.h"

enum vd_cause {
	VD_TIMEOUT = 0,
	VD_BLOCKED_PORT,
	VD_TRUNCATION,
	VD_DNSSEC,
	VD_UPSTREAM_ERROR,
	VD_NO_UPSTREAM,
	VD_UNKNOWN,
	VD_NCAUSES
};

enum vd_confidence { VD_LOW = 0, VD_MEDIUM, VD_HIGH };

/* Which list a verdict belongs to. */
enum vd_kind {
	VD_KIND_SERVFAIL = 0, /* the resolver answered SERVFAIL */
	VD_KIND_UNANSWERED,   /* the resolver never answered within the window */
	VD_KIND_PENDING,      /* still unanswered when the capture ended: tentative */
	VD_NKINDS
};

/* How a SERVFAIL came about (design.md, "A repeat carries its root cause"). */
enum vd_via {
	VD_VIA_NONE = 0,      /* not known (no attempt and no root failure) */
	VD_VIA_UPSTREAM,      /* this query's own upstream attempts failed */
	VD_VIA_FAILURE_CACHE, /* repeated a failure of the same question or zone */
	VD_VIA_HELD_DOWN,     /* the zone's servers were marked bad after earlier failures */
	VD_VIA_COALESCED,     /* joined the resolution of an identical query in flight */
};

/* What became of one upstream attempt, as the resolver saw it before it
 * gave up. */
enum vd_outcome {
	VD_OUT_ANSWERED = 0, /* a usable answer (data, referral, NXDOMAIN, NODATA) */
	VD_OUT_ERROR,        /* answered with an error rcode */
	VD_OUT_TRUNCATED,    /* answered with TC=1 */
	VD_OUT_TIMEOUT,      /* no answer */
	VD_OUT_ICMP,         /* an ICMP error quoted it */
	VD_OUT_TCP_RESET,    /* TCP connection reset */
	VD_OUT_TCP_TIMEOUT,  /* TCP SYN never answered, or no answer over TCP */
	VD_OUT_FRAG_LOSS,    /* the answer's fragments never all arrived */
	VD_OUT_LAME,         /* a server named by the delegation has no address (NXDOMAIN/NODATA) */
	VD_OUT_PENDING,      /* sent just before the resolver gave up: not yet a timeout */
};

#define VD_MAX_UPSTREAM 24
#define VD_MAX_ALIAS 6
#define VD_MAX_EDE 4
#define VD_EDE_TEXT 96

typedef struct vd_upstream {
	db_time_t ts;
	db_addr_t server;
	db_addr_t from; /* the resolver's address and port it was sent from */
	uint16_t from_port;
	uint8_t transport; /* DB_PROTO_UDP / DB_PROTO_TCP */
	dns_name_t qname;  /* root (len 1) for a TCP connection with no query */
	uint16_t qtype;
	uint8_t outcome;          /* enum vd_outcome */
	uint16_t rcode;           /* when answered */
	uint8_t aa, tc, referral; /* when answered */
	uint8_t icmp_version, icmp_type, icmp_code;
} vd_upstream_t;

typedef struct vd_ede {
	uint16_t code;
	char text[VD_EDE_TEXT]; /* raw bytes, NUL-terminated; escape when printing */
} vd_ede_t;

typedef struct verdict {
	db_time_t time; /* SERVFAIL time, or when the window closed */
	db_time_t query_time;
	db_addr_t client, resolver;
	uint16_t client_port;
	uint8_t transport;
	uint16_t id;
	dns_name_t qname;
	uint16_t qtype;
	uint8_t answered;   /* 1: SERVFAIL sent; 0: never answered */
	uint8_t kind;       /* enum vd_kind */
	uint8_t cause;      /* enum vd_cause */
	const char *detail; /* static string */
	uint8_t confidence; /* enum vd_confidence */
	vd_ede_t ede[VD_MAX_EDE];
	uint8_t n_ede;
	uint16_t n_up;          /* kept in up[] */
	uint32_t n_up_total;    /* related attempts seen */
	dns_name_t zone;        /* where it failed (deepest zone named by the evidence) */
	uint8_t via;            /* enum vd_via */
	db_time_t repeats_time; /* a repeat: when the root failure failed, or 0 */
	uint8_t repeats_cause;
	const char *repeats_detail;
	dns_name_t repeats_qname; /* the query of the root failure */
	uint16_t repeats_qtype;
	db_addr_t repeats_client; /* and its client transaction (the evidence pcap) */
	uint16_t repeats_client_port, repeats_id;
	db_time_t repeats_query_time;
	uint32_t n_failed;        /* related attempts that failed */
	uint8_t ede_disagrees;    /* the resolver's EDE names another cause */
	uint64_t capture_loss;    /* packets the capture dropped (kernel, interface)
	                           * while this query was under way: its evidence may
	                           * be missing, and its confidence is one step lower */
	int dnssec_checked;       /* the captured chain was re-verified */
	chain_result_t dnssec;    /* what that found */
	db_time_t dnssec_earlier; /* the proof comes from an earlier answer (keys cached) */
	/* The exchanges the CNAME chain the resolver knew, and the zone cuts
	 * of the name and of the chain's end, were learned from (the evidence
	 * pcap keeps them). */
	struct vd_alias {
		db_time_t asked, answered;
		db_addr_t server, from;
		uint16_t from_port;
	} alias[VD_MAX_ALIAS];
	uint8_t n_alias;
	/* Last, and only up[0..n_up) is written: a verdict is large (the
	 * names of its evidence), and most hold a few attempts or none. */
	vd_upstream_t up[VD_MAX_UPSTREAM];
} verdict_t;

const char *vd_cause_str(uint8_t cause);
const char *vd_confidence_str(uint8_t c);
const char *vd_outcome_str(uint8_t o);
const char *vd_via_str(uint8_t via);
/* A copy of v holding only its n_up attempts, *bytes long (malloc; free
 * with free(); never copy it by value: up[] ends at up[n_up]).  NULL when
 * out of memory. */
verdict_t *vd_copy(const verdict_t *v, size_t *bytes);
/* The bytes of v that hold anything: all but its attempts past n_up (at
 * most VD_MAX_UPSTREAM), which nothing reads.  What vd_copy and vd_pack
 * take, and what a copy of v must hold. */
size_t vd_used_bytes(const verdict_t *v);
/* The same copy packed: its runs of zero bytes (the unused tails of the
 * names, most of a verdict) squeezed out, *bytes long (malloc; free with
 * free(); about a tenth of the copy).  NULL when out of memory. */
uint8_t *vd_pack(const verdict_t *v, size_t *bytes);
/* Unpacks what vd_pack made into *out (whole: up[] past n_up is left as
 * it was). */
void vd_unpack(const uint8_t *p, verdict_t *out);
/* The one table of ICMP errors: the detail name of an ICMP (version 4) or
 * ICMPv6 (6) destination-unreachable type/code, "icmp_unreachable" for any
 * other. */
const char *vd_icmp_detail(uint8_t version, uint8_t type, uint8_t code);
/* The same error's short label for evidence lists ("port-unreachable"). */
const char *vd_icmp_label(uint8_t version, uint8_t type, uint8_t code);

#endif
