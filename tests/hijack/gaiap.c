/*
 * gaiap.c: getaddrinfo_a, gai_error, gai_suspend and gai_cancel printed
 * one line each, run on the host and under the hijack against the same
 * zone (tests/hijack/dnsd.py, whose "silent." names are never answered)
 * and the outputs compared: GAI_WAIT over a list with a NULL, GAI_NOWAIT
 * with a thread's and a signal's notice, gai_suspend before and after
 * the end, a bad mode.  No argument.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static sem_t told;
static int told_value;

static void
print_req(const char *what, struct gaicb *r)
{
	struct addrinfo *p;
	char a[INET6_ADDRSTRLEN];
	int e = gai_error(r);

	printf("%s %s: %s", what, r->ar_name, e == 0 ? "ok" : gai_strerror(e));
	for (p = e == 0 ? r->ar_result : NULL; p != NULL; p = p->ai_next) {
		const void *x = p->ai_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;

		inet_ntop(p->ai_family, x, a, sizeof(a));
		printf(" %s/t%d", a, p->ai_socktype);
	}
	printf("\n");
	if (e == 0)
		freeaddrinfo(r->ar_result);
}

static void
on_done(union sigval v)
{
	told_value = v.sival_int;
	sem_post(&told);
}

int
main(void)
{
	struct addrinfo h4 = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo h6 = { .ai_family = AF_INET6 };
	struct gaicb r[6] = {
		{ .ar_name = "www.test", .ar_service = "80", .ar_request = &h4 },
		{ .ar_name = "nx.test" },
		{ .ar_name = "v6.test", .ar_request = &h6 },
		{ .ar_name = "big.test", .ar_request = &h4 },
		{ .ar_name = "alias.test", .ar_service = "ssh" },
		{ .ar_name = "silent.test", .ar_request = &h4 },
	};
	struct gaicb *l[5] = { &r[0], &r[1], NULL, &r[2], &r[3] };
	const struct gaicb *sl[2];
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD };
	struct timespec ms10 = { 0, 10000000 };
	struct gaicb *one[1];
	siginfo_t si;
	sigset_t ss;
	int i, rv;

	sem_init(&told, 0, 0);
	rv = getaddrinfo_a(GAI_WAIT, l, 5, NULL);
	printf("wait: %d\n", rv);
	for (i = 0; i < 4; i++)
		print_req("wait", &r[i]);

	/* a thread's notice once all are done */
	one[0] = &r[4];
	sev.sigev_notify_function = on_done;
	sev.sigev_value.sival_int = 42;
	rv = getaddrinfo_a(GAI_NOWAIT, one, 1, &sev);
	sem_wait(&told);
	printf("nowait thread: %d told %d\n", rv, told_value);
	print_req("nowait", &r[4]);
	sl[0] = &r[4];
	printf("suspend done: %d cancel done: %d\n", gai_suspend(sl, 1, NULL),
	    gai_cancel(&r[4]));

	/* a signal's notice; gai_suspend times out, then sees the end */
	sigemptyset(&ss);
	sigaddset(&ss, SIGUSR1);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 7;
	one[0] = &r[5];
	rv = getaddrinfo_a(GAI_NOWAIT, one, 1, &sev);
	printf("nowait signal: %d in progress: %d\n", rv,
	    gai_error(&r[5]) == EAI_INPROGRESS);
	sl[0] = &r[5];
	sl[1] = NULL;
	printf("suspend 10ms: %d\n", gai_suspend(sl, 2, &ms10));
	printf("suspend: %d\n", gai_suspend(sl, 2, NULL));
	if (sigwaitinfo(&ss, &si) == SIGUSR1)
		printf("signal: code asyncnl=%d value %d\n",
		    si.si_code == SI_ASYNCNL, si.si_value.sival_int);
	print_req("nowait", &r[5]);

	/* nothing to do: told at once; a bad mode */
	rv = getaddrinfo_a(GAI_NOWAIT, one, 0, &sev);
	if (sigwaitinfo(&ss, &si) == SIGUSR1)
		printf("empty: %d signal value %d\n", rv, si.si_value.sival_int);
	errno = 0;
	rv = getaddrinfo_a(7, l, 1, NULL);
	printf("bad mode: %s errno %s\n", gai_strerror(rv), strerror(errno));
	return 0;
}
