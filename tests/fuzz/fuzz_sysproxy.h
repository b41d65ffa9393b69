/*
 * fuzz_sysproxy.h: what the three files of the sysproxy fuzz target share.
 * fuzz_sysproxy.c holds the entry point, which dispatches on the mode, and
 * the helpers below; fuzz_server.c the server half (modes 0, 1, 3, and the
 * stand-in kernel with the checks of what the server decodes and replies);
 * fuzz_client.c the client half (modes 2 and 4, the round trip, which uses
 * the server half's checks).  CHECK() aborts with the file and line of a
 * failed check, with or without a sanitizer.
 */
#ifndef FUZZ_SYSPROXY_H
#define FUZZ_SYSPROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "sp_proto.h"

/* Replies up to this size are parsed back. */
#define FLAT_MAX	(1u << 20)

#define CHECK(c)	((c) ? (void)0 : fail(__FILE__, __LINE__, #c))

/* fuzz_sysproxy.c: the helpers. */
_Noreturn void fail(const char *file, int line, const char *what);
bool is_output(uint8_t kind);
uint8_t pat(unsigned seed, int i, uint64_t j);
bool whole(uint64_t n, uint64_t cap);
void fill(uint8_t *p, uint64_t n, uint64_t base, unsigned seed, int i,
    uint64_t cap);
unsigned touch(const uint8_t *p, uint64_t n, uint64_t cap);
bool within(const void *p, uint64_t n, const void *base, size_t len);
uint8_t *exact_copy(const uint8_t *p, size_t len);
extern volatile unsigned sink;

/* fuzz_server.c: the server half. */
void check_decoded(const struct sp_scall *c, const uint8_t *body,
    size_t len);
void kernel_run(struct sp_scall *c, unsigned seed, uint64_t cap);
uint64_t out_len(const struct sp_scall *c, int i, int64_t rv);
void check_reply(const struct sp_scall *c, const struct iovec *iov,
    int niov, int64_t rv, int error, unsigned seed, uint64_t cap);
int server_call(uint8_t *body, size_t len, unsigned retsel);
int server_hello(uint8_t *body, size_t len);
void server_stream(const uint8_t *d, size_t n);

/* fuzz_client.c: the client half. */
void client_reply(const uint8_t *d, size_t n);
void roundtrip(const uint8_t *d, size_t n);

#endif
