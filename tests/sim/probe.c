/* SPDX-License-Identifier: MIT
 *
 * probe.c - checks the simulator's VFIO and sysfs emulation against what
 * Linux 6.1 does, from the outside, the way a driver calls it:
 *
 *   tests/sim/avfsim [options] -- tests/sim/probe CHECK [ARG]
 *
 *   vfio                   container/group/device sequence and its errnos
 *   sysfs                  the sysfs files and links, path rewriting
 *   no-iommu-group, not-vfio-pci, group-not-viable, group-busy,
 *   permission-denied      run under --fault of the same name
 *   memlock BYTES          under --fault memlock=BYTES
 *   vf-token UUID          under --fault vf-token=UUID
 *   inert                  without avfsim: the library passes everything through
 *
 * Prints "ok <what>" or "FAIL <what>: <detail>" per check; exits 1 if any
 * failed.  Build it with -D_FILE_OFFSET_BITS=64 and/or -O2
 * -D_FORTIFY_SOURCE=2 to exercise the other libc entry points.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../avf.h"

#define BDF "0000:3b:02.0"
#define DEV "/sys/bus/pci/devices/" BDF
#define REGION(i) ((off_t)(i) << 40)
#define MiB (1ul << 20)

/* ---------------------------------------------------------------- reporting */

static int failures;

static bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	printf(ok ? "ok " : "FAIL ");
	vprintf(fmt, ap);
	if (!ok)
		printf(" (errno %s)", strerrorname_np(err) ? strerrorname_np(err) : "0");
	printf("\n");
	va_end(ap);
	failures += !ok;
	errno = err;
	return ok;
}

/* r is what a call returned: success wanted (err 0), or -1 with errno err. */
static bool expect(long r, int err, const char *what)
{
	int got = errno;

	if (!err)
		return check(r >= 0, "%s", what);
	if (r == -1 && got == err)
		return check(true, "%s: %s", what, strerrorname_np(err));
	printf("FAIL %s: returned %ld errno %s, expected %s\n", what, r,
	       r == -1 ? strerrorname_np(got) : "-", strerrorname_np(err));
	failures++;
	return false;
}

/* ---------------------------------------------------------------- VFIO helpers */

static int open_group_number(void)
{
	char link[PATH_MAX];
	ssize_t n = readlink(DEV "/iommu_group", link, sizeof(link) - 1);

	if (n < 0)
		return -1;
	link[n] = '\0';
	return atoi(strrchr(link, '/') + 1);
}

static int open_group(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", open_group_number());
	return open(path, O_RDWR);
}

static long map_dma(int container, void *vaddr, uint64_t iova, uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
	};
	return ioctl(container, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap_dma(int container, uint64_t iova, uint64_t size, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof(u), .iova = iova, .size = size};
	long r = ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);

	*unmapped = u.size;
	return r;
}

/* Raise or drop CAP_IPC_LOCK in the effective set (it stays permitted);
 * true if it is effective afterwards. */
static bool ipc_lock(bool on)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	const uint32_t bit = 1u << (CAP_IPC_LOCK % 32);

	if (syscall(SYS_capget, &h, d))
		return false;
	if (on && (d[CAP_IPC_LOCK / 32].permitted & bit))
		d[CAP_IPC_LOCK / 32].effective |= bit;
	else
		d[CAP_IPC_LOCK / 32].effective &= ~bit;
	return !syscall(SYS_capset, &h, d) && (d[CAP_IPC_LOCK / 32].effective & bit);
}

/* Container + group + IOMMU of `type`, ready for GET_DEVICE_FD. */
static bool setup(int *container, int *group, unsigned long type)
{
	*container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	*group = open_group();
	return *container >= 0 && *group >= 0 &&
	       ioctl(*group, VFIO_GROUP_SET_CONTAINER, container) == 0 &&
	       ioctl(*container, VFIO_SET_IOMMU, type) == 0;
}

static uint32_t cfg_read(int dev, unsigned off, unsigned len)
{
	uint32_t v = 0;

	if (pread(dev, &v, len, REGION(VFIO_PCI_CONFIG_REGION_INDEX) + off) != (ssize_t)len)
		return 0xdeadbeef;
	return v;
}

static void cfg_write(int dev, unsigned off, uint32_t v, unsigned len)
{
	check(pwrite(dev, &v, len, REGION(VFIO_PCI_CONFIG_REGION_INDEX) + off) == (ssize_t)len,
	      "config write of %u bytes at 0x%x", len, off);
}

static long set_irqs(int dev, uint32_t index, uint32_t flags, uint32_t start, uint32_t count,
		     const int32_t *fds)
{
	uint32_t buf[(sizeof(struct vfio_irq_set) + 32 * sizeof(int32_t)) / sizeof(uint32_t)] = {0};
	struct vfio_irq_set *h = (void *)buf;

	*h = (struct vfio_irq_set){.argsz = sizeof(*h) + count * sizeof(int32_t), .flags = flags,
				   .index = index, .start = start, .count = count};
	if (fds)
		memcpy(h->data, fds, count * sizeof(int32_t));
	return ioctl(dev, VFIO_DEVICE_SET_IRQS, h);
}

/* ---------------------------------------------------------------- vfio */

static void check_iommu_info(int container)
{
	uint8_t buf[256] = {0};
	struct vfio_iommu_type1_info *info = (void *)buf;

	info->argsz = sizeof(*info);
	expect(ioctl(container, VFIO_IOMMU_GET_INFO, info), 0, "IOMMU_GET_INFO");
	check(info->flags & VFIO_IOMMU_INFO_PGSIZES, "IOMMU_GET_INFO flags PGSIZES");
	check(info->iova_pgsizes == (4096ull | (2ull << 20) | (1ull << 30)), "iova_pgsizes 4K|2M|1G");
	check((info->flags & VFIO_IOMMU_INFO_CAPS) && info->argsz > sizeof(*info) && !info->cap_offset,
	      "IOMMU_GET_INFO asks for argsz %u to return its capabilities", info->argsz);
	info->argsz = sizeof(buf);
	expect(ioctl(container, VFIO_IOMMU_GET_INFO, info), 0, "IOMMU_GET_INFO with room for caps");
	bool range = false, avail = false;
	for (uint32_t off = info->cap_offset; off && off < sizeof(buf);) {
		struct vfio_info_cap_header *h = (void *)(buf + off);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r = (void *)h;
			range = r->nr_iovas == 2 && r->iova_ranges[0].end == 0xfedfffff &&
				r->iova_ranges[1].start == 0xfef00000;
		}
		if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)
			avail = ((struct vfio_iommu_type1_info_dma_avail *)h)->avail == 65535;
		off = h->next;
	}
	check(range, "capability IOVA_RANGE excludes the MSI window 0xfee00000-0xfeefffff");
	check(avail, "capability DMA_AVAIL 65535");
	info->argsz = 8;
	expect(ioctl(container, VFIO_IOMMU_GET_INFO, info), EINVAL, "IOMMU_GET_INFO argsz 8");
}

static void check_map_dma(int container, uint8_t *mem)
{
	const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfio_iommu_type1_dma_map bad = {.argsz = 16, .flags = rw, .vaddr = (uintptr_t)mem,
					       .iova = 0, .size = 4096};
	uint64_t n;
	struct rlimit rl, saved;

	expect(ioctl(container, VFIO_IOMMU_MAP_DMA, &bad), EINVAL, "MAP_DMA argsz 16");
	expect(ioctl(container, VFIO_IOMMU_MAP_DMA, NULL), EFAULT, "MAP_DMA NULL argument");
	expect(map_dma(container, mem, 0x100000, 0, rw), EINVAL, "MAP_DMA size 0");
	expect(map_dma(container, mem + 1, 0x100000, 4096, rw), EINVAL, "MAP_DMA unaligned vaddr");
	expect(map_dma(container, mem, 0x100800, 4096, rw), EINVAL, "MAP_DMA unaligned iova");
	expect(map_dma(container, mem, 0x100000, 6000, rw), EINVAL, "MAP_DMA unaligned size");
	expect(map_dma(container, mem, 0x100000, 4096, 0), EINVAL, "MAP_DMA without READ or WRITE");
	expect(map_dma(container, mem, 0x100000, 4096, rw | 0x100), EINVAL, "MAP_DMA unknown flag");
	expect(map_dma(container, mem, 0x100000, 2 * MiB, rw), 0, "MAP_DMA 2 MiB at IOVA 0x100000");
	expect(map_dma(container, mem, 0x200000, 4096, rw), EEXIST, "MAP_DMA overlapping");
	expect(map_dma(container, mem, 0xfee00000, 4096, rw), EINVAL, "MAP_DMA in the MSI window");
	expect(map_dma(container, mem, 1ull << 48, 4096, rw), EINVAL, "MAP_DMA above 48 bits");
	expect(map_dma(container, mem, UINT64_MAX - 4095, 8192, rw), EINVAL, "MAP_DMA wrapping IOVA");

	uint8_t *gone = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone + 4096, 4096);
	expect(map_dma(container, gone, 0x10000000, 8192, rw), EFAULT, "MAP_DMA of unmapped memory");
	mprotect(gone, 4096, PROT_READ);
	expect(map_dma(container, gone, 0x10000000, 4096, rw), EFAULT, "MAP_DMA WRITE of read-only memory");
	expect(map_dma(container, gone, 0x10000000, 4096, VFIO_DMA_MAP_FLAG_READ), 0,
	       "MAP_DMA READ of read-only memory");
	expect(unmap_dma(container, 0x10000000, 4096, &n), 0, "UNMAP_DMA it");
	munmap(gone, 4096);

	/* RLIMIT_MEMLOCK: 2 MiB are mapped, allow 64 KiB more.  The kernel
	 * charges only callers without CAP_IPC_LOCK: root is exempt until it
	 * drops the capability from its effective set. */
	getrlimit(RLIMIT_MEMLOCK, &saved);
	rl = saved;
	rl.rlim_cur = 2 * MiB + 65536;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	if (check(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit(RLIMIT_MEMLOCK, 2 MiB + 64 KiB)")) {
		if (ipc_lock(true)) {
			expect(map_dma(container, mem + 2 * MiB, 0x400000, 131072, rw), 0,
			       "MAP_DMA 128 KiB over RLIMIT_MEMLOCK with CAP_IPC_LOCK");
			expect(unmap_dma(container, 0x400000, 131072, &n), 0, "UNMAP_DMA it");
		}
		ipc_lock(false);
		expect(map_dma(container, mem + 2 * MiB, 0x400000, 131072, rw), ENOMEM,
		       "MAP_DMA 128 KiB over RLIMIT_MEMLOCK without CAP_IPC_LOCK");
		expect(map_dma(container, mem + 2 * MiB, 0x400000, 65536, rw), 0,
		       "MAP_DMA 64 KiB within RLIMIT_MEMLOCK");
		expect(unmap_dma(container, 0x400000, 65536, &n), 0, "UNMAP_DMA it");
		/* What the process mlock()ed counts as well: the kernel charges
		 * both to mm->locked_vm, so 64 KiB locked leave no room. */
		if (check(mlock(mem + 2 * MiB, 65536) == 0, "mlock 64 KiB within RLIMIT_MEMLOCK")) {
			expect(map_dma(container, mem + 2 * MiB, 0x400000, 65536, rw), ENOMEM,
			       "MAP_DMA of those 64 KiB: charged a second time");
			munlock(mem + 2 * MiB, 65536);
		}
		ipc_lock(true);
		setrlimit(RLIMIT_MEMLOCK, &saved);
	}

	/* TYPE1v2 unmap: whole mappings only */
	struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof(u), .flags = 1, .iova = 0x100000, .size = 4096};
	expect(ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u), EINVAL, "UNMAP_DMA with a flag");
	expect(unmap_dma(container, 0x101000, 4096, &n), EINVAL, "UNMAP_DMA splitting a mapping (v2)");
	expect(unmap_dma(container, 0x100000, 4096, &n), EINVAL, "UNMAP_DMA of a mapping's head (v2)");
	expect(unmap_dma(container, 0x100000, 0, &n), EINVAL, "UNMAP_DMA size 0");
	check(unmap_dma(container, 0x80000000, 4096, &n) == 0 && n == 0, "UNMAP_DMA of nothing: 0 bytes");
	check(unmap_dma(container, 0, 16 * MiB, &n) == 0 && n == 2 * MiB,
	      "UNMAP_DMA of a range covering the mapping: %llu bytes", (unsigned long long)n);
	expect(map_dma(container, mem, 0x100000, 2 * MiB, rw), 0, "MAP_DMA again after UNMAP_DMA");
}

static void check_regions(int dev)
{
	static const struct {
		uint64_t size;
		uint32_t flags;
	} want[] = {
		{65536, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP},
		{0, 0}, {0, 0},
		{16384, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE | VFIO_REGION_INFO_FLAG_MMAP |
			VFIO_REGION_INFO_FLAG_CAPS},
		{0, 0}, {0, 0}, {0, 0},
		{4096, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE},
	};
	struct vfio_device_info di = {.argsz = sizeof(di)};

	expect(ioctl(dev, VFIO_DEVICE_GET_INFO, &di), 0, "DEVICE_GET_INFO");
	check(di.flags == (VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI) && di.num_regions == 9 &&
	      di.num_irqs == 5, "DEVICE_GET_INFO: RESET|PCI, 9 regions, 5 irqs");
	di.argsz = 12;
	expect(ioctl(dev, VFIO_DEVICE_GET_INFO, &di), EINVAL, "DEVICE_GET_INFO argsz 12");

	for (uint32_t i = 0; i < 10; i++) {
		struct vfio_region_info ri = {.argsz = sizeof(ri), .index = i};
		long r = ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri);
		if (i >= 8) {
			expect(r, EINVAL, i == 8 ? "REGION_INFO 8 (VGA)" : "REGION_INFO 9");
			continue;
		}
		check(r == 0 && ri.size == want[i].size && ri.flags == want[i].flags &&
		      ri.offset == (uint64_t)REGION(i), "REGION_INFO %u: size %llu flags 0x%x offset %u<<40",
		      i, (unsigned long long)ri.size, ri.flags, i);
	}
	/* BAR3's MSIX_MAPPABLE capability, with the argsz-grow protocol */
	struct vfio_region_info ri = {.argsz = sizeof(ri), .index = 3};
	ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri);
	check(ri.argsz == sizeof(ri) + sizeof(struct vfio_info_cap_header) && !ri.cap_offset,
	      "REGION_INFO 3 grows argsz to %u for its capability", ri.argsz);
	uint8_t buf[64] = {0};
	struct vfio_region_info *big = (void *)buf;
	big->argsz = sizeof(buf);
	big->index = 3;
	expect(ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, big), 0, "REGION_INFO 3 with room");
	struct vfio_info_cap_header *h = (void *)(buf + big->cap_offset);
	check(big->cap_offset == sizeof(*big) && h->id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE && !h->next,
	      "REGION_INFO 3 has MSIX_MAPPABLE at cap_offset %u", big->cap_offset);
	ri.argsz = 16;
	expect(ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL, "REGION_INFO argsz 16");
}

static void check_irqs(int dev)
{
	const uint32_t eventfd_trigger = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	const uint32_t none_trigger = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	uint32_t count[5] = {0}, flags[5] = {0};
	int32_t fds[17];
	uint64_t v;

	for (uint32_t i = 0; i < 6; i++) {
		struct vfio_irq_info ii = {.argsz = sizeof(ii), .index = i};
		long r = ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		if (i == 5) {
			expect(r, EINVAL, "IRQ_INFO 5");
			break;
		}
		count[i] = ii.count;
		flags[i] = ii.flags;
	}
	unsigned vectors = count[VFIO_PCI_MSIX_IRQ_INDEX];
	check(!count[0] && !count[1] && vectors >= 2 && vectors <= 17 && count[3] == 1 && count[4] == 1,
	      "IRQ_INFO counts: INTX 0, MSI 0, MSIX %u, ERR 1, REQ 1", vectors);
	check(flags[VFIO_PCI_MSIX_IRQ_INDEX] == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE) &&
	      (flags[VFIO_PCI_REQ_IRQ_INDEX] & VFIO_IRQ_INFO_EVENTFD), "IRQ_INFO MSIX flags EVENTFD|NORESIZE");
	check((cfg_read(dev, 0x72, 2) & PCI_MSIX_FLAGS_QSIZE) + 1 == vectors,
	      "config MSI-X table size matches IRQ_INFO");

	for (unsigned i = 0; i < vectors; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, eventfd_trigger, 0, vectors + 1, fds), EINVAL,
	       "SET_IRQS MSIX one vector too many");
	expect(set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX, eventfd_trigger, 0, 1, fds), EINVAL, "SET_IRQS INTX");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
			VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, NULL), EINVAL, "SET_IRQS two data types");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_MASK,
			0, 1, fds), ENOTTY, "SET_IRQS MSIX ACTION_MASK");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, none_trigger, 0, 0, NULL), EINVAL,
	       "SET_IRQS disable while disabled");
	int32_t notevent = STDIN_FILENO;
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, eventfd_trigger, 0, 1, &notevent), EINVAL,
	       "SET_IRQS with a non-eventfd");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, eventfd_trigger, 0, 1, fds), 0, "SET_IRQS MSIX vector 0");
	check(cfg_read(dev, 0x72, 2) & PCI_MSIX_FLAGS_ENABLE, "config MSI-X ENABLE set");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, eventfd_trigger, 1, 1, fds + 1), EINVAL,
	       "SET_IRQS MSIX vector 1 after enabling 1 vector (Linux 6.1 cannot grow)");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, none_trigger, 0, 0, NULL), 0, "SET_IRQS MSIX disable");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, eventfd_trigger, 0, vectors, fds), 0,
	       "SET_IRQS MSIX all vectors");
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, none_trigger, 1, 1, NULL), 0, "SET_IRQS loopback vector 1");
	check(read(fds[1], &v, sizeof(v)) == sizeof(v) && v == 1, "loopback fired vector 1's eventfd");
	int32_t off = -1;
	expect(set_irqs(dev, VFIO_PCI_MSIX_IRQ_INDEX, eventfd_trigger, 1, 1, &off), 0, "SET_IRQS de-assign vector 1");
	expect(set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, eventfd_trigger, 0, 1, fds), 0, "SET_IRQS REQ");
	expect(set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, eventfd_trigger, 0, 2, fds), EINVAL, "SET_IRQS REQ count 2");
	for (unsigned i = 0; i < vectors; i++)
		close(fds[i]);
}

static void check_config(int dev)
{
	check(cfg_read(dev, PCI_VENDOR_ID, 2) == AVF_PCI_VENDOR_INTEL, "config vendor 8086");
	check(cfg_read(dev, PCI_DEVICE_ID, 2) == AVF_DEV_ID_VF, "config device 154c");
	check(cfg_read(dev, PCI_CLASS_REVISION, 4) >> 8 == 0x020000, "config class 020000");
	check(cfg_read(dev, PCI_HEADER_TYPE, 1) == 0, "config header type 0");
	check(cfg_read(dev, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, "config STATUS CAP_LIST");
	check(cfg_read(dev, PCI_BASE_ADDRESS_0, 4) == 0xc, "BAR0 64-bit prefetchable");
	/* sizing */
	cfg_write(dev, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	cfg_write(dev, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	cfg_write(dev, PCI_BASE_ADDRESS_3, 0xffffffff, 4);
	cfg_write(dev, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	check(cfg_read(dev, PCI_BASE_ADDRESS_0, 4) == 0xffff000c && cfg_read(dev, PCI_BASE_ADDRESS_1, 4) ==
	      0xffffffff, "BAR0 sizing reads 64 KiB");
	check(cfg_read(dev, PCI_BASE_ADDRESS_3, 4) == 0xffffc00c, "BAR3 sizing reads 16 KiB");
	check(cfg_read(dev, PCI_BASE_ADDRESS_2, 4) == 0, "BAR2 unimplemented");
	cfg_write(dev, PCI_BASE_ADDRESS_0, 0, 4);
	/* capability walk: MSI-X then PCI Express */
	unsigned pos = cfg_read(dev, PCI_CAPABILITY_LIST, 1), msix = 0, exp = 0, n = 0;
	for (; pos && n < 48; pos = cfg_read(dev, pos + PCI_CAP_LIST_NEXT, 1), n++) {
		unsigned id = cfg_read(dev, pos, 1);
		msix = id == PCI_CAP_ID_MSIX ? pos : msix;
		exp = id == PCI_CAP_ID_EXP ? pos : exp;
	}
	check(msix && exp && n == 2, "capabilities: MSI-X at 0x%x, PCI Express at 0x%x", msix, exp);
	check(cfg_read(dev, msix + PCI_MSIX_TABLE, 4) == 3 && cfg_read(dev, msix + PCI_MSIX_PBA, 4) == 0x2003,
	      "MSI-X table in BAR3 at 0, PBA at 0x2000");
	check(((cfg_read(dev, exp + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_TYPE) >> 4) == PCI_EXP_TYPE_ENDPOINT &&
	      (cfg_read(dev, exp + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR), "PCIe endpoint with FLR");
	/* COMMAND */
	cfg_write(dev, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	check(cfg_read(dev, PCI_COMMAND, 2) == (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
	      "COMMAND MEMORY|MASTER written and read back");
	cfg_write(dev, PCI_VENDOR_ID, 0x1234, 2);
	check(cfg_read(dev, PCI_VENDOR_ID, 2) == AVF_PCI_VENDOR_INTEL, "vendor id is read-only");
	uint32_t v;
	expect(pread(dev, &v, 4, REGION(VFIO_PCI_CONFIG_REGION_INDEX) + 4096), EFAULT, "config read at 4096");
	expect(pread(dev, &v, 4, REGION(VFIO_PCI_CONFIG_REGION_INDEX) + 4094), EFAULT, "config read across the end");
	expect(pread(dev, &v, 4, REGION(VFIO_PCI_ROM_REGION_INDEX)), EINVAL, "ROM read");
}

static void check_bars(int dev)
{
	uint32_t v = 0;
	void *p;

	volatile uint32_t *bar0 = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, dev, REGION(0));
	if (!check(bar0 != MAP_FAILED, "mmap BAR0"))
		return;
	check(pread(dev, &v, 4, REGION(0) + VFGEN_RSTAT) == 4 && v == bar0[VFGEN_RSTAT / 4],
	      "pread BAR0 VFGEN_RSTAT agrees with the mapping (0x%x)", v);
	v = 0x40;
	check(pwrite(dev, &v, 4, REGION(0) + VFQF_HKEY(0)) == 4 && bar0[VFQF_HKEY(0) / 4] == 0x40,
	      "pwrite BAR0 register seen through the mapping");
	expect(pread(dev, &v, 4, REGION(0) + 65536), EINVAL, "pread past BAR0");
	uint64_t wide;
	check(pread(dev, &wide, 8, REGION(0) + 65532) == 4, "pread at BAR0's end is short");
	expect(pread(dev, &v, 4, REGION(1)), EINVAL, "pread BAR1 (absent)");
	munmap((void *)bar0, 65536);

	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dev, REGION(0));
	expect(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap BAR0 MAP_PRIVATE");
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, dev, REGION(0) + 61440);
	expect(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap past BAR0's end");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, REGION(VFIO_PCI_CONFIG_REGION_INDEX));
	expect(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap config space");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dev, REGION(1));
	expect(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap BAR1 (absent)");
	/* BAR3 over a reservation with MAP_FIXED, as DPDK maps BARs */
	void *hole = mmap(NULL, 16384, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint32_t *bar3 = mmap(hole, 16384, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, dev,
				       REGION(3));
	check(bar3 == hole, "mmap BAR3 MAP_FIXED over a reservation");
	check(pread(dev, &v, 4, REGION(3)) == 4 && v == 0xffffffff, "pread of the MSI-X table reads ones");
	check(pread(dev, &v, 4, REGION(3) + 0x2000) == 4 && v == 0, "pread of the PBA reads 0");
	munmap(hole, 16384);
}

/* Group file lifetime: the device holds the group open. */
static void check_lifetimes(int container, int group, int dev)
{
	struct vfio_device_info di = {.argsz = sizeof(di)};

	expect(ioctl(group, VFIO_GROUP_UNSET_CONTAINER), EBUSY, "UNSET_CONTAINER with a device open");
	int dev2 = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF);
	expect(dev2, 0, "GET_DEVICE_FD a second time (Linux 6.1 allows it)");
	int dup_dev = dup(dev);
	expect(dup_dev, 0, "dup of the device fd");
	int dup_group = fcntl(group, F_DUPFD_CLOEXEC, 100);
	check(dup_group >= 100, "fcntl(F_DUPFD_CLOEXEC) of the group fd");
	close(dev);
	close(dev2);
	expect(ioctl(dup_dev, VFIO_DEVICE_GET_INFO, &di), 0, "ioctl through the dup after closing the original");
	close(group);
	close(dup_group);
	expect(ioctl(dup_dev, VFIO_DEVICE_GET_INFO, &di), 0, "device works after its group fd is closed");
	expect(open_group(), EBUSY, "group reopen while a device holds it");
	close(dup_dev);
	close(container);
}

static void check_reopen(int round)
{
	int container, group;
	uint64_t n;
	char what[64];
	const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	uint8_t *mem = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	snprintf(what, sizeof(what), "reopen %d: container, group, TYPE1 IOMMU", round);
	check(setup(&container, &group, VFIO_TYPE1_IOMMU), "%s", what);
	/* The previous container's mappings went with it. */
	expect(map_dma(container, mem, 0x100000, 2 * MiB, rw), 0, "MAP_DMA at the previous IOVA");
	/* TYPE1 (v1) unmap rules */
	check(unmap_dma(container, 0x101000, 4096, &n) == 0 && n == 0, "UNMAP_DMA inside a mapping (v1): 0 bytes");
	check(unmap_dma(container, 0x100000, 4096, &n) == 0 && n == 2 * MiB,
	      "UNMAP_DMA of a mapping's head (v1): the whole 2 MiB");
	expect(map_dma(container, mem, 0x100000, 2 * MiB, rw), 0, "MAP_DMA again");
	int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF);
	expect(dev, 0, "GET_DEVICE_FD");
	expect(ioctl(dev, VFIO_DEVICE_RESET), 0, "DEVICE_RESET");
	close(dev);
	expect(ioctl(group, VFIO_GROUP_UNSET_CONTAINER), 0, "UNSET_CONTAINER");
	struct vfio_group_status st = {.argsz = sizeof(st)};
	ioctl(group, VFIO_GROUP_GET_STATUS, &st);
	check(st.flags == VFIO_GROUP_FLAGS_VIABLE, "GET_STATUS after UNSET_CONTAINER: VIABLE only");
	expect(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EINVAL, "SET_IOMMU without a group");
	expect(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container), 0, "SET_CONTAINER again");
	expect(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0, "SET_IOMMU again (mappings were dropped)");
	expect(map_dma(container, mem, 0x100000, 2 * MiB, rw), 0, "MAP_DMA in the fresh IOMMU");
	close(group);
	close(container);
	munmap(mem, 4 * MiB);
}

static void scenario_vfio(void)
{
	int container = open("/dev/vfio/vfio", O_RDWR);
	struct vfio_group_status st = {.argsz = sizeof(st)};
	int devnull = open("/dev/null", O_RDWR);

	if (!expect(container, 0, "open /dev/vfio/vfio"))
		return;
	check(ioctl(container, VFIO_GET_API_VERSION) == VFIO_API_VERSION, "GET_API_VERSION 0");
	check(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1 &&
	      ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1, "CHECK_EXTENSION TYPE1, TYPE1v2");
	check(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) == 0, "CHECK_EXTENSION NOIOMMU: 0");
	expect(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EINVAL, "SET_IOMMU before a group");
	expect(map_dma(container, &st, 0, 4096, VFIO_DMA_MAP_FLAG_READ), EINVAL, "MAP_DMA before SET_IOMMU");
	expect(ioctl(container, 0x3b99), EINVAL, "unknown ioctl on a container without IOMMU");
	expect(mmap(NULL, 4096, PROT_READ, MAP_SHARED, container, 0) == MAP_FAILED ? -1 : 0, ENODEV,
	       "mmap of the container");

	check(open_group_number() >= 0, "iommu_group link gives group %d", open_group_number());
	int group = open_group();
	if (!expect(group, 0, "open the group"))
		return;
	expect(open_group(), EBUSY, "open the group twice");
	expect(ioctl(group, VFIO_GROUP_GET_STATUS, &st), 0, "GROUP_GET_STATUS");
	check(st.flags == VFIO_GROUP_FLAGS_VIABLE, "GROUP_GET_STATUS: VIABLE");
	st.argsz = 4;
	expect(ioctl(group, VFIO_GROUP_GET_STATUS, &st), EINVAL, "GROUP_GET_STATUS argsz 4");
	expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF), EINVAL, "GET_DEVICE_FD before SET_CONTAINER");
	expect(ioctl(group, VFIO_GROUP_UNSET_CONTAINER), EINVAL, "UNSET_CONTAINER without a container");
	int bad = 9999;
	expect(ioctl(group, VFIO_GROUP_SET_CONTAINER, &bad), EBADF, "SET_CONTAINER with a closed fd");
	expect(ioctl(group, VFIO_GROUP_SET_CONTAINER, &devnull), EINVAL, "SET_CONTAINER with /dev/null");
	expect(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container), 0, "SET_CONTAINER");
	expect(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container), EINVAL, "SET_CONTAINER twice");
	st.argsz = sizeof(st);
	ioctl(group, VFIO_GROUP_GET_STATUS, &st);
	check(st.flags == (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET),
	      "GROUP_GET_STATUS: VIABLE|CONTAINER_SET");
	expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF), EINVAL, "GET_DEVICE_FD before SET_IOMMU");
	expect(ioctl(container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU), ENODEV, "SET_IOMMU NOIOMMU");
	expect(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0, "SET_IOMMU TYPE1v2");
	expect(ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EINVAL, "SET_IOMMU twice");
	expect(ioctl(container, 0x3b99), ENOTTY, "unknown ioctl on a container with IOMMU");

	check_iommu_info(container);
	uint8_t *mem = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check_map_dma(container, mem);

	expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "0000:3b:02.1"), ENODEV, "GET_DEVICE_FD of another device");
	expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF "x"), ENODEV, "GET_DEVICE_FD \"" BDF "x\"");
	expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF " vf_token=2ab74924-c335-45f4-9b16-8569e5b08258"),
	       EINVAL, "GET_DEVICE_FD with a VF token the PF does not want");
	expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, NULL), EFAULT, "GET_DEVICE_FD NULL");
	int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF);
	if (!expect(dev, 0, "GET_DEVICE_FD"))
		return;
	check(fcntl(dev, F_GETFD) & FD_CLOEXEC, "the device fd is close-on-exec");
	expect(ioctl(dev, 0x3b99), ENOTTY, "unknown ioctl on the device");
	expect(read(dev, &st, 4), EINVAL, "read() on the device fd");
	check_regions(dev);
	check_config(dev);
	check_bars(dev);
	check_irqs(dev);
	expect(ioctl(dev, VFIO_DEVICE_RESET), 0, "DEVICE_RESET");
	check(cfg_read(dev, PCI_COMMAND, 2) == (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
	      "COMMAND survives DEVICE_RESET");
	check_lifetimes(container, group, dev);
	munmap(mem, 4 * MiB);
	close(devnull);
	check_reopen(1);
	check_reopen(2);
}

/* ---------------------------------------------------------------- sysfs */

static bool file_is(const char *path, const char *want)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(buf, sizeof(buf), f) && !strcmp(buf, want);

	if (f)
		fclose(f);
	return check(ok, "%s reads %.*s", path, (int)strcspn(want, "\n"), want);
}

static void scenario_sysfs(void)
{
	const char *root = getenv("SYSFS_PCI_DEVICES");
	char buf[PATH_MAX], link[PATH_MAX];
	struct stat st;
	/* volatile: the fortified build must call __open_2, __pread_chk, ... */
	volatile int flags = O_RDONLY;
	volatile size_t len = 4;

	check(root && stat(root, &st) == 0 && S_ISDIR(st.st_mode), "SYSFS_PCI_DEVICES is a directory");
	snprintf(buf, sizeof(buf), "%s/%s/vendor", root ? root : "", BDF);
	file_is(buf, "0x8086\n");
	file_is(DEV "/vendor", "0x8086\n");
	file_is(DEV "/device", "0x154c\n");
	file_is(DEV "/subsystem_vendor", "0x8086\n");
	file_is(DEV "/class", "0x020000\n");
	file_is(DEV "/numa_node", "-1\n");
	FILE *f = fopen(DEV "/resource", "r");
	unsigned lines = 0;
	unsigned long long start[13] = {0}, end[13] = {0}, fl[13] = {0};
	while (f && lines < 13 && fscanf(f, "%llx %llx %llx", &start[lines], &end[lines], &fl[lines]) == 3)
		lines++;
	if (f)
		fclose(f);
	check(lines == 13 && end[0] - start[0] + 1 == 65536 && (fl[0] & 0x200) &&
	      end[3] - start[3] + 1 == 16384 && (fl[3] & 0x200) && !fl[1], "resource: 13 lines, BAR0 64 KiB, BAR3 16 KiB");

	volatile size_t linklen = sizeof(link) - 1;
	ssize_t n = readlink(DEV "/driver", link, linklen);
	link[n > 0 ? n : 0] = '\0';
	check(n > 0 && !strcmp(strrchr(link, '/'), "/vfio-pci"), "driver -> %s", link);
	n = readlink(DEV "/iommu_group", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	check(n > 0 && !strcmp(link, "../../kernel/iommu_groups/42"), "iommu_group -> %s", link);
	check(lstat("/sys/kernel/iommu_groups/42/devices/" BDF, &st) == 0 && S_ISLNK(st.st_mode),
	      "/sys/kernel/iommu_groups/42/devices/" BDF " is a link");
	check(stat("/sys/kernel/iommu_groups/42/devices/" BDF "/vendor", &st) == 0,
	      "... and leads to the device");
	check(stat("/sys/module/vfio", &st) == 0 && stat("/sys/module/vfio_pci", &st) == 0,
	      "/sys/module/vfio and vfio_pci exist");
	check(access("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", F_OK) != 0,
	      "no enable_unsafe_noiommu_mode (IOMMU mode)");
	check(access("/dev/vfio/vfio", R_OK | W_OK) == 0 && stat("/dev/vfio/42", &st) == 0 &&
	      S_ISCHR(st.st_mode), "/dev/vfio/vfio and /dev/vfio/42 exist");
	check(realpath(DEV, buf) && root && !strncmp(buf, root, strlen(root)), "realpath %s", buf);

	int fd = open(DEV "/config", flags);
	uint32_t id = 0;
	check(fd >= 0 && pread(fd, &id, len, 0) == 4 && id == 0x154c8086, "config starts 8086 154c");
	close(fd);
	fd = openat(AT_FDCWD, DEV "/device", flags);
	check(fd >= 0 && read(fd, buf, len) == 4 && !strncmp(buf, "0x15", 4), "openat + read of device");
	close(fd);
	DIR *d = opendir(DEV);
	struct dirent *e;
	bool seen = false;
	while (d && (e = readdir(d)))
		seen |= !strcmp(e->d_name, "config");
	if (d)
		closedir(d);
	check(seen, "opendir lists config");
	check(open("/proc/self/status", O_RDONLY) >= 0, "other paths pass through");
	check(open(DEV "/nonexistent", O_RDONLY) < 0 && errno == ENOENT, "missing files are ENOENT");
}

/* ---------------------------------------------------------------- faults */

static void scenario_fault(const char *name, const char *arg)
{
	struct stat st;
	char link[PATH_MAX];
	int container, group;

	if (!strcmp(name, "no-iommu-group")) {
		expect(readlink(DEV "/iommu_group", link, sizeof(link)), ENOENT, "no iommu_group link");
		expect(stat("/sys/kernel/iommu_groups/42", &st), ENOENT, "no /sys/kernel/iommu_groups/42");
		expect(open("/dev/vfio/42", O_RDWR), ENOENT, "no /dev/vfio/42");
		expect(open("/dev/vfio/vfio", O_RDWR), 0, "the container still opens");
	} else if (!strcmp(name, "not-vfio-pci")) {
		ssize_t n = readlink(DEV "/driver", link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		check(n > 0 && !strcmp(strrchr(link, '/'), "/iavf"), "driver -> %s", link);
		expect(open_group(), ENOENT, "no group node");
	} else if (!strcmp(name, "group-not-viable")) {
		struct vfio_group_status s = {.argsz = sizeof(s)};
		container = open("/dev/vfio/vfio", O_RDWR);
		group = open_group();
		expect(ioctl(group, VFIO_GROUP_GET_STATUS, &s), 0, "GROUP_GET_STATUS");
		check(!(s.flags & VFIO_GROUP_FLAGS_VIABLE), "group not VIABLE");
		expect(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container), EPERM, "SET_CONTAINER");
		ssize_t n = readlink("/sys/kernel/iommu_groups/42/devices/0000:3b:00.0/driver", link,
				     sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		check(n > 0 && !strcmp(strrchr(link, '/'), "/i40e"), "the PF in the group is bound to %s", link);
	} else if (!strcmp(name, "group-busy")) {
		expect(open_group(), EBUSY, "open the group");
	} else if (!strcmp(name, "permission-denied")) {
		expect(open_group(), EACCES, "open the group");
		expect(access("/dev/vfio/42", R_OK | W_OK), EACCES, "access the group");
	} else if (!strcmp(name, "memlock") && arg) {
		struct rlimit rl;
		unsigned long long limit = strtoull(arg, NULL, 0);
		const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
		getrlimit(RLIMIT_MEMLOCK, &rl);
		check(rl.rlim_cur == limit, "RLIMIT_MEMLOCK is %llu", (unsigned long long)rl.rlim_cur);
		void *mem = mmap(NULL, limit + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (check(setup(&container, &group, VFIO_TYPE1v2_IOMMU), "container, group, IOMMU")) {
			expect(map_dma(container, mem, 0, limit + 4096, rw), ENOMEM, "MAP_DMA over the limit");
			expect(map_dma(container, mem, 0, limit, rw), 0, "MAP_DMA up to the limit");
		}
	} else if (!strcmp(name, "vf-token") && arg) {
		char s[128];
		if (!check(setup(&container, &group, VFIO_TYPE1v2_IOMMU), "container, group, IOMMU"))
			return;
		expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, BDF), EACCES, "GET_DEVICE_FD without the token");
		snprintf(s, sizeof(s), "%s vf_token=00000000-0000-0000-0000-000000000000", BDF);
		expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, s), EACCES, "GET_DEVICE_FD with a wrong token");
		snprintf(s, sizeof(s), "%s vf_token=1234", BDF);
		expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, s), EINVAL, "GET_DEVICE_FD with a malformed token");
		snprintf(s, sizeof(s), "%s  vf_token=%s", BDF, arg);
		for (char *p = s; *p; p++)
			*p = (char)(p > s + 20 && *p >= 'a' && *p <= 'f' ? *p - 32 : *p);
		expect(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, s), 0, "GET_DEVICE_FD with the token (any case)");
	} else if (!strcmp(name, "inert")) {
		check(!getenv("SYSFS_PCI_DEVICES"), "SYSFS_PCI_DEVICES not set");
		expect(open("/dev/vfio/vfio", O_RDWR), ENOENT, "/dev/vfio/vfio does not exist");
	} else {
		fprintf(stderr, "probe: unknown check %s; see the top of probe.c\n", name);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: avfsim [options] -- probe vfio|sysfs|FAULT [ARG]\n");
		return 2;
	}
	if (!strcmp(argv[1], "vfio"))
		scenario_vfio();
	else if (!strcmp(argv[1], "sysfs"))
		scenario_sysfs();
	else
		scenario_fault(argv[1], argc > 2 ? argv[2] : NULL);
	printf("%s: %d failed\n", argv[1], failures);
	return failures ? 1 : 0;
}
