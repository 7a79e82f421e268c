/* SPDX-License-Identifier: MIT
 *
 * kernel.h - private interface of the simulated host kernel: the VFIO and
 * sysfs emulation (vfio.c, sysfs.c), the IOMMU (iommu.c), and the libc calls
 * the library interposes (libc.c).  The rest of the simulator only sees sim.h.
 */
#ifndef AVFSIM_KERNEL_H
#define AVFSIM_KERNEL_H

#include <dirent.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ------------------------------------------------------------ real libc */

/* The libc functions behind our wrappers (dlsym(RTLD_NEXT), dlsym(3);
 * libc.c).  Every wrapper alias funnels into one of these, e.g. open, open64,
 * __open_2 ... all become openat(AT_FDCWD, ...). */
struct real_libc {
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*fcntl)(int, int, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fstatat)(int, const char *, struct stat *, int);
	int (*statx)(int, const char *, int, unsigned, struct statx *);
	int (*faccessat)(int, const char *, int, int);
	ssize_t (*readlinkat)(int, const char *, char *, size_t);
	FILE *(*fopen)(const char *, const char *);
	DIR *(*opendir)(const char *);
	char *(*realpath)(const char *, char *);
	ssize_t (*getxattr)(const char *, const char *, void *, size_t);
	ssize_t (*lgetxattr)(const char *, const char *, void *, size_t);
};
/* Resolved once, on first use (wrappers may run before our constructor). */
const struct real_libc *real_libc(void);
#define REAL(fn) (real_libc()->fn)

/* options.c: a UUID in its 36-character text form (the kernel's uuid_parse). */
bool uuid_valid(const char *s);

/* ------------------------------------------------------------ sysfs.c */

/* The private sysfs tree (created at load; "" when the library is inert). */
extern char sysfs_root[];
int sysfs_create(void);
void sysfs_remove(void);
/* Path rewriting: the path to use instead of `path` (buf, or path itself). */
const char *sysfs_path(const char *path, char *buf, size_t len);

/* ------------------------------------------------------------ vfio.c */

#define PCI_CFG_SIZE 4096
/* A PF at --bdf (a PF device id): SR-IOV capacity and the VFs it has enabled. */
#define SIM_PF_TOTAL_VFS 64
#define SIM_PF_NUM_VFS 2
/* The function's config space as it reads after power-on. */
void pci_config_init(uint8_t cfg[PCI_CFG_SIZE]);

/* /dev/vfio nodes */
enum vfio_node { NODE_NONE, NODE_CONTAINER, NODE_GROUP };
enum vfio_node vfio_node(const char *path);
/* open() of a node: fake fd, or -1 with errno. */
int vfio_open(enum vfio_node node, int flags);
/* access()/stat() of a node: 0 if it exists, else -1 with errno. */
int vfio_node_check(enum vfio_node node, int mode);

/* copy_from_user/copy_to_user: 0 or -EFAULT, like the kernel's, so a bad
 * ioctl argument is an EFAULT and not a crash inside the simulator. */
int copy_from_user(void *dst, const void *src, size_t n);
int copy_to_user(void *dst, const void *src, size_t n);

/* One --trace line being built by an ioctl handler. */
struct trace {
	char buf[384];
	size_t len;
};
void trace_add(struct trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Capability chains of the *_GET_INFO ioctls (vfio_info_cap_add/shift). */
struct caps {
	uint8_t buf[128];
	size_t len;
	size_t last; /* offset of the last header, for linking */
};
void caps_add(struct caps *c, uint16_t id, uint16_t version, const void *cap, size_t len);
/* Finish a GET_INFO the kernel's way: when caps exist, set flag_caps; if the
 * caller's argsz is too small, grow argsz and leave cap_offset 0, else copy
 * the chain after the struct and point cap_offset at it.  Then copy the first
 * `out` bytes of the reply back.  Returns 0 or -EFAULT. */
struct info_reply {
	void *uarg;          /* the user's buffer */
	void *info;          /* our copy of the reply */
	size_t size;         /* sizeof the reply struct */
	size_t out;          /* bytes of it copied back */
	uint32_t *argsz, *flags, *cap_offset;
	uint32_t flag_caps;
};
int info_reply(const struct info_reply *r, const struct caps *c);

/* -r into errno and -1; r >= 0 passes through. */
long set_errno(long r);

/* vfio-pci places region i at file offset i << 40 (VFIO_PCI_OFFSET_SHIFT). */
#define REGION_SHIFT 40
#define REGION_MASK ((1ull << REGION_SHIFT) - 1)

/* Fake descriptors, for libc.c's fd wrappers.  The fd table is read without
 * sim_lock; everything else here needs it. */
#define FD_MAX 16384
enum kind { K_FREE, K_CONTAINER, K_GROUP, K_DEVICE };
extern const char *const kind_name[];

/* One open file description (what the kernel's struct file is). */
struct vfile {
	enum kind kind;
	int nfds;           /* descriptors referring to it (dup) */
	unsigned long iommu; /* containers: 0, or the type SET_IOMMU chose */
	bool has_group;     /* containers: the group is attached */
};
extern _Atomic(struct vfile *) fdtab[FD_MAX];

static inline struct vfile *fd_file(int fd)
{
	return fd >= 0 && fd < FD_MAX ? atomic_load_explicit(&fdtab[fd], memory_order_acquire)
				      : NULL;
}

/* Point fd at vf, or refuse an fd number we cannot track. */
int fd_bind(int fd, struct vfile *vf);
/* The last descriptor of vf was closed. */
void file_release(struct vfile *vf);

/* The ioctls of each kind of file; >= 0 or -errno. */
long container_ioctl(struct vfile *c, unsigned long req, void *arg, struct trace *t);
long group_ioctl(unsigned long req, void *arg, struct trace *t);
long device_ioctl(unsigned long req, void *arg, struct trace *t);
/* The VFIO_* name of an ioctl, or NULL. */
const char *ioctl_name(unsigned long req);
/* The --trace line of a call: "vfio: <what><detail> -> <r>". */
void trace_result(const char *what, const char *detail, long r);
/* Device region reads and writes (pread/pwrite): bytes or -errno. */
long device_rw(void *buf, size_t n, off_t off, bool write);
/* vfio_pci_core_mmap: 0 and the BAR to map, or -errno. */
long device_mmap_check(size_t len, int flags, off_t off, unsigned *bar);

/* Device state the load and exit code sets up and checks. */
extern int msix_fd[]; /* our dups of the eventfds, -1 none */
extern pid_t dev_pid; /* the process that created the device */

/* ------------------------------------------------------------ iommu.c */

/* The container's IOMMU ioctls once SET_IOMMU chose type1 (v2 = TYPE1v2
 * unmap rules).  Returns >= 0 or -errno.  Caller holds sim_lock. */
long iommu_ioctl(unsigned long req, void *arg, bool v2, struct trace *t);
/* The last group left the container: drop every mapping. */
void iommu_release(void);
/* --fault memlock=BYTES, applied at load: the limit, and no CAP_IPC_LOCK. */
void iommu_memlock_fault(void);

#endif /* AVFSIM_KERNEL_H */
