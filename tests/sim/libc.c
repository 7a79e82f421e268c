/* SPDX-License-Identifier: MIT
 *
 * libc.c - the libc calls the library interposes, routed to the emulation or
 * to the real libc: the real libc behind every wrapper (dlsym(RTLD_NEXT),
 * dlsym(3)), the fd-based wrappers that send fake VFIO descriptors to
 * vfio.c (sysfs.c wraps the path-based calls), and the library's load and
 * exit.
 *
 * Locking: wrappers look fds up without sim_lock, so calls on ordinary fds,
 * which the device thread also makes while holding sim_lock, never take it.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE /* we define the fortified entry points ourselves */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim.h"
#include "kernel.h"

/* ---------------------------------------------------------------- real libc */

static struct real_libc real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void *next_symbol(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		fprintf(stderr, "avfsim: libc has no %s\n", name);
		abort();
	}
	return p;
}

static void resolve(void)
{
	real.openat = next_symbol("openat");
	real.close = next_symbol("close");
	real.ioctl = next_symbol("ioctl");
	real.mmap = next_symbol("mmap");
	real.pread = next_symbol("pread");
	real.pwrite = next_symbol("pwrite");
	real.read = next_symbol("read");
	real.write = next_symbol("write");
	real.fcntl = next_symbol("fcntl");
	real.dup = next_symbol("dup");
	real.dup2 = next_symbol("dup2");
	real.dup3 = next_symbol("dup3");
	real.fstatat = next_symbol("fstatat");
	real.statx = next_symbol("statx");
	real.faccessat = next_symbol("faccessat");
	real.readlinkat = next_symbol("readlinkat");
	real.fopen = next_symbol("fopen");
	real.opendir = next_symbol("opendir");
	real.realpath = next_symbol("realpath");
	real.getxattr = next_symbol("getxattr");
	real.lgetxattr = next_symbol("lgetxattr");
}

const struct real_libc *real_libc(void)
{
	pthread_once(&real_once, resolve);
	return &real;
}

/* ---------------------------------------------------------------- fd wrappers */

ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
void __chk_fail(void) __attribute__((noreturn));

int ioctl(int fd, unsigned long req, ...)
{
	struct vfile *vf = fd_file(fd);
	struct trace t = {.len = 0};
	va_list ap;
	long r;

	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (!vf)
		return REAL(ioctl)(fd, req, arg);
	pthread_mutex_lock(&sim_lock);
	if (fd_file(fd) != vf)
		r = -EBADF;
	else if (vf->kind == K_CONTAINER)
		r = container_ioctl(vf, req, arg, &t);
	else if (vf->kind == K_GROUP)
		r = group_ioctl(req, arg, &t);
	else
		r = device_ioctl(req, arg, &t);
	pthread_mutex_unlock(&sim_lock);
	if (sim_opts.trace) {
		char what[64];
		const char *name = ioctl_name(req);
		if (name)
			snprintf(what, sizeof(what), "%s", name);
		else
			snprintf(what, sizeof(what), "ioctl 0x%lx on the %s", req, kind_name[vf->kind]);
		trace_result(what, t.buf, r);
	}
	return (int)set_errno(r);
}

int close(int fd)
{
	struct vfile *vf = fd_file(fd);

	if (!vf)
		return REAL(close)(fd);
	pthread_mutex_lock(&sim_lock);
	if (fd_file(fd) == vf) {
		atomic_store_explicit(&fdtab[fd], NULL, memory_order_release);
		REAL(close)(fd);
		sim_trace("vfio: close %d (%s)", fd, kind_name[vf->kind]);
		if (!--vf->nfds)
			file_release(vf);
		vf = NULL;
	}
	pthread_mutex_unlock(&sim_lock);
	return vf ? REAL(close)(fd) : 0;
}

/* dup, dup2, dup3, fcntl(F_DUPFD*): after the real call made r a copy of
 * oldfd, r shares oldfd's file; `replaced` is the fake file r referred to
 * before, which dup2/dup3 closed.  Caller holds sim_lock. */
static int dup_track(int oldfd, int r, struct vfile *replaced)
{
	struct vfile *vf = fd_file(oldfd);

	if (r < 0 || r == oldfd)
		return r;
	if (replaced) {
		atomic_store_explicit(&fdtab[r], NULL, memory_order_release);
		if (!--replaced->nfds)
			file_release(replaced);
	}
	return vf ? (int)set_errno(fd_bind(r, vf)) : r;
}

int dup(int fd)
{
	if (!fd_file(fd))
		return REAL(dup)(fd);
	pthread_mutex_lock(&sim_lock);
	int r = dup_track(fd, REAL(dup)(fd), NULL);
	pthread_mutex_unlock(&sim_lock);
	return r;
}

int dup3(int oldfd, int newfd, int flags)
{
	if (!fd_file(oldfd) && !fd_file(newfd))
		return REAL(dup3)(oldfd, newfd, flags);
	pthread_mutex_lock(&sim_lock);
	struct vfile *replaced = oldfd != newfd ? fd_file(newfd) : NULL;
	int r = dup_track(oldfd, REAL(dup3)(oldfd, newfd, flags), replaced);
	pthread_mutex_unlock(&sim_lock);
	return r;
}

int dup2(int oldfd, int newfd)
{
	if (!fd_file(oldfd) && !fd_file(newfd))
		return REAL(dup2)(oldfd, newfd);
	pthread_mutex_lock(&sim_lock);
	struct vfile *replaced = oldfd != newfd ? fd_file(newfd) : NULL;
	int r = dup_track(oldfd, REAL(dup2)(oldfd, newfd), replaced);
	pthread_mutex_unlock(&sim_lock);
	return r;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;

	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if ((cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC) || !fd_file(fd))
		return REAL(fcntl)(fd, cmd, arg);
	pthread_mutex_lock(&sim_lock);
	int r = dup_track(fd, REAL(fcntl)(fd, cmd, arg), NULL);
	pthread_mutex_unlock(&sim_lock);
	return r;
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;

	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl(fd, cmd, arg);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct vfile *vf = fd_file(fd);
	unsigned bar = 0;
	long r;

	if (!vf)
		return REAL(mmap)(addr, len, prot, flags, fd, off);
	/* Containers and groups have no mmap (ENODEV, as for any such file). */
	r = vf->kind != K_DEVICE ? -ENODEV : device_mmap_check(len, flags, off, &bar);
	void *p = r ? MAP_FAILED
		    : REAL(mmap)(addr, len, prot, flags, dev_bar_fd((int)bar), off & (off_t)REGION_MASK);
	if (sim_opts.trace) {
		char what[96];
		snprintf(what, sizeof(what), "mmap offset 0x%llx len %zu%s", (unsigned long long)off,
			 len, flags & MAP_FIXED ? " MAP_FIXED" : "");
		trace_result(what, r ? "" : bar ? " (BAR3)" : " (BAR0)",
			     p != MAP_FAILED ? 0 : r ? r : -errno);
	}
	if (r)
		errno = (int)-r;
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* read/write on a fake fd: containers and groups have none (EINVAL); the
 * device's, at the file position, is not modelled: use pread/pwrite. */
static ssize_t fake_rw(struct vfile *vf, void *buf, size_t n, off_t off, bool write)
{
	return set_errno(vf->kind == K_DEVICE ? device_rw(buf, n, off, write) : -EINVAL);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	struct vfile *vf = fd_file(fd);

	return vf ? fake_rw(vf, buf, n, off, false) : REAL(pread)(fd, buf, n, off);
}

ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
	return pread(fd, buf, n, off);
}

ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return pread(fd, buf, n, off);
}

ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen)
{
	return __pread_chk(fd, buf, n, off, buflen);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	struct vfile *vf = fd_file(fd);

	return vf ? fake_rw(vf, (void *)buf, n, off, true) : REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	return pwrite(fd, buf, n, off);
}

ssize_t read(int fd, void *buf, size_t n)
{
	return fd_file(fd) ? set_errno(-EINVAL) : REAL(read)(fd, buf, n);
}

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return read(fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return fd_file(fd) ? set_errno(-EINVAL) : REAL(write)(fd, buf, n);
}

/* ---------------------------------------------------------------- load and exit */

__attribute__((constructor)) static void sim_load(void)
{
	const char *env = getenv(SIM_ENV_ARGS);
	char err[256];

	if (!env)
		return; /* not under avfsim: everything passes through */
	for (unsigned v = 0; v < AVF_MAX_VECTORS; v++)
		msix_fd[v] = -1;
	/* One argument per line.  sim_opts keeps pointers into the copy for the
	 * life of the process, so argv stays reachable from a static. */
	static char **argv;
	char *copy = strdup(env);
	int argc = *env ? 1 : 0;
	for (const char *p = env; *p; p++)
		argc += *p == '\n';
	argv = calloc((size_t)argc + 1, sizeof(*argv));
	if (!copy || !argv)
		abort();
	for (int i = 0; i < argc; i++)
		argv[i] = strsep(&copy, "\n");
	int r = sim_parse_options(argc, argv, &sim_opts, err, sizeof(err));
	if (r) {
		fprintf(stderr, "avfsim: %s: %s\n", SIM_ENV_ARGS, r > 0 ? "-h belongs to the launcher" : err);
		_exit(2);
	}
	iommu_memlock_fault();
	if (sysfs_create()) {
		sim_log("cannot create the simulated sysfs (under $TMPDIR or /tmp): %m");
		_exit(2);
	}
}

__attribute__((destructor)) static void sim_unload(void)
{
	if (!sysfs_root[0])
		return;
	if (dev_pid == getpid()) {
		dev_shutdown();
		sim_write_report();
	}
	sysfs_remove();
}