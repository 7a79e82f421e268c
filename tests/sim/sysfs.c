/* SPDX-License-Identifier: MIT
 *
 * sysfs.c - the host's files for the simulated VF: a real directory tree in
 * a private temporary directory shaped like sysfs (Linux
 * Documentation/ABI/testing/sysfs-bus-pci; DPDK's drivers/bus/pci scan reads
 * it too), and the path-based libc wrappers that redirect

 *
 *   /sys/bus/pci/devices/<bdf>[/...]      -> <tree>/devices/<bdf>[/...]
 *   /sys/kernel/iommu_groups/<N>[/...]    -> <tree>/kernel/iommu_groups/<N>[/...]
 *   /sys/module/vfio, /sys/module/vfio_pci, /sys/bus/pci/drivers/vfio-pci
 *
 * and send opens of /dev/vfio/vfio and /dev/vfio/<N> to vfio.c.  Every other
 * path goes to the real libc untouched.  Because the files are real, libc's
 * internal calls (inside scandir, nftw, ...) and relative opens below a
 * directory fd work without wrapping.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE /* we define the fortified entry points ourselves */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sim.h"
#include "kernel.h"

char sysfs_root[PATH_MAX - 128];
static pid_t creator; /* only the process that made the tree removes it */

/* /sys prefixes we own and where they live in the tree. */
struct redirect {
	char from[64];
	char to[PATH_MAX];
	size_t len;
};
static struct redirect redirects[6];
static unsigned nredirects;

static void redirect(const char *from, const char *to)
{
	struct redirect *r = &redirects[nredirects++];

	snprintf(r->from, sizeof(r->from), "%s", from);
	snprintf(r->to, sizeof(r->to), "%s/%s", sysfs_root, to);
	r->len = strlen(r->from);
}

const char *sysfs_path(const char *path, char *buf, size_t len)
{
	if (!path || strncmp(path, "/sys/", 5))
		return path;
	for (unsigned i = 0; i < nredirects; i++) {
		const struct redirect *r = &redirects[i];
		if (!strncmp(path, r->from, r->len) && (path[r->len] == '\0' || path[r->len] == '/')) {
			int n = snprintf(buf, len, "%s%s", r->to, path + r->len);
			return n > 0 && (size_t)n < len ? buf : path;
		}
	}
	return path;
}

/* ---------------------------------------------------------------- the tree */

static int mkdirs(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", sysfs_root, rel);
	for (char *s = p + strlen(sysfs_root) + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				return -1;
			if (!(*s = c))
				return 0;
		}
	}
}

static int put(const char *dir, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s/%s", sysfs_root, dir, name);
	fd = REAL(openat)(AT_FDCWD, p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = REAL(write)(fd, data, len);
	REAL(close)(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int put_str(const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int put_str(const char *dir, const char *name, const char *fmt, ...)
{
	char s[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	return put(dir, name, s, strlen(s));
}

static int link_at(const char *dir, const char *name, const char *target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s/%s", sysfs_root, dir, name);
	return symlink(target, p);
}

/* devices/<bdf>/ of one PCI function.  resource: 13 lines (6 BARs, ROM,
 * bridge windows) of start, end, flags; 0x14220c = IORESOURCE_MEM (0x200) |
 * PREFETCH | MEM_64 | SIZEALIGN and the BAR's own type bits, as a real
 * 64-bit prefetchable BAR shows. */
static int pci_function(const char *bdf, uint16_t device, const char *driver,
			const uint64_t bar_start[6], const uint64_t bar_size[6])
{
	char dir[64], res[13 * 60] = "", target[64];
	uint8_t cfg[PCI_CFG_SIZE];

	snprintf(dir, sizeof(dir), "devices/%s", bdf);
	for (int i = 0; i < 13; i++) {
		bool bar = i < 6 && bar_size[i];
		snprintf(res + strlen(res), sizeof(res) - strlen(res), "0x%016llx 0x%016llx 0x%016llx\n",
			 bar ? (unsigned long long)bar_start[i] : 0ull,
			 bar ? (unsigned long long)(bar_start[i] + bar_size[i] - 1) : 0ull,
			 bar ? 0x14220cull : 0ull);
	}
	pci_config_init(cfg);
	cfg[2] = (uint8_t)device;
	cfg[3] = (uint8_t)(device >> 8);
	snprintf(target, sizeof(target), "../../bus/pci/drivers/%s", driver);
	if (mkdirs(dir) || put_str(dir, "vendor", "0x%04x\n", AVF_PCI_VENDOR_INTEL) ||
	    put_str(dir, "device", "0x%04x\n", device) ||
	    put_str(dir, "subsystem_vendor", "0x%04x\n", AVF_PCI_VENDOR_INTEL) ||
	    put_str(dir, "subsystem_device", "0x0000\n") || put_str(dir, "class", "0x020000\n") ||
	    put_str(dir, "numa_node", "-1\n") || put(dir, "resource", res, strlen(res)) ||
	    put(dir, "config", cfg, sizeof(cfg)) || link_at(dir, "driver", target))
		return -1;
	if (sim_fault("no-iommu-group"))
		return 0;
	snprintf(target, sizeof(target), "../../kernel/iommu_groups/%d", sim_opts.iommu_group);
	if (link_at(dir, "iommu_group", target))
		return -1;
	snprintf(dir, sizeof(dir), "kernel/iommu_groups/%d/devices", sim_opts.iommu_group);
	snprintf(target, sizeof(target), "../../../../devices/%s", bdf);
	return mkdirs(dir) || link_at(dir, bdf, target);
}


/* A PF's device id (Linux i40e_devids.h and ice_devids.h): the address then
 * names a PF, bound to its own driver, whose VFs are elsewhere. */
static const char *pf_driver(uint16_t device)
{
	static const uint16_t i40e[] = { 0x1572, 0x1574, 0x1580, 0x1581, 0x1583, 0x1584, 0x1585, 0x1586, 0x1587,
					 0x1588, 0x1589, 0x158a, 0x158b, 0x37ce, 0x37cf, 0x37d0, 0x37d1, 0x37d2, 0x37d3 };
	static const uint16_t ice[] = { 0x1591, 0x1592, 0x1593, 0x1599, 0x159a, 0x159b };
	for (size_t i = 0; i < sizeof i40e / sizeof i40e[0]; i++)
		if (device == i40e[i])
			return "i40e";
	for (size_t i = 0; i < sizeof ice / sizeof ice[0]; i++)
		if (device == ice[i])
			return "ice";
	return NULL;
}

/* The SR-IOV side of a PF in sysfs (drivers/pci/iov.c, sriov_*_show and the
 * virtfnN links): two VFs enabled, two devices further along its bus. */
static int pf_sriov(const char *bdf)
{
	char dir[64], name[16], target[64];
	unsigned dom, bus, dev, fn;
	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return -1;
	snprintf(dir, sizeof(dir), "devices/%s", bdf);
	if (put_str(dir, "sriov_totalvfs", "%d\n", SIM_PF_TOTAL_VFS) ||
	    put_str(dir, "sriov_numvfs", "%d\n", SIM_PF_NUM_VFS))
		return -1;
	for (unsigned vf = 0; vf < SIM_PF_NUM_VFS; vf++) {
		snprintf(name, sizeof(name), "virtfn%u", vf);
		snprintf(target, sizeof(target), "../%04x:%02x:%02x.%u", dom, bus, (dev + 2) & 0x1f, vf);
		if (link_at(dir, name, target))
			return -1;
	}
	return 0;
}

static int rm_entry(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static void rm_tree(const char *p)
{
	nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t == '/' ? t : "/tmp";
}

/* Trees whose owner never ran its destructor: avfsim.<pid>.XXXXXX of a pid
 * that no longer exists (killed by a signal), or of our own pid (an image
 * of this process that called exec). */
static void sweep_stale(void)
{
	DIR *d = REAL(opendir)(tmp_dir());
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[PATH_MAX];
		int pid;
		if (sscanf(e->d_name, "avfsim.%d.", &pid) != 1 || pid <= 0 ||
		    (pid != getpid() && (kill(pid, 0) == 0 || errno != ESRCH)))
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmp_dir(), e->d_name);
		rm_tree(p);
	}
	closedir(d);
}

int sysfs_create(void)
{
	const char *bdf = sim_opts.bdf;
	char pf[16], devs[PATH_MAX];
	/* A VF's BAR0 (registers) and BAR3 (MSI-X table and PBA), both 64-bit
	 * prefetchable, at addresses like a host would assign. */
	const uint64_t vf_start[6] = {0x387ffe800000ull, 0, 0, 0x387ffe900000ull, 0, 0};
	const uint64_t vf_size[6] = {SIM_BAR0_SIZE, 0, 0, SIM_MSIX_BAR_SIZE, 0, 0};
	const uint64_t pf_start[6] = {0x387ffc000000ull, 0, 0, 0x387ffe000000ull, 0, 0};
	const uint64_t pf_size[6] = {8u << 20, 0, 0, 32u << 10, 0, 0};

	sweep_stale();
	snprintf(sysfs_root, sizeof(sysfs_root), "%s/avfsim.%d.XXXXXX", tmp_dir(), (int)getpid());
	if (!mkdtemp(sysfs_root)) {
		sysfs_root[0] = '\0';
		return -1;
	}
	creator = getpid();
	/* The PF sits on the VF's bus as function 0; it shares the VF's IOMMU
	 * group, bound to i40e, only when the group is to be "not viable". */
	snprintf(pf, sizeof(pf), "%.8s00.0", bdf);
	/* A PF's id: the device is the PF, bound to its driver, or to vfio-pci
	 * when it hands out VF tokens (vf-token). */
	const char *pf_drv = pf_driver(sim_opts.device_id);
	const char *driver = sim_fault("not-vfio-pci") ? "iavf" : "vfio-pci";
	if (pf_drv && !sim_fault("vf-token"))
		driver = pf_drv;
	if (pci_function(bdf, sim_opts.device_id, driver, vf_start, vf_size) || (pf_drv && pf_sriov(bdf)) ||
	    (sim_fault("group-not-viable") &&
	     pci_function(pf, 0x1572 /* X710 for 10GbE SFP+ */, "i40e", pf_start, pf_size)) ||
	    mkdirs("bus/pci/drivers/vfio-pci") || mkdirs("bus/pci/drivers/iavf") ||
	    mkdirs("bus/pci/drivers/i40e") || mkdirs("bus/pci/drivers/ice") || mkdirs("module/vfio/parameters") ||
	    mkdirs("module/vfio_pci")) {
		sysfs_remove();
		return -1;
	}
	char from[96], to[64];
	snprintf(from, sizeof(from), "/sys/bus/pci/devices/%s", bdf);
	snprintf(to, sizeof(to), "devices/%s", bdf);
	redirect(from, to);
	if (sim_fault("group-not-viable")) {
		snprintf(from, sizeof(from), "/sys/bus/pci/devices/%s", pf);
		snprintf(to, sizeof(to), "devices/%s", pf);
		redirect(from, to);
	}
	snprintf(to, sizeof(to), "kernel/iommu_groups/%d", sim_opts.iommu_group);
	snprintf(from, sizeof(from), "/sys/%s", to);
	redirect(from, to);
	redirect("/sys/module/vfio", "module/vfio");
	redirect("/sys/module/vfio_pci", "module/vfio_pci");
	redirect("/sys/bus/pci/drivers/vfio-pci", "bus/pci/drivers/vfio-pci");
	snprintf(devs, sizeof(devs), "%s/devices", sysfs_root);
	return setenv("SYSFS_PCI_DEVICES", devs, 1);
}

void sysfs_remove(void)
{
	if (sysfs_root[0] && getpid() == creator)
		rm_tree(sysfs_root);
	sysfs_root[0] = '\0';
	nredirects = 0;
}

/* ---------------------------------------------------------------- wrappers */

/* The glibc entry points that have no prototype in the headers unless
 * _FORTIFY_SOURCE is on (glibc's fcntl2.h, unistd.h bits). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len, size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
void __chk_fail(void) __attribute__((noreturn));

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64 is stat on x86-64");

static int do_open(int dirfd, const char *path, int flags, mode_t mode)
{
	char buf[PATH_MAX];
	enum vfio_node node = vfio_node(path);

	if (node != NODE_NONE)
		return vfio_open(node, flags);
	return REAL(openat)(dirfd, sysfs_path(path, buf, sizeof(buf)), flags, mode);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE (open(2)). */
#define OPEN_MODE(flags, last)                                   \
	mode_t mode = 0;                                         \
	if ((flags) & (O_CREAT | O_TMPFILE)) {                   \
		va_list ap;                                      \
		va_start(ap, last);                              \
		mode = (mode_t)va_arg(ap, int);                  \
		va_end(ap);                                      \
	}

int open(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_open(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_open(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_open(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_open(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags)
{
	return do_open(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return do_open(AT_FDCWD, path, flags, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return do_open(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_open(dirfd, path, flags, 0);
}

FILE *fopen(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	return REAL(fopen)(sysfs_path(path, buf, sizeof(buf)), mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	return fopen(path, mode);
}

DIR *opendir(const char *path)
{
	char buf[PATH_MAX];

	return REAL(opendir)(sysfs_path(path, buf, sizeof(buf)));
}

/* stat of /dev/vfio nodes: /dev/null's, dressed as the VFIO character
 * devices (10:196 for the container, a dynamic major for groups). */
static int do_stat(int dirfd, const char *path, struct stat *st, int flags)
{
	char buf[PATH_MAX];
	enum vfio_node node = vfio_node(path);

	if (node == NODE_NONE)
		return REAL(fstatat)(dirfd, sysfs_path(path, buf, sizeof(buf)), st, flags);
	if (vfio_node_check(node, F_OK) || REAL(fstatat)(AT_FDCWD, "/dev/null", st, 0))
		return -1;
	st->st_rdev = node == NODE_CONTAINER ? makedev(10, 196) : makedev(243, 0);
	st->st_mode = S_IFCHR | (node == NODE_CONTAINER ? 0666 : 0600);
	return 0;
}

int stat(const char *path, struct stat *st)
{
	return do_stat(AT_FDCWD, path, st, 0);
}

int stat64(const char *path, struct stat64 *st)
{
	return do_stat(AT_FDCWD, path, (struct stat *)st, 0);
}

int lstat(const char *path, struct stat *st)
{
	return do_stat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

int lstat64(const char *path, struct stat64 *st)
{
	return do_stat(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return do_stat(dirfd, path, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return do_stat(dirfd, path, (struct stat *)st, flags);
}

int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	char buf[PATH_MAX];
	enum vfio_node node = vfio_node(path);

	if (node == NODE_NONE)
		return REAL(statx)(dirfd, sysfs_path(path, buf, sizeof(buf)), flags, mask, stx);
	if (vfio_node_check(node, F_OK) || REAL(statx)(AT_FDCWD, "/dev/null", 0, mask, stx))
		return -1;
	stx->stx_rdev_major = node == NODE_CONTAINER ? 10 : 243;
	stx->stx_rdev_minor = node == NODE_CONTAINER ? 196 : 0;
	stx->stx_mode = S_IFCHR | (node == NODE_CONTAINER ? 0666 : 0600);
	return 0;
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	char buf[PATH_MAX];
	enum vfio_node node = vfio_node(path);

	if (node != NODE_NONE)
		return vfio_node_check(node, mode);
	return REAL(faccessat)(dirfd, sysfs_path(path, buf, sizeof(buf)), mode, flags);
}

int access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, 0);
}

ssize_t readlinkat(int dirfd, const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];

	return REAL(readlinkat)(dirfd, sysfs_path(path, buf, sizeof(buf)), out, len);
}

ssize_t readlink(const char *path, char *out, size_t len)
{
	return readlinkat(AT_FDCWD, path, out, len);
}

ssize_t __readlinkat_chk(int dirfd, const char *path, char *out, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return readlinkat(dirfd, path, out, len);
}

ssize_t __readlink_chk(const char *path, char *out, size_t len, size_t buflen)
{
	return __readlinkat_chk(AT_FDCWD, path, out, len, buflen);
}

char *realpath(const char *path, char *resolved)
{
	char buf[PATH_MAX];

	return REAL(realpath)(sysfs_path(path, buf, sizeof(buf)), resolved);
}

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	return realpath(path, resolved);
}

/* ls -l asks for extended attributes (SELinux labels, ACLs). */
ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	char buf[PATH_MAX];

	return REAL(getxattr)(sysfs_path(path, buf, sizeof(buf)), name, value, size);
}

ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	char buf[PATH_MAX];

	return REAL(lgetxattr)(sysfs_path(path, buf, sizeof(buf)), name, value, size);
}
