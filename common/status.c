#include "status.h"

const char *db_strerror(db_status_t s)
{
	switch (s) {
	case DB_OK: return "success";
	case DB_ETRUNC: return "truncated input";
	case DB_EMALFORMED: return "malformed input";
	case DB_ELIMIT: return "limit reached";
	case DB_ENOMEM: return "out of memory";
	case DB_EUNSUPP: return "unsupported";
	case DB_EIO: return "input/output error";
	case DB_EINVAL: return "invalid argument";
	}
	return "unknown status";
}
