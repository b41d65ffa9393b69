/*
 * standalone.c: runs the fuzz target of fuzz_sysproxy.c without libFuzzer
 * (gcc has none), so that the parsers are exercised under the gcc and the
 * ASan+UBSan builds too: every corpus file, then N pseudo-random mutations
 * of them (blind, not coverage-guided; the libFuzzer build does that).
 *
 *   standalone [-n N] [-s SEED] [-o CRASHFILE] DIR|FILE...
 *
 * Deterministic for a SEED.  The input that fails (a CHECK, a sanitizer
 * report, a signal) is written to CRASHFILE (default ./crash-standalone),
 * which can be run again as a FILE argument, or by the libFuzzer binary.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || \
    __has_feature(undefined_behavior_sanitizer)
#define FUZZ_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define FUZZ_SANITIZER 1
#endif
#ifdef FUZZ_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

#define MAXLEN		8192	/* a mutated input stays below */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	uint8_t *data;
	size_t len;
};

static struct input *inputs;
static size_t ninputs;

/* The input being run, for the crash handlers. */
static const uint8_t *cur;
static size_t curlen;
static const char *crashfile = "crash-standalone";

static void
save_current(void)
{
	int fd;

	if (cur == NULL)
		return;
	fd = open(crashfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		for (size_t off = 0; off < curlen;) {
			ssize_t w = write(fd, cur + off, curlen - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(fd);
	}
	(void)!write(2, "standalone: the failing input is in ", 36);
	(void)!write(2, crashfile, strlen(crashfile));
	(void)!write(2, "\n", 1);
	cur = NULL;
}

static void
on_signal(int sig)
{
	save_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
add_input(const uint8_t *p, size_t len)
{
	struct input *n = realloc(inputs, (ninputs + 1) * sizeof(*n));

	if (n == NULL || (n[ninputs].data = malloc(len ? len : 1)) == NULL) {
		perror("standalone");
		exit(2);
	}
	inputs = n;
	memcpy(n[ninputs].data, p, len);
	n[ninputs++].len = len;
}

static void
add_file(const char *path)
{
	uint8_t buf[MAXLEN];
	size_t len = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "standalone: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (len < sizeof(buf) &&
	    (r = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)r;
	close(fd);
	add_input(buf, len);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every regular file of a directory (sorted: deterministic). */
static void
add_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, full[4096];
	size_t n = 0;
	DIR *d;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "standalone: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		add_file(path);
		return;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "standalone: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*nn))) == NULL ||
		    (nn[n] = strdup(de->d_name)) == NULL) {
			perror("standalone");
			exit(2);
		}
		names = nn;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t k = 0; k < n; k++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[k]);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			add_file(full);
		free(names[k]);
	}
	free(names);
}

/* xorshift64*: small, and the same sequence everywhere. */
static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static size_t
below(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}

/* Values that lengths, counts and offsets of the protocol trip over. */
static const uint64_t interesting[] = {
	0, 1, 2, 7, 8, 9, 15, 16, 24, 32, 127, 128, 255, 256, 4095, 4096,
	4097, 0x7fff, 0x8000, 0xffff, 0x10000, 1024, 1025,
	16u << 20, (16u << 20) + 1, (16u << 20) + (64u << 10),
	0x7fffffff, 0x80000000u, 0xffffffffu, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, UINT64_MAX,
	UINT64_MAX - 7, UINT64_MAX - 8,
};

/* Applies 1 to 8 random edits to buf[0..*len) (capacity MAXLEN). */
static void
mutate(uint8_t *buf, size_t *len)
{
	int nops = 1 + (int)below(8);

	for (int op = 0; op < nops; op++) {
		size_t n = *len, at = below(n), k;
		uint64_t v;

		switch (below(10)) {
		case 0:		/* flip a bit */
			if (n > 0)
				buf[at] ^= (uint8_t)(1u << below(8));
			break;
		case 1:		/* a random byte */
			if (n > 0)
				buf[at] = (uint8_t)rnd();
			break;
		case 2: case 3:	/* an interesting value, often aligned */
			v = interesting[below(sizeof(interesting) /
			    sizeof(interesting[0]))];
			if (below(2))
				v += (uint64_t)below(3) - 1;
			k = (size_t)1 << below(4);	/* 1, 2, 4, 8 bytes */
			if (below(2) && n > 2)
				at = 2 + (at & ~(size_t)7); /* mode 0 body */
			if (n >= k && at <= n - k)
				memcpy(buf + at, &v, k);
			break;
		case 4:		/* add or subtract a little */
			if (n > 0)
				buf[at] = (uint8_t)(buf[at] + below(17) - 8);
			break;
		case 5:		/* delete a range */
			k = below(n - at + 1) % 64;
			memmove(buf + at, buf + at + k, n - at - k);
			*len = n - k;
			break;
		case 6:		/* insert random bytes */
			k = 1 + below(16);
			if (n + k > MAXLEN)
				break;
			memmove(buf + at + k, buf + at, n - at);
			for (size_t j = 0; j < k; j++)
				buf[at + j] = (uint8_t)rnd();
			*len = n + k;
			break;
		case 7:		/* duplicate a range */
			k = below(n - at + 1) % 128;
			if (n + k > MAXLEN)
				break;
			memmove(buf + at + k, buf + at, n - at);
			*len = n + k;
			break;
		case 8:		/* truncate */
			*len = at;
			break;
		default: {	/* splice another input's tail in */
			const struct input *o = &inputs[below(ninputs)];
			size_t from = below(o->len);

			k = o->len - from;
			if (at + k > MAXLEN)
				k = MAXLEN - at;
			memcpy(buf + at, o->data + from, k);
			*len = at + k > n ? at + k : n;
			break;
		}
		}
	}
}

static void
run(const uint8_t *p, size_t len)
{
	cur = p;
	curlen = len;
	LLVMFuzzerTestOneInput(p, len);
	cur = NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: standalone [-n N] [-s SEED] [-o CRASHFILE] "
	    "DIR|FILE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static uint8_t buf[MAXLEN];
	unsigned long long seed = 1;
	unsigned long n = 1000;
	size_t len;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:o:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			crashfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind == argc)
		usage();
	for (int i = optind; i < argc; i++)
		add_path(argv[i]);
	if (ninputs == 0) {
		fprintf(stderr, "standalone: no inputs\n");
		return 2;
	}
	signal(SIGABRT, on_signal);
#ifdef FUZZ_SANITIZER
	/* A sanitizer report ends the process its own way. */
	__sanitizer_set_death_callback(save_current);
#else
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
#endif
	for (size_t i = 0; i < ninputs; i++)
		run(inputs[i].data, inputs[i].len);
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	for (unsigned long i = 0; i < n; i++) {
		const struct input *in = &inputs[below(ninputs)];

		len = in->len;
		memcpy(buf, in->data, len);
		mutate(buf, &len);
		run(buf, len);
	}
	fprintf(stderr, "standalone: %zu corpus inputs and %lu mutations "
	    "(seed %llu) ran clean\n", ninputs, n, seed);
	for (size_t i = 0; i < ninputs; i++)
		free(inputs[i].data);
	free(inputs);
	return 0;
}
