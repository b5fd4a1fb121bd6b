#include "msgstore.h"

#include <stdlib.h>
#include <string.h>

int msgstore_init(msgstore_t *s, size_t size)
{
	memset(s, 0, sizeof(*s));
	s->ring = malloc(size);
	s->size = size;
	/* Reference 0 means "none": start writing at 1. */
	s->written = 1;
	return s->ring ? 0 : -1;
}

void msgstore_free(msgstore_t *s)
{
	free(s->ring);
	memset(s, 0, sizeof(*s));
}

uint64_t msgstore_put(msgstore_t *s, const uint8_t *msg, uint32_t len)
{
	if (!s->ring || len == 0 || len > s->size / 4)
		return 0;
	size_t at = (size_t)(s->written % s->size);
	if (at + len > s->size)
		s->written += s->size - at; /* records never wrap: skip the tail */
	uint64_t ref = s->written;
	memcpy(s->ring + (size_t)(ref % s->size), msg, len);
	s->written += len;
	return ref;
}

const uint8_t *msgstore_get(const msgstore_t *s, uint64_t ref, uint32_t len)
{
	if (!ref || !s->ring || ref + len > s->written || s->written - ref > s->size)
		return NULL;
	return s->ring + (size_t)(ref % s->size);
}
