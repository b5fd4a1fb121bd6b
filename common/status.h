/*
 * status.h - one status enum for every parser and table in dnsblame.
 * Truncated input, malformed input and a limit reached are kept apart:
 * the first is common (snaplen), the second is hostile or broken, the third
 * is our own bound doing its job.
 */
#ifndef DNSBLAME_STATUS_H
#define DNSBLAME_STATUS_H

typedef enum db_status {
	DB_OK = 0,
	DB_ETRUNC,     /* input ends before the structure does */
	DB_EMALFORMED, /* input violates the protocol */
	DB_ELIMIT,     /* a dnsblame limit was reached (loop cap, table size) */
	DB_ENOMEM,     /* allocation failed */
	DB_EUNSUPP,    /* well-formed but not handled (unknown link type) */
	DB_EIO,        /* reading a file or device failed */
	DB_EINVAL,     /* bad argument from the user */
} db_status_t;

/* Returns a static, human-readable description; never NULL. */
const char *db_strerror(db_status_t s);

#if defined(__GNUC__)
#define DB_MUST_CHECK __attribute__((warn_unused_result))
#else
#define DB_MUST_CHECK
#endif

#endif
