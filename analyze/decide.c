/*
 * decide.c - evidence and memory to cause, detail, confidence and via
 * (decide.h).  Every branch is one row of the design's decision order.
 */
#include "decide.h"

#include "dns.h"

#include <string.h>

/* The detail of an error rcode from an authority or forwarder. */
static const char *rcode_detail(uint16_t rcode)
{
	switch (rcode & 0xf) {
	case DNS_R_SERVFAIL: return "servfail";
	case DNS_R_REFUSED: return "refused";
	case DNS_R_FORMERR: return "formerr";
	case DNS_R_NOTIMP: return "notimp";
	default: return "error_rcode";
	}
}

static void set(decide_out_t *o, uint8_t cause, const char *detail, uint8_t conf)
{
	o->cause = cause;
	o->detail = detail;
	o->confidence = conf;
}

/* The attempt that failed last took away the last chance of a usable
 * answer, so its outcome names the cause. */
static void from_attempts(const decide_in_t *in, decide_out_t *o)
{
	switch (in->last_outcome) {
	case VD_OUT_TRUNCATED: set(o, VD_TRUNCATION, "no_tcp_retry", VD_HIGH); break;
	case VD_OUT_TCP_RESET:
		if (in->tc)
			set(o, VD_TRUNCATION, "tcp_reset", VD_HIGH);
		else
			/* A closed port answers UDP with ICMP and TCP with RST:
			 * the ICMP error says more (unreachable port, or a
			 * firewall), so it names the detail. */
			set(o, VD_BLOCKED_PORT,
			    in->icmp_seen
				? vd_icmp_detail(in->icmp_version, in->icmp_type, in->icmp_code)
				: "tcp_reset",
			    VD_HIGH);
		break;
	case VD_OUT_TCP_TIMEOUT:
		/* After TC=1 the retry may go to another address of the same
		 * servers (IPv6 for IPv4): any TC in the chain counts. */
		if (in->tc)
			set(o, VD_TRUNCATION, "tcp_timeout", VD_HIGH);
		else
			set(o, VD_TIMEOUT, "all_servers_silent", VD_MEDIUM);
		break;
	case VD_OUT_FRAG_LOSS: set(o, VD_TRUNCATION, "fragment_loss", VD_HIGH); break;
	case VD_OUT_ICMP:
		/* UDP worked (it said TC=1); the TCP retry was refused. */
		if (in->tc && in->last_transport == DB_PROTO_TCP)
			set(o, VD_TRUNCATION, "tcp_blocked", VD_HIGH);
		else
			set(o, VD_BLOCKED_PORT,
			    vd_icmp_detail(in->last_icmp_version, in->last_icmp_type,
					   in->last_icmp_code),
			    VD_HIGH);
		break;
	case VD_OUT_LAME: set(o, VD_UPSTREAM_ERROR, "lame_delegation", VD_HIGH); break;
	case VD_OUT_ERROR: set(o, VD_UPSTREAM_ERROR, rcode_detail(in->last_rcode), VD_HIGH); break;
	default: /* VD_OUT_TIMEOUT */
		set(o, VD_TIMEOUT, in->last_forwarder ? "forwarder_silent" : "all_servers_silent",
		    VD_HIGH);
		break;
	}
	if (in->tc && !in->tcp_after_tc && in->last_outcome == VD_OUT_TIMEOUT && in->tc_from_last)
		set(o, VD_TRUNCATION, "no_tcp_retry", VD_MEDIUM);
	/* Several kinds of failure: the verdict stands, less sure. */
	if ((in->mixed || (in->mixed_tc && o->cause != VD_TRUNCATION)) && o->confidence == VD_HIGH)
		o->confidence = VD_MEDIUM;
}

void decide(const decide_in_t *in, decide_out_t *o)
{
	memset(o, 0, sizeof(*o));
	o->via = VD_VIA_NONE;
	/* 1. Fresh evidence: a failed query of this resolution. */
	if (in->n_failed && !in->only_probes) {
		from_attempts(in, o);
		if (in->own_failure) {
			o->via = VD_VIA_UPSTREAM;
			o->root = 1;
		} else if (in->from_model) {
			/* Nothing asked now: the resolver knew. */
			o->via = VD_VIA_FAILURE_CACHE;
		} else {
			/* Every failure happened in work begun before this
			 * client asked: it joined an identical query's
			 * resolution. */
			o->via = VD_VIA_COALESCED;
		}
		if (in->have_ede && in->ede_cause == VD_DNSSEC && in->dnssec_found) {
			set(o, VD_DNSSEC, in->dnssec_detail, VD_HIGH);
			o->via = in->own_failure ? VD_VIA_UPSTREAM : VD_VIA_COALESCED;
		}
		return;
	}
	/* 2. Answers arrived and the chain of trust breaks. */
	if (in->dnssec_found && !in->dnssec_from_memory) {
		uint8_t conf = VD_HIGH;
		/* The resolver's own word, when it gave one, should agree. */
		if (in->have_ede && in->ede_cause == VD_DNSSEC &&
		    strcmp(in->ede_detail, "bogus") != 0 &&
		    strcmp(in->ede_detail, in->dnssec_detail) != 0)
			conf = VD_MEDIUM;
		set(o, VD_DNSSEC, in->dnssec_detail, conf);
		if (in->root_kind == DECIDE_ROOT_IN_FLIGHT && !in->own_failure &&
		    in->n_answered == 0) {
			o->via = VD_VIA_COALESCED;
		} else {
			o->via = VD_VIA_UPSTREAM;
			o->root = 1;
		}
		return;
	}
	/* 3. The failure memory: this SERVFAIL repeats a root failure. */
	if (in->root_kind != DECIDE_ROOT_NONE) {
		set(o, in->root_cause, in->root_detail,
		    in->root_kind == DECIDE_ROOT_ZONE ? VD_MEDIUM : VD_HIGH);
		o->from_root = 1;
		switch (in->root_kind) {
		case DECIDE_ROOT_QUESTION: o->via = VD_VIA_FAILURE_CACHE; break;
		case DECIDE_ROOT_IN_FLIGHT: o->via = VD_VIA_COALESCED; break;
		default:
			o->via = in->root_server_side || in->only_probes ? VD_VIA_HELD_DOWN
									 : VD_VIA_FAILURE_CACHE;
			break;
		}
		return;
	}
	if (in->dnssec_found) {
		/* A break proven earlier for this zone; no answer now. */
		set(o, VD_DNSSEC, in->dnssec_detail, VD_MEDIUM);
		o->via = VD_VIA_FAILURE_CACHE;
		return;
	}
	/* Only handshakes to servers that failed before, and no root known:
	 * the servers are held down, the probe says why. */
	if (in->n_failed) {
		from_attempts(in, o);
		if (o->confidence == VD_HIGH)
			o->confidence = VD_MEDIUM;
		o->via = VD_VIA_HELD_DOWN;
		return;
	}
	/* 4. No attempt failed and nothing is remembered. */
	if (in->n_attempts == 0) {
		if (in->have_ede) {
			set(o, in->ede_cause, in->ede_detail,
			    in->resolver_host ? VD_MEDIUM : VD_LOW);
			if (in->ede_code == 13)
				o->via = VD_VIA_FAILURE_CACHE;
		} else if (!in->resolver_host) {
			set(o, VD_UNKNOWN, "upstream_not_captured", VD_LOW);
		} else {
			set(o, VD_NO_UPSTREAM, "no_attempt", VD_MEDIUM);
		}
		return;
	}
	if (in->have_ede)
		set(o, in->ede_cause, in->ede_detail, VD_MEDIUM);
	else if (in->any_rrsig && !in->silent)
		/* Signed answers and still a SERVFAIL: the resolver rejected
		 * them (a query never answered says nothing of the kind). */
		set(o, VD_DNSSEC, "bogus", VD_MEDIUM);
	else if (in->n_answered == 0)
		/* Its only attempts were sent just before it gave up: too
		 * soon to call them timeouts. */
		set(o, VD_UNKNOWN, "attempts_pending", VD_LOW);
	else
		set(o, VD_UNKNOWN, "all_answered", VD_LOW);
	o->via = VD_VIA_UPSTREAM;
	/* Its own attempts, all answered: a root even when the cause is
	 * unknown (its repeats are as unexplained as it is). */
	o->root = o->cause != VD_NO_UPSTREAM && in->n_answered > 0;
}
