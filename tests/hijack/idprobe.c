/*
 * idprobe DIR: as root, makes files of every kind of permission in DIR/p,
 * then drops to uid and gid 65534 (setgroups, setgid, setuid: what a
 * daemon does) and probes open, unlink, rename, chmod, chown, utimensat,
 * truncate and creation on them, printing each result (ok, or the errno's
 * name) and the owners and modes afterwards.  Run on a host directory and
 * on /rump under the hijack, the outputs must be equal (hijack.bats).
 * Works from DIR/p as its current directory, so the path above it need
 * not be open to 65534.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY	65534
#define GROUP	4321

static void
res(const char *what, int r)
{
	printf("%-28s %s\n", what, r < 0 ? strerrorname_np(errno) : "ok");
}

static void
show(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		printf("%-28s stat %s\n", path, strerrorname_np(errno));
	else
		printf("%-28s %04o %u:%u\n", path, (unsigned)st.st_mode & 07777,
		    (unsigned)st.st_uid, (unsigned)st.st_gid);
}

static void
mk(const char *path, mode_t mode, uid_t u, gid_t g)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	if (fd < 0 || write(fd, "data\n", 5) != 5 || close(fd) != 0 ||
	    chown(path, u, g) != 0 || chmod(path, mode) != 0) {
		perror(path);
		exit(2);
	}
}

static void
mkd(const char *path, mode_t mode, uid_t u, gid_t g)
{
	if (mkdir(path, 0700) != 0 || chown(path, u, g) != 0 ||
	    chmod(path, mode) != 0) {
		perror(path);
		exit(2);
	}
}

static int
creat_close(const char *path, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, mode);

	return fd < 0 ? -1 : close(fd);
}

static int
open_close(const char *path, int flags)
{
	int fd = open(path, flags);

	return fd < 0 ? -1 : close(fd);
}

static int
append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	if (fd < 0)
		return -1;
	if (write(fd, "x", 1) != 1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
main(int argc, char **argv)
{
	struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
	static const char *const all[] = { ".", "ro", "rw", "priv", "suid",
	    "sgid", "mine", "sticky", "sticky/roots", "sticky/mine",
	    "locked", "locked/f", "sgd", "sgd/new", "sgd/sub", "new",
	    "renamed" };

	if (argc != 2 || chdir(argv[1]) != 0) {
		fprintf(stderr, "usage: idprobe DIR\n");
		return 2;
	}
	mkd("p", 0777, 0, 0);
	if (chdir("p") != 0)
		return 2;
	mk("ro", 0644, 0, 0);
	mk("rw", 0666, 0, 0);
	mk("priv", 0600, 0, 0);
	mk("suid", 06777, 0, 0);
	mk("sgid", 02676, 0, 0);
	mk("mine", 0644, NOBODY, NOBODY);
	mkd("sticky", 01777, 0, 0);
	mk("sticky/roots", 0666, 0, 0);
	mkd("locked", 0755, 0, 0);
	mk("locked/f", 0666, 0, 0);
	mkd("sgd", 02777, 0, GROUP);

	if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
	    setuid(NOBODY) != 0) {
		perror("dropping privileges");
		return 2;
	}
	printf("uid %u euid %u gid %u egid %u\n", (unsigned)getuid(),
	    (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());
	res("open ro O_RDONLY", open_close("ro", O_RDONLY));
	res("open ro O_WRONLY", open_close("ro", O_WRONLY));
	res("open priv O_RDONLY", open_close("priv", O_RDONLY));
	res("open locked/f O_RDWR", open_close("locked/f", O_RDWR));
	res("create locked/new", creat_close("locked/new", 0644));
	res("create new", creat_close("new", 0666));
	res("create sticky/mine", creat_close("sticky/mine", 0644));
	res("create sgd/new", creat_close("sgd/new", 02755));
	res("mkdir sgd/sub", mkdir("sgd/sub", 0755));
	res("unlink sticky/roots", unlink("sticky/roots"));
	res("rename sticky/roots", rename("sticky/roots", "sticky/x"));
	res("rename onto sticky/roots", rename("sticky/mine",
	    "sticky/roots"));
	res("unlink locked/f", unlink("locked/f"));
	res("rename rw renamed", rename("rw", "renamed"));
	res("rename renamed rw", rename("renamed", "rw"));
	res("chmod ro", chmod("ro", 0666));
	res("chmod mine 02755", chmod("mine", 02755));
	res("chmod sgd/new 02755", chmod("sgd/new", 02755));
	res("chown mine 0", chown("mine", 0, (gid_t)-1));
	res("chown mine :4321", chown("mine", (uid_t)-1, GROUP));
	res("chown mine :65534", chown("mine", (uid_t)-1, NOBODY));
	res("chown ro 65534", chown("ro", NOBODY, (gid_t)-1));
	res("utimensat ro now", utimensat(AT_FDCWD, "ro", NULL, 0));
	res("utimensat rw now", utimensat(AT_FDCWD, "rw", NULL, 0));
	res("utimensat rw times", utimensat(AT_FDCWD, "rw", ts, 0));
	res("utimensat mine times", utimensat(AT_FDCWD, "mine", ts, 0));
	res("truncate ro", truncate("ro", 0));
	res("truncate rw", truncate("rw", 1));
	res("write suid", append("suid"));
	res("write sgid", append("sgid"));
	res("setuid 0", setuid(0));
	res("open priv after setuid 0", open_close("priv", O_RDONLY));
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		show(all[i]);
	return 0;
}
