/*
 * test_sysfs.c: /sys/class/net in a rump kernel, compared with the host's
 * in a network namespace of the test's own (sysfs mounted afresh there,
 * so it shows that namespace): lo's files, values and modes; an etest
 * Ethernet interface against a veth with the same MAC address for the
 * formats; writes and their errnos (mtu, flags, tx_queue_len, ifalias,
 * read-only files, SIOCSIFHWADDR) done on both; and that the directories follow an
 * interface's rename.  The host comparisons skip without root.
 */
#include "compat.h"

#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>

int rump_etest_create(const uint8_t *mac, int up, int *ifindex);

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static char hostsys[64];		/* the namespace's sysfs, or "" */
static int etx;				/* etest0's index */

struct val {
	int err;			/* 0 or the errno of open/read */
	char text[512];
};

static void
rd_host(const char *path, struct val *v)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", hostsys, path);
	memset(v, 0, sizeof(*v));
	if ((fd = open(p, O_RDONLY)) < 0) {
		v->err = errno;
		return;
	}
	if ((n = read(fd, v->text, sizeof(v->text) - 1)) < 0)
		v->err = errno;
	else
		v->text[n] = '\0';
	close(fd);
}

static void
rd_rump(const char *path, struct val *v)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/sys/%s", path);
	memset(v, 0, sizeof(*v));
	if ((fd = rump_sys_open(p, O_RDONLY)) < 0) {
		v->err = errno;
		return;
	}
	if ((n = rump_sys_read(fd, v->text, sizeof(v->text) - 1)) < 0)
		v->err = errno;
	else
		v->text[n] = '\0';
	rump_sys_close(fd);
}

/* 0 or the errno of writing s whole. */
static int
wr_host(const char *path, const char *s)
{
	char p[PATH_MAX];
	int fd, err = 0;

	snprintf(p, sizeof(p), "%s/%s", hostsys, path);
	if ((fd = open(p, O_WRONLY)) < 0)
		return errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = errno;
	close(fd);
	return err;
}

static int
wr_rump(const char *path, const char *s)
{
	char p[PATH_MAX];
	int fd, err = 0;

	snprintf(p, sizeof(p), "/sys/%s", path);
	if ((fd = rump_sys_open(p, O_WRONLY)) < 0)
		return errno;
	if (rump_sys_write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = errno;
	rump_sys_close(fd);
	return err;
}

/* The names in a kernel directory, sorted, joined by spaces. */
static void
ls_rump(const char *dir, char *out, size_t len)
{
	char buf[4096], names[64][NAME_MAX + 1];
	int fd, n = 0;
	long got;

	snprintf(out, len, "/sys/%s", dir);
	assert_true((fd = rump_sys_open(out, O_RDONLY | O_DIRECTORY)) >= 0);
	while ((got = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (strcmp(d->d_name, ".") != 0 &&
			    strcmp(d->d_name, "..") != 0 && n < 64)
				snprintf(names[n++], NAME_MAX + 1, "%s", d->d_name);
			off += d->d_reclen;
		}
	}
	rump_sys_close(fd);
	qsort(names, (size_t)n, NAME_MAX + 1, (int (*)(const void *,
	    const void *))strcmp);
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
		    i ? " " : "", names[i]);
}

static void
need_host(void)
{
	if (hostsys[0] == '\0') {
		print_message("no network namespace of our own (needs "
		    "root: CAP_SYS_ADMIN and CAP_NET_ADMIN); skipped\n");
		skip();
	}
}

/* Every file of ours under lo is the host's: same value (or errno) and
 * mode; and the files the tools read are there. */
static void
lo_matches_host(void **state)
{
	static const char *const need[] = { "address", "addr_len",
	    "broadcast", "carrier", "dormant", "flags", "ifindex", "iflink",
	    "mtu", "operstate", "type", "tx_queue_len", "ifalias", "speed",
	    "statistics/rx_bytes", "statistics/tx_packets",
	    "statistics/rx_errors", "statistics/tx_dropped" };
	static const char *const dirs[] = { "class/net/lo",
	    "class/net/lo/statistics" };
	char list[4096], path[256], *save, *name;
	struct val h, r;
	struct stat hs, rs;

	(void)state;
	need_host();
	for (size_t i = 0; i < NELEM(need); i++) {
		snprintf(path, sizeof(path), "class/net/lo/%s", need[i]);
		rd_rump(path, &r);
		assert_true(r.err == 0 || r.err == EINVAL);
	}
	for (size_t d = 0; d < NELEM(dirs); d++) {
		ls_rump(dirs[d], list, sizeof(list));
		assert_non_null(strstr(list, d == 0 ? "mtu" : "rx_bytes"));
		for (name = strtok_r(list, " ", &save); name != NULL;
		    name = strtok_r(NULL, " ", &save)) {
			snprintf(path, sizeof(path), "%s/%s", dirs[d], name);
			if (strcmp(name, "statistics") == 0 ||
			    strcmp(name, "subsystem") == 0)
				continue;
			rd_host(path, &h);
			rd_rump(path, &r);
			if (h.err != r.err || strcmp(h.text, r.text) != 0)
				print_error("%s: host %d \"%s\", rump %d "
				    "\"%s\"\n", path, h.err, h.text, r.err,
				    r.text);
			assert_int_equal(h.err, r.err);
			assert_string_equal(h.text, r.text);
			{
				char hp[PATH_MAX], rp[PATH_MAX];

				snprintf(hp, sizeof(hp), "%s/%s", hostsys,
				    path);
				snprintf(rp, sizeof(rp), "/sys/%s", path);
				assert_int_equal(stat(hp, &hs), 0);
				assert_int_equal(rump_sys_stat(rp, &rs), 0);
				assert_int_equal(hs.st_mode, rs.st_mode);
				assert_int_equal(hs.st_size, rs.st_size);
			}
		}
	}
}

/* The class entry is a link into devices/virtual/net, as on Linux. */
static void
links_and_listing(void **state)
{
	char h[256], hp[256], r[256], list[1024];
	ssize_t n;

	(void)state;
	assert_true((n = rump_sys_readlink("/sys/class/net/lo", r,
	    sizeof(r) - 1)) > 0);
	r[n] = '\0';
	assert_string_equal(r, "../../devices/virtual/net/lo");
	assert_true((n = rump_sys_readlink(
	    "/sys/devices/virtual/net/lo/subsystem", r, sizeof(r) - 1)) > 0);
	r[n] = '\0';
	if (hostsys[0] != '\0') {
		snprintf(hp, sizeof(hp), "%s/class/net/lo", hostsys);
		n = readlink(hp, h, sizeof(h) - 1);
		assert_true(n > 0);
		h[n] = '\0';
		assert_string_equal(h, "../../devices/virtual/net/lo");
		snprintf(hp, sizeof(hp),
		    "%s/devices/virtual/net/lo/subsystem", hostsys);
		n = readlink(hp, h, sizeof(h) - 1);
		h[n] = '\0';
		assert_string_equal(h, r);
	}
	ls_rump("class/net", list, sizeof(list));
	assert_string_equal(list, "etest0 lo");
	ls_rump("devices/virtual/net", list, sizeof(list));
	assert_string_equal(list, "etest0 lo");
	/* Following the link reaches the attributes. */
	{
		struct val v;

		rd_rump("class/net/etest0/ifindex", &v);
		assert_int_equal(v.err, 0);
		assert_int_equal(atoi(v.text), etx);
	}
}

/* etest0 against a veth with the same MAC, both up. */
static void
ether_format_as_veth(void **state)
{
	static const char *const same[] = { "address", "addr_len",
	    "broadcast", "carrier", "dormant", "flags", "mtu", "operstate",
	    "type", "tx_queue_len", "ifalias", "testing",
	    "statistics/rx_compressed" };
	char path[128];
	struct val h, r;

	(void)state;
	need_host();
	for (size_t i = 0; i < NELEM(same); i++) {
		snprintf(path, sizeof(path), "class/net/v0/%s", same[i]);
		rd_host(path, &h);
		snprintf(path, sizeof(path), "class/net/etest0/%s", same[i]);
		rd_rump(path, &r);
		if (h.err != r.err || strcmp(h.text, r.text) != 0)
			print_error("%s: host %d \"%s\", rump %d \"%s\"\n",
			    same[i], h.err, h.text, r.err, r.text);
		assert_int_equal(h.err, r.err);
		assert_string_equal(h.text, r.text);
	}
}

/* The same writes on both give the same errnos and values. */
static void
writes_as_host(void **state)
{
	static const struct { const char *file, *value; } w[] = {
		{ "mtu", "1400\n" }, { "mtu", "0x500" }, { "mtu", "70000" },
		{ "mtu", "67" }, { "mtu", "abc" }, { "mtu", " 1400" },
		{ "mtu", "1300x" }, { "mtu", "99999999999999999999999" },
		{ "mtu", "1500" },
		{ "flags", "0x1002" }, { "flags", "abc" }, { "flags", "4099" },
		{ "tx_queue_len", "-1" }, { "tx_queue_len", "5000" },
		{ "tx_queue_len", "4294967296" }, { "tx_queue_len", "1000" },
		{ "ifalias", "uplink\n" }, { "ifalias", "" },
		{ "speed", "1" }, { "address", "02:00:00:00:00:09" },
		{ "ifindex", "7" }, { "carrier", "1" },
		{ "statistics/rx_bytes", "0" },
	};
	char path[128], buf[4096];
	struct val h, r;
	int he, re;
	bool cmp;

	(void)state;
	need_host();
	for (size_t i = 0; i < NELEM(w); i++) {
		snprintf(path, sizeof(path), "class/net/v0/%s", w[i].file);
		he = wr_host(path, w[i].value);
		rd_host(path, &h);
		snprintf(path, sizeof(path), "class/net/etest0/%s",
		    w[i].file);
		re = wr_rump(path, w[i].value);
		rd_rump(path, &r);
		/* The values set; the others are the interfaces' own (a
		 * veth has a speed, its own index and traffic). */
		cmp = strcmp(w[i].file, "mtu") == 0 ||
		    strcmp(w[i].file, "flags") == 0 ||
		    strcmp(w[i].file, "tx_queue_len") == 0 ||
		    strcmp(w[i].file, "ifalias") == 0;
		if (he != re || (cmp && strcmp(h.text, r.text) != 0))
			print_error("%s <- \"%s\": host %d \"%s\", rump %d "
			    "\"%s\"\n", w[i].file, w[i].value, he, h.text,
			    re, r.text);
		assert_int_equal(he, re);
		if (cmp)
			assert_string_equal(h.text, r.text);
	}
	/* An alias of 256 bytes or more is EINVAL on both. */
	memset(buf, 'x', 300);
	buf[300] = '\0';
	assert_int_equal(wr_host("class/net/v0/ifalias", buf), EINVAL);
	assert_int_equal(wr_rump("class/net/etest0/ifalias", buf), EINVAL);
	/* Down, carrier is EINVAL to read; writing it EOPNOTSUPP. */
	assert_int_equal(wr_host("class/net/v0/flags", "0x1002"), 0);
	assert_int_equal(wr_rump("class/net/etest0/flags", "0x1002"), 0);
	rd_host("class/net/v0/carrier", &h);
	rd_rump("class/net/etest0/carrier", &r);
	assert_int_equal(h.err, EINVAL);
	assert_int_equal(r.err, EINVAL);
	assert_int_equal(wr_host("class/net/v0/carrier", "1"), EOPNOTSUPP);
	assert_int_equal(wr_rump("class/net/etest0/carrier", "1"),
	    EOPNOTSUPP);
	assert_int_equal(wr_host("class/net/v0/flags", "0x1003"), 0);
	assert_int_equal(wr_rump("class/net/etest0/flags", "0x1003"), 0);
}

/* SIOCSIFHWADDR with a wrong family, a multicast and a zero address,
 * then a good one, and on lo (Linux's lo has eth_mac_addr too): the same
 * errnos as the host's, and the new address in the address file of
 * both. */
static void
hwaddr_as_host(void **state)
{
	static const struct {
		const char *dev;
		int family;
		uint8_t mac[6];
	} w[] = {
		{ "X", 772, { 2, 0, 0, 0, 0, 9 } },
		{ "X", 1, { 3, 0, 0, 0, 0, 9 } },
		{ "X", 1, { 0, 0, 0, 0, 0, 0 } },
		{ "X", 1, { 2, 0xaa, 0xbb, 0xcc, 0xdd, 0x09 } },
		{ "lo", 1, { 2, 0, 0, 0, 0, 9 } },
		{ "lo", 772, { 2, 0, 0, 0, 0, 9 } },
		{ "lo", 772, { 0, 0, 0, 0, 0, 0 } },
	};
	struct ifreq ifr;
	struct val h, r;
	int hs, rs, he, re;

	(void)state;
	need_host();
	hs = socket(AF_INET, SOCK_DGRAM, 0);
	rs = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	for (size_t i = 0; i < NELEM(w); i++) {
		bool x = strcmp(w[i].dev, "X") == 0;

		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_hwaddr.sa_family = (sa_family_t)w[i].family;
		memcpy(ifr.ifr_hwaddr.sa_data, w[i].mac, 6);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
		    x ? "v0" : w[i].dev);
		he = ioctl(hs, SIOCSIFHWADDR, &ifr) == 0 ? 0 : errno;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s",
		    x ? "etest0" : w[i].dev);
		re = rump_sys_ioctl(rs, SIOCSIFHWADDR, &ifr) == 0 ? 0 : errno;
		if (he != re)
			print_error("SIOCSIFHWADDR %zu: host %d, rump %d\n", i,
			    he, re);
		assert_int_equal(he, re);
	}
	close(hs);
	CHECK_OK(rump_sys_close(rs));
	rd_host("class/net/v0/address", &h);
	rd_rump("class/net/etest0/address", &r);
	assert_string_equal(h.text, "02:aa:bb:cc:dd:09\n");
	assert_string_equal(r.text, h.text);
	rd_host("class/net/lo/address", &h);
	rd_rump("class/net/lo/address", &r);
	assert_string_equal(h.text, "02:00:00:00:00:09\n");
	assert_string_equal(r.text, h.text);
	/* Back to the address both started with. */
	assert_int_equal(system("ip link set v0 address 02:11:22:33:44:55"),
	    0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "etest0");
	ifr.ifr_hwaddr.sa_family = 1;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	rs = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	CHECK_OK(rump_sys_ioctl(rs, SIOCSIFHWADDR, &ifr));
	CHECK_OK(rump_sys_close(rs));
}

/* Writing needs CAP_NET_ADMIN; nothing below /sys can be created. */
static void
store_needs_privilege(void **state)
{
	int fd;

	(void)state;
	assert_true((fd = rump_sys_open("/sys/class/net/etest0/mtu",
	    O_WRONLY)) >= 0);
	CHECK_OK(rump_sys_setresuid(-1, 1000, -1));
	CHECK_ERR(rump_sys_write(fd, "1280", 4), EPERM);
	CHECK_ERR(rump_sys_open("/sys/class/net/etest0/mtu", O_WRONLY),
	    EACCES);
	CHECK_OK(rump_sys_setresuid(-1, 0, -1));
	CHECK_OK(rump_sys_close(fd));
	CHECK_ERR(rump_sys_open("/sys/class/net/x", O_CREAT | O_WRONLY, 0644),
	    EACCES);
	CHECK_ERR(rump_sys_mkdir("/sys/class/net/x", 0755), EPERM);
	CHECK_ERR(rump_sys_unlink("/sys/class/net/lo"), EPERM);
}

/* A renamed interface is listed and found by its new name only; an open
 * attribute keeps working. */
static void
follows_rename(void **state)
{
	struct ifreq ifr;
	struct val v;
	char list[1024], buf[64];
	int s, fd;
	ssize_t n;

	(void)state;
	assert_true((fd = rump_sys_open("/sys/class/net/etest0/mtu",
	    O_RDONLY)) >= 0);
	s = (int)CHECK_OK(rump_sys_socket(AF_INET, SOCK_DGRAM, 0));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "etest0");
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "wan0");
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFNAME, &ifr));
	ls_rump("class/net", list, sizeof(list));
	assert_string_equal(list, "lo wan0");
	ls_rump("devices/virtual/net", list, sizeof(list));
	assert_string_equal(list, "lo wan0");
	rd_rump("class/net/etest0/mtu", &v);
	assert_int_equal(v.err, ENOENT);
	rd_rump("class/net/wan0/ifindex", &v);
	assert_int_equal(atoi(v.text), etx);
	n = rump_sys_readlink("/sys/class/net/wan0", buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "../../devices/virtual/net/wan0");
	n = rump_sys_pread64(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	CHECK_OK(rump_sys_close(fd));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "wan0");
	snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "etest0");
	CHECK_OK(rump_sys_ioctl(s, SIOCSIFNAME, &ifr));
	CHECK_OK(rump_sys_close(s));
}

static int
host_setup(void)
{
	char dir[] = "/tmp/sysfsXXXXXX";

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mkdtemp(dir) == NULL ||
	    mount("sysfs", dir, "sysfs", 0, NULL) != 0)
		return -1;
	/* lo up, as a rump kernel's is; a veth with etest0's MAC. */
	if (system("ip link set lo up && ip link add v0 type veth peer "
	    "name v1 && ip link set v0 address 02:11:22:33:44:55 && "
	    "ip link set v0 up && ip link set v1 up") != 0)
		return -1;
	snprintf(hostsys, sizeof(hostsys), "%s", dir);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	if (geteuid() == 0 && host_setup() != 0)
		fprintf(stderr, "test_sysfs: no namespace of our own: %s\n",
		    strerror(errno));
	if (test_kernel_init("sysfs") != 0)
		return -1;
	return rump_etest_create(mac, 1, &etx) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lo_matches_host),
		cmocka_unit_test(links_and_listing),
		cmocka_unit_test(ether_format_as_veth),
		cmocka_unit_test(writes_as_host),
		cmocka_unit_test(hwaddr_as_host),
		cmocka_unit_test(store_needs_privilege),
		cmocka_unit_test(follows_rename),
	};

	return cmocka_run_group_tests_name("sysfs", tests, group_setup, NULL);
}
