#include "verdict.h"

const char *vd_cause_str(uint8_t cause)
{
	static const char *const names[VD_NCAUSES] = {
		"timeout", "blocked_port", "truncation", "dnssec_validation",
		"upstream_error", "no_upstream", "unknown",
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
