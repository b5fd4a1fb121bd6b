/*
 * explain.c - the plain-language explanation of a verdict, one or two
 * sentences built from the verdict alone (its cause, detail, evidence and
 * the root failure it repeats), shared by every report format.
 */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "../analyze/dns.h"

/* The sentence that says how a repeat came about. */
static int repeat(const verdict_t *v, char *e, size_t n)
{
	char zone[DNS_NAME_STRLEN], rq[DNS_NAME_STRLEN], rt[16], when[DB_TIMESTRLEN];
	dns_name_str(&v->zone, zone);
	if (!v->repeats_time) {
		if (v->via == VD_VIA_HELD_DOWN)
			return snprintf(e, n,
					"The resolver held the servers of %s down and sent them no "
					"query, only a TCP probe. ",
					zone);
		if (v->via == VD_VIA_COALESCED)
			return snprintf(e, n,
					"This query joined the resolution of an identical query "
					"already in flight. ");
		return 0;
	}
	dns_name_str(&v->repeats_qname, rq);
	const char *ty = dns_type_str(v->repeats_qtype, rt);
	db_time_str(v->repeats_time, when);
	switch (v->via) {
	case VD_VIA_FAILURE_CACHE:
		return snprintf(e, n,
				"No upstream query was made: the resolver answered from its "
				"failure cache, repeating the failure of %s %s at %s (%s, %s).",
				rq, ty, when, vd_cause_str(v->repeats_cause),
				v->repeats_detail ? v->repeats_detail : "-");
	case VD_VIA_HELD_DOWN:
		return snprintf(e, n,
				"The resolver %s the servers of %s: it held them down after the "
				"failure of %s %s at %s (%s, %s).",
				v->n_failed ? "sent only a TCP probe to" : "did not query", zone,
				rq, ty, when, vd_cause_str(v->repeats_cause),
				v->repeats_detail ? v->repeats_detail : "-");
	default:
		return snprintf(e, n,
				"This query joined the resolution of an identical query (%s %s) "
				"already in flight, which failed at %s. ",
				rq, ty, when);
	}
}

void vd_explain(const verdict_t *v, char *e, size_t n)
{
	char srv[DB_ADDRSTRLEN] = "?", rc[16], zone[DNS_NAME_STRLEN];
	const vd_upstream_t *last = NULL;
	for (uint16_t i = 0; i < v->n_up; i++)
		if (v->up[i].outcome != VD_OUT_ANSWERED && v->up[i].outcome != VD_OUT_PENDING)
			last = &v->up[i];
	if (last)
		db_addr_str(&last->server, srv);
	dns_name_str(&v->zone, zone);
	/* The analysis always gives a detail; a verdict built by hand may not. */
	const char *detail = v->detail ? v->detail : "";
	unsigned n_fail = v->n_failed;
	int k = 0;
	if (n)
		e[0] = 0;
	if (v->via == VD_VIA_FAILURE_CACHE || v->via == VD_VIA_HELD_DOWN ||
	    v->via == VD_VIA_COALESCED) {
		k = repeat(v, e, n);
		if (k < 0 || (size_t)k >= n)
			return;
		/* A repeat has no evidence of its own: the root's cause says it. */
		if (v->repeats_time && v->via != VD_VIA_COALESCED) {
			if (v->ede_disagrees)
				snprintf(e + k, n - (size_t)k,
					 " The resolver's own EDE says otherwise.");
			return;
		}
		e += k;
		n -= (size_t)k;
		k = 0;
	}
	switch (v->cause) {
	case VD_TIMEOUT:
		if (v->n_up_total)
			k = snprintf(e, n,
				     "%u queries of the resolver to the servers of %s got no "
				     "answer before it gave up.",
				     n_fail, zone);
		else
			k = snprintf(e, n,
				     "The resolver reports (EDE) that no authority for %s could be "
				     "reached; its upstream traffic is not in the capture.",
				     zone);
		break;
	case VD_BLOCKED_PORT:
		if (last)
			k = snprintf(e, n,
				     "The network refused the resolver's queries to %s (%s): %s.",
				     srv, zone, detail);
		else
			k = snprintf(e, n,
				     "The resolver reports (EDE) a network error reaching the "
				     "servers of %s; its upstream traffic is not in the capture.",
				     zone);
		break;
	case VD_TRUNCATION:
		if (strcmp(detail, "fragment_loss") == 0)
			k = snprintf(
			    e, n,
			    "The answer from %s (%s) came in IP fragments that never all arrived.",
			    srv, zone);
		else
			k = snprintf(e, n,
				     "%s (%s) answered with TC=1 (too big for UDP) and the retry "
				     "over TCP failed: %s.",
				     srv, zone, detail);
		break;
	case VD_DNSSEC: {
		const chain_result_t *d = &v->dnssec;
		char on[DNS_NAME_STRLEN], sg[DNS_NAME_STRLEN], tb[16];
		if (!v->n_up_total) {
			k = snprintf(e, n,
				     "The resolver reports (EDE) a DNSSEC validation failure (%s) "
				     "for %s; its upstream traffic is not in the capture.",
				     detail, zone);
		} else if (!v->dnssec_checked || !d->found) {
			k = snprintf(e, n,
				     "Answers arrived intact with DNSSEC records, yet the resolver "
				     "failed them: DNSSEC validation (%s).",
				     detail);
		} else if (strcmp(d->detail, "ds_mismatch") == 0) {
			k = snprintf(
			    e, n,
			    "The DS records for %s in its parent (key tag %u%s) match none of the "
			    "DNSKEYs %s publishes: the chain of trust is broken at the delegation.",
			    zone, d->n_ds ? d->ds_tags[0] : 0, d->n_ds > 1 ? ", ..." : "", zone);
		} else if (strcmp(d->detail, "rrsig_missing") == 0) {
			k = snprintf(e, n,
				     "%s has a DS in its parent, so it must be signed, but its "
				     "servers answered %s %s without any RRSIG.",
				     zone, dns_name_str(&d->owner, on), dns_type_str(d->type, tb));
		} else if (strcmp(d->detail, "dnskey_missing") == 0) {
			k = snprintf(
			    e, n,
			    "%s has a DS in its parent, but its servers return no DNSKEY set.",
			    zone);
		} else {
			char ti[DB_TIMESTRLEN], te[DB_TIMESTRLEN], tc[DB_TIMESTRLEN];
			db_time_str((db_time_t)d->inception * 1000000, ti);
			db_time_str((db_time_t)d->expiration * 1000000, te);
			db_time_str(d->checked_at, tc);
			/* Seconds are enough for signature validity. */
			ti[19] = te[19] = tc[19] = 'Z';
			ti[20] = te[20] = tc[20] = 0;
			k = snprintf(
			    e, n,
			    "The RRSIG over %s %s by %s (key tag %u, algorithm %u) fails: %s; it "
			    "is valid from %s to %s, the answer was captured at %s.",
			    dns_name_str(&d->owner, on), dns_type_str(d->type, tb),
			    dns_name_str(&d->signer, sg), d->key_tag, d->algorithm, d->detail, ti,
			    te, tc);
		}
		break;
	}
	case VD_UPSTREAM_ERROR:
		if (last && last->outcome == VD_OUT_LAME) {
			char nb[DNS_NAME_STRLEN];
			k = snprintf(e, n,
				     "The delegation of %s names servers that do not resolve: %s "
				     "has no address (%s from %s).",
				     zone, dns_name_str(&last->qname, nb),
				     dns_rcode_str(last->rcode, rc), srv);
		} else if (last && (last->qname.len > 1 || last->qtype))
			k = snprintf(e, n, "%s (%s) answered %s; no server gave a usable answer.",
				     srv, zone, dns_rcode_str(last->rcode, rc));
		else
			k = snprintf(e, n,
				     "The resolver reports (EDE) that the servers of %s answered "
				     "with errors (%s).",
				     zone, detail);
		break;
	case VD_NO_UPSTREAM:
		if (v->via == VD_VIA_FAILURE_CACHE)
			k = snprintf(
			    e, n,
			    "The resolver reports (EDE 13) that it answered from its failure "
			    "cache; the failure it repeats is not in the capture.");
		else
			k = snprintf(e, n,
				     "No related upstream query is in the capture, and no earlier "
				     "failure it could repeat: local policy, overload, or upstream "
				     "traffic not captured.");
		break;
	default:
		if (strcmp(detail, "attempts_pending") == 0)
			k = snprintf(
			    e, n,
			    "The capture shows no cause: the resolver gave up while its %u related "
			    "upstream attempts were still unanswered, too recent to call timeouts.",
			    (unsigned)v->n_up_total);
		else if (v->n_up_total)
			k = snprintf(e, n,
				     "The capture shows no cause: %u related upstream attempts, "
				     "all answered usably.",
				     (unsigned)v->n_up_total);
		else
			k = snprintf(
			    e, n,
			    "The resolver's upstream traffic is not in the capture and it sent no "
			    "Extended DNS Error: capture on the resolver host to see why.");
		break;
	}
	if (v->dnssec_earlier && k > 0 && (size_t)k < n)
		k += snprintf(
		    e + k, n - (size_t)k,
		    " (Proven on an earlier answer: the resolver had these records cached.)");
	if (v->ede_disagrees && k > 0 && (size_t)k < n)
		snprintf(e + k, n - (size_t)k, " The resolver's own EDE says otherwise.");
}

/*
 * What an operator can run next for an incident, with its real names: the
 * example's question, a server that failed, the resolver, the broken zone
 * (design.md: every cause in a human report ends with next steps).  One
 * command or check per line.
 */
/* A name from the wire as one shell word: as it is when it holds only
 * letters, digits and . - _ (every ordinary name), otherwise in single
 * quotes (a ' written '\'').  The commands are copied into a shell: a
 * name such as $(touch${IFS}x) must stay a name, and dig must get the
 * \DDD escapes of the presentation format, not the shell. */
#define SH_WORD_LEN (4 * DNS_NAME_STRLEN + 3)
static const char *sh_word(const char *in, char *out)
{
	const char *p = in;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '.' || *p == '-' || *p == '_')
		p++;
	if (!*p && p != in)
		return in;
	size_t k = 0;
	out[k++] = '\'';
	for (p = in; *p; p++) {
		if (*p == '\'') {
			memcpy(out + k, "'\\''", 4);
			k += 4;
		} else {
			out[k++] = *p;
		}
	}
	out[k++] = '\'';
	out[k] = 0;
	return out;
}

void vd_next_steps(const verdict_t *v, const db_addr_t *server, char *e, size_t n)
{
	char qn[DNS_NAME_STRLEN], zn[DNS_NAME_STRLEN], tb[16], sb[DB_ADDRSTRLEN], rb[DB_ADDRSTRLEN];
	char nq[SH_WORD_LEN], zq[SH_WORD_LEN];
	dns_name_str(v->repeats_time ? &v->repeats_qname : &v->qname, qn);
	const char *ty = dns_type_str(v->repeats_time ? v->repeats_qtype : v->qtype, tb);
	dns_name_str(&v->zone, zn);
	const char *name = sh_word(qn, nq), *zone = sh_word(zn, zq);
	db_addr_str(&v->resolver, rb);
	/* With no failed server in the evidence (a repeat), the zone's
	 * servers are found first. */
	char at[SH_WORD_LEN + 48];
	if (server)
		snprintf(at, sizeof(at), "@%s", db_addr_str(server, sb));
	else
		snprintf(at, sizeof(at), "@$(dig +short NS %s | head -1)", zone);
	switch (v->cause) {
	case VD_TIMEOUT:
		snprintf(e, n,
			 "dig +norec %s %s %s    (does the server answer at all?)\n"
			 "dig +norec +tcp %s %s %s    (over TCP?)\n"
			 "look for a firewall dropping port 53, UDP and TCP, between %s and the "
			 "servers of %s",
			 at, name, ty, at, name, ty, rb, zone);
		break;
	case VD_BLOCKED_PORT:
		snprintf(
		    e, n,
		    "dig +norec %s %s %s    (from the resolver host %s)\n"
		    "check firewall rules and ACLs for port 53, UDP and TCP, between %s and %s",
		    at, name, ty, rb, rb, server ? sb : zone);
		break;
	case VD_TRUNCATION:
		snprintf(e, n,
			 "dig +norec +tcp %s %s %s    (does TCP get through?)\n"
			 "dig +norec +bufsize=1232 %s %s %s    (does the answer fit without "
			 "fragments?)\n"
			 "allow DNS over TCP and IP fragments between %s and the servers of %s",
			 at, name, ty, at, name, ty, rb, zone);
		break;
	case VD_DNSSEC:
		snprintf(e, n,
			 "dig +dnssec +cd @%s %s %s    (the data, validation off)\n"
			 "delv @%s %s %s    (why it does not validate)\n"
			 "dig +dnssec @%s %s DS; dig +dnssec @%s %s DNSKEY    (the DS at the "
			 "parent, the keys)",
			 rb, name, ty, rb, name, ty, rb, zone, rb, zone);
		break;
	case VD_UPSTREAM_ERROR:
		snprintf(e, n,
			 "dig +norec %s %s %s    (the server's own answer)\n"
			 "dig @%s %s NS; dig +norec %s %s NS    (does the delegation match the "
			 "servers?)",
			 at, name, ty, rb, zone, at, zone);
		break;
	case VD_NO_UPSTREAM:
		snprintf(e, n,
			 "the resolver answered from its own state (failure cache, policy): see "
			 "the earlier failure\n"
			 "flush it and retry: unbound-control flush %s; rndc flushname %s; dig @%s "
			 "%s %s",
			 name, name, rb, name, ty);
		break;
	default:
		snprintf(e, n,
			 "capture on the resolver host %s, with ICMP and IP fragments, to see its "
			 "upstream traffic",
			 rb);
		break;
	}
}

void vd_attempt_str(const vd_upstream_t *u, char *buf, size_t n)
{
	char t[DB_TIMESTRLEN], ab[DB_ADDRSTRLEN], nb[DNS_NAME_STRLEN], tb[16], rb[16];
	int k = snprintf(buf, n, "%s  %s %s %s %s: %s", db_time_str(u->ts, t),
			 db_addr_str(&u->server, ab), u->transport == DB_PROTO_TCP ? "tcp" : "udp",
			 dns_name_str(&u->qname, nb), dns_type_str(u->qtype, tb),
			 vd_outcome_str(u->outcome));
	if (k < 0 || (size_t)k >= n)
		return;
	if (u->outcome == VD_OUT_ICMP)
		snprintf(buf + k, n - (size_t)k, " %s",
			 vd_icmp_label(u->icmp_version, u->icmp_type, u->icmp_code));
	else if (u->outcome == VD_OUT_ANSWERED || u->outcome == VD_OUT_ERROR ||
		 u->outcome == VD_OUT_TRUNCATED)
		snprintf(buf + k, n - (size_t)k, " %s%s", dns_rcode_str(u->rcode, rb),
			 u->tc ? " TC" : "");
}

void vd_causes_str(const uint64_t by_cause[VD_NCAUSES], char *buf, size_t n)
{
	size_t o = 0;
	if (n)
		buf[0] = '\0';
	for (uint8_t c = 0; c < VD_NCAUSES && o < n; c++)
		if (by_cause[c])
			o += (size_t)snprintf(buf + o, n - o, "%s%s %llu", o ? ", " : "",
					      vd_cause_str(c), (unsigned long long)by_cause[c]);
}
