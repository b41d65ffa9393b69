/*
 * fuzz_sysproxy.c: a libFuzzer target for the sysproxy parsers, what the
 * server takes off the wire (SP_HELLO, SP_SYSCALL, the framing) and what
 * the client takes (SP_REPLY).  Parsers only: nothing here calls into a
 * kernel.  Where the server would run the call, a stand-in "kernel" reads
 * every input buffer and writes every output buffer the decoder handed
 * out, so that a buffer of the wrong size or outside the frame shows up
 * (AddressSanitizer, or the CHECKs when there is none).  Without
 * libFuzzer, standalone.c drives the same function.
 *
 * The input: byte 0 chooses the target (modulo NMODES), the rest is its:
 *   0  SP_SYSCALL body: [1] what the kernel answers (retsel, in
 *      fuzz_server.c), [2..] the body, copied into a buffer of exactly
 *      its length.  sp_scall_decode(); when it decodes, sp_scall_reply();
 *      freed.
 *   1  SP_HELLO body: [1..] the body.  sp_hello_parse(), sp_secret_equal().
 *   2  SP_REPLY body for a client request: [1] the call (setup_call()
 *      in fuzz_client.c), [2..9] its parameters, [10..] the reply body.
 *      sp_creq_build() with buffers of this process, then
 *      sp_creq_finish() on the body.
 *   3  a byte stream as a client sends it: [1..] frames.  sp_recv() on a
 *      socket pair, every frame handled as conn_main() in the server does.
 *   4  a round trip: [1] the call, [2..9] its parameters, [10] what the
 *      kernel answers, [11..] the data of input buffers.  The request the
 *      client builds must decode on the server to the same arguments and
 *      data, and the reply must bring back what the kernel wrote.
 * tests/fuzz/make_corpus.py writes seeds in this layout.
 *
 * This file holds the entry point, which dispatches on byte 0, and the
 * helpers the halves share (the kernel's pattern, exact copies, CHECK's
 * failure); the modes are in fuzz_server.c (0, 1, 3) and fuzz_client.c
 * (2, 4), and fuzz_sysproxy.h declares what they share.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_sysproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MODE_SCALL, MODE_HELLO, MODE_REPLY, MODE_STREAM, MODE_ROUNDTRIP,
	NMODES };

_Noreturn void
fail(const char *file, int line, const char *what)
{
	const char *base = strrchr(file, '/');

	fprintf(stderr, "%s:%d: check failed: %s\n", base ? base + 1 : file,
	    line, what);
	abort();
}

bool
is_output(uint8_t kind)
{
	return kind == SPA_OUT || kind == SPA_INOUT || kind == SPA_IOV_OUT ||
	    kind == SPA_VALRES || kind == SPA_MSG_RECV || kind == SPA_IFCONF ||
	    kind == SPA_MMSG_SEND || kind == SPA_MMSG_RECV;
}

/* What the stand-in kernel writes at byte j of output argument i. */
uint8_t
pat(unsigned seed, int i, uint64_t j)
{
	return (uint8_t)(seed * 131u + (unsigned)i * 31u + (unsigned)j * 7u +
	    (unsigned)(j >> 8));
}

/* Are all n bytes of a buffer written/read, or only the ends (cap)? */
bool
whole(uint64_t n, uint64_t cap)
{
	return n <= cap || n - cap <= cap;
}

/* Writes the pattern to [0, n) of p (offsets from base), only the first
 * and last cap bytes when it is bigger.  A NULL p is an output the client
 * found unwritable (doc/PROTOCOL.md, SP_LEN_FAULT): a kernel answers
 * EFAULT there and writes nothing. */
void
fill(uint8_t *p, uint64_t n, uint64_t base, unsigned seed, int i,
    uint64_t cap)
{
	if (p == NULL)
		return;
	for (uint64_t j = 0; j < n; j++) {
		if (j == cap && !whole(n, cap))
			j = n - cap;
		p[j] = pat(seed, i, base + j);
	}
}

/* Reads the bytes a kernel would read (the ends of big buffers). */
unsigned
touch(const uint8_t *p, uint64_t n, uint64_t cap)
{
	unsigned sum = 0;

	for (uint64_t j = 0; j < n; j++) {
		if (j == cap && !whole(n, cap))
			j = n - cap;
		sum += p[j];
	}
	return sum;
}

/* Is [p, p + n) inside [base, base + len)? */
bool
within(const void *p, uint64_t n, const void *base, size_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;

	return a >= b && n <= len && a - b <= len - n;
}

volatile unsigned sink;

/* A copy of exactly len bytes, so that a read past it is caught. */
uint8_t *
exact_copy(const uint8_t *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	if (b != NULL && len > 0)
		memcpy(b, p, len);
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *body;

	if (size == 0)
		return 0;
	switch (data[0] % NMODES) {
	case MODE_SCALL:
		if (size < 2)
			return 0;
		if ((body = exact_copy(data + 2, size - 2)) != NULL)
			(void)server_call(body, size - 2, data[1]);
		free(body);
		break;
	case MODE_HELLO:
		if ((body = exact_copy(data + 1, size - 1)) != NULL)
			(void)server_hello(body, size - 1);
		free(body);
		break;
	case MODE_REPLY:
		client_reply(data + 1, size - 1);
		break;
	case MODE_STREAM:
		server_stream(data + 1, size - 1);
		break;
	case MODE_ROUNDTRIP:
		roundtrip(data + 1, size - 1);
		break;
	}
	return 0;
}
