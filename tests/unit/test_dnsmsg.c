/*
 * test_dnsmsg.c: the hijack's DNS messages (hijack/hj_dnsmsg.c): the
 * query's bytes as RFC 1035 lays them out, names DNS cannot carry, the
 * reading of answers (CNAME chains, compression, rcodes) and hostile
 * ones: another question, a wrong id, a compression loop, records past
 * the end, and a few hundred thousand random mutations of a good answer,
 * none of which may read or write out of bounds (ASan in the sanitized clang build).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hj_resolv.h"

static void
query_bytes(void **state)
{
	static const unsigned char want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 4, 't', 'e', 's', 't', 0, 0, 28, 0, 1 };
	unsigned char q[300];

	(void)state;
	assert_int_equal(hj_dns_query(q, sizeof(q), 0x1234, "www.test",
	    HJ_T_AAAA), (int)sizeof(want));
	assert_memory_equal(q, want, sizeof(want));
}

static void
query_refuses_bad_names(void **state)
{
	unsigned char q[300];
	char name[300];

	(void)state;
	memset(name, 'a', 64);
	strcpy(name + 64, ".test");		/* a label of 64 bytes */
	assert_int_equal(hj_dns_query(q, sizeof(q), 1, name, HJ_T_A), -1);
	assert_int_equal(hj_dns_query(q, sizeof(q), 1, "a..test", HJ_T_A), -1);
	memset(name, 'a', 255);			/* 255 bytes: more than 253 */
	name[255] = '\0';
	for (int i = 60; i < 255; i += 61)
		name[i] = '.';
	assert_int_equal(hj_dns_query(q, sizeof(q), 1, name, HJ_T_A), -1);
	assert_int_equal(hj_dns_query(q, 20, 1, "www.test", HJ_T_A), -1);
}

/* The answer to "alias.test A": a CNAME to www.test whose owner is a
 * pointer to the question, then www.test's address. */
static size_t
good_answer(unsigned char *m)
{
	size_t o;

	memset(m, 0, 12);
	m[0] = 0xbe;
	m[1] = 0xef;
	m[2] = 0x81;			/* QR RD */
	m[3] = 0x80;			/* RA, rcode 0 */
	m[5] = 1;
	m[7] = 2;
	o = 12;
	memcpy(m + o, "\5alias\4test\0\0\1\0\1", 16);
	o += 16;
	memcpy(m + o, "\xc0\x0c\0\5\0\1\0\0\0\x3c\0\6\3www\xc0\x12", 18);
	o += 18;
	/* www.test: a pointer to the "www" label inside the CNAME's data */
	memcpy(m + o, "\xc0\x28\0\1\0\1\0\0\0\x3c\0\4\x0a\1\2\3", 16);
	o += 16;
	return o;
}

static void
parse_cname_chain(void **state)
{
	unsigned char m[512];
	struct hj_hostres r;
	size_t n = good_answer(m);
	char a[INET_ADDRSTRLEN];

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_A, &r),
	    HJ_ANS_OK);
	assert_string_equal(r.canon, "www.test");
	assert_int_equal(r.nalias, 1);
	assert_string_equal(r.alias[0], "alias.test");
	assert_int_equal(r.naddr, 1);
	inet_ntop(AF_INET, &r.addr[0].a.v4, a, sizeof(a));
	assert_string_equal(a, "10.1.2.3");
	/* the question's name compares without regard to case */
	memset(&r, 0, sizeof(r));
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "ALIAS.Test", HJ_T_A, &r),
	    HJ_ANS_OK);
}

static void
parse_ignores_other_questions(void **state)
{
	unsigned char m[512];
	struct hj_hostres r;
	size_t n = good_answer(m);

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(hj_dns_parse(m, n, 0xbeee, "alias.test", HJ_T_A, &r),
	    HJ_ANS_BAD);			/* another id */
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "other.test", HJ_T_A, &r),
	    HJ_ANS_BAD);			/* another name */
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_AAAA,
	    &r), HJ_ANS_BAD);			/* another type */
	m[2] &= 0x7f;				/* a query, not an answer */
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_A, &r),
	    HJ_ANS_BAD);
	assert_int_equal(hj_dns_parse(m, 11, 0xbeef, "alias.test", HJ_T_A,
	    &r), HJ_ANS_BAD);			/* shorter than a header */
	assert_int_equal(r.naddr, 0);
}

static void
parse_rcodes(void **state)
{
	unsigned char m[512];
	struct hj_hostres r;
	size_t n = good_answer(m);

	(void)state;
	memset(&r, 0, sizeof(r));
	m[3] = 0x83;
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_A, &r),
	    HJ_ANS_NXDOMAIN);
	m[3] = 0x82;
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_A, &r),
	    HJ_ANS_SERVFAIL);
	m[3] = 0x80;
	m[7] = 0;				/* no answers */
	assert_int_equal(hj_dns_parse(m, 28, 0xbeef, "alias.test", HJ_T_A,
	    &r), HJ_ANS_NODATA);
	assert_int_equal(r.naddr, 0);
}

static void
parse_malformed_records(void **state)
{
	unsigned char m[512];
	struct hj_hostres r;
	size_t n = good_answer(m);

	(void)state;
	memset(&r, 0, sizeof(r));
	m[28] = 0xc0;				/* the first owner points at itself */
	m[29] = 28;
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_A, &r),
	    HJ_ANS_MALFORMED);
	n = good_answer(m);
	m[n - 5] = 9;				/* rdlength past the end */
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_A, &r),
	    HJ_ANS_MALFORMED);
	n = good_answer(m);
	assert_int_equal(hj_dns_parse(m, n - 12, 0xbeef, "alias.test", HJ_T_A,
	    &r), HJ_ANS_MALFORMED);		/* a record cut in its header */
	n = good_answer(m);
	m[7] = 40;				/* more answers than there are */
	assert_int_equal(hj_dns_parse(m, n, 0xbeef, "alias.test", HJ_T_A, &r),
	    HJ_ANS_MALFORMED);
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
parse_mutations(void **state)
{
	unsigned char good[512], m[512];
	struct hj_hostres r;
	size_t n = good_answer(good), len;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int i, k, rv, ok = 0;

	(void)state;
	for (i = 0; i < 300000; i++) {
		memcpy(m, good, n);
		len = n;
		for (k = (int)(xorshift(&seed) % 4); k >= 0; k--)
			m[xorshift(&seed) % n] = (unsigned char)xorshift(&seed);
		if (xorshift(&seed) % 8 == 0)
			len = xorshift(&seed) % (n + 1);
		memset(&r, 0x5a, sizeof(r));
		r.naddr = r.nalias = 0;
		r.canon[0] = '\0';
		rv = hj_dns_parse(m, len, 0xbeef, "alias.test", HJ_T_A, &r);
		assert_true(rv >= HJ_ANS_OK && rv <= HJ_ANS_MALFORMED);
		assert_true(r.naddr >= 0 && r.naddr <= HJ_RES_MAXADDR);
		assert_true(r.nalias >= 0 && r.nalias <= HJ_RES_MAXALIAS);
		assert_non_null(memchr(r.canon, '\0', sizeof(r.canon)));
		ok += rv == HJ_ANS_OK;
	}
	assert_true(ok > 0);		/* some mutations left it readable */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_bytes),
		cmocka_unit_test(query_refuses_bad_names),
		cmocka_unit_test(parse_cname_chain),
		cmocka_unit_test(parse_ignores_other_questions),
		cmocka_unit_test(parse_rcodes),
		cmocka_unit_test(parse_malformed_records),
		cmocka_unit_test(parse_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
