/* SPDX-License-Identifier: MIT
 *
 * iommu.c - the IOMMU between the simulated VF and the driver's memory: the
 * container's type1 ioctls (what drivers/vfio/vfio_iommu_type1.c does in
 * Linux 6.1) and sim_dma(), through which every device access goes.
 *
 * A mapping is IOVA -> process address.  The kernel pins the pages at
 * MAP_DMA time; here the device simply dereferences the process address, so
 * memory the driver frees or unmaps while it is still mapped is not caught
 * (the kernel would keep the pages pinned; we would crash).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim.h"
#include "kernel.h"

#define PAGE 4096ull
/* IOVA page sizes the IOMMU supports (VFIO_IOMMU_GET_INFO.iova_pgsizes). */
#define IOVA_PGSIZES (PAGE | (2ull << 20) | (1ull << 30))
/* vfio_iommu_type1's dma_entry_limit module parameter: ENOSPC beyond. */
#define DMA_ENTRY_LIMIT 65535
/* Valid IOVA ranges of an Intel VT-d IOMMU with 48-bit address width: x86
 * reserves 0xfee00000-0xfeefffff for MSI, and MAP_DMA there is EINVAL. */
static const struct vfio_iova_range iova_ranges[] = {
	{0, 0xfedfffffull},
	{0xfef00000ull, (1ull << 48) - 1},
};
#define NRANGES (sizeof(iova_ranges) / sizeof(iova_ranges[0]))
/* IOMMU faults logged before they are only counted (the kernel rate-limits
 * its DMAR fault messages too). */
#define FAULTS_LOGGED 10

struct mapping {
	uint64_t iova, size, vaddr;
	uint32_t flags; /* VFIO_DMA_MAP_FLAG_READ/WRITE = SIM_DMA_READ/WRITE */
};

static struct mapping *maps; /* sorted by iova, never overlapping */
static size_t nmaps, maps_cap;
static uint64_t mapped_bytes;
/* The mapping of the last successful sim_dma(): the device hits the same
 * one many times per packet. */
static struct mapping hit;

/* Index of the first mapping that ends after iova. */
static size_t first_after(uint64_t iova)
{
	size_t lo = 0, hi = nmaps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (maps[mid].iova + maps[mid].size <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The mapping holding the byte at iova, or NULL. */
static const struct mapping *find(uint64_t iova)
{
	size_t i = first_after(iova);

	return i < nmaps && maps[i].iova <= iova ? &maps[i] : NULL;
}

static bool iova_valid(uint64_t first, uint64_t last)
{
	for (size_t i = 0; i < NRANGES; i++) {
		if (first >= iova_ranges[i].start && last <= iova_ranges[i].end)
			return true;
	}
	return false;
}

/* Is [vaddr, vaddr+size) mapped in this process, readable, and writable when
 * the device may write it?  The kernel's pin_user_pages() fails with EFAULT
 * otherwise. */
static bool vaddr_mapped(uint64_t vaddr, uint64_t size, bool write)
{
	FILE *f = REAL(fopen)("/proc/self/maps", "re");
	uint64_t cursor = vaddr, end = vaddr + size;
	char line[512];

	if (!f)
		return true; /* cannot tell: let it through */
	while (cursor < end && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perms[5];
		if (sscanf(line, "%llx-%llx %4s", &lo, &hi, perms) != 3 || hi <= cursor)
			continue;
		if (lo > cursor || perms[0] != 'r' || (write && perms[1] != 'w'))
			break;
		cursor = hi;
	}
	fclose(f);
	return cursor >= end;
}

static const char *perm_name(uint32_t flags)
{
	static const char *const names[] = {"none", "READ", "WRITE", "READ|WRITE"};

	return names[flags & 3];
}

/* capable(CAP_IPC_LOCK): is it in the calling thread's effective set? */
static bool has_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_IPC_LOCK / 32].effective >> (CAP_IPC_LOCK % 32) & 1;
}

/* --fault memlock=BYTES: an unprivileged user whose `ulimit -l` is BYTES.
 * Both halves are made real, so the driver's getrlimit() and mlock() agree
 * with MAP_DMA: the soft limit is set, and CAP_IPC_LOCK, which exempts
 * root from the limit, leaves the process's capability sets. */
void iommu_memlock_fault(void)
{
	const struct sim_fault *f = sim_fault("memlock");
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	const uint32_t bit = 1u << (CAP_IPC_LOCK % 32);
	struct rlimit rl;

	if (!f)
		return;
	getrlimit(RLIMIT_MEMLOCK, &rl);
	rl.rlim_cur = strtoull(f->value, NULL, 10);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
		rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		sim_log("--fault memlock: cannot set RLIMIT_MEMLOCK: %m");
	if (syscall(SYS_capget, &h, d) == 0) {
		d[CAP_IPC_LOCK / 32].effective &= ~bit;
		d[CAP_IPC_LOCK / 32].permitted &= ~bit;
		d[CAP_IPC_LOCK / 32].inheritable &= ~bit;
		if (syscall(SYS_capset, &h, d))
			sim_log("--fault memlock: cannot drop CAP_IPC_LOCK: %m");
	}
}

/* What mlock() has charged to the process's mm->locked_vm, as
 * /proc/self/status shows it (VmLck; mm/mlock.c, mlock_fixup counts no
 * hugetlb page).  The kernel charges VFIO's pins to the same counter
 * (vfio_lock_acct -> __account_locked_vm), so a range both mlocked and
 * mapped counts twice against RLIMIT_MEMLOCK. */
static uint64_t mlocked_bytes(void)
{
	FILE *f = REAL(fopen)("/proc/self/status", "re");
	unsigned long long kib = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return (uint64_t)kib * 1024;
}

static long map_dma(void *arg, struct trace *t)
{
	struct vfio_iommu_type1_dma_map m;
	const uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct rlimit rl;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	trace_add(t, " vaddr=0x%llx iova=0x%llx size=%llu", (unsigned long long)m.vaddr,
		  (unsigned long long)m.iova, (unsigned long long)m.size);
	if (m.flags & ~known)
		trace_add(t, " flags=0x%x", m.flags);
	else
		trace_add(t, " %s", perm_name(m.flags));
	/* VFIO_DMA_MAP_FLAG_VADDR belongs to the VFIO_UPDATE_VADDR extension,
	 * which we do not offer. */
	if (m.argsz < sizeof(m) || (m.flags & ~known) || !m.flags)
		return -EINVAL;
	if (!m.size || ((m.size | m.iova | m.vaddr) & (PAGE - 1)) || m.iova + m.size - 1 < m.iova ||
	    m.vaddr + m.size - 1 < m.vaddr)
		return -EINVAL;
	size_t i = first_after(m.iova);
	if (i < nmaps && maps[i].iova < m.iova + m.size)
		return -EEXIST;
	if (nmaps >= DMA_ENTRY_LIMIT)
		return -ENOSPC;
	if (!iova_valid(m.iova, m.iova + m.size - 1))
		return -EINVAL;
	if (!vaddr_mapped(m.vaddr, m.size, m.flags & VFIO_DMA_MAP_FLAG_WRITE))
		return -EFAULT;
	/* The kernel pins the pages and charges them to RLIMIT_MEMLOCK unless
	 * the caller holds CAP_IPC_LOCK (vfio_iommu_type1.c: dma->lock_cap =
	 * capable(CAP_IPC_LOCK), passed to __account_locked_vm as bypass), as
	 * root does; --fault memlock= takes it away to test the limit.  The
	 * check, vfio_pin_pages_remote's, counts mm->locked_vm: the pins of
	 * earlier maps and whatever the process mlocked. */
	if (!has_cap_ipc_lock() && !getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY) {
		uint64_t locked = mapped_bytes + mlocked_bytes();
		if (locked + m.size > rl.rlim_cur) {
			trace_add(t, " (RLIMIT_MEMLOCK %llu bytes exceeded: %llu already locked, %llu of them by mlock)",
				  (unsigned long long)rl.rlim_cur, (unsigned long long)locked,
				  (unsigned long long)(locked - mapped_bytes));
			return -ENOMEM;
		}
	}
	if (nmaps == maps_cap) {
		size_t ncap = maps_cap ? 2 * maps_cap : 16;
		struct mapping *n = realloc(maps, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		maps = n;
		maps_cap = ncap;
	}
	memmove(&maps[i + 1], &maps[i], (nmaps - i) * sizeof(*maps));
	maps[i] = (struct mapping){m.iova, m.size, m.vaddr, m.flags};
	nmaps++;
	mapped_bytes += m.size;
	sim_report.dma_maps++;
	sim_report.dma_maps_total++;
	return 0;
}

static void remove_at(size_t i)
{
	mapped_bytes -= maps[i].size;
	memmove(&maps[i], &maps[i + 1], (nmaps - i - 1) * sizeof(*maps));
	nmaps--;
	hit.size = 0;
}

static long unmap_dma(void *arg, bool v2, struct trace *t)
{
	struct vfio_iommu_type1_dma_unmap u;
	const struct mapping *m;
	uint64_t unmapped = 0;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	trace_add(t, " iova=0x%llx size=%llu", (unsigned long long)u.iova,
		  (unsigned long long)u.size);
	/* Dirty bitmaps, VADDR and UNMAP_ALL are extensions we do not offer. */
	if (u.argsz < sizeof(u) || u.flags)
		return -EINVAL;
	if (!u.size || ((u.size | u.iova) & (PAGE - 1)) || u.iova + u.size - 1 < u.iova)
		return -EINVAL;
	/* TYPE1v2: the range may not split a mapping.  TYPE1 (v1) instead
	 * stops at a mapping starting before the range, unmapping nothing,
	 * and removes whole mappings that merely start inside it. */
	if (v2 && (((m = find(u.iova)) && m->iova != u.iova) ||
		   ((m = find(u.iova + u.size - 1)) && m->iova + m->size != u.iova + u.size)))
		return -EINVAL;
	for (size_t i = first_after(u.iova); i < nmaps && maps[i].iova < u.iova + u.size;) {
		if (!v2 && maps[i].iova < u.iova)
			break;
		unmapped += maps[i].size;
		remove_at(i);
		sim_report.dma_maps--;
	}
	u.size = unmapped;
	trace_add(t, " (unmapped %llu)", (unsigned long long)unmapped);
	return copy_to_user(arg, &u, sizeof(u));
}

static long get_info(void *arg, struct trace *t)
{
	struct vfio_iommu_type1_info info;
	const size_t minsz = offsetof(struct vfio_iommu_type1_info, cap_offset);
	const size_t capsz = minsz + sizeof(info.cap_offset);
	struct caps c = {.len = 0};
	struct vfio_iommu_type1_info_cap_iova_range range = {.nr_iovas = NRANGES};
	uint8_t ranges[sizeof(range) + sizeof(iova_ranges)];
	struct vfio_iommu_type1_info_dma_avail avail;

	memset(&info, 0, sizeof(info));
	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = IOVA_PGSIZES;
	info.cap_offset = 0;
	/* Same order as the kernel (minus the migration capability, which is
	 * about dirty-page tracking and not modelled). */
	avail.avail = (uint32_t)(DMA_ENTRY_LIMIT - nmaps);
	caps_add(&c, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, &avail, sizeof(avail));
	memcpy(ranges, &range, sizeof(range));
	memcpy(ranges + sizeof(range), iova_ranges, sizeof(iova_ranges));
	caps_add(&c, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1, ranges, sizeof(ranges));
	trace_add(t, " iova_pgsizes=0x%llx", (unsigned long long)info.iova_pgsizes);
	return info_reply(&(struct info_reply){
		.uarg = arg, .info = &info, .size = sizeof(info),
		.out = info.argsz >= capsz ? capsz : minsz, .argsz = &info.argsz,
		.flags = &info.flags, .cap_offset = &info.cap_offset, .flag_caps = VFIO_IOMMU_INFO_CAPS,
	}, &c);
}

long iommu_ioctl(unsigned long req, void *arg, bool v2, struct trace *t)
{
	switch (req) {
	case VFIO_IOMMU_GET_INFO:
		return get_info(arg, t);
	case VFIO_IOMMU_MAP_DMA:
		return map_dma(arg, t);
	case VFIO_IOMMU_UNMAP_DMA:
		return unmap_dma(arg, v2, t);
	default:
		return -ENOTTY;
	}
}

/* sim_report.dma_maps is not decremented here: it counts the mappings the
 * driver did not unmap itself, i.e. whether it cleaned up. */
void iommu_release(void)
{
	free(maps);
	maps = NULL;
	nmaps = maps_cap = 0;
	mapped_bytes = 0;
	hit.size = 0;
}

static void dma_fault(uint64_t iova, size_t len, int access, const char *what, const char *why)
{
	if (sim_report.iommu_faults++ < FAULTS_LOGGED)
		sim_log("IOMMU fault: device %s of %zu bytes at IOVA 0x%" PRIx64 " (%s): %s%s",
			access & SIM_DMA_WRITE ? "write" : "read", len, iova, what, why,
			sim_report.iommu_faults == FAULTS_LOGGED ? " (further faults only counted)" : "");
}

/* Only a cache hint, never an access: nothing is checked beyond what the
 * hint needs, nothing counted; the access itself goes through sim_dma(). */
void sim_dma_prefetch(uint64_t iova, int access)
{
	const struct mapping *m = &hit;

	if (!(iova >= m->iova && iova - m->iova < m->size) && !(m = find(iova)))
		return;
	if ((m->flags & (uint32_t)access) != (uint32_t)access)
		return;
	if (access & SIM_DMA_WRITE)
		__builtin_prefetch((const void *)(uintptr_t)(m->vaddr + (iova - m->iova)), 1);
	else
		__builtin_prefetch((const void *)(uintptr_t)(m->vaddr + (iova - m->iova)), 0);
}

void *sim_dma(uint64_t iova, size_t len, int access, const char *what)
{
	const struct mapping *m = &hit;
	uint64_t last = iova + (len ? len : 1) - 1;

	if (!(iova >= m->iova && last < m->iova + m->size && last >= iova)) {
		m = find(iova);
		if (!m) {
			dma_fault(iova, len, access, what, "no mapping");
			return NULL;
		}
		if (last < iova || last >= m->iova + m->size) {
			dma_fault(iova, len, access, what, "runs past the end of its mapping");
			return NULL;
		}
	}
	if ((m->flags & (uint32_t)access) != (uint32_t)access) {
		dma_fault(iova, len, access, what, access & SIM_DMA_WRITE
			  ? "mapped without VFIO_DMA_MAP_FLAG_WRITE"
			  : "mapped without VFIO_DMA_MAP_FLAG_READ");
		return NULL;
	}
	hit = *m;
	return (void *)(uintptr_t)(m->vaddr + (iova - m->iova));
}
