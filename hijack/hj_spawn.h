/*
 * hj_spawn.h: running programs stored in the kernel (hj_wrap_spawn.c).
 */
#ifndef HJ_SPAWN_H
#define HJ_SPAWN_H

#include <stdbool.h>

/*
 * execve of a file in the kernel: path is what the program passed (it
 * becomes a script's argument), kd and kpath what hj_route made of it
 * (relative to kernel directory kd, or the kernel's current directory).  The host cannot exec a file it
 * does not have, so an executable is copied into a memfd and exec'd from
 * there; a "#!" script runs its interpreter (host or kernel) on path.
 * envp is passed as given: the caller has built it.  Returns -1 and
 * errno, like execve.
 */
int hj_exec_kernel_file(const char *path, int kd, const char *kpath,
    char *const argv[], char *const envp[]);

/*
 * execvpe's PATH search ending in our execve (so PATH entries in the
 * kernel count); sh: a file the kernel refused with ENOEXEC runs with
 * /bin/sh, as glibc's execvp does (posix_spawnp does not).  -1 and errno.
 */
int hj_execvpe(const char *file, char *const argv[], char *const envp[],
    bool sh);

#endif /* HJ_SPAWN_H */
