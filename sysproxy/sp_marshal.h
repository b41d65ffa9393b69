/*
 * sp_marshal.h: what the two halves of the marshaling (sp_marshal_client.c,
 * sp_marshal_server.c) share: the kinds of argument that carry a segment
 * or an answer, and the reading of a frame's u64s and padded segments.
 * Private to sysproxy/.
 */
#ifndef SP_MARSHAL_H
#define SP_MARSHAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sp_proto.h"

#define PAD8(n)		(((n) + 7u) & ~(uint64_t)7)

/* The kind and size of argument i of a call, ioctl/fcntl resolved. */
int sp_arg_layout(const struct sp_sysent *e, const int64_t *args, int i,
    const uint64_t *sz, uint8_t *kind, uint64_t *size);

static inline bool
is_output(uint8_t kind)
{
	return kind == SPA_OUT || kind == SPA_INOUT || kind == SPA_IOV_OUT ||
	    kind == SPA_VALRES || kind == SPA_MSG_RECV ||
	    kind == SPA_MMSG_SEND || kind == SPA_MMSG_RECV ||
	    kind == SPA_IFCONF;
}

/* An ioctl argument with a pointer inside (sp_ioctl.c). */
static inline bool
is_ptrarg(uint8_t kind)
{
	return kind == SPA_IFCONF || kind == SPA_RTENTRY;
}

static inline bool
is_msg(uint8_t kind)
{
	return kind == SPA_MSG_SEND || kind == SPA_MSG_RECV ||
	    kind == SPA_MMSG_SEND || kind == SPA_MMSG_RECV;
}


static inline bool
has_segment(uint8_t kind)
{
	return kind != SPA_SCALAR && kind != SPA_NONE && kind != SPA_REJECT &&
	    kind != SPA_IOCTL && kind != SPA_FCNTL;
}

/* Reads a u64 at *off, advancing it; false if past len. */
static inline bool
get_u64(const uint8_t *body, size_t len, size_t *off, uint64_t *v)
{
	if (*off > len || len - *off < 8)
		return false;
	memcpy(v, body + *off, 8);
	*off += 8;
	return true;
}

/* Skips a segment's data and padding; false if past len. */
static inline bool
skip(size_t len, size_t *off, uint64_t n)
{
	uint64_t p = PAD8(n);

	if (n > len || p > len - *off)
		return false;
	*off += (size_t)p;
	return true;
}

#endif
