#include "verdict.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *vd_cause_str(uint8_t cause)
{
	static const char *const names[VD_NCAUSES] = {
		"timeout",        "blocked_port", "truncation", "dnssec_validation",
		"upstream_error", "no_upstream",  "unknown",
	};
	return cause < VD_NCAUSES ? names[cause] : "unknown";
}

const char *vd_confidence_str(uint8_t c)
{
	return c == VD_HIGH ? "high" : c == VD_MEDIUM ? "medium" : "low";
}

const char *vd_outcome_str(uint8_t o)
{
	switch (o) {
	case VD_OUT_ANSWERED: return "answered";
	case VD_OUT_ERROR: return "error";
	case VD_OUT_TRUNCATED: return "truncated";
	case VD_OUT_TIMEOUT: return "timeout";
	case VD_OUT_ICMP: return "icmp";
	case VD_OUT_TCP_RESET: return "tcp_reset";
	case VD_OUT_TCP_TIMEOUT: return "tcp_timeout";
	case VD_OUT_FRAG_LOSS: return "fragment_loss";
	case VD_OUT_LAME: return "ns_unresolvable";
	case VD_OUT_PENDING: return "pending";
	default: return "unknown";
	}
}

const char *vd_via_str(uint8_t via)
{
	switch (via) {
	case VD_VIA_UPSTREAM: return "upstream";
	case VD_VIA_FAILURE_CACHE: return "failure_cache";
	case VD_VIA_HELD_DOWN: return "held_down";
	case VD_VIA_COALESCED: return "coalesced";
	default: return NULL;
	}
}

/* RFC 792 / RFC 1812 5.2.7.1 (ICMP type 3) and RFC 4443 3.1 (ICMPv6 type
 * 1).  Codes that say a filter or a policy refused the packet are
 * admin_prohibited: IPv4 9, 10 (network and host administratively
 * prohibited) and 13 (communication administratively prohibited); ICMPv6 1
 * (administratively prohibited), 5 (source address failed ingress/egress
 * policy) and 6 (reject route to destination). */
static const struct icmp_tok {
	uint8_t version, type, code;
	const char *detail, *label;
} icmp_toks[] = {
	{ 4, 3, 0, "icmp_net_unreachable", "net-unreachable" },
	{ 4, 3, 1, "icmp_host_unreachable", "host-unreachable" },
	{ 4, 3, 3, "icmp_port_unreachable", "port-unreachable" },
	{ 4, 3, 9, "icmp_admin_prohibited", "admin-prohibited" },
	{ 4, 3, 10, "icmp_admin_prohibited", "admin-prohibited" },
	{ 4, 3, 13, "icmp_admin_prohibited", "admin-prohibited" },
	{ 6, 1, 0, "icmp_net_unreachable", "net-unreachable" },
	{ 6, 1, 1, "icmp_admin_prohibited", "admin-prohibited" },
	{ 6, 1, 3, "icmp_host_unreachable", "host-unreachable" },
	{ 6, 1, 4, "icmp_port_unreachable", "port-unreachable" },
	{ 6, 1, 5, "icmp_admin_prohibited", "admin-prohibited" },
	{ 6, 1, 6, "icmp_admin_prohibited", "admin-prohibited" },
};

static const struct icmp_tok *icmp_tok(uint8_t version, uint8_t type, uint8_t code)
{
	for (size_t i = 0; i < sizeof(icmp_toks) / sizeof(icmp_toks[0]); i++)
		if (icmp_toks[i].version == version && icmp_toks[i].type == type &&
		    icmp_toks[i].code == code)
			return &icmp_toks[i];
	return NULL;
}

const char *vd_icmp_detail(uint8_t version, uint8_t type, uint8_t code)
{
	const struct icmp_tok *t = icmp_tok(version, type, code);
	return t ? t->detail : "icmp_unreachable";
}

const char *vd_icmp_label(uint8_t version, uint8_t type, uint8_t code)
{
	const struct icmp_tok *t = icmp_tok(version, type, code);
	if (t)
		return t->label;
	return (version == 4 && type == 3) || (version == 6 && type == 1) ? "unreachable"
									  : "icmp-error";
}

/* The packed form stores some fields XORed with a field they most often
 * repeat or nearly repeat, so that the bytes they share become zeros,
 * which the packing squeezes out: an attempt with the attempt before it
 * (the same question sent again, to another server or from another port,
 * a moment later), the first attempt's time with the query's, the
 * aliases' exchanges likewise, the query and failure times with the
 * verdict's, the root failure's name with the query's.  XOR undoes itself:
 * delta() applies the chains from their end, undelta() from their start,
 * each step against a field already given back. */
static void xor_bytes(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, d + i, 8);
		memcpy(&y, s + i, 8);
		x ^= y;
		memcpy(d + i, &x, 8);
	}
	for (; i < n; i++)
		d[i] ^= s[i];
}

static size_t n_up_of(const verdict_t *v)
{
	return v->n_up < VD_MAX_UPSTREAM ? v->n_up : VD_MAX_UPSTREAM;
}

size_t vd_used_bytes(const verdict_t *v)
{
	return offsetof(verdict_t, up) + n_up_of(v) * sizeof(v->up[0]);
}

static size_t n_alias_of(const verdict_t *v)
{
	return v->n_alias < VD_MAX_ALIAS ? v->n_alias : VD_MAX_ALIAS;
}

static void delta(verdict_t *d)
{
	for (size_t k = n_up_of(d); k-- > 1;)
		xor_bytes(&d->up[k], &d->up[k - 1], sizeof(d->up[k]));
	if (n_up_of(d))
		d->up[0].ts ^= d->query_time;
	for (size_t k = n_alias_of(d); k-- > 1;)
		xor_bytes(&d->alias[k], &d->alias[k - 1], sizeof(d->alias[k]));
	if (n_alias_of(d))
		d->alias[0].asked ^= d->query_time;
	d->repeats_query_time ^= d->repeats_time;
	d->repeats_time ^= d->time;
	d->query_time ^= d->time;
	xor_bytes(&d->repeats_qname, &d->qname, sizeof(d->qname));
}

static void undelta(verdict_t *d)
{
	xor_bytes(&d->repeats_qname, &d->qname, sizeof(d->qname));
	d->query_time ^= d->time;
	d->repeats_time ^= d->time;
	d->repeats_query_time ^= d->repeats_time;
	if (n_alias_of(d))
		d->alias[0].asked ^= d->query_time;
	for (size_t k = 1; k < n_alias_of(d); k++)
		xor_bytes(&d->alias[k], &d->alias[k - 1], sizeof(d->alias[k]));
	if (n_up_of(d))
		d->up[0].ts ^= d->query_time;
	for (size_t k = 1; k < n_up_of(d); k++)
		xor_bytes(&d->up[k], &d->up[k - 1], sizeof(d->up[k]));
}

/* The index of the first octet in memory order of a word loaded from
 * memory that is not zero (w != 0). */
static inline size_t first_set_octet(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(w) / 8;
#else
	return (size_t)__builtin_ctzll(w) / 8;
#endif
}

/* Bit 7 of each octet of w that is zero, and no other bit. */
static inline uint64_t zero_octets(uint64_t w)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	return ~(((w & lo7) + lo7) | w | lo7);
}

/* The zero octets at s[0..max), counted from the start: eight at a time,
 * the first that is not zero found in its word. */
static size_t zero_run(const uint8_t *s, size_t max)
{
	size_t z = 0;
	for (; z + 8 <= max; z += 8) {
		uint64_t w;
		memcpy(&w, s + z, 8);
		if (w)
			return z + first_set_octet(w);
	}
	while (z < max && s[z] == 0)
		z++;
	return z;
}

/* The length of the literal that starts at s[i] (which it takes): up to
 * the next two zeros that both lie before n, at most 128 octets.  Eight
 * octets at a time, windows 7 apart, so that a pair across two windows is
 * the first two octets of the second. */
static size_t literal_len(const uint8_t *s, size_t i, size_t n)
{
	size_t end = n - i < 128 ? n : i + 128, q = i + 1;
	for (; q < end && q + 8 <= n; q += 7) {
		uint64_t w;
		memcpy(&w, s + q, 8);
		/* Octet k and octet k + 1 both zero, in memory order. */
		uint64_t z = zero_octets(w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		uint64_t pairs = z & (z << 8);
#else
		uint64_t pairs = z & (z >> 8);
#endif
		if (pairs) {
			q += first_set_octet(pairs);
			return (q < end ? q : end) - i;
		}
	}
	for (; q < end; q++)
		if (s[q] == 0 && q + 1 < n && s[q + 1] == 0)
			break;
	return (q < end ? q : end) - i;
}

/* The packed form: the verdict with its fields XORed as above, then a
 * token byte t, then for t < 128 the t + 1 bytes that follow are copied,
 * for t >= 128 the next t - 127 bytes are zero; the unpacked length comes
 * first (4 bytes). */
uint8_t *vd_pack(const verdict_t *v, size_t *bytes)
{
	size_t n = vd_used_bytes(v);
	verdict_t d;
	memcpy(&d, v, n);
	delta(&d);
	const uint8_t *s = (const uint8_t *)&d;
	/* Packed on the stack, then copied out at its size: allocating the
	 * worst case and shrinking it after (realloc) left a hole behind
	 * every packed verdict, which the small allocations of the analysis
	 * split and kept; over a long capture the heap grew by the holes (19
	 * MB of free heap after 20 million packets, against 1 MB now).  At
	 * worst one token per 128 bytes more than the copy. */
	uint8_t out[4 + sizeof(verdict_t) + sizeof(verdict_t) / 128 + 1];
	uint32_t len = (uint32_t)n;
	memcpy(out, &len, 4);
	size_t o = 4, i = 0;
	while (i < n) {
		/* Zero runs are most of a verdict (the unused octets of its
		 * names). */
		size_t z = zero_run(s + i, n - i < 128 ? n - i : 128);
		if (z >= 2 || (z && i + z == n)) {
			out[o++] = (uint8_t)(127 + z);
			i += z;
			continue;
		}
		/* Literal bytes, up to the next two zeros. */
		size_t lit = literal_len(s, i, n);
		out[o++] = (uint8_t)(lit - 1);
		memcpy(out + o, s + i, lit);
		o += lit;
		i += lit;
	}
	uint8_t *fit = malloc(o);
	if (!fit)
		return NULL;
	memcpy(fit, out, o);
	*bytes = o;
	return fit;
}

void vd_unpack(const uint8_t *p, verdict_t *out)
{
	uint32_t n;
	memcpy(&n, p, 4);
	uint8_t *d = (uint8_t *)out;
	size_t i = 0;
	p += 4;
	while (i < n) {
		uint8_t t = *p++;
		if (t < 128) {
			memcpy(d + i, p, (size_t)t + 1);
			p += (size_t)t + 1;
			i += (size_t)t + 1;
		} else {
			memset(d + i, 0, (size_t)t - 127);
			i += (size_t)t - 127;
		}
	}
	undelta(out);
}

verdict_t *vd_copy(const verdict_t *v, size_t *bytes)
{
	size_t n = vd_used_bytes(v);
	verdict_t *c = malloc(n);
	if (!c)
		return NULL;
	memcpy(c, v, n);
	*bytes = n;
	return c;
}
