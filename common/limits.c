/*
 * limits.c - the one place dnsblame's default limits are written
 * (limits.h says why each is what it is).
 */
#include "limits.h"

db_limits_t db_limits_default(int live)
{
	db_limits_t l;
	l.window = DB_WINDOW_DEFAULT;
	l.max_transactions = 524288;
	l.max_addresses = 65536;
	l.max_verdicts = live ? 1000 : 20000;
	l.max_frag_trains = 65536;
	l.max_tcp_streams = 16384;
	l.max_handshakes = 65536;
	return l;
}
