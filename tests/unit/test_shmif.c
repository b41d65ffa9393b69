/*
 * test_shmif.c: shmif's checksum rule (bus version 3, net/if_shmif.h),
 * with the test as a second kernel on the bus: it maps the bus file and
 * writes and reads records itself, under the bus lock, as a kernel does.
 * A TCP frame marked SHMIF_FR_CSUM_TCP (checksum left undone, the field
 * garbage) is taken as verified: a SYN so marked is answered, and the
 * kernel's SYN-ACK comes marked too; a frame not marked is checked as
 * from any wire: a SYN with a bad checksum is dropped and counted in
 * InCsumErrors; the mark on a frame that is not TCP, or an unknown flag,
 * is an input error.  A marked frame the kernel forwards to a link
 * without the rule (the test driver etest) leaves with a right checksum.
 * A header another process rewrote with a ring past the file's end is
 * not used until it is right again.  Runs in the rump kernel only.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <linux/futex.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

#ifndef TEST_ON_HOST
#include "if_shmif.h"
#include "netopt.h"

int rump_etest_create(const uint8_t *mac, int up, int *ifindex);
int rump_etest_addr(int ifindex, int af, const void *addr, int plen,
    int flags);
int rump_etest_read(int ifindex, void *buf, size_t buflen, size_t *len);
int rump_net_neigh(int op, int af, const void *addr, int ifindex,
    void *lladdr, int lllen, int *state);

static const uint8_t peer[6] = { 0x02, 0, 0, 0, 5, 2 };
static const uint8_t host2[6] = { 0x02, 0, 0, 0, 6, 2 };
static const uint8_t mac2[6] = { 0x02, 0, 0, 0, 6, 1 };
static uint8_t kmac[6];			/* the kernel's shmif0 */
static struct shmif_bus *bus;
static uint64_t rpos;			/* our reader's position */
static const uint64_t myid = 0x7e57000000000001ull;
static int if2;

static void
futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

static void
lock(void)
{
	uint32_t z = 0;

	while (!__atomic_compare_exchange_n(&bus->sb_lock, &z, 1, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		z = 0;
		usleep(100);
	}
}

static void
unlock(void)
{
	if (__atomic_exchange_n(&bus->sb_lock, 0, __ATOMIC_RELEASE) == 2)
		futex_wake(&bus->sb_lock);
}

static uint8_t *
ring(void)
{
	return (uint8_t *)bus + bus->sb_hdrsize;
}

static void
ring_copy(uint64_t pos, void *buf, size_t len, bool out)
{
	uint32_t rs = bus->sb_ringsize;

	for (size_t i = 0; i < len; i++) {
		uint8_t *r = ring() + (pos + i) % rs;

		if (out)
			*r = ((uint8_t *)buf)[i];
		else
			((uint8_t *)buf)[i] = *r;
	}
}

static void bus_wake(void);

/* Writes one record and wakes every reader, as shmif_xmit does. */
static void
bus_send(const void *frame, uint32_t len, uint32_t flags)
{
	struct shmif_frame fr = { .fr_len = len, .fr_check = ~len,
	    .fr_sender = myid, .fr_flags = flags };

	lock();
	ring_copy(bus->sb_tail, &fr, sizeof(fr), true);
	ring_copy(bus->sb_tail + sizeof(fr), (void *)frame, len, true);
	bus->sb_tail += SHMIF_RECSIZE(len);
	bus->sb_frames++;
	unlock();
	bus_wake();
}

/* Wakes every reader of the bus, as a sender does. */
static void
bus_wake(void)
{
	__atomic_fetch_add(&bus->sb_wake, 1, __ATOMIC_SEQ_CST);
	futex_wake(&bus->sb_wake);
	for (int i = 0; i < SHMIF_SLOTS; i++)
		if (__atomic_exchange_n(&bus->sb_slot[i].ss_waiting, 0,
		    __ATOMIC_SEQ_CST) != 0) {
			__atomic_fetch_add(&bus->sb_slot[i].ss_wake, 1,
			    __ATOMIC_SEQ_CST);
			futex_wake(&bus->sb_slot[i].ss_wake);
		}
}

/* The kernel's next frame to TCP port dport, within 5 s: its length
 * (0: none) and record flags. */
static size_t
bus_recv_tcp(uint8_t *buf, size_t len, int dport, uint32_t *flagsp)
{
	for (int tries = 0; tries < 5000; tries++) {
		struct shmif_frame fr;

		lock();
		while (rpos < bus->sb_tail) {
			ring_copy(rpos, &fr, sizeof(fr), false);
			assert_true(fr.fr_len <= len);
			ring_copy(rpos + sizeof(fr), buf, fr.fr_len, false);
			rpos += SHMIF_RECSIZE(fr.fr_len);
			if (fr.fr_sender != myid && buf[12] == 0x08 &&
			    buf[13] == 0 && buf[14 + 9] == 6 &&
			    (buf[14 + 22] << 8 | buf[14 + 23]) == dport) {
				unlock();
				*flagsp = fr.fr_flags;
				return fr.fr_len;
			}
		}
		unlock();
		usleep(1000);
	}
	return 0;
}



/* A TCP SYN from 10.5.0.2:sport to dst:7000 with a right checksum. */
static size_t
syn4(uint8_t *f, const char *dst, int sport)
{
	uint8_t *ip = f + 14, *th = ip + 20;
	in_addr_t s = inet_addr("10.5.0.2"), d = inet_addr(dst);
	uint16_t sum;

	memset(f, 0, 14 + 40);
	memcpy(f, kmac, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	sum = sum16(ip, 20, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	th[0] = (uint8_t)(sport >> 8);
	th[1] = (uint8_t)sport;
	th[2] = 7000 >> 8;
	th[3] = 7000 & 0xff;
	th[4] = 0x11;				/* seq */
	th[12] = 5 << 4;
	th[13] = 0x02;				/* SYN */
	th[14] = 0xff;
	th[15] = 0xff;
	sum = tcp4_sum(ip);
	th[16] = (uint8_t)(sum >> 8);
	th[17] = (uint8_t)sum;
	return 14 + 40;
}

/* A value of /proc/net/snmp ("Tcp", "InCsumErrors") or /proc/net/dev
 * (proto "shmif0:", column 2 = rx errs). */
static long long
counter(const char *file, const char *proto, const char *name, int col)
{
	char buf[8192], *hdr = NULL, *val = NULL, *l, *save;
	int fd = (int)CHECK_OK(rump_sys_open(file, O_RDONLY));
	ssize_t n = rump_sys_read(fd, buf, sizeof(buf) - 1);
	int i;

	rump_sys_close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	for (l = strtok_r(buf, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		char *p = l + strspn(l, " ");

		if (strncmp(p, proto, strlen(proto)) != 0)
			continue;
		if (name != NULL && hdr == NULL)
			hdr = p;
		else
			val = p;
	}
	assert_non_null(val);
	if (name != NULL) {
		/* The column of name in the header line. */
		char *h = hdr;

		assert_non_null(hdr);
		for (col = 0; (h = strchr(h, ' ')) != NULL; col++) {
			h++;
			if (strncmp(h, name, strlen(name)) == 0 &&
			    (h[strlen(name)] == ' ' || h[strlen(name)] == '\0'))
				break;
		}
		assert_non_null(h);
		col++;
	}
	for (i = 0; i < col && val != NULL; i++) {
		val = strchr(val, ' ');
		if (val != NULL)
			val += strspn(val, " ");
	}
	assert_non_null(val);
	return strtoll(val, NULL, 10);
}

static long long
csum_errors(void)
{
	return counter("/proc/net/snmp", "Tcp:", "InCsumErrors", 0);
}

static long long
rx_errors(void)
{
	return counter("/proc/net/dev", "shmif0:", NULL, 3);
}

static void
listen7000(int *lp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons(7000) };

	if (*lp >= 0)
		return;
	*lp = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(rump_sys_bind(*lp, (struct sockaddr *)&sin, sizeof(sin)));
	CHECK_OK(rump_sys_listen(*lp, 16));
}

static int lfd = -1;

/* Marked: the field is not looked at; the answer comes marked too.  Not
 * marked: a bad checksum is dropped and counted. */
static void
csum_marked_taken(void **state)
{
	uint8_t f[128], r[2048];
	uint32_t fl = 99;
	long long e0 = csum_errors();
	size_t n;

	(void)state;
	listen7000(&lfd);
	n = syn4(f, "10.5.0.1", 40001);
	f[14 + 36] ^= 0x5a;			/* checksum garbage */
	bus_send(f, (uint32_t)n, SHMIF_FR_CSUM_TCP);
	n = bus_recv_tcp(r, sizeof(r), 40001, &fl);
	assert_int_equal(n, 60);		/* padded SYN-ACK */
	assert_int_equal(r[14 + 20 + 13], 0x12);	/* SYN ACK */
	assert_memory_equal(r, peer, 6);
	assert_int_equal(fl, SHMIF_FR_CSUM_TCP);
	assert_int_equal(csum_errors(), e0);
	/* Not marked, bad checksum: dropped, counted.  The good one after
	 * it is answered, so the bad one was seen by then. */
	n = syn4(f, "10.5.0.1", 40002);
	f[14 + 36] ^= 0x5a;
	bus_send(f, (uint32_t)n, 0);
	n = syn4(f, "10.5.0.1", 40003);
	bus_send(f, (uint32_t)n, 0);
	assert_int_equal(bus_recv_tcp(r, sizeof(r), 40003, &fl), 60);
	assert_int_equal(r[14 + 20 + 13], 0x12);
	assert_int_equal(csum_errors(), e0 + 1);
}

/* The mark on a frame that is not TCP, or an unknown flag: input errors;
 * the kernel goes on. */
static void
csum_mark_refused(void **state)
{
	uint8_t f[128], r[2048];
	uint32_t fl;
	long long e0 = rx_errors();
	size_t n;

	(void)state;
	listen7000(&lfd);
	n = syn4(f, "10.5.0.1", 40004);
	f[14 + 9] = 17;				/* "UDP" */
	bus_send(f, (uint32_t)n, SHMIF_FR_CSUM_TCP);
	n = syn4(f, "10.5.0.1", 40005);
	bus_send(f, (uint32_t)n, 0x80);
	n = syn4(f, "10.5.0.1", 40006);
	f[14 + 6] = 0x20;			/* a first fragment */
	bus_send(f, (uint32_t)n, SHMIF_FR_CSUM_TCP);
	n = syn4(f, "10.5.0.1", 40007);
	bus_send(f, (uint32_t)n, SHMIF_FR_CSUM_TCP);
	assert_int_equal(bus_recv_tcp(r, sizeof(r), 40007, &fl), 60);
	assert_int_equal(rx_errors(), e0 + 3);
}

/* Forwarded to a link without the rule: the checksum is filled. */
static void
csum_forward_filled(void **state)
{
	uint8_t f[128], r[256];
	size_t n;

	(void)state;
	while (rump_etest_read(if2, NULL, 0, NULL) == 0)
		;
	put_file("/proc/sys/net/ipv4/ip_forward", "1");
	n = syn4(f, "10.6.0.2", 40008);
	f[14 + 36] = f[14 + 37] = 0;		/* left undone */
	bus_send(f, (uint32_t)n, SHMIF_FR_CSUM_TCP);
	for (int tries = 0; rump_etest_read(if2, r, sizeof(r), &n) != 0;
	    tries++) {
		assert_true(tries < 5000);
		usleep(1000);
	}
	put_file("/proc/sys/net/ipv4/ip_forward", "0");
	assert_memory_equal(r, host2, 6);
	assert_int_equal(r[14 + 8], 63);
	assert_int_equal(sum16(r + 14, 20, 0), 0);
	assert_int_equal(tcp4_sum(r + 14), 0);
	assert_memory_equal(r + 14 + 20, f + 14 + 20, 16);	/* the rest */
}

/*
 * Another process rewrites the header: a ring size past the end of the
 * file and a tail a gigabyte ahead.  The kernel must neither read nor
 * write outside its mapping (receiving, and sending a datagram meanwhile);
 * once the header is right again it answers on the bus as before.
 */
static void
geometry_rewritten(void **state)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
	    .sin_port = htons(9) };
	uint8_t f[128], r[2048];
	uint32_t fl, rs;
	uint64_t tail;
	size_t n;
	int s;

	(void)state;
	listen7000(&lfd);
	to.sin_addr.s_addr = inet_addr("10.5.0.2");
	lock();
	rs = bus->sb_ringsize;
	tail = bus->sb_tail;
	bus->sb_ringsize = 0x7ffffff8u;
	bus->sb_tail = tail + 0x40000000ull;
	unlock();
	bus_wake();
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	(void)rump_sys_sendto(s, "x", 1, 0, (struct sockaddr *)&to,
	    sizeof(to));
	rump_sys_close(s);
	usleep(200000);
	lock();
	bus->sb_ringsize = rs;
	bus->sb_tail = tail;
	rpos = tail;
	unlock();
	n = syn4(f, "10.5.0.1", 40010);
	bus_send(f, (uint32_t)n, 0);
	assert_int_equal(bus_recv_tcp(r, sizeof(r), 40010, &fl), 60);
	assert_int_equal(r[14 + 20 + 13], 0x12);	/* SYN ACK */
}

static int
setup(void **state)
{
	struct netopts ops;
	struct ifreq ifr;
	struct stat st;
	char spec[512], path[256];
	in_addr_t p = inet_addr("10.5.0.2"), a2 = inet_addr("10.6.0.1");
	in_addr_t h2 = inet_addr("10.6.0.2");
	int fd, s;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_shmif.%d", (int)getpid());
	unlink(path);
	snprintf(spec, sizeof(spec), "shmif:%s,10.5.0.1/24", path);
	memset(&ops, 0, sizeof(ops));
	assert_int_equal(netopt_parse(&ops, spec, "test_shmif"), 0);
	assert_int_equal(netopt_apply(&ops, "test_shmif"), 0);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(fstat(fd, &st), 0);
	bus = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	assert_true(bus != MAP_FAILED);
	close(fd);
	assert_int_equal(bus->sb_magic, SHMIF_MAGIC);
	assert_int_equal(bus->sb_version, SHMIF_VERSION);
	lock();
	rpos = bus->sb_tail;
	unlock();
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "shmif0");
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFHWADDR, &ifr));
	memcpy(kmac, ifr.ifr_hwaddr.sa_data, 6);
	CHECK_OK(rump_sys_ioctl(s, SIOCGIFINDEX, &ifr));
	rump_sys_close(s);
	assert_int_equal(rump_net_neigh(1, AF_INET, &p, ifr.ifr_ifindex,
	    (void *)peer, 6, NULL), 0);
	assert_int_equal(rump_etest_create(mac2, 1, &if2), 0);
	assert_int_equal(rump_etest_addr(if2, AF_INET, &a2, 24, 0), 0);
	assert_int_equal(rump_net_neigh(1, AF_INET, &h2, if2, (void *)host2,
	    6, NULL), 0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csum_marked_taken),
		cmocka_unit_test(csum_mark_refused),
		cmocka_unit_test(csum_forward_filled),
		cmocka_unit_test(geometry_rewritten),
	};

	if (test_kernel_init("shmif") != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
#else
int
main(void)
{
	printf("1..0 # SKIP shmif is tested in the rump kernel only\n");
	return 0;
}
#endif
