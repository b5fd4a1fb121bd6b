/*
 * test_roles.c - resolver inference and capture vantage (analyze/roles.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analyze/roles.h"

struct fx {
	db_addr_t stub, stub2, res, res2, auth;
};

static void fx_init(struct fx *x)
{
	assert_int_equal(db_addr_parse(&x->stub, "192.0.2.10"), 0);
	assert_int_equal(db_addr_parse(&x->stub2, "192.0.2.11"), 0);
	assert_int_equal(db_addr_parse(&x->res, "192.0.2.53"), 0);
	assert_int_equal(db_addr_parse(&x->res2, "2001:db8::53"), 0);
	assert_int_equal(db_addr_parse(&x->auth, "198.51.100.1"), 0);
}

/* A stub's recursive query and the resolver's RA=1 answer. */
static void client_exchange(roles_t *r, const db_addr_t *stub, const db_addr_t *res)
{
	roles_message(r, stub, res, 0, 1, 0);
	roles_message(r, res, stub, 1, 1, 1);
}

/* The resolver's own iterative query (RD=0) and the authority's answer (RA=0). */
static void upstream_exchange(roles_t *r, const db_addr_t *res, const db_addr_t *auth)
{
	roles_message(r, res, auth, 0, 0, 0);
	roles_message(r, auth, res, 1, 0, 0);
}

static void resolver_host_vantage(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;
	db_addr_t out[4];

	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	client_exchange(&r, &x.stub, &x.res);
	upstream_exchange(&r, &x.res, &x.auth);
	assert_int_equal(roles_is_resolver(&r, &x.res), 1);
	assert_int_equal(roles_is_resolver(&r, &x.stub), 0);
	assert_int_equal(roles_is_resolver(&r, &x.auth), 0);
	assert_int_equal(roles_vantage(&r), VANTAGE_RESOLVER_HOST);
	assert_string_equal(roles_vantage_str(roles_vantage(&r)), "resolver-host");
	assert_int_equal(roles_resolvers(&r, out, 4), 1);
	assert_true(db_addr_eq(&out[0], &x.res));
	roles_free(&r);
}

static void resolver_host_without_answers(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;

	/* RD=1 queries in, queries out, but the answers to clients were not
	 * captured (yet): still the resolver host. */
	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	roles_message(&r, &x.stub, &x.res, 0, 1, 0);
	roles_message(&r, &x.res, &x.auth, 0, 0, 0);
	assert_int_equal(roles_is_resolver(&r, &x.res), 1);
	assert_int_equal(roles_vantage(&r), VANTAGE_RESOLVER_HOST);
	roles_free(&r);
}

static void client_side_vantage(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;
	db_addr_t out[4];

	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	client_exchange(&r, &x.stub, &x.res);
	client_exchange(&r, &x.stub, &x.res2);
	assert_int_equal(roles_is_resolver(&r, &x.res), 1);
	assert_int_equal(roles_is_resolver(&r, &x.res2), 1);
	assert_int_equal(roles_is_resolver(&r, &x.stub), 0);
	assert_int_equal(roles_vantage(&r), VANTAGE_CLIENT_SIDE);
	assert_string_equal(roles_vantage_str(VANTAGE_CLIENT_SIDE), "client-side");
	/* Sorted: IPv4 (family 4) before IPv6. */
	assert_int_equal(roles_resolvers(&r, out, 4), 2);
	assert_true(db_addr_eq(&out[0], &x.res));
	assert_true(db_addr_eq(&out[1], &x.res2));
	roles_free(&r);
}

static void unknown_vantage(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;
	db_addr_t out[4];

	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	assert_int_equal(roles_vantage(&r), VANTAGE_UNKNOWN);
	/* Only iterative traffic: nobody receives RD=1 queries. */
	upstream_exchange(&r, &x.res, &x.auth);
	assert_int_equal(roles_is_resolver(&r, &x.res), 0);
	assert_int_equal(roles_is_resolver(&r, &x.auth), 0);
	assert_int_equal(roles_vantage(&r), VANTAGE_UNKNOWN);
	assert_string_equal(roles_vantage_str(VANTAGE_UNKNOWN), "unknown");
	/* RD=1 queries received but never answered nor forwarded. */
	roles_message(&r, &x.stub, &x.auth, 0, 1, 0);
	roles_message(&r, &x.auth, &x.stub, 1, 1, 0);
	assert_int_equal(roles_is_resolver(&r, &x.auth), 0);
	assert_int_equal(roles_vantage(&r), VANTAGE_UNKNOWN);
	assert_int_equal(roles_resolvers(&r, out, 4), 0);
	roles_free(&r);
}

static void forced_resolver_overrides_inference(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;
	db_addr_t out[4];

	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	client_exchange(&r, &x.stub, &x.res);
	roles_force(&r, &x.res2);
	/* res behaves like a resolver, but the user named only res2. */
	assert_int_equal(roles_is_resolver(&r, &x.res), 0);
	assert_int_equal(roles_is_resolver(&r, &x.res2), 1);
	assert_int_equal(roles_resolvers(&r, out, 4), 1);
	assert_true(db_addr_eq(&out[0], &x.res2));
	/* A forced resolver seen only answering: client-side. */
	client_exchange(&r, &x.stub2, &x.res2);
	assert_int_equal(roles_vantage(&r), VANTAGE_CLIENT_SIDE);
	/* Its own upstream queries: resolver host. */
	upstream_exchange(&r, &x.res2, &x.auth);
	assert_int_equal(roles_vantage(&r), VANTAGE_RESOLVER_HOST);
	roles_free(&r);
}

static void forced_resolver_without_traffic(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;

	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	roles_force(&r, &x.res);
	assert_int_equal(roles_is_resolver(&r, &x.res), 1);
	assert_int_equal(roles_is_resolver(&r, &x.stub), 0);
	/* Named but silent: still a resolver, seen from nowhere in particular. */
	assert_int_equal(roles_vantage(&r), VANTAGE_CLIENT_SIDE);
	roles_free(&r);
}

/* At the limit the least recently seen address goes: the resolver, seen
 * with every exchange, stays; the idle stub is dropped and counted. */
static void table_limit_evicts_least_recent(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;

	fx_init(&x);
	assert_int_equal(roles_init(&r, 2), 0);
	client_exchange(&r, &x.stub, &x.res);
	assert_int_equal(r.evicted, 0);
	client_exchange(&r, &x.stub2, &x.res);
	assert_int_equal(r.evicted, 1);
	assert_int_equal(r.untracked, 0);
	assert_int_equal(roles_is_resolver(&r, &x.res), 1);
	assert_null(roles_find(&r, &x.stub));
	assert_non_null(roles_find(&r, &x.stub2));
	/* An upstream side first seen now is still tracked (it would not be
	 * if the table kept its first addresses forever). */
	upstream_exchange(&r, &x.res2, &x.auth);
	assert_non_null(roles_find(&r, &x.res2));
	assert_int_equal(roles_find(&r, &x.res2)->iter_queries_out, 1);
	assert_int_equal(roles_is_resolver(&r, &x.res), 1);
	assert_int_equal(roles_vantage(&r), VANTAGE_RESOLVER_HOST);
	assert_int_equal(r.evicted, 2);
	roles_free(&r);
}

/* At the limit the address not seen again since it was put at the recent
 * end goes; one seen again gets a second chance; when all were seen, the
 * round clears them and the oldest goes. */
static void table_limit_second_chance(void **state)
{
	(void)state;
	db_addr_t a[5];
	roles_t r;
	const char *s[5] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5" };
	for (int i = 0; i < 5; i++)
		assert_int_equal(db_addr_parse(&a[i], s[i]), 0);

	assert_int_equal(roles_init(&r, 3), 0);
	/* Iterative queries: only the sender is looked up. */
	for (int i = 0; i < 3; i++)
		roles_message(&r, &a[i], &a[4], 0, 0, 0);
	roles_message(&r, &a[0], &a[4], 0, 0, 0); /* a[0] seen again */
	roles_message(&r, &a[3], &a[4], 0, 0, 0); /* a[1] goes, not a[0] */
	assert_int_equal(r.evicted, 1);
	assert_non_null(roles_find(&r, &a[0]));
	assert_null(roles_find(&r, &a[1]));
	assert_int_equal(roles_find(&r, &a[0])->queries_out, 2);
	/* All seen again: the round clears them, then the oldest, a[2], goes. */
	for (int i = 0; i < 4; i++)
		if (i != 1)
			roles_message(&r, &a[i], &a[4], 0, 0, 0);
	roles_message(&r, &a[1], &a[4], 0, 0, 0);
	assert_int_equal(r.evicted, 2);
	assert_null(roles_find(&r, &a[2]));
	assert_non_null(roles_find(&r, &a[0]));
	assert_non_null(roles_find(&r, &a[3]));
	assert_int_equal(roles_find(&r, &a[1])->queries_out, 1);
	roles_free(&r);
}

/* The busy addresses kept at hand (a resolver's) are found as the table
 * would find them: counted in their own entry, forgotten once evicted,
 * made anew when they come back. */
static void busy_addresses_at_hand(void **state)
{
	(void)state;
	db_addr_t a[6];
	roles_t r;
	const char *s[6] = { "192.0.2.1", "2001:db8::1", "192.0.2.3",
			     "192.0.2.4", "192.0.2.5",   "198.51.100.1" };
	for (int i = 0; i < 6; i++)
		assert_int_equal(db_addr_parse(&a[i], s[i]), 0);

	assert_int_equal(roles_init(&r, 3), 0);
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 2; i++)
			roles_message(&r, &a[i], &a[5], 0, 0, 0);
	assert_int_equal(roles_find(&r, &a[0])->queries_out, 3);
	assert_int_equal(roles_find(&r, &a[1])->queries_out, 3);
	assert_true(roles_find(&r, &a[0]) != roles_find(&r, &a[1]));
	/* Quiet now: three new senders push two out, a[2] (its entry not
	 * seen again) and then a[0] (its second chance spent). */
	for (int i = 2; i < 5; i++)
		roles_message(&r, &a[i], &a[5], 0, 0, 0);
	assert_int_equal(r.evicted, 2);
	assert_null(roles_find(&r, &a[0]));
	assert_null(roles_find(&r, &a[2]));
	assert_int_equal(roles_find(&r, &a[1])->queries_out, 3);
	assert_int_equal(roles_find(&r, &a[4])->queries_out, 1);
	assert_true(db_addr_eq(&roles_find(&r, &a[4])->addr, &a[4]));
	/* Back: a new entry, counted from one. */
	roles_message(&r, &a[0], &a[5], 0, 0, 0);
	assert_int_equal(roles_find(&r, &a[0])->queries_out, 1);
	assert_int_equal(roles_find(&r, &a[0])->iter_queries_out, 1);
	roles_free(&r);
}

/* Addresses named with --resolver are never evicted. */
static void table_limit_keeps_forced(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;

	fx_init(&x);
	assert_int_equal(roles_init(&r, 2), 0);
	roles_force(&r, &x.res);
	client_exchange(&r, &x.stub, &x.res2);
	client_exchange(&r, &x.stub2, &x.auth);
	assert_non_null(roles_find(&r, &x.res));
	assert_int_equal(roles_is_resolver(&r, &x.res), 1);
	assert_int_equal(r.tbl.count, 2);
	roles_free(&r);
}

/* roles_message hands back the sender's entry for a query (the one it
 * just counted it in, as roles_find would find it), NULL for a response;
 * and NULL when making room for the receiver pushed the sender out. */
static void message_returns_the_sender(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;
	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	const role_t *s = roles_message(&r, &x.stub, &x.res, 0, 1, 0);
	assert_non_null(s);
	assert_ptr_equal(s, roles_find(&r, &x.stub));
	assert_int_equal(s->queries_out, 1);
	assert_null(roles_message(&r, &x.res, &x.stub, 1, 1, 1));
	s = roles_message(&r, &x.res, &x.auth, 0, 0, 0);
	assert_ptr_equal(s, roles_find(&r, &x.res));
	assert_int_equal(s->iter_queries_out, 1);
	/* A host asking itself: its entry, counted nowhere. */
	s = roles_message(&r, &x.res, &x.res, 0, 1, 0);
	assert_ptr_equal(s, roles_find(&r, &x.res));
	assert_int_equal(s->queries_out, 1);
	roles_free(&r);
	/* One address at most: the receiver's entry replaces the sender's. */
	assert_int_equal(roles_init(&r, 1), 0);
	assert_null(roles_message(&r, &x.stub, &x.res, 0, 1, 0));
	assert_null(roles_find(&r, &x.stub));
	assert_non_null(roles_find(&r, &x.res));
	roles_free(&r);
}

/* The receiver of a recursive query, as roles_find would give it, without
 * the lookup: NULL for an iterative query, a host asking itself, or an
 * address the table could not take. */
static void message_gives_the_receiver(void **state)
{
	(void)state;
	struct fx x;
	roles_t r;
	const role_t *to = (const role_t *)&x;

	fx_init(&x);
	assert_int_equal(roles_init(&r, 64), 0);
	roles_message_hashed(&r, &x.stub, roles_hash(&r, &x.stub), &x.res, roles_hash(&r, &x.res),
			     0, 1, 0, &to);
	assert_non_null(to);
	assert_ptr_equal(to, roles_find(&r, &x.res));
	roles_message_hashed(&r, &x.res, roles_hash(&r, &x.res), &x.auth, roles_hash(&r, &x.auth),
			     0, 0, 0, &to);
	assert_null(to);
	to = (const role_t *)&x;
	roles_message_hashed(&r, &x.res, roles_hash(&r, &x.res), &x.res, roles_hash(&r, &x.res), 0,
			     1, 0, &to);
	assert_null(to);
	to = (const role_t *)&x;
	roles_message_hashed(&r, &x.res, roles_hash(&r, &x.res), &x.stub, roles_hash(&r, &x.stub),
			     1, 1, 1, &to);
	assert_null(to);
	roles_free(&r);

	/* A table of one: the receiver pushes the sender out, and is the
	 * entry found afterwards. */
	assert_int_equal(roles_init(&r, 1), 0);
	roles_message_hashed(&r, &x.stub, roles_hash(&r, &x.stub), &x.res, roles_hash(&r, &x.res),
			     0, 1, 0, &to);
	assert_non_null(to);
	assert_ptr_equal(to, roles_find(&r, &x.res));
	assert_null(roles_find(&r, &x.stub));
	roles_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resolver_host_vantage),
		cmocka_unit_test(resolver_host_without_answers),
		cmocka_unit_test(client_side_vantage),
		cmocka_unit_test(unknown_vantage),
		cmocka_unit_test(forced_resolver_overrides_inference),
		cmocka_unit_test(forced_resolver_without_traffic),
		cmocka_unit_test(table_limit_evicts_least_recent),
		cmocka_unit_test(table_limit_second_chance),
		cmocka_unit_test(table_limit_keeps_forced),
		cmocka_unit_test(busy_addresses_at_hand),
		cmocka_unit_test(message_returns_the_sender),
		cmocka_unit_test(message_gives_the_receiver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
