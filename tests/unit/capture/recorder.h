/*
 * recorder.h - the event sink of the capture unit tests: every event is
 * kept in order, and a DNS message's bytes, which live only during the
 * callback, are copied to msg[i] (ev[i].u.dns.msg still says where they
 * were: a test may check that a message was handed over without a copy).
 * A test file may set REC_MAX (events kept) and REC_MSG (bytes copied of
 * each message) before including it.  SEC and T0 are the tests' capture
 * time; rec_ctx_init starts a capture context whose events come here.
 */
#ifndef DNSBLAME_TEST_RECORDER_H
#define DNSBLAME_TEST_RECORDER_H

#include <string.h>

#include "../../../capture/cap_int.h"
#include "../../../capture/event.h"

#define SEC ((db_time_t)1000000)
#define T0 ((db_time_t)1700000000 * SEC)

#ifndef REC_MAX
#define REC_MAX 16
#endif
#ifndef REC_MSG
#define REC_MSG 512
#endif

struct rec {
	int n;
	cap_event_t ev[REC_MAX];
	uint8_t msg[REC_MAX][REC_MSG];
};

static void rec_fn(const cap_event_t *ev, void *user)
{
	struct rec *r = user;

	assert_true(r->n < REC_MAX);
	r->ev[r->n] = *ev;
	if (ev->kind == CAP_EV_DNS) {
		assert_true(ev->u.dns.len <= REC_MSG);
		memcpy(r->msg[r->n], ev->u.dns.msg, ev->u.dns.len);
	}
	r->n++;
}

/* A zeroed context at T0 with a 30 s window, its events recorded in r
 * (zeroed too); each test then sets up the tables its file uses. */
static inline void rec_ctx_init(cap_ctx_t *c, struct rec *r)
{
	memset(c, 0, sizeof(*c));
	memset(r, 0, sizeof(*r));
	c->fn = rec_fn;
	c->user = r;
	c->now = T0;
	c->window = 30 * SEC;
}

#endif
