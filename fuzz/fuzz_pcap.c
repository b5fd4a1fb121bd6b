/*
 * fuzz_pcap.c - the whole pipeline on one pcap/pcapng file image: libpcap
 * reads it from memory (fmemopen + cap_open_fp), capture/ turns it into
 * events, analyze/ consumes them, report/ writes the JSON document into a
 * memory stream.  Everything is torn down per input (libnids' global state
 * included, by cap_close), so leaks show up across iterations.
 *
 * Small table limits keep each iteration cheap and let the fuzzer reach
 * the eviction paths.
 */
#define _GNU_SOURCE /* open_memstream, fmemopen */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyze/analyze.h"
#include "../analyze/roles.h"
#include "../capture/capture.h"
#include "../report/report.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	FILE *f = fmemopen(buf, size, "rb");
	if (!f) {
		free(buf);
		return 0;
	}

	/* Small tables, so that evictions are reached quickly. */
	db_limits_t lim = db_limits_default(0);
	lim.max_frag_trains = 16;
	lim.max_tcp_streams = 16;
	lim.max_handshakes = 16;
	lim.max_transactions = 64;
	lim.max_addresses = 64;
	lim.max_verdicts = 64;
	cap_opts_t co;
	memset(&co, 0, sizeof(co));
	co.limits = &lim;
	an_opts_t ao;
	memset(&ao, 0, sizeof(ao));
	ao.limits = &lim;
	ao.dnssec_audit = size & 1; /* the flag costs nothing to derive */

	char err[512] = "";
	cap_t *cap = cap_open_fp(f, "fuzz", &co, NULL, err, sizeof(err));
	if (!cap) {
		free(buf);
		return 0;
	}
	an_t *an = an_new(&ao);
	if (!an) {
		cap_close(cap);
		free(buf);
		return 0;
	}
	db_status_t rs = cap_run(cap, an_event, an, err, sizeof(err));
	an_finish(an);

	rp_input_t in;
	memset(&in, 0, sizeof(in));
	const char *files[1] = { "fuzz" };
	in.files = files;
	in.nfiles = 1;
	in.cap = cap_stats(cap);
	in.an = an_stats(an);
	in.window = lim.window;
	in.input_error = rs == DB_EIO ? err : NULL;
	in.vantage = roles_vantage_str(roles_vantage(an_roles(an)));
	in.nresolvers = roles_resolvers(an_roles(an), in.resolvers, RP_MAX_RESOLVERS);
	in.tally = an_tally(an);
	in.audit = ao.dnssec_audit;
	in.audit_bad = an_audit_failures(an, &in.naudit_bad);

	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	if (o) {
		(void)rp_json(o, &in);
		(void)rp_text(o, &in);
		fclose(o);
	}
	free(out);
	an_free(an);
	cap_close(cap);
	free(buf);
	return 0;
}
