/* SPDX-License-Identifier: MIT
 *
 * vfio.c - what Linux 6.1's VFIO does for one VF bound to vfio-pci: the
 * container, group and device file descriptors and their ioctls, the
 * device's regions (BARs through mmap/pread/pwrite, config space) and its
 * interrupts (eventfds); libc.c's wrappers route fake descriptors here
 * (Linux Documentation/driver-api/vfio.rst, include/uapi/linux/vfio.h).  Errnos follow drivers/vfio/ of 6.1; where the
 * kernel logs a reason to dmesg, --trace shows it as "dmesg: ...".
 *
 * Fake descriptors are real memfds (so numbers stay unique and close/dup/
 * fork behave), tracked in fdtab[].  Several fds may share one open file
 * (dup), as in the kernel, and the lifetimes are the kernel's: a device file
 * holds its group open, an attached group holds its container, and the last
 * group leaving a container drops the container's IOMMU mappings.
 *
 * Locking: sim_lock guards all of this state (sim.h).  libc.c's wrappers
 * look fds up without it, so calls on ordinary fds, which the device thread
 * also makes while holding sim_lock, never take it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim.h"
#include "kernel.h"

#define PAGE 4096u
/* BAR0 and BAR3 are 64-bit prefetchable memory BARs. */
#define BAR_FLAGS (PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH)
#define CAP_MSIX 0x70 /* config offsets of our two capabilities */
#define CAP_EXP 0xa0

/* ---------------------------------------------------------------- helpers */

static int uaccess(void *dst, const void *src, size_t n, bool to_user)
{
	static _Atomic int works = -1; /* process_vm_*: unknown, no (seccomp), yes */
	struct iovec local = {to_user ? (void *)src : dst, n};
	struct iovec remote = {to_user ? dst : (void *)src, n};
	int saved = errno;

	if (!n)
		return 0;
	if (works) {
		ssize_t r = to_user ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
				    : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (r >= 0 || errno == EFAULT) {
			works = 1;
			errno = saved;
			/* Valid: copy again with memcpy, which valgrind sees (it
			 * takes process_vm_writev's target for another process's
			 * memory), so the program's bytes count as set. */
			if (to_user && r == (ssize_t)n)
				memcpy(dst, src, n);
			return r == (ssize_t)n ? 0 : -EFAULT;
		}
		if (works > 0)
			return -EFAULT;
		works = 0;
	}
	memcpy(dst, src, n); /* cannot check: trust the pointer */
	errno = saved;
	return 0;
}

int copy_from_user(void *dst, const void *src, size_t n)
{
	return uaccess(dst, src, n, false);
}

int copy_to_user(void *dst, const void *src, size_t n)
{
	return uaccess(dst, src, n, true);
}

/* strndup_user(): EFAULT, or EINVAL when longer than max - 1. */
static long string_from_user(char *dst, const char *src, size_t max)
{
	for (size_t done = 0; done < max;) {
		size_t chunk = PAGE - ((uintptr_t)(src + done) & (PAGE - 1));
		if (chunk > max - done)
			chunk = max - done;
		if (!src || copy_from_user(dst + done, src + done, chunk))
			return -EFAULT;
		char *nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return -EINVAL;
}

void trace_add(struct trace *t, const char *fmt, ...)
{
	va_list ap;

	if (t->len >= sizeof(t->buf))
		return;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	t->len = n < 0 ? t->len : t->len + (size_t)n;
}

void caps_add(struct caps *c, uint16_t id, uint16_t version, const void *cap, size_t len)
{
	struct vfio_info_cap_header h = {.id = id, .version = version, .next = 0};

	if (len < sizeof(h) || c->len + len > sizeof(c->buf))
		abort(); /* a capability that does not fit is a bug here */
	if (cap)
		memcpy(c->buf + c->len, cap, len);
	else
		memset(c->buf + c->len, 0, len);
	memcpy(c->buf + c->len, &h, sizeof(h));
	/* Appended unaligned, linked from the previous one (vfio_info_cap_add). */
	if (c->len)
		memcpy(c->buf + c->last + offsetof(struct vfio_info_cap_header, next), &c->len,
		       sizeof(h.next));
	c->last = c->len;
	c->len += len;
}

int info_reply(const struct info_reply *r, const struct caps *c)
{
	if (c->len) {
		*r->flags |= r->flag_caps;
		if (*r->argsz < r->size + c->len) {
			*r->argsz = (uint32_t)(r->size + c->len);
			*r->cap_offset = 0;
		} else {
			uint8_t buf[sizeof(c->buf)];
			uint32_t next;
			memcpy(buf, c->buf, c->len);
			/* vfio_info_cap_shift: offsets become relative to the reply. */
			for (size_t at = 0;; at = next - r->size) {
				uint8_t *p = buf + at + offsetof(struct vfio_info_cap_header, next);
				memcpy(&next, p, sizeof(next));
				if (!next)
					break;
				next += (uint32_t)r->size;
				memcpy(p, &next, sizeof(next));
			}
			if (copy_to_user((uint8_t *)r->uarg + r->size, buf, c->len))
				return -EFAULT;
			*r->cap_offset = (uint32_t)r->size;
		}
	}
	return copy_to_user(r->uarg, r->info, r->out);
}

long set_errno(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static uint16_t get16(const uint8_t *p, unsigned off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* ---------------------------------------------------------------- state */

const char *const kind_name[] = {"?", "container", "group", "device"};

static struct vfile files[64];
_Atomic(struct vfile *) fdtab[FD_MAX];

/* The one IOMMU group, holding the one device. */
static struct {
	struct vfile *file;      /* the open group file: a group opens once */
	struct vfile *container; /* attached container */
	unsigned devices;        /* open device files; each holds the group open */
} group;

/* The device as vfio-pci presents it. */
static uint8_t cfg[PCI_CFG_SIZE];       /* virtualized config space */
static unsigned msix_nvec;               /* MSI-X vectors enabled, 0 = off */
int msix_fd[AVF_MAX_VECTORS];            /* our dups of the eventfds, -1 none */
static int req_fd = -1, err_fd = -1;
static volatile uint8_t *bar_map[PCI_STD_NUM_BARS];
static pthread_once_t dev_once = PTHREAD_ONCE_INIT;
pid_t dev_pid; /* the process that created the device */

static uint64_t bar_size(unsigned bar)
{
	return bar == 0 ? SIM_BAR0_SIZE : bar == SIM_MSIX_BAR ? SIM_MSIX_BAR_SIZE : 0;
}

/* Point fd at vf, or refuse an fd number we cannot track. */
int fd_bind(int fd, struct vfile *vf)
{
	if (fd >= FD_MAX) {
		REAL(close)(fd);
		return -EMFILE;
	}
	vf->nfds++;
	atomic_store_explicit(&fdtab[fd], vf, memory_order_release);
	return fd;
}

static struct vfile *file_new(enum kind kind)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].kind == K_FREE) {
			files[i] = (struct vfile){.kind = kind};
			return &files[i];
		}
	}
	return NULL;
}

/* A new descriptor for a new file; vf is freed on failure. */
static int fd_new(struct vfile *vf, const char *name, bool cloexec)
{
	int fd = memfd_create(name, cloexec ? MFD_CLOEXEC : 0);

	if (fd >= 0)
		fd = fd_bind(fd, vf);
	else
		fd = -errno;
	if (fd < 0)
		vf->kind = K_FREE;
	return fd;
}

/* ---------------------------------------------------------------- config space */

void pci_config_init(uint8_t c[PCI_CFG_SIZE])
{
	memset(c, 0, PCI_CFG_SIZE);
	put16(c, PCI_VENDOR_ID, AVF_PCI_VENDOR_INTEL);
	put16(c, PCI_DEVICE_ID, sim_opts.device_id);
	put16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	c[PCI_REVISION_ID] = 0x02;
	c[PCI_CLASS_DEVICE + 1] = 0x02; /* class 0x020000: Ethernet controller */
	/* A VF's BARs read as zero in hardware (its addresses live in the
	 * PF's SR-IOV capability); vfio-pci shows the type bits. */
	put32(c, PCI_BASE_ADDRESS_0, BAR_FLAGS);
	put32(c, PCI_BASE_ADDRESS_0 + 4 * SIM_MSIX_BAR, BAR_FLAGS);
	put16(c, PCI_SUBSYSTEM_VENDOR_ID, AVF_PCI_VENDOR_INTEL);
	c[PCI_CAPABILITY_LIST] = CAP_MSIX;
	/* MSI-X: table at BAR3 offset 0, PBA at BAR3 + 0x2000 */
	c[CAP_MSIX + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSIX;
	c[CAP_MSIX + PCI_CAP_LIST_NEXT] = CAP_EXP;
	put16(c, CAP_MSIX + PCI_MSIX_FLAGS, (uint16_t)(sim_opts.vectors - 1));
	put32(c, CAP_MSIX + PCI_MSIX_TABLE, SIM_MSIX_BAR);
	put32(c, CAP_MSIX + PCI_MSIX_PBA, SIM_MSIX_PBA_OFFSET | SIM_MSIX_BAR);
	/* PCI Express v2 endpoint, FLR capable, max payload 512 bytes */
	c[CAP_EXP + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
	put16(c, CAP_EXP + PCI_EXP_FLAGS, 2 | (PCI_EXP_TYPE_ENDPOINT << 4));
	put32(c, CAP_EXP + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR | 2);
}

/* After a write to the BARs: keep the address bits the BAR's size allows
 * and the type bits, so writing all-ones then reading returns the size. */
static void bars_fixup(void)
{
	for (unsigned bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		unsigned off = PCI_BASE_ADDRESS_0 + 4 * bar;
		uint64_t size = bar_size(bar);
		if (!size) {
			put32(cfg, off, 0);
			continue;
		}
		put32(cfg, off, (get32(cfg, off) & ~(uint32_t)(size - 1) & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK) |
				 BAR_FLAGS);
		bar++; /* the upper half: address bits 32..63, all writable */
	}
}

static void command_trace(uint16_t cmd)
{
	sim_trace("vfio: config COMMAND=0x%04x%s%s%s", cmd, cmd & PCI_COMMAND_MEMORY ? " MEMORY" : "",
		  cmd & PCI_COMMAND_MASTER ? " MASTER" : "",
		  cmd & PCI_COMMAND_INTX_DISABLE ? " INTX_DISABLE" : "");
}

/* vfio_config_do_rw: any size and alignment inside the 4 KiB, else EFAULT.
 * Writable: COMMAND's MEMORY, MASTER, PARITY, SERR and INTX_DISABLE bits
 * and the BARs; vfio-pci's virtualization drops every other write. */
static long config_rw(uint64_t pos, void *buf, size_t n, bool write)
{
	const uint16_t cmd_bits = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
				  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;
	uint8_t in[PCI_CFG_SIZE];

	if (pos >= PCI_CFG_SIZE || n > PCI_CFG_SIZE - pos)
		return -EFAULT;
	if (!write) {
		long r = copy_to_user(buf, cfg + pos, n);
		return r ? r : (long)n;
	}
	if (copy_from_user(in, buf, n))
		return -EFAULT;
	uint16_t old = get16(cfg, PCI_COMMAND);
	for (size_t i = 0; i < n; i++) {
		uint64_t o = pos + i;
		if (o == PCI_COMMAND || o == PCI_COMMAND + 1) {
			uint8_t m = (uint8_t)(cmd_bits >> (8 * (o - PCI_COMMAND)));
			cfg[o] = (uint8_t)((cfg[o] & ~m) | (in[i] & m));
		} else if (o >= PCI_BASE_ADDRESS_0 && o <= PCI_BASE_ADDRESS_5 + 3) {
			cfg[o] = in[i];
		}
	}
	bars_fixup();
	uint16_t cmd = get16(cfg, PCI_COMMAND);
	if (cmd != old) {
		command_trace(cmd);
		dev_set_command(cmd);
	}
	return (long)n;
}

/* ---------------------------------------------------------------- interrupts */

/* eventfd_ctx_fdget(): EBADF for no file, EINVAL for a non-eventfd.  The
 * kernel keeps a reference to the eventfd; we keep a duplicate, so the
 * driver may close its own descriptor. */
static int eventfd_get(int fd)
{
	char path[64], target[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = fd < 0 ? -1 : REAL(readlinkat)(AT_FDCWD, path, target, sizeof(target) - 1);
	if (n < 0)
		return -EBADF;
	target[n] = '\0';
	if (strcmp(target, "anon_inode:[eventfd]"))
		return -EINVAL;
	int dup = REAL(fcntl)(fd, F_DUPFD_CLOEXEC, 0);
	return dup < 0 ? -errno : dup;
}

static void signal_eventfd(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && REAL(write)(fd, &one, sizeof(one)) < 0)
		sim_log("cannot signal eventfd %d: %m", fd);
}

/* vfio_msi_set_vector_signal */
static int msix_set_vector(unsigned v, int fd)
{
	if (msix_fd[v] >= 0) {
		dev_set_msix_eventfd(v, -1);
		REAL(close)(msix_fd[v]);
		msix_fd[v] = -1;
	}
	if (fd < 0)
		return 0;
	int dup = eventfd_get(fd);
	if (dup < 0)
		return dup;
	msix_fd[v] = dup;
	dev_set_msix_eventfd(v, dup);
	return 0;
}

static void msix_enable(unsigned nvec, bool on)
{
	uint16_t ctl = get16(cfg, CAP_MSIX + PCI_MSIX_FLAGS);

	if (!on) {
		for (unsigned v = 0; v < msix_nvec; v++)
			msix_set_vector(v, -1);
	}
	msix_nvec = on ? nvec : 0;
	put16(cfg, CAP_MSIX + PCI_MSIX_FLAGS,
	      on ? ctl | PCI_MSIX_FLAGS_ENABLE : ctl & ~PCI_MSIX_FLAGS_ENABLE);
}

/* vfio_pci_set_msi_trigger.  Linux 6.1 allocates the vectors when MSI-X is
 * first enabled (start + count of them); a later call may only touch those,
 * so growing needs a disable (count 0, DATA_NONE) first. */
static long msix_trigger(uint32_t start, uint32_t count, uint32_t flags, const void *data)
{
	if (msix_nvec && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		msix_enable(0, false);
		return 0;
	}
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		const int32_t *fds = data;
		bool was_on = msix_nvec;
		if (!was_on) {
			if (!(start + count))
				return -EINVAL;
			msix_enable(start + count, true);
		}
		if (start >= msix_nvec || start + count > msix_nvec)
			return -EINVAL;
		for (uint32_t j = 0; j < count; j++) {
			int r = msix_set_vector(start + j, fds[j]);
			if (r) {
				while (j--)
					msix_set_vector(start + j, -1);
				if (!was_on)
					msix_enable(0, false);
				return r;
			}
		}
		return 0;
	}
	if (!msix_nvec)
		return -EINVAL;
	/* DATA_NONE / DATA_BOOL with a count: loopback, fire the eventfds. */
	for (uint32_t i = start; i < start + count && i < msix_nvec; i++) {
		if ((flags & VFIO_IRQ_SET_DATA_NONE) || ((const uint8_t *)data)[i - start])
			signal_eventfd(msix_fd[i]);
	}
	return 0;
}

/* vfio_pci_set_ctx_trigger_single: the ERR and REQ indexes (one eventfd). */
static long single_trigger(int *slot, uint32_t count, uint32_t flags, const void *data,
			   void (*notify)(int))
{
	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (*slot < 0)
			return -EINVAL;
		if (count) {
			signal_eventfd(*slot);
			return 0;
		}
	} else if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (!count)
			return -EINVAL;
		if (*(const uint8_t *)data && *slot >= 0)
			signal_eventfd(*slot);
		return 0;
	} else if (!count) {
		return -EINVAL;
	}
	int32_t fd = (flags & VFIO_IRQ_SET_DATA_EVENTFD) ? *(const int32_t *)data : -1;
	int dup = -1;
	if (fd >= 0 && (dup = eventfd_get(fd)) < 0)
		return dup;
	if (fd < -1)
		return 0; /* the kernel ignores other negative numbers */
	if (notify)
		notify(dup);
	if (*slot >= 0)
		REAL(close)(*slot);
	*slot = dup;
	return 0;
}

static long set_irqs(void *arg, struct trace *t)
{
	static const char *const index_name[] = {"INTX", "MSI", "MSIX", "ERR", "REQ"};
	const uint32_t type_mask = VFIO_IRQ_SET_DATA_TYPE_MASK, action_mask = VFIO_IRQ_SET_ACTION_TYPE_MASK;
	struct vfio_irq_set h;
	uint8_t data[AVF_MAX_VECTORS * sizeof(int32_t)];
	size_t size;

	if (copy_from_user(&h, arg, sizeof(h)))
		return -EFAULT;
	trace_add(t, " index=%s start=%u count=%u flags=0x%x",
		  h.index < VFIO_PCI_NUM_IRQS ? index_name[h.index] : "?", h.start, h.count, h.flags);
	/* vfio_set_irqs_validate_and_prepare */
	if (h.argsz < sizeof(h) || h.index >= VFIO_PCI_NUM_IRQS || h.count >= UINT32_MAX - h.start ||
	    (h.flags & ~(type_mask | action_mask)))
		return -EINVAL;
	uint32_t nirqs = h.index == VFIO_PCI_MSIX_IRQ_INDEX ? sim_opts.vectors
			 : h.index >= VFIO_PCI_ERR_IRQ_INDEX ? 1 : 0;
	if (h.start >= nirqs || h.start + h.count > nirqs)
		return -EINVAL;
	switch (h.flags & type_mask) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(int32_t);
		break;
	default:
		return -EINVAL;
	}
	if (h.argsz - sizeof(h) < h.count * size)
		return -EINVAL;
	if (copy_from_user(data, (uint8_t *)arg + sizeof(h), h.count * size))
		return -EFAULT;
	for (uint32_t i = 0; size == sizeof(int32_t) && i < h.count; i++)
		trace_add(t, "%s%d", i ? "," : " fds=", ((int32_t *)(void *)data)[i]);
	/* vfio_pci_set_irqs_ioctl: only TRIGGER exists for these indexes. */
	if ((h.flags & action_mask) != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	switch (h.index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return msix_trigger(h.start, h.count, h.flags, data);
	case VFIO_PCI_ERR_IRQ_INDEX:
		return single_trigger(&err_fd, h.count, h.flags, data, NULL);
	default:
		return single_trigger(&req_fd, h.count, h.flags, data, dev_set_req_eventfd);
	}
}

/* ---------------------------------------------------------------- device */

static void vfio_remove_start(uint64_t now_ns);
static void vfio_remove_tick(uint64_t now_ns);

/* vfio-pci as the driver bound to the function: the device tells it when
 * the host removes the function (vfio_pci_core's .request path). */
static const struct dev_driver_ops vfio_pci_driver = {
	.remove = vfio_remove_start,
	.tick = vfio_remove_tick,
};

static void create_device(void)
{
	dev_bind_driver(&vfio_pci_driver); /* before the device thread starts */
	sim_machine_create();
	dev_pid = getpid();
	for (unsigned bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!bar_size(bar))
			continue;
		void *p = REAL(mmap)(NULL, bar_size(bar), PROT_READ | PROT_WRITE, MAP_SHARED,
				     dev_bar_fd((int)bar), 0);
		if (p == MAP_FAILED)
			sim_log("cannot map BAR%u of the device model: %m", bar);
		else
			bar_map[bar] = p;
	}
}

/* vfio_pci_core_enable, on the first open: a fresh virtual config space
 * and a function-level reset. */
static void device_open(void)
{
	pci_config_init(cfg);
	dev_set_command(0);
	dev_flr();
}

/* vfio_pci_core_disable, on the last close: bus mastering off, interrupts
 * torn down, function reset. */
static void device_close(void)
{
	put16(cfg, PCI_COMMAND, 0);
	dev_set_command(0);
	msix_enable(0, false);
	single_trigger(&req_fd, 1, VFIO_IRQ_SET_DATA_EVENTFD, &(int32_t){-1}, dev_set_req_eventfd);
	single_trigger(&err_fd, 1, VFIO_IRQ_SET_DATA_EVENTFD, &(int32_t){-1}, NULL);
	dev_flr();
}

/* VFIO_DEVICE_RESET: pci_try_reset_function saves and restores the config
 * state around the FLR, so COMMAND and the MSI-X eventfds survive it. */
static long device_reset(void)
{
	dev_flr();
	dev_set_command(get16(cfg, PCI_COMMAND));
	for (unsigned v = 0; v < msix_nvec; v++)
		dev_set_msix_eventfd(v, msix_fd[v]);
	dev_set_req_eventfd(req_fd);
	return 0;
}

static long region_info(void *arg, struct trace *t)
{
	struct vfio_region_info info;
	struct caps c = {.len = 0};

	if (copy_from_user(&info, arg, sizeof(info)))
		return -EFAULT;
	trace_add(t, " index=%u", info.index);
	/* VGA (8) exists only on VGA devices. */
	if (info.argsz < sizeof(info) || info.index >= VFIO_PCI_NUM_REGIONS ||
	    info.index == VFIO_PCI_VGA_REGION_INDEX)
		return -EINVAL;
	info.offset = (uint64_t)info.index << REGION_SHIFT;
	info.cap_offset = 0;
	info.flags = 0;
	info.size = 0;
	if (info.index == VFIO_PCI_CONFIG_REGION_INDEX) {
		info.size = PCI_CFG_SIZE;
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	} else if (info.index < VFIO_PCI_ROM_REGION_INDEX && bar_size(info.index)) {
		info.size = bar_size(info.index);
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			     VFIO_REGION_INFO_FLAG_MMAP;
		/* With interrupt remapping the MSI-X table may be mmapped. */
		if (info.index == SIM_MSIX_BAR)
			caps_add(&c, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, NULL,
				 sizeof(struct vfio_info_cap_header));
	}
	trace_add(t, " size=%llu offset=0x%llx flags=0x%x%s", (unsigned long long)info.size,
		  (unsigned long long)info.offset, info.flags, c.len ? " +MSIX_MAPPABLE" : "");
	return info_reply(&(struct info_reply){
		.uarg = arg, .info = &info, .size = sizeof(info), .out = sizeof(info),
		.argsz = &info.argsz, .flags = &info.flags, .cap_offset = &info.cap_offset,
		.flag_caps = VFIO_REGION_INFO_FLAG_CAPS,
	}, &c);
}

long device_ioctl(unsigned long req, void *arg, struct trace *t)
{
	switch (req) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info info;
		const size_t minsz = offsetof(struct vfio_device_info, cap_offset);
		if (copy_from_user(&info, arg, minsz))
			return -EFAULT;
		if (info.argsz < minsz)
			return -EINVAL;
		info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		info.num_regions = VFIO_PCI_NUM_REGIONS;
		info.num_irqs = VFIO_PCI_NUM_IRQS;
		info.cap_offset = 0;
		trace_add(t, " flags=RESET|PCI num_regions=%u num_irqs=%u", info.num_regions, info.num_irqs);
		return copy_to_user(arg, &info, info.argsz >= minsz + 4 ? minsz + 4 : minsz);
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(arg, t);
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info info;
		if (copy_from_user(&info, arg, sizeof(info)))
			return -EFAULT;
		if (info.argsz < sizeof(info) || info.index >= VFIO_PCI_NUM_IRQS)
			return -EINVAL;
		/* A VF has no INTx pin and no MSI capability; ERR exists on
		 * PCIe functions; REQ is vfio's "please release" request. */
		info.flags = VFIO_IRQ_INFO_EVENTFD | (info.index == VFIO_PCI_INTX_IRQ_INDEX
			? VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED : VFIO_IRQ_INFO_NORESIZE);
		info.count = info.index == VFIO_PCI_MSIX_IRQ_INDEX ? sim_opts.vectors
			   : info.index >= VFIO_PCI_ERR_IRQ_INDEX ? 1 : 0;
		trace_add(t, " index=%u count=%u flags=0x%x", info.index, info.count, info.flags);
		return copy_to_user(arg, &info, sizeof(info));
	}
	case VFIO_DEVICE_SET_IRQS:
		return set_irqs(arg, t);
	case VFIO_DEVICE_RESET:
		return device_reset();
	default:
		return -ENOTTY;
	}
}

/* Region reads and writes, chopped into naturally aligned 4/2/1-byte
 * accesses as vfio_pci_core_do_io_rw does, so a 32-bit register write is one
 * store the device thread sees whole.  The MSI-X table reads as 0xff and
 * drops writes through read/write (only its mmap reaches it). */
static void io_write(volatile uint8_t *reg, const uint8_t *src, size_t width)
{
	uint32_t v = 0;

	memcpy(&v, src, width);
	if (width == 4)
		*(volatile uint32_t *)reg = v;
	else if (width == 2)
		*(volatile uint16_t *)reg = (uint16_t)v;
	else
		*reg = (uint8_t)v;
}

static void io_read(const volatile uint8_t *reg, uint8_t *dst, size_t width)
{
	uint32_t v = width == 4 ? *(const volatile uint32_t *)reg
		   : width == 2 ? *(const volatile uint16_t *)reg : *reg;

	memcpy(dst, &v, width); /* x86 is little-endian: the low bytes first */
}

static void bar_copy(unsigned bar, uint64_t pos, uint8_t *buf, size_t n, bool write)
{
	volatile uint8_t *b = bar_map[bar] + pos;
	uint64_t table_end = bar == SIM_MSIX_BAR ? 16ull * sim_opts.vectors : 0;
	size_t step;

	for (size_t i = 0; i < n; i += step) {
		step = (n - i >= 4 && !((pos + i) % 4)) ? 4 : (n - i >= 2 && !((pos + i) % 2)) ? 2 : 1;
		if (pos + i < table_end) {
			if (!write)
				memset(buf + i, 0xff, step);
		} else if (write) {
			io_write(b + i, buf + i, step);
		} else {
			io_read(b + i, buf + i, step);
		}
	}
}

long device_rw(void *buf, size_t n, off_t off, bool write)
{
	unsigned index = (unsigned)((uint64_t)off >> REGION_SHIFT);
	uint64_t pos = (uint64_t)off & REGION_MASK;
	uint8_t chunk[256];

	if (off < 0)
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		pthread_mutex_lock(&sim_lock);
		long r = config_rw(pos, buf, n, write);
		pthread_mutex_unlock(&sim_lock);
		return r;
	}
	if (index >= PCI_STD_NUM_BARS || !bar_size(index) || pos >= bar_size(index))
		return -EINVAL;
	if (!bar_map[index])
		return -EIO;
	if (n > bar_size(index) - pos)
		n = bar_size(index) - pos;
	for (size_t done = 0, len; done < n; done += len) {
		len = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
		if (write && copy_from_user(chunk, (uint8_t *)buf + done, len))
			return done ? (long)done : -EFAULT;
		bar_copy(index, pos + done, chunk, len, write);
		if (!write && copy_to_user((uint8_t *)buf + done, chunk, len))
			return done ? (long)done : -EFAULT;
	}
	return (long)n;
}

/* vfio_pci_core_mmap: BARs only, MAP_SHARED, inside the BAR. */
long device_mmap_check(size_t len, int flags, off_t off, unsigned *bar)
{
	unsigned index = (unsigned)((uint64_t)off >> REGION_SHIFT);
	uint64_t pos = (uint64_t)off & REGION_MASK;
	uint64_t req = ((uint64_t)len + PAGE - 1) & ~(uint64_t)(PAGE - 1);

	if (off < 0 || (off & (PAGE - 1)) || !len || index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (index >= VFIO_PCI_ROM_REGION_INDEX || !bar_size(index) || pos + req > bar_size(index))
		return -EINVAL;
	*bar = index;
	return 0;
}

/* ---------------------------------------------------------------- container and group */

/* __vfio_group_unset_container: the last group leaving deprivileges the
 * container, dropping its IOMMU and every mapping. */
static void detach_group(void)
{
	struct vfile *c = group.container;

	group.container = NULL;
	c->has_group = false;
	if (c->iommu) {
		iommu_release();
		c->iommu = 0;
	}
	if (!c->nfds)
		c->kind = K_FREE;
}

static void group_release(void)
{
	if (group.container)
		detach_group();
	group.file->kind = K_FREE;
	group.file = NULL;
}

/* ------------------------------------------------------- VF removal */

/* --host vf-remove: the host disables SR-IOV (i40e_pci_sriov_configure ->
 * i40e_free_vfs -> pci_disable_sriov) or unloads the PF driver (i40e_remove
 * -> i40e_free_vfs).  Removing the VF unbinds vfio-pci, and
 * vfio_unregister_group_dev (drivers/vfio/vfio_main.c) first stops new opens
 * of the device, then loops until the last device file is closed: each turn
 * calls vfio_pci_core_request (vfio_pci_core.c), which signals the REQ
 * eventfd and logs every tenth request ("#0", "#10", ...), or, with no REQ
 * eventfd, warns once; then it waits 10 s (HZ * 10).  It never gives up:
 * the host's command blocks until the program lets go, meanwhile the VF
 * works on (its PF frees it only afterwards). */
#define REMOVE_REQUEST_NS (10 * 1000000000ull)
#define REMOVE_LOG_EVERY 10

static struct {
	bool on;
	unsigned count;   /* requests made (vfio_pci_core_request's count) */
	uint64_t next_ns;
} removal;

static void remove_request(uint64_t now_ns)
{
	if (req_fd >= 0) {
		if (removal.count % REMOVE_LOG_EVERY == 0)
			sim_log("dmesg: vfio-pci %s: Relaying device request to user (#%u)", sim_opts.bdf,
				removal.count);
		signal_eventfd(req_fd);
		sim_report.host_device_requests++;
	} else if (removal.count == 0) {
		sim_log("dmesg: vfio-pci %s: No device request channel registered, blocked until "
			"released by user", sim_opts.bdf);
	}
	removal.count++;
	removal.next_ns = now_ns + REMOVE_REQUEST_NS;
}

static void remove_done(void)
{
	sim_report.host_vf_removed = 1;
	sim_log("host: vf-remove: the VF was released after %u device request(s); vfio-pci lets it "
		"go and the VF is removed", removal.count);
}

static void vfio_remove_start(uint64_t now_ns)
{
	if (removal.on)
		return;
	removal.on = true;
	if (!group.devices) {
		remove_done();
		return;
	}
	remove_request(now_ns);
}

static void vfio_remove_tick(uint64_t now_ns)
{
	if (removal.on && group.devices && now_ns >= removal.next_ns)
		remove_request(now_ns);
}

/* The last descriptor of vf was closed. */
void file_release(struct vfile *vf)
{
	switch (vf->kind) {
	case K_CONTAINER:
		if (!vf->has_group)
			vf->kind = K_FREE;
		break;
	case K_GROUP:
		if (!group.devices)
			group_release();
		break;
	case K_DEVICE:
		vf->kind = K_FREE;
		if (!--group.devices) {
			device_close();
			if (removal.on)
				remove_done();
			if (!group.file->nfds)
				group_release();
		}
		break;
	case K_FREE:
		break;
	}
}

static void dmesg(const char *msg)
{
	sim_trace("dmesg: vfio-pci %s: %s", sim_opts.bdf, msg);
}

/* vfio_pci_core_match: "<bdf>" or "<bdf> vf_token=<uuid>".  1 = match,
 * 0 = another device, < 0 = error. */
static int match_device(const char *s)
{
	const struct sim_fault *token = sim_fault("vf-token");
	size_t len = strlen(sim_opts.bdf);
	const char *uuid = NULL;

	if (strncmp(s, sim_opts.bdf, len) || (s[len] && s[len] != ' '))
		return 0;
	for (s += len; *s;) {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (uuid || strncmp(s, "vf_token=", 9))
			return -EINVAL;
		uuid = s + 9;
		if (strlen(uuid) < 36 || !uuid_valid(uuid))
			return -EINVAL;
		s = uuid + 36;
	}
	/* vfio_pci_validate_vf_token; the fault means the PF is bound to
	 * vfio-pci and has this token. */
	if (!token && uuid) {
		dmesg("VF token incorrectly provided, PF not bound to vfio-pci");
		return -EINVAL;
	}
	if (token && !uuid) {
		dmesg("VF token required to access device");
		return -EACCES;
	}
	if (token && strncasecmp(uuid, token->value, 36)) {
		dmesg("Incorrect VF token provided for device");
		return -EACCES;
	}
	return 1;
}

static long get_device_fd(void *arg, struct trace *t)
{
	char name[PAGE];
	long r = string_from_user(name, arg, sizeof(name));

	if (r < 0)
		return r;
	trace_add(t, " \"%s\"", name);
	r = match_device(name);
	if (r <= 0)
		return r ? r : -ENODEV;
	/* vfio_device_group_unregister: a device being removed opens no more. */
	if (removal.on)
		return -ENODEV;
	/* vfio_device_assign_container: the container needs an IOMMU. */
	if (!group.container || !group.container->iommu)
		return -EINVAL;
	struct vfile *vf = file_new(K_DEVICE);
	if (!vf)
		return -ENFILE;
	r = fd_new(vf, "vfio-device", true);
	if (r >= 0 && !group.devices++)
		device_open();
	return r;
}

long group_ioctl(unsigned long req, void *arg, struct trace *t)
{
	bool viable = !sim_fault("group-not-viable");

	switch (req) {
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status s;
		if (copy_from_user(&s, arg, sizeof(s)))
			return -EFAULT;
		if (s.argsz < sizeof(s))
			return -EINVAL;
		s.flags = group.container ? VFIO_GROUP_FLAGS_CONTAINER_SET | VFIO_GROUP_FLAGS_VIABLE
			: viable ? VFIO_GROUP_FLAGS_VIABLE : 0;
		trace_add(t, " flags=%s%s", s.flags & VFIO_GROUP_FLAGS_VIABLE ? "VIABLE" : "0",
			  s.flags & VFIO_GROUP_FLAGS_CONTAINER_SET ? "|CONTAINER_SET" : "");
		return copy_to_user(arg, &s, sizeof(s));
	}
	case VFIO_GROUP_SET_CONTAINER: {
		int cfd;
		if (copy_from_user(&cfd, arg, sizeof(cfd)))
			return -EFAULT;
		trace_add(t, " container=%d", cfd);
		if (REAL(fcntl)(cfd, F_GETFD) < 0)
			return -EBADF;
		struct vfile *c = fd_file(cfd);
		if (group.container || !c || c->kind != K_CONTAINER)
			return -EINVAL;
		/* iommu_group_claim_dma_owner: a kernel driver owns a device
		 * of the group. */
		if (!viable) {
			dmesg("group not viable: another device of the IOMMU group is bound to a "
			      "kernel driver");
			return -EPERM;
		}
		group.container = c;
		c->has_group = true;
		return 0;
	}
	case VFIO_GROUP_UNSET_CONTAINER:
		if (!group.container)
			return -EINVAL;
		if (group.devices)
			return -EBUSY;
		detach_group();
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		return get_device_fd(arg, t);
	default:
		return -ENOTTY;
	}
}

long container_ioctl(struct vfile *c, unsigned long req, void *arg, struct trace *t)
{
	unsigned long type = (unsigned long)arg;

	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		trace_add(t, " %lu", type);
		return type == VFIO_TYPE1_IOMMU || type == VFIO_TYPE1v2_IOMMU;
	case VFIO_SET_IOMMU:
		trace_add(t, " %lu", type);
		/* Only a container with a group may enable an IOMMU, once. */
		if (!c->has_group || c->iommu)
			return -EINVAL;
		if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
			return -ENODEV;
		c->iommu = type;
		return 0;
	default:
		if (!c->iommu)
			return -EINVAL;
		return iommu_ioctl(req, arg, c->iommu == VFIO_TYPE1v2_IOMMU, t);
	}
}

const char *ioctl_name(unsigned long req)
{
#define NAME(x) \
	case x: \
		return #x;
	switch (req) {
	NAME(VFIO_GET_API_VERSION) NAME(VFIO_CHECK_EXTENSION) NAME(VFIO_SET_IOMMU)
	NAME(VFIO_GROUP_GET_STATUS) NAME(VFIO_GROUP_SET_CONTAINER) NAME(VFIO_GROUP_UNSET_CONTAINER)
	NAME(VFIO_GROUP_GET_DEVICE_FD) NAME(VFIO_DEVICE_GET_INFO) NAME(VFIO_DEVICE_GET_REGION_INFO)
	NAME(VFIO_DEVICE_GET_IRQ_INFO) NAME(VFIO_DEVICE_SET_IRQS) NAME(VFIO_DEVICE_RESET)
	NAME(VFIO_IOMMU_GET_INFO) NAME(VFIO_IOMMU_MAP_DMA) NAME(VFIO_IOMMU_UNMAP_DMA)
	default:
		return NULL;
	}
#undef NAME
}

void trace_result(const char *what, const char *detail, long r)
{
	if (r >= 0)
		sim_trace("vfio: %s%s -> %ld", what, detail, r);
	else
		sim_trace("vfio: %s%s -> -1 %s", what, detail, strerrorname_np((int)-r));
}

/* ---------------------------------------------------------------- /dev/vfio */

enum vfio_node vfio_node(const char *path)
{
	char group_name[16];

	if (!sysfs_root[0] || !path || strncmp(path, "/dev/vfio/", 10))
		return NODE_NONE;
	if (!strcmp(path + 10, "vfio"))
		return NODE_CONTAINER;
	snprintf(group_name, sizeof(group_name), "%d", sim_opts.iommu_group);
	return strcmp(path + 10, group_name) ? NODE_NONE : NODE_GROUP;
}

int vfio_node_check(enum vfio_node node, int mode)
{
	if (node != NODE_GROUP)
		return 0;
	/* Without an IOMMU, or not bound to vfio-pci, there is no group node. */
	if (sim_fault("no-iommu-group") || sim_fault("not-vfio-pci")) {
		errno = ENOENT;
		return -1;
	}
	if (mode != F_OK && sim_fault("permission-denied")) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

int vfio_open(enum vfio_node node, int flags)
{
	char name[32];
	long r;

	pthread_once(&dev_once, create_device);
	snprintf(name, sizeof(name), node == NODE_CONTAINER ? "vfio" : "%d", sim_opts.iommu_group);
	if (vfio_node_check(node, R_OK | W_OK)) {
		r = -errno;
	} else {
		pthread_mutex_lock(&sim_lock);
		struct vfile *vf = NULL;
		/* A group opens once: another process (group-busy) or this one
		 * already has it. */
		if (node == NODE_GROUP && (group.file || sim_fault("group-busy")))
			r = -EBUSY;
		else if (!(vf = file_new(node == NODE_CONTAINER ? K_CONTAINER : K_GROUP)))
			r = -ENFILE;
		else
			r = fd_new(vf, node == NODE_CONTAINER ? "vfio-container" : "vfio-group",
				   flags & O_CLOEXEC);
		if (r >= 0 && node == NODE_GROUP)
			group.file = vf;
		pthread_mutex_unlock(&sim_lock);
	}
	char what[48];
	snprintf(what, sizeof(what), "open /dev/vfio/%s", name);
	trace_result(what, "", r);
	return (int)set_errno(r);
}
