/* SPDX-License-Identifier: MIT
 *
 * avf.c - a minimal userspace driver for an Intel Adaptive Virtual Function
 * (the SR-IOV VF of X710/XL710/XXV710/X722/E810), over Linux VFIO.
 * Variants, as in vfio-e1000: the default (-DMSIX) sleeps on MSI-X interrupts
 * and dumps frames, -DPOLL busy-polls, -DECHO sends each frame back instead.
 * The file reads in bring-up order: VFIO, config space and BAR0, DMA memory,
 * VF reset, admin queue, virtchnl, queues, interrupts, data path, teardown.
 * Comments cite the public sources a reader can open: Linux's iavf and i40e
 * drivers (drivers/net/ethernet/intel/), include/linux/avf/virtchnl.h, DPDK's
 * drivers/net/intel/iavf, Linux's Documentation/driver-api/vfio.rst.
 * Nothing the device or the PF writes is trusted: lengths, counts, indexes
 * and flags are all checked before use.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/mman.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "avf.h"
#include "virtchnl.h"

#if defined(POLL) && defined(MSIX)
#error "-DPOLL and -DMSIX exclude each other: build with one of them"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "descriptors and virtchnl messages are little-endian, and so must the CPU be"
#endif
#ifdef ECHO
#define MODE "echo"
#define DUMPS false /* frames are shown (stdout) only when dumping */
#else
#define MODE "dump"
#define DUMPS true
#endif
#ifdef POLL
#define IRQ_MODE "busy polling"
#define VECTORS_USED 1
#else
#define IRQ_MODE "MSI-X interrupts"
#define VECTORS_USED AVF_MSIX_VECTORS
#endif

#define RING_OK(n) (((n) & ((n) - 1)) == 0 && (n) % AVF_RING_MULTIPLE == 0 && (n) >= AVF_MIN_RING_LEN && \
		    (n) <= AVF_MAX_RING_LEN)
_Static_assert(RING_OK(AVF_RX_RING_LEN) && RING_OK(AVF_TX_RING_LEN), "ring lengths (iavf.h), powers of two");
_Static_assert(AVF_RX_BUF_SIZE % VIRTCHNL_RX_BUFFER_ALIGN == 0, "RX buffer size (i40e_config_vsi_rx_queue)");
_Static_assert(AVF_BURST < AVF_TX_RING_LEN, "a burst fits the TX ring");

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#define RX_NEXT(i) (((i) + 1) & (AVF_RX_RING_LEN - 1))
#define TX_NEXT(i) (((i) + 1) & (AVF_TX_RING_LEN - 1))

/* (Re-)arm a vector (iavf_irq_enable_queues): INTENA, with ITR index NONE so
 * the interval stays. */
#define IRQ_ARM (VFINT_DYN_CTL_INTENA | VFINT_DYN_CTL_ITR_NONE << VFINT_DYN_CTL_ITR_INDX_SHIFT)

/* What asks for a clean stop (teardown, counters): Ctrl-C, kill, a closed
 * terminal (SIGHUP), SIGQUIT, and a reader that went away (`avf BDF | head`). */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
static volatile sig_atomic_t stop_signal; /* the first of them received */

/* ------------------------------------------------------------------ helpers */
/* One line to stderr, in one write: stderr is unbuffered, and pieces of it
 * would interleave with other writers' lines (the simulator's --trace). */
static void vnote(const char *fmt, va_list ap)
{
	char line[AVF_NOTE_MAX];
	int n = vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "avf: %s%s\n", line, n >= (int)sizeof line ? "..." : "");
}

__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
}

/* Report an error and return -1: `return fail(...)`. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
	return -1;
}
#define vlog(a, ...) do { if ((a)->verbose) note(__VA_ARGS__); } while (0)

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * AVF_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* A signal ends bring-up; teardown runs to its end regardless. */
static bool interrupted(const struct avf *a) { return stop_signal && !a->teardown; }

/* The first reason to stop is the one that counts. */
static void stop_with(struct avf *a, enum avf_stop why) { a->stop = a->stop == AVF_RUNNING ? why : a->stop; }

/* The PF reset or closed the VF: no more virtchnl, the run ends. */
static void vf_gone(struct avf *a, enum avf_stop why) { a->vf_lost = true; stop_with(a, why); }

static bool stopping(struct avf *a) { if (stop_signal) stop_with(a, AVF_STOP_SIGNAL); return a->stop != AVF_RUNNING; }

/* A BAR0 offset by its Intel name (iavf_register.h), for -vv. */
static const char *reg_name(uint32_t reg, char *buf, size_t len)
{
#define REG(r) { r, #r },
#define REG_ARRAY(r, n) { r(0), n, #r },
	static const struct { uint32_t reg; const char *name; } fixed[] = { AVF_REGS(REG) };
	static const struct { uint32_t base, count; const char *name; } arrays[] = { AVF_REG_ARRAYS(REG_ARRAY) };
#undef REG
#undef REG_ARRAY
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		if (reg == fixed[i].reg)
			return fixed[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(arrays); i++) {
		uint32_t off = reg - arrays[i].base;
		if (reg >= arrays[i].base && off % sizeof(uint32_t) == 0 && off / sizeof(uint32_t) < arrays[i].count) {
			snprintf(buf, len, "%s(%zu)", arrays[i].name, off / sizeof(uint32_t));
			return buf;
		}
	}
	snprintf(buf, len, "BAR0+%#" PRIx32, reg);
	return buf;
}

/* -vv logs each register access, in program order: what the device sees of
 * the driver, on real hardware as on the simulated VF. */
static void mmio_log(const struct avf *a, const char *dir, uint32_t reg, uint32_t v)
{
	char buf[32];
	if (a->verbose >= AVF_VERBOSE_MMIO)
		note("mmio %s %-20s 0x%08" PRIx32, dir, reg_name(reg, buf, sizeof buf), v);
}

/* A write to stdout or to the -w capture failed.  EINTR (a stop signal, or
 * the SIGALRM that follows one: see on_signal) and EPIPE (the reader went
 * away; SIGPIPE came with it) end the run as that signal does; anything else
 * (a full disk, /dev/full) is an error.  The stream's buffered bytes are
 * dropped and it is not written again, so nothing can block on it later. */
static void output_failed(struct avf *a, FILE *f, const char *what, const char *name)
{
	int err = errno;
	__fpurge(f);
	if (err == EINTR || err == EPIPE) {
		stop_with(a, AVF_STOP_SIGNAL);
		return;
	}
	note("writing %s%s failed: %s; stopping: check where it goes (a full disk or device?)", what, name,
	     strerror(err));
	a->write_failed = true;
	stop_with(a, AVF_STOP_ERROR);
}

static void dump_failed(struct avf *a) { output_failed(a, stdout, "the dump to stdout", ""); }
static void pcap_failed(struct avf *a) { output_failed(a, a->pcap, "the capture to ", a->pcap_path); }

/* What is still buffered, written out; a stream that failed is not written
 * again. */
static void output_flush(struct avf *a)
{
	if (!ferror(stdout) && fflush(stdout) == EOF)
		dump_failed(a);
	if (a->pcap && !ferror(a->pcap) && fflush(a->pcap) == EOF)
		pcap_failed(a);
}

/* BAR0 registers: 32-bit, volatile so that every access reaches the device. */
static inline uint32_t rd32(const struct avf *a, uint32_t reg)
{
	uint32_t v = *(volatile uint32_t *)(a->bar0 + reg);
	mmio_log(a, "rd", reg, v);
	return v;
}

static inline void wr32(struct avf *a, uint32_t reg, uint32_t v)
{
	mmio_log(a, "wr", reg, v);
	*(volatile uint32_t *)(a->bar0 + reg) = v;
}
static inline uint32_t upper_32_bits(uint64_t v) { return (uint32_t)(v >> 32); }
static inline uint32_t lower_32_bits(uint64_t v) { return (uint32_t)v; }

/* Poll done() every poll_us (< 1 s) until it holds: true.  False once
 * timeout_ms passed or, during bring-up, a signal came. */
static bool wait_for(struct avf *a, bool (*done)(struct avf *), unsigned timeout_ms, unsigned poll_us)
{
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + timeout_ms * AVF_NSEC_PER_MSEC;
	struct timespec poll = { 0, (long)(poll_us * AVF_NSEC_PER_USEC) };
	while (!done(a)) {
		if (interrupted(a) || now_ns(CLOCK_MONOTONIC) > deadline)
			return false;
		nanosleep(&poll, NULL);
	}
	return true;
}

struct mac_str { char s[sizeof "xx:xx:xx:xx:xx:xx"]; };

static struct mac_str mac_str(const uint8_t *m)
{
	struct mac_str r;
	snprintf(r.s, sizeof r.s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return r;
}

/* Capability flags by their virtchnl.h names, without VIRTCHNL_VF_OFFLOAD_ /
 * VIRTCHNL_VF_CAP_, bit 0 first. */
struct cap_str { char s[512]; };

static struct cap_str cap_str(uint32_t caps)
{
	static const char *const cap_names[32] = {
		"L2", "IWARP", "RSVD", "RSS_AQ", "RSS_REG", "WB_ON_ITR", "REQ_QUEUES", "ADV_LINK_SPEED",
		"INLINE_IPSEC_CRYPTO", "LARGE_NUM_QPAIRS", "CRC", "TC_U32", "QGRPS", "FLOW_STEER_TO_QGRP",
		"FSUB_PF", "VLAN_V2", "VLAN", "RX_POLLING", "RSS_PCTYPE_V2", "RSS_PF", "ENCAP", "ENCAP_CSUM",
		"RX_ENCAP_CSUM", "ADQ", "ADQ_V2", "USO", "RX_FLEX_DESC", "ADV_RSS_PF", "FDIR_PF", "QOS", "DCF", "PTP",
	};
	struct cap_str r = { "" };
	size_t n = 0;
	for (unsigned bit = 0; bit < ARRAY_SIZE(cap_names); bit++) {
		if (!(caps & 1u << bit))
			continue;
		if (n)
			r.s[n++] = ' ';
		n += (size_t)snprintf(r.s + n, sizeof r.s - n, "%s", cap_names[bit]);
	}
	return r;
}

static const char *vc_op_name(uint32_t op)
{
#define OP(name) [VIRTCHNL_OP_##name] = #name
	static const char *const names[] = {
		OP(UNKNOWN), OP(VERSION), OP(RESET_VF), OP(GET_VF_RESOURCES), OP(CONFIG_VSI_QUEUES),
		OP(CONFIG_IRQ_MAP), OP(ENABLE_QUEUES), OP(DISABLE_QUEUES), OP(ADD_ETH_ADDR), OP(DEL_ETH_ADDR),
		OP(ADD_VLAN), OP(DEL_VLAN), OP(CONFIG_PROMISCUOUS_MODE), OP(GET_STATS), OP(EVENT),
		OP(CONFIG_RSS_KEY), OP(CONFIG_RSS_LUT), OP(GET_RSS_HENA_CAPS), OP(SET_RSS_HENA),
		OP(ENABLE_VLAN_STRIPPING), OP(DISABLE_VLAN_STRIPPING), OP(REQUEST_QUEUES),
	};
#undef OP
	static char other[sizeof "opcode 4294967295"];
	if (op < ARRAY_SIZE(names) && names[op])
		return names[op];
	snprintf(other, sizeof other, "opcode %" PRIu32, op);
	return other;
}

/* enum virtchnl_status_code; i40e since 2023 sends a negative errno instead
 * (i40e_vc_send_msg_to_vf). */
static const char *vc_status_str(int32_t status)
{
#define ST(name) case VIRTCHNL_STATUS_##name: str = #name; break
	static char s[64];
	const char *str = status < 0 && status >= -AVF_MAX_ERRNO ? strerror(-status) : "unknown";
	switch (status) {
	ST(SUCCESS); ST(ERR_PARAM); ST(ERR_NO_MEMORY); ST(ERR_OPCODE_MISMATCH); ST(ERR_CQP_COMPL_ERROR);
	ST(ERR_INVALID_VF_ID); ST(ERR_ADMIN_QUEUE_ERROR); ST(ERR_NOT_SUPPORTED);
	}
#undef ST
	snprintf(s, sizeof s, "%s (%" PRId32 ")", str, status);
	return s;
}

/* ATQLEN and ARQLEN with their error bits decoded (iavf_register.h), for
 * messages. */
static const char *aq_regs(const struct avf *a)
{
	static char s[160];
	uint32_t v[] = { rd32(a, VF_ATQLEN1), rd32(a, VF_ARQLEN1) };
	int n = 0;
	for (int i = 0; i < 2; i++)
		n += snprintf(s + n, sizeof s - (size_t)n, "%s %#" PRIx32 "%s%s%s%s", i ? ", ARQLEN" : "ATQLEN", v[i],
			      v[i] & VF_QLEN_ENABLE ? "" : " disabled", v[i] & VF_QLEN_VFE ? " VFE" : "",
			      v[i] & VF_QLEN_OVFL ? " OVFL" : "", v[i] & VF_QLEN_CRIT ? " CRIT" : "");
	return s;
}

/* How a queue-length register reads once the VF was reset (iavf_main.c,
 * iavf_watchdog_task checks ARQLEN's ENABLE). */
static bool aq_reg_gone(uint32_t v) { return v == AVF_REG_IN_RESET || v == AVF_REG_ABSENT || !(v & VF_QLEN_ENABLE); }

/* ------------------------------------------------------------ command line */
static const char usage_line[] = "usage: %s [-c COUNT] [-w FILE.pcap] [-v] [-t VF_TOKEN] [-h] <bdf>\n";

/* A bad command line: what is wrong, the usage, exit 2. */
__attribute__((format(printf, 2, 3), noreturn)) static void usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
	fprintf(stderr, usage_line, prog);
	exit(2);
}

/* s matches a template in which 'h' stands for one hex digit. */
static bool matches(const char *s, const char *template)
{
	while (*template) {
		bool ok = *s == *template;
		if (*template == 'h')
			ok = *s && strchr("0123456789abcdefABCDEF", *s);
		if (!ok)
			return false;
		s++;
		template++;
	}
	return !*s;
}

/* Everything is checked, and -w created, before the first VFIO call. */
static void parse_args(struct avf *a, int argc, char **argv)
{
	const char *prog = argv[0] ? argv[0] : "avf", *bdf;
	unsigned dom = 0, bus = 0, dev = 0, fn = 0;
	char *end;
	int c;
	opterr = 0;
	while ((c = getopt(argc, argv, ":c:w:vt:h")) != -1) {
		switch (c) {
		case 'c':
			errno = 0;
			a->count = strtoull(optarg, &end, 10);
			if (!optarg[0] || !strchr("0123456789", optarg[0]) || *end || errno || !a->count)
				usage_error(prog, "-c needs a positive integer, not '%s'", optarg);
			break;
		case 'w': a->pcap_path = optarg; break;
		case 'v': a->verbose++; break;
		case 't':
			if (!matches(optarg, "hhhhhhhh-hhhh-hhhh-hhhh-hhhhhhhhhhhh"))
				usage_error(prog, "-t needs the VF token, a UUID (8-4-4-4-12 hex digits), not '%s'", optarg);
			a->token = optarg;
			break;
		case 'h':
			printf(usage_line, prog);
			printf("Bring up an Intel AVF through VFIO and " MODE " what it receives.  <bdf>: the VF's PCI\n"
			       "address, dddd:bb:dd.f or bb:dd.f (lspci -D lists them).\n"
			       "  -c COUNT     stop after COUNT received frames (echo: once they were sent back)\n"
			       "  -w FILE      also write every received frame to FILE (pcap)\n"
			       "  -v           log each step and virtchnl message with its key fields; -vv also\n"
			       "               every register read and write, by name\n"
			       "  -t VF_TOKEN  the VF token (a UUID) when the PF is bound to vfio-pci\n"
			       "This build: " MODE ", " IRQ_MODE ".  Frames go to stdout, the rest to stderr.  Exit\n"
			       "status: 0 after COUNT frames or SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE (a closed\n"
			       "pipe); 1 on an error, a failed write, or when the PF stops the VF.\n");
			exit(0);
		case ':': usage_error(prog, "option -%c needs a value", optopt);
		default: usage_error(prog, "unknown option -%c; -h lists the options", optopt);
		}
	}
	if (optind == argc)
		usage_error(prog, "the VF's PCI address is missing, e.g. 0000:3b:02.0");
	if (optind != argc - 1)
		usage_error(prog, "one PCI address only, not also '%s'", argv[argc - 1]);
	bdf = argv[optind];
	if ((!(matches(bdf, "hh:hh.h") && sscanf(bdf, "%x:%x.%x", &bus, &dev, &fn) == 3) &&
	     !(matches(bdf, "hhhh:hh:hh.h") && sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) == 4)) ||
	    dev > AVF_PCI_MAX_DEVICE || fn > AVF_PCI_MAX_FUNCTION)
		usage_error(prog, "'%s' is not a PCI address: use dddd:bb:dd.f or bb:dd.f (device up to %x, "
			    "function up to %u), as lspci -D shows; for a network interface, ethtool -i IF shows it as bus-info",
			    bdf, AVF_PCI_MAX_DEVICE, AVF_PCI_MAX_FUNCTION);
	snprintf(a->bdf, sizeof a->bdf, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	if (a->pcap_path) {
		struct avf_pcap_file_header h = { .magic = AVF_PCAP_MAGIC, .version_major = AVF_PCAP_VERSION_MAJOR,
			.version_minor = AVF_PCAP_VERSION_MINOR, .snaplen = AVF_PCAP_SNAPLEN,
			.linktype = AVF_PCAP_LINKTYPE_ETHERNET };
		if (!(a->pcap = fopen(a->pcap_path, "wb")))
			usage_error(prog, "cannot write '%s' (%s): give -w a writable path", a->pcap_path, strerror(errno));
		static char buf[AVF_PCAP_BUFFER]; /* glibc ignores the size of a buffer it allocates */
		setvbuf(a->pcap, buf, _IOFBF, sizeof buf);
		fwrite(&h, sizeof h, 1, a->pcap);
	}
}

/* ------------------------------------------------------------------- VFIO */
/* The last component of the sysfs link dir/name (a device's driver, its
 * IOMMU group), or `none` when there is no such link. */
static const char *link_name(const char *dir, const char *name, char *buf, size_t len, const char *none)
{
	char path[PATH_MAX + NAME_MAX];
	ssize_t n;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((n = readlink(path, buf, len - 1)) < 0)
		return none;
	buf[n] = '\0';
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

/* iavf_main.c iavf_pci_tbl: drivers match vendor and device only. */
static const char *avf_device_name(uint16_t id)
{
	switch (id) {
	case AVF_DEV_ID_ADAPTIVE_VF: return "Ethernet Adaptive Virtual Function";
	case AVF_DEV_ID_VF: return "Ethernet Virtual Function 700 Series";
	case AVF_DEV_ID_VF_HV: return "Ethernet Virtual Function 700 Series (Hyper-V)";
	case AVF_DEV_ID_X722_VF: return "Ethernet Virtual Function 700 Series (X722)";
	default: return NULL;
	}
}

/* A number from a sysfs attribute file (vendor, device, sriov_totalvfs). */
static bool sysfs_number(const char *dir, const char *name, unsigned long *v)
{
	char path[PATH_MAX + NAME_MAX], text[32] = "", *end;
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return false;
	bool got = fgets(text, sizeof text, f) != NULL;
	fclose(f);
	errno = 0;
	*v = strtoul(text, &end, 0);
	return got && end != text && !errno;
}

/* The device's identity, from sysfs, before any VFIO call or advice: the
 * advice for a VF (bind it to vfio-pci) would take a PF, and with it the
 * host's port and every VF on it, away from the host.  A PF is told where
 * its VFs are (its virtfnN links) or how to create them. */
static int pci_identify(struct avf *a)
{
	char dev[PATH_MAX], drv[PATH_MAX], link[PATH_MAX], vfs[AVF_NOTE_MAX / 2] = "";
	unsigned long vendor = 0, device = 0, total = 0;
	snprintf(dev, sizeof dev, "/sys/bus/pci/devices/%s", a->bdf);
	if (access(dev, F_OK) < 0)
		return fail("no PCI device %s (%s): check the address with lspci -D; for a network interface, "
			    "ethtool -i IF shows it as bus-info", a->bdf, strerror(errno));
	if (!sysfs_number(dev, "vendor", &vendor) || !sysfs_number(dev, "device", &device))
		return fail("cannot read the vendor and device ids of %s in %s", a->bdf, dev);
	if (vendor == AVF_PCI_VENDOR_INTEL && avf_device_name((uint16_t)device))
		return 0;
	const char *driver = link_name(dev, "driver", drv, sizeof drv, "no driver");
	if (!sysfs_number(dev, "sriov_totalvfs", &total) || total == 0)
		return fail("%s is %04lx:%04lx (%s), not an Intel AVF VF (8086:%04x, %04x, %04x or %04x): give avf "
			    "the address of a VF", a->bdf, vendor, device, driver, AVF_DEV_ID_ADAPTIVE_VF, AVF_DEV_ID_VF,
			    AVF_DEV_ID_VF_HV, AVF_DEV_ID_X722_VF);
	for (unsigned i = 0; i < total && i <= UINT16_MAX; i++) { /* TotalVFs is a 16-bit field */
		char name[32];
		size_t used = strlen(vfs);
		snprintf(name, sizeof name, "virtfn%u", i);
		const char *vf = link_name(dev, name, link, sizeof link, NULL);
		if (vf && used + strlen(vf) + 2 < sizeof vfs)
			snprintf(vfs + used, sizeof vfs - used, " %s", vf);
	}
	if (vfs[0])
		return fail("%s is a PF (%04lx:%04lx, %s), not a VF: avf drives one of its VFs, "
			    "here:%s", a->bdf, vendor, device, driver, vfs);
	return fail("%s is a PF (%04lx:%04lx, %s) with no VFs: avf drives a VF; create one as root "
		    "with echo 1 > %s/sriov_numvfs (up to %lu), then give avf one of them (ls -l %s/virtfn*)", a->bdf,
		    vendor, device, driver, dev, total, dev);
}

/* vfio.rst: a group is viable when each of its devices is bound to vfio-pci
 * or to nothing; show the culprits. */
static int group_not_viable(const struct avf *a)
{
	char dir[PATH_MAX], dev[PATH_MAX], drv[PATH_MAX];
	struct dirent *e;
	DIR *d;
	snprintf(dir, sizeof dir, "/sys/kernel/iommu_groups/%d/devices", a->group_num);
	note("IOMMU group %d is not viable: each of its devices must be bound to vfio-pci or to no driver:",
	     a->group_num);
	if (!(d = opendir(dir)))
		return fail("  (cannot list %s: %s)", dir, strerror(errno));
	while ((e = readdir(d))) {
		snprintf(dev, sizeof dev, "%.*s/%s", PATH_MAX / 2, dir, e->d_name);
		const char *name = link_name(dev, "driver", drv, sizeof drv, "none");
		if (e->d_name[0] != '.')
			fprintf(stderr, "  %s  %s%s\n", e->d_name, name, strcmp(name, "none") && strcmp(name, "vfio-pci")
				? "   <- unbind it, or bind it to vfio-pci" : "");
	}
	closedir(d);
	return -1;
}

/* Out of file descriptors: each VFIO file, eventfd and the epoll set takes one. */
#define FD_LIMIT_HINT "close files or raise the open-file limit (ulimit -n)"
static bool fd_limit_hit(int err) { return err == EMFILE || err == ENFILE; }

/* vfio.rst's usage example, its first steps: the IOMMU group from sysfs, a
 * container with a type1 IOMMU, and the group in it. */
static int vfio_open_group(struct avf *a)
{
	char dev[PATH_MAX], path[PATH_MAX], link[PATH_MAX], drv[PATH_MAX], *end;
	struct vfio_group_status status = { .argsz = sizeof status };
	const char *group;
	snprintf(dev, sizeof dev, "/sys/bus/pci/devices/%s", a->bdf);
	if (!(group = link_name(dev, "iommu_group", link, sizeof link, NULL)))
		return fail("%s has no iommu_group: the IOMMU is off.  Boot with intel_iommu=on iommu=pt (or "
			    "amd_iommu=on) and enable VT-d/AMD-Vi in the firmware; avf does not support vfio's "
			    "no-IOMMU mode", a->bdf);
	errno = 0;
	a->group_num = (int)strtol(group, &end, 10);
	if (*end || errno || end == group)
		return fail("no IOMMU group number in %s/iommu_group -> %s", dev, link);
	if ((a->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC)) < 0)
		return fail("cannot open /dev/vfio/vfio (%s): %s", strerror(errno),
			    fd_limit_hit(errno) ? FD_LIMIT_HINT : "load VFIO with modprobe vfio-pci");
	if (ioctl(a->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return fail("this kernel's VFIO API version is not %d", VFIO_API_VERSION);
	a->type1v2 = ioctl(a->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1;
	if (!a->type1v2 && ioctl(a->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) != 1)
		return fail("VFIO offers no type1 IOMMU: is the IOMMU on (intel_iommu=on)?");
	snprintf(path, sizeof path, "/dev/vfio/%d", a->group_num);
	if ((a->group = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return fail("%s is not bound to vfio-pci (its driver: %s); as root:\n  modprobe vfio-pci\n"
				    "  echo %s > %s/driver/unbind\n  echo vfio-pci > %s/driver_override\n"
				    "  echo %s > /sys/bus/pci/drivers_probe", a->bdf,
				    link_name(dev, "driver", drv, sizeof drv, "none"), a->bdf, dev, dev, a->bdf);
		if (errno == EBUSY)
			return fail("IOMMU group %d is busy: another program holds %s (DPDK, QEMU, another avf?)",
				    a->group_num, path);
		if (errno == EACCES || errno == EPERM)
			return fail("no permission to open %s: run as root, or chown $USER %s", path, path);
		return fail("cannot open %s: %s%s", path, strerror(errno), fd_limit_hit(errno) ? ": " FD_LIMIT_HINT : "");
	}
	if (ioctl(a->group, VFIO_GROUP_GET_STATUS, &status) < 0)
		return fail("VFIO_GROUP_GET_STATUS of group %d: %s", a->group_num, strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return group_not_viable(a);
	if (ioctl(a->group, VFIO_GROUP_SET_CONTAINER, &a->container) < 0 ||
	    ioctl(a->container, VFIO_SET_IOMMU, a->type1v2 ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU) < 0)
		return fail("attaching IOMMU group %d to a VFIO container: %s", a->group_num, strerror(errno));
	return 0;
}

/* vfio.rst's usage example, its last steps: the device, its config space
 * and BAR0, its MSI-X. */
static int vfio_open_device(struct avf *a)
{
	char name[sizeof a->bdf + sizeof " vf_token=01234567-89ab-cdef-0123-456789abcdef"];
	struct vfio_device_info info = { .argsz = sizeof info };
	struct vfio_region_info config = { .argsz = sizeof config, .index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_region_info bar0 = { .argsz = sizeof bar0, .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_irq_info msix = { .argsz = sizeof msix, .index = VFIO_PCI_MSIX_IRQ_INDEX };
	snprintf(name, sizeof name, "%s%s%s", a->bdf, a->token ? " vf_token=" : "", a->token ? a->token : "");
	/* vfio_pci_core.c, vfio_pci_validate_vf_token: EACCES for a token
	 * missing or wrong, EINVAL for one given when the PF is not vfio-pci's. */
	if ((a->device = ioctl(a->group, VFIO_GROUP_GET_DEVICE_FD, name)) < 0) {
		if (errno == EACCES && a->token)
			return fail("%s: VF token rejected: pass the token the PF's vfio-pci was given", a->bdf);
		if (errno == EACCES)
			return fail("%s: the PF is bound to vfio-pci: pass its VF token with -t", a->bdf);
		if (errno == EINVAL && a->token)
			return fail("%s: -t gave a VF token, but this VF takes none (its PF is not bound to vfio-pci): "
				    "run without -t", a->bdf);
		return fail("VFIO_GROUP_GET_DEVICE_FD %s: %s%s", a->bdf, strerror(errno),
			    fd_limit_hit(errno) ? ": " FD_LIMIT_HINT : "");
	}
	if (ioctl(a->device, VFIO_DEVICE_GET_INFO, &info) < 0 || !(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX || info.num_irqs <= VFIO_PCI_MSIX_IRQ_INDEX)
		return fail("%s is not a VFIO PCI device (flags %#x, %u regions, %u IRQ types)", a->bdf, info.flags,
			    info.num_regions, info.num_irqs);
	a->device_flags = info.flags;
	if (ioctl(a->device, VFIO_DEVICE_GET_REGION_INFO, &config) < 0 ||
	    ioctl(a->device, VFIO_DEVICE_GET_REGION_INFO, &bar0) < 0 ||
	    ioctl(a->device, VFIO_DEVICE_GET_IRQ_INFO, &msix) < 0)
		return fail("VFIO region and IRQ info of %s: %s", a->bdf, strerror(errno));
	a->config_offset = config.offset;
	a->bar0_offset = bar0.offset;
	a->bar0_size = bar0.size;
	a->msix_count = msix.flags & VFIO_IRQ_INFO_EVENTFD ? msix.count : 0;
	if (!(bar0.flags & VFIO_REGION_INFO_FLAG_MMAP) || bar0.size < AVF_BAR0_MIN_SIZE)
		return fail("BAR0 of %s is unusable: %llu bytes, flags %#x (needs mmap and %u bytes)", a->bdf,
			    (unsigned long long)bar0.size, bar0.flags, AVF_BAR0_MIN_SIZE);
	if (a->msix_count < VECTORS_USED)
		return fail("%s has %u MSI-X vectors with eventfds, avf needs %u: check that vfio-pci drives it",
			    a->bdf, a->msix_count, VECTORS_USED);
	return 0;
}

/* ------------------------------------------------- config space and BAR0 */
static int config_rw16(struct avf *a, bool write, unsigned reg, uint16_t *v)
{
	off_t off = (off_t)(a->config_offset + reg);
	ssize_t n = write ? pwrite(a->device, v, sizeof *v, off) : pread(a->device, v, sizeof *v, off);
	return n == (ssize_t)sizeof *v ? 0 : fail("config space %s at %#x failed", write ? "write" : "read", reg);
}

/* Still the AVF VF sysfs named?  Then let it answer on BAR0 and master DMA
 * (vfio_pci_core.c: a VF has no memory-enable bit of its own). */
static int pci_enable(struct avf *a)
{
	uint16_t vendor, cmd;
	if (config_rw16(a, false, PCI_VENDOR_ID, &vendor) < 0 || config_rw16(a, false, PCI_DEVICE_ID, &a->device_id) < 0 ||
	    config_rw16(a, false, PCI_COMMAND, &a->command) < 0)
		return -1;
	if (vendor != AVF_PCI_VENDOR_INTEL || !avf_device_name(a->device_id))
		return fail("the config space of %s reads %04x:%04x, not the Intel AVF VF its sysfs entry named: is "
			    "the address right (lspci -D -s %s)?", a->bdf, vendor, a->device_id, a->bdf);
	cmd = a->command | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	a->command_set = config_rw16(a, true, PCI_COMMAND, &cmd) == 0;
	return a->command_set ? 0 : -1;
}

/* iavf_register.h: every register lives in BAR0. */
static int bar0_map(struct avf *a)
{
	void *p = mmap(NULL, a->bar0_size, PROT_READ | PROT_WRITE, MAP_SHARED, a->device, (off_t)a->bar0_offset);
	if (p == MAP_FAILED)
		return fail("mmap of BAR0 (%zu bytes): %s", a->bar0_size, strerror(errno));
	a->bar0 = p;
	return 0;
}

/* ------------------------------------------------------------- DMA memory */
/* One region for all rings and buffers: 2 MiB hugepages when they are free,
 * else normal pages, given to the device with one MAP_DMA.  No mlock(), as
 * DPDK does none: MAP_DMA pins the pages (vfio_iommu_type1.c,
 * vfio_pin_pages_remote), and both would be charged to RLIMIT_MEMLOCK, to the
 * same mm->locked_vm (mm/mlock.c, mlock_fixup; vfio_lock_acct), so an
 * unprivileged user would need twice the region.  Root (CAP_IPC_LOCK) is
 * exempt from the limit. */
static int dma_init(struct avf *a)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof map, .iova = AVF_IOVA_BASE, .size = AVF_DMA_SIZE,
						.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE };
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
	void *p = mmap(NULL, AVF_DMA_SIZE, PROT_READ | PROT_WRITE, flags | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	if (!(a->hugepage = p != MAP_FAILED) &&
	    (p = mmap(NULL, AVF_DMA_SIZE, PROT_READ | PROT_WRITE, flags, -1, 0)) == MAP_FAILED)
		return fail("cannot allocate %u bytes of DMA memory: %s", AVF_DMA_SIZE, strerror(errno));
	a->dma = p;
	map.vaddr = (uintptr_t)p;
	if (ioctl(a->container, VFIO_IOMMU_MAP_DMA, &map) < 0) {
		struct rlimit r = { 0, 0 };
		if (errno != ENOMEM)
			return fail("VFIO_IOMMU_MAP_DMA of %u bytes at IOVA %#llx: %s", AVF_DMA_SIZE, AVF_IOVA_BASE,
				    strerror(errno));
		getrlimit(RLIMIT_MEMLOCK, &r);
		return fail("VFIO_IOMMU_MAP_DMA of %u bytes failed: the locked-memory limit is %llu bytes, and VFIO "
			    "counts the pages it pins against it; raise it for your shell (sudo prlimit --pid $$ "
			    "--memlock=unlimited) or run avf as root", AVF_DMA_SIZE, (unsigned long long)r.rlim_cur);
	}
	a->dma_mapped = true;
	return 0;
}

/* The IOVA allocator: bump, aligned, zeroed (fresh anonymous memory). */
static void *dma_alloc(struct avf *a, size_t size, uint64_t *iova)
{
	size_t off = (a->dma_used + AVF_DMA_ALIGN - 1) & ~(size_t)(AVF_DMA_ALIGN - 1);
	if (off + size > AVF_DMA_SIZE) {
		note("DMA region exhausted: %zu bytes wanted at offset %zu of %u", size, off, AVF_DMA_SIZE);
		return NULL;
	}
	a->dma_used = off + size;
	*iova = AVF_IOVA_BASE + off;
	return a->dma + off;
}

/* ---------------------------------------------------------------- VF reset */
static int atq_send(struct avf *a, uint32_t op, uint16_t len);

static bool reset_done(struct avf *a)
{
	uint32_t v = rd32(a, VFGEN_RSTAT), state = v & VFGEN_RSTAT_VFR_STATE_MASK;
	return v != AVF_REG_IN_RESET && v != AVF_REG_ABSENT &&
	       (state == VIRTCHNL_VFR_COMPLETED || state == VIRTCHNL_VFR_VFACTIVE);
}

static bool reset_seen(struct avf *a) { return aq_reg_gone(rd32(a, VF_ARQLEN1)); }

/* VFGEN_RSTAT decoded for a message (enum virtchnl_vfr_states). */
static const char *rstat_name(uint32_t v)
{
	if (v == AVF_REG_IN_RESET || v == AVF_REG_ABSENT)
		return "unreadable: in hardware reset";
	switch (v & VFGEN_RSTAT_VFR_STATE_MASK) {
	case VIRTCHNL_VFR_INPROGRESS: return "INPROGRESS: the PF never finished";
	case VIRTCHNL_VFR_COMPLETED: return "COMPLETED";
	case VIRTCHNL_VFR_VFACTIVE: return "VFACTIVE";
	default: return "undefined state";
	}
}

/* iavf_reset_task, i40e_reset_vf.  A VF must start clean: a previous user may
 * have left its queues running towards IOVAs that no longer exist.  Bring-up,
 * with no admin queue yet, resets it through vfio-pci (FLR) as DPDK does;
 * teardown asks the PF (RESET_VF, as iavf) so it frees queues and filters,
 * else FLR. Done when VFGEN_RSTAT reads COMPLETED or VFACTIVE, waited for
 * 2000 x 10 ms. */
static int vf_reset(struct avf *a)
{
	unsigned timeout_ms = AVF_RESET_WAIT_COUNT * AVF_RESET_WAIT_MS;
	bool sent = a->aq_up && !a->vf_lost && atq_send(a, VIRTCHNL_OP_RESET_VF, 0) == 0; /* never answered */
	bool asked = sent && wait_for(a, reset_seen, AVF_RESET_DETECT_MS, AVF_USEC_PER_MSEC);
	if (sent && !asked && !interrupted(a))
		note("the PF did not act on RESET_VF in %u ms: resetting the VF through VFIO instead", AVF_RESET_DETECT_MS);
	if (!asked && (a->device_flags & VFIO_DEVICE_FLAGS_RESET) && ioctl(a->device, VFIO_DEVICE_RESET) < 0)
		return fail("VFIO_DEVICE_RESET of %s: %s", a->bdf, strerror(errno));
	a->aq_up = false; /* the reset disabled both admin queues */
	if (wait_for(a, reset_done, timeout_ms, AVF_RESET_WAIT_MS * AVF_USEC_PER_MSEC) || interrupted(a))
		return interrupted(a) ? -1 : 0;
	uint32_t v = rd32(a, VFGEN_RSTAT);
	return fail("the VF reset did not complete in %u ms: VFGEN_RSTAT %#" PRIx32 " (%s); check the host's dmesg "
		    "for i40e/ice messages about this VF", timeout_ms, v, rstat_name(v));
}

/* ------------------------------------------------------------- admin queue */
/* iavf_adminq.c, iavf_clean_arq_element: the descriptor owns its 4 KiB
 * buffer again (LB: above 512 bytes). */
static void arq_post(struct avf *a, unsigned i)
{
	uint64_t iova = a->arq_bufs_iova + (uint64_t)i * AVF_AQ_BUF_SIZE;
	a->arq[i] = (struct avf_aq_desc){
		.flags = AVF_AQ_FLAG_BUF | (AVF_AQ_BUF_SIZE > AVF_AQ_LARGE_BUF ? AVF_AQ_FLAG_LB : 0),
		.datalen = AVF_AQ_BUF_SIZE, .addr_high = upper_32_bits(iova), .addr_low = lower_32_bits(iova),
	};
}

/* The admin queue registers in the order iavf writes them (iavf_adminq.c,
 * iavf_config_asq_regs and iavf_config_arq_regs). */
static const uint32_t aq_reg[] = { VF_ATQH1, VF_ATQT1, VF_ATQLEN1, VF_ATQBAL1, VF_ATQBAH1,
				   VF_ARQH1, VF_ARQT1, VF_ARQLEN1, VF_ARQBAL1, VF_ARQBAH1 };

/* iavf_init_adminq: the rings, then the registers, the ARQ tail last: one
 * slot short of the head, so full is not empty. */
static int aq_init(struct avf *a)
{
	if (!a->atq) { /* after a VF reset: the same memory again */
		a->atq = dma_alloc(a, AVF_AQ_LEN * sizeof *a->atq, &a->atq_iova);
		a->arq = dma_alloc(a, AVF_AQ_LEN * sizeof *a->arq, &a->arq_iova);
		a->atq_buf = dma_alloc(a, AVF_AQ_BUF_SIZE, &a->atq_buf_iova);
		a->arq_bufs = dma_alloc(a, AVF_AQ_LEN * AVF_AQ_BUF_SIZE, &a->arq_bufs_iova);
	}
	if (!a->atq || !a->arq || !a->atq_buf || !a->arq_bufs)
		return -1;
	for (unsigned i = 0; i < AVF_AQ_LEN; i++)
		arq_post(a, i);
	const uint32_t val[ARRAY_SIZE(aq_reg)] = { 0, 0, AVF_AQ_LEN | VF_QLEN_ENABLE, lower_32_bits(a->atq_iova),
		upper_32_bits(a->atq_iova), 0, 0, AVF_AQ_LEN | VF_QLEN_ENABLE, lower_32_bits(a->arq_iova),
		upper_32_bits(a->arq_iova) };
	atomic_thread_fence(memory_order_release);
	for (size_t r = 0; r < ARRAY_SIZE(aq_reg); r++)
		wr32(a, aq_reg[r], val[r]);
	wr32(a, VF_ARQT1, AVF_AQ_LEN - 1);
	a->atq_next = a->arq_next = 0;
	a->aq_up = true;
	return 0;
}

static bool atq_done(struct avf *a) { return rd32(a, VF_ATQH1) == a->atq_next; }

/* iavf_asq_send_command: post the message in atq_buf; the firmware has taken
 * it when the head reaches our tail ("use of head rather than DD"). */
static int atq_send(struct avf *a, uint32_t op, uint16_t len)
{
	unsigned i = a->atq_next;
	uint16_t flags = AVF_AQ_FLAG_SI;
	vlog(a, "-> %s, %u bytes", vc_op_name(op), len);
	if (len)
		flags |= AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_RD | (len > AVF_AQ_LARGE_BUF ? AVF_AQ_FLAG_LB : 0);
	a->atq[i] = (struct avf_aq_desc){
		.flags = flags, .opcode = AVF_AQC_OPC_SEND_MSG_TO_PF, .datalen = len, .cookie_high = op,
		.addr_high = upper_32_bits(a->atq_buf_iova), .addr_low = lower_32_bits(a->atq_buf_iova),
	};
	a->atq_next = (i + 1) % AVF_AQ_LEN;
	atomic_thread_fence(memory_order_release); /* descriptor and message before the doorbell */
	wr32(a, VF_ATQT1, a->atq_next);
	if (op == VIRTCHNL_OP_RESET_VF) /* the reset takes the queue down with it: iavf does not wait either */
		return 0;
	if (!wait_for(a, atq_done, AVF_ASQ_TIMEOUT_MS, AVF_AQ_POLL_US)) {
		uint32_t head = rd32(a, VF_ATQH1);
		return interrupted(a) ? -1
			: fail("admin queue: the firmware did not take %s in %u ms (ATQH %#" PRIx32 "%s, tail %u; %s)",
			       vc_op_name(op), AVF_ASQ_TIMEOUT_MS, head, head >= AVF_AQ_LEN ? " out of range" : "",
			       a->atq_next, aq_regs(a));
	}
	const struct avf_aq_desc done = a->atq[i];
	if ((done.flags & AVF_AQ_FLAG_ERR) || done.retval)
		return fail("admin queue: the firmware rejected %s: retval %u (AVF_AQ_RC_*); check the host's "
			    "dmesg for i40e/ice", vc_op_name(op), done.retval);
	return 0;
}

/* The PF is resetting the VF (iavf_main.c, iavf_reset_task): no more
 * virtchnl and no ring touched until vf_recover has brought it up again. */
static void vf_reset_pending(struct avf *a)
{
	a->vf_lost = true;
	a->reset_pending = true;
}

/* A LINK_CHANGE event's speed in Mbit/s: link_event_adv carries it as is
 * (CAP_ADV_LINK_SPEED); the legacy link_event, one bit per speed
 * (enum virtchnl_link_speed: BIT(n) <-> mbps[n]). */
static uint32_t link_event_mbps(const struct avf *a, const struct virtchnl_pf_event *ev)
{
	static const uint32_t mbps[] = { 2500, 100, 1000, 10000, 40000, 20000, 25000, 5000 };
	uint32_t legacy = ev->event_data.link_event.link_speed;
	if (a->caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED)
		return ev->event_data.link_event_adv.link_speed;
	if (legacy == 0 || (legacy & (legacy - 1)))
		return 0; /* none, or more than one bit */
	if (__builtin_ctz(legacy) >= (int)ARRAY_SIZE(mbps))
		return 0;
	return mbps[__builtin_ctz(legacy)];
}

/* ice reports the link down until the VF's queues are enabled
 * (ice_vc_notify_vf_link_state, ice_is_vf_link_up): not an error. */
static const char *link_down_note(const struct avf *a)
{
	if (a->link_up || a->queues_enabled)
		return "";
	return " (before the queues are enabled: ice reports it so)";
}

/* VIRTCHNL_OP_EVENT (virtchnl.h, struct virtchnl_pf_event).  LINK_CHANGE
 * comes after GET_VF_RESOURCES and ENABLE_QUEUES; RESET_IMPENDING before a
 * reset the PF makes (i40e_vc_notify_vf_reset): avf recovers from it;
 * PF_DRIVER_CLOSE means the PF driver is going away with its VFs: the run
 * ends. */
static void vc_event(struct avf *a, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_pf_event ev;
	if (len < sizeof ev) {
		note("a PF event of %u bytes, expected %zu: dropped", len, sizeof ev);
		return;
	}
	memcpy(&ev, msg, sizeof ev);
	switch (ev.event) {
	case VIRTCHNL_EVENT_LINK_CHANGE:
		/* link_status sits at the same offset in both layouts */
		a->link_up = ev.event_data.link_event_adv.link_status;
		a->link_mbps = link_event_mbps(a, &ev);
		if (a->running || a->verbose)
			note("link %s, %" PRIu32 " Mbit/s%s", a->link_up ? "up" : "down", a->link_mbps,
			     link_down_note(a));
		break;
	case VIRTCHNL_EVENT_RESET_IMPENDING:
		note("the PF is resetting the VF (RESET_IMPENDING, severity %" PRId32 "): avf brings it up again once "
		     "the reset is done (the host's dmesg says why it came)", ev.severity);
		vf_reset_pending(a);
		break;
	case VIRTCHNL_EVENT_PF_DRIVER_CLOSE:
		note("the PF driver is closing (PF_DRIVER_CLOSE, severity %" PRId32 "): the VF goes away with it; "
		     "stopping (start avf again once i40e/ice is back on the host)", ev.severity);
		vf_gone(a, AVF_STOP_PF);
		break;
	default:
		note("unknown PF event %" PRId32 " (severity %" PRId32 "): ignored", ev.event, ev.severity);
		break;
	}
}

/* The events the PF posted just before a reset took the admin queue down:
 * their descriptors have DD, though ARQH now reads 0.  A RESET_IMPENDING
 * there says the reset was announced. */
static void arq_last_events(struct avf *a)
{
	for (unsigned n = 0; n < AVF_AQ_LEN && !a->reset_pending; n++) {
		struct avf_aq_desc d = a->arq[a->arq_next];
		if (!(d.flags & AVF_AQ_FLAG_DD))
			return;
		atomic_thread_fence(memory_order_acquire); /* the message only after its DD */

		bool event = d.opcode == AVF_AQC_OPC_SEND_MSG_TO_VF && d.cookie_high == VIRTCHNL_OP_EVENT &&
			     !(d.flags & AVF_AQ_FLAG_ERR) && d.datalen <= AVF_AQ_BUF_SIZE;
		if (event)
			vc_event(a, a->arq_bufs + (size_t)a->arq_next * AVF_AQ_BUF_SIZE, d.datalen);
		a->arq_next = (a->arq_next + 1) % AVF_AQ_LEN;
	}
}

/* A VF reset shows as a disabled admin queue, as iavf's watchdog checks
 * (iavf_main.c, iavf_watchdog_task): announced or not, avf recovers.  True
 * once the VF's admin queue is gone. */
static bool vf_reset_seen(struct avf *a)
{
	if (a->vf_lost)
		return true;
	uint32_t atq = rd32(a, VF_ATQLEN1), arq = rd32(a, VF_ARQLEN1);
	if (!aq_reg_gone(atq) && !aq_reg_gone(arq))
		return false;
	arq_last_events(a);
	if (!a->reset_pending)
		note("the VF was reset without notice (ATQLEN %#" PRIx32 ", ARQLEN %#" PRIx32 "): avf brings it up "
		     "again once the reset is done", atq, arq);
	vf_reset_pending(a);
	return true;
}

/* iavf_clean_arq_element: handle, in order, what the PF posted since the last
 * call, giving each descriptor back.  Stop after the awaited reply, so that
 * the events behind it (LINK_CHANGE after GET_VF_RESOURCES) are read once it
 * is parsed.  Every wait that services the ARQ thus notices a reset. */
static void arq_service(struct avf *a)
{
	if (vf_reset_seen(a))
		return;
	uint32_t head = rd32(a, VF_ARQH1);
	bool cleaned = false;
	if (head >= AVF_AQ_LEN) {
		note("the ARQ head reads %#" PRIx32 ", out of range (%s): stopping", head, aq_regs(a));
		vf_gone(a, AVF_STOP_ERROR);
		return;
	}
	atomic_thread_fence(memory_order_acquire); /* descriptors and buffers below the head are complete */
	while (a->arq_next != head && !(a->wait.op != VIRTCHNL_OP_UNKNOWN && a->wait.done)) {
		unsigned i = a->arq_next;
		struct avf_aq_desc d = a->arq[i];
		const uint8_t *msg = a->arq_bufs + (size_t)i * AVF_AQ_BUF_SIZE;
		uint32_t op = d.cookie_high;
		if (d.flags & AVF_AQ_FLAG_ERR)
			note("ARQ descriptor %u completed with ERR (retval %u): dropped", i, d.retval);
		else if (d.opcode != AVF_AQC_OPC_SEND_MSG_TO_VF)
			note("ARQ descriptor %u has AQ opcode %#x, not a PF message: dropped", i, d.opcode);
		else if (d.datalen > AVF_AQ_BUF_SIZE)
			note("PF message %s claims %u bytes, its buffer holds %u: dropped", vc_op_name(op), d.datalen,
			     AVF_AQ_BUF_SIZE);
		else if (op == VIRTCHNL_OP_EVENT)
			vc_event(a, msg, d.datalen);
		else if (op != a->wait.op || op == VIRTCHNL_OP_UNKNOWN)
			note("unexpected reply to %s (status %s, %u bytes): skipped", vc_op_name(op),
			     vc_status_str((int32_t)d.cookie_low), d.datalen);
		else {
			memcpy(a->reply.raw, msg, d.datalen);
			a->wait.status = (int32_t)d.cookie_low;
			a->wait.len = d.datalen;
			a->wait.done = true;
		}
		arq_post(a, i);
		a->arq_next = (i + 1) % AVF_AQ_LEN;
		cleaned = true;
	}
	if (cleaned) {
		atomic_thread_fence(memory_order_release);
		wr32(a, VF_ARQT1, (a->arq_next + AVF_AQ_LEN - 1) % AVF_AQ_LEN);
	}
}

static bool vc_reply_done(struct avf *a) { arq_service(a); return a->wait.done || a->vf_lost; }

/* The message being built: the ATQ's own DMA buffer, zeroed. */
static void *vc_msg(struct avf *a) { return memset(a->atq_buf, 0, AVF_AQ_BUF_SIZE); }

/* The one way to talk to the PF (iavf_virtchnl.c spreads it over its
 * callers): post the message built in vc_msg() on the ATQ, wait a bounded
 * time for the reply to *that* opcode on the ARQ, handling events meanwhile.
 * The reply lands in a->reply, min..max bytes; a refusal is an error
 * (a->wait.done tells a refusal from no reply). */
static int vc_call(struct avf *a, uint32_t op, uint16_t len, uint16_t min, uint16_t max)
{
	bool sent, replied;
	if (!a->aq_up || a->vf_lost)
		return fail("cannot send %s: the VF's admin queue is down", vc_op_name(op));
	a->wait.op = op;
	a->wait.done = false;
	sent = atq_send(a, op, len) == 0;
	replied = sent && wait_for(a, vc_reply_done, AVF_VC_TIMEOUT_MS, AVF_AQ_POLL_US) && a->wait.done;
	a->wait.op = VIRTCHNL_OP_UNKNOWN;
	if (!replied) {
		if (!sent || interrupted(a))
			return -1;
		if (a->vf_lost)
			return fail("gave up waiting for the reply to %s: the VF's admin queue is gone", vc_op_name(op));
		return fail("no reply to %s from the PF in %u ms (%s); check the host's dmesg for i40e/ice",
			    vc_op_name(op), AVF_VC_TIMEOUT_MS, aq_regs(a));
	}
	vlog(a, "<- %s: %s, %u bytes", vc_op_name(op), vc_status_str(a->wait.status), a->wait.len);
	if (a->wait.status != VIRTCHNL_STATUS_SUCCESS)
		return fail("the PF refused %s: status %s; check the host's dmesg for i40e/ice", vc_op_name(op),
			    vc_status_str(a->wait.status));
	if (a->wait.len >= min && a->wait.len <= max)
		return 0;
	const char *bound = a->wait.len < min ? "at least " : "at most ";
	uint16_t expected = a->wait.len < min ? min : max;
	if (min == max)
		bound = "";
	return fail("the PF's reply to %s has %u bytes, expected %s%u: does the host's i40e/ice speak virtchnl 1.1?",
		    vc_op_name(op), a->wait.len, bound, expected);
}

/* An optional message failed (refused, unanswered, malformed): say what
 * that costs and go on, unless the run is ending anyway. */
static int degrade(struct avf *a, const char *cost)
{
	if (interrupted(a) || a->vf_lost || a->stop != AVF_RUNNING)
		return -1;
	note("%s; continuing", cost);
	return 0;
}

/* ---------------------------------------------------------------- virtchnl */
/* VIRTCHNL_VERSION_MAJOR/MINOR; i40e_vc_get_version_msg: avf speaks 1.1
 * and accepts a PF at 1.1 only. */
static int vc_version(struct avf *a)
{
	struct virtchnl_version_info *v = vc_msg(a);
	*v = (struct virtchnl_version_info){ VIRTCHNL_VERSION_MAJOR, VIRTCHNL_VERSION_MINOR };
	vlog(a, "   avf speaks %d.%d", VIRTCHNL_VERSION_MAJOR, VIRTCHNL_VERSION_MINOR);
	if (vc_call(a, VIRTCHNL_OP_VERSION, sizeof *v, sizeof *v, sizeof *v) < 0)
		return -1;
	a->pf_version = a->reply.version;
	vlog(a, "   the PF speaks %" PRIu32 ".%" PRIu32, a->pf_version.major, a->pf_version.minor);
	if (a->pf_version.major != VIRTCHNL_VERSION_MAJOR || a->pf_version.minor != VIRTCHNL_VERSION_MINOR)
		return fail("the PF speaks virtchnl %" PRIu32 ".%" PRIu32 ", avf speaks %d.%d: update the host's "
			    "i40e/ice driver", a->pf_version.major, a->pf_version.minor, VIRTCHNL_VERSION_MAJOR,
			    VIRTCHNL_VERSION_MINOR);
	return 0;
}

/* i40e_vc_get_vf_resources_msg: what the PF grants.  avf uses the SR-IOV VSI. */
static int vc_get_vf_resources(struct avf *a)
{
	uint32_t *caps = vc_msg(a);
	const struct virtchnl_vf_resource *r = &a->reply.res;
	const struct virtchnl_vsi_resource *vsi = r->vsi_res, *sriov = NULL;
	*caps = AVF_VF_CAPS;
	vlog(a, "   asks for %s", cap_str(*caps).s);
	if (vc_call(a, VIRTCHNL_OP_GET_VF_RESOURCES, sizeof *caps, VIRTCHNL_VF_RESOURCE_HDR_LEN + sizeof *vsi,
		    AVF_AQ_BUF_SIZE) < 0)
		return -1;
	vlog(a, "   granted %s", cap_str(r->vf_cap_flags).s);
	vlog(a, "   %u VSIs, %u queue pairs, %u vectors, max MTU %u, RSS key %" PRIu32 " bytes, LUT %" PRIu32
	     " entries", r->num_vsis, r->num_queue_pairs, r->max_vectors, r->max_mtu, r->rss_key_size,
	     r->rss_lut_size);
	if (r->num_vsis == 0 || a->wait.len < VIRTCHNL_VF_RESOURCE_HDR_LEN + r->num_vsis * sizeof *vsi)
		return fail("the GET_VF_RESOURCES reply lists %u VSIs in %u bytes: at least one is needed, %zu bytes "
			    "each after %d; check the host's i40e/ice", r->num_vsis, a->wait.len, sizeof *vsi,
			    VIRTCHNL_VF_RESOURCE_HDR_LEN);
	for (unsigned i = r->num_vsis; i-- > 0;)
		sriov = vsi[i].vsi_type == VIRTCHNL_VSI_SRIOV ? &vsi[i] : sriov; /* the first one */
	if (!sriov)
		return fail("none of the PF's %u VSIs is an SR-IOV VSI (type %d; the first has type %u): check the "
			    "host's i40e/ice", r->num_vsis, VIRTCHNL_VSI_SRIOV, vsi[0].vsi_type);
	if (!(r->vf_cap_flags & VIRTCHNL_VF_OFFLOAD_L2))
		return fail("the PF did not grant OFFLOAD_L2 (caps %#" PRIx32 "): check the host's i40e/ice", r->vf_cap_flags);
	if (r->num_queue_pairs < AVF_QUEUE_PAIRS || sriov->num_queue_pairs < AVF_QUEUE_PAIRS)
		return fail("the PF granted no queue pair (VF %u, VSI %u): the host has none left for this VF; "
			    "create fewer VFs (sriov_numvfs)", r->num_queue_pairs, sriov->num_queue_pairs);
	if (r->max_vectors < VECTORS_USED)
		return fail("the PF granted %u MSI-X vectors, the MSI-X build needs %u: use avf-poll", r->max_vectors,
			    VECTORS_USED);
	a->caps = r->vf_cap_flags;
	a->vsi_id = sriov->vsi_id;
	a->num_queue_pairs = sriov->num_queue_pairs;
	a->max_vectors = r->max_vectors;
	a->max_mtu = r->max_mtu;
	a->rss_lut_size = r->rss_lut_size;
	a->queue_vector = AVF_QUEUE_VECTOR;
#ifdef POLL
	if (!(a->caps & VIRTCHNL_VF_OFFLOAD_WB_ON_ITR) || a->max_vectors <= AVF_QUEUE_VECTOR ||
	    a->msix_count <= AVF_QUEUE_VECTOR)
		a->queue_vector = AVF_MISC_VECTOR;
#endif
	memcpy(a->mac, sriov->default_mac_addr, ETH_ALEN);
	vlog(a, "   VSI %u (type %u): %u queue pairs, default MAC %s", a->vsi_id, sriov->vsi_type,
	     sriov->num_queue_pairs, mac_str(a->mac).s);
	return 0;
}

/* i40e_vc_get_vf_resources_msg leaves the MAC zero when the host set none;
 * the VF then picks its own, as iavf does: random, locally administered. */
static int vf_mac(struct avf *a)
{
	static const uint8_t zero[ETH_ALEN];
	if (a->mac[0] & AVF_MAC_MULTICAST)
		return fail("the PF assigned a multicast MAC, %s", mac_str(a->mac).s);
	if (memcmp(a->mac, zero, ETH_ALEN)) {
		a->mac_random = false;
		return 0;
	}
	if (a->mac_random) { /* a VF reset: the MAC avf chose before, for its peers' sake */
		memcpy(a->mac, a->random_mac, ETH_ALEN);
		return 0;
	}
	if (getrandom(a->mac, ETH_ALEN, 0) != ETH_ALEN)
		return fail("getrandom: %s", strerror(errno));
	a->mac[0] = (a->mac[0] & ~AVF_MAC_MULTICAST) | AVF_MAC_LOCAL_ADMIN;
	a->mac_random = true;
	memcpy(a->random_mac, a->mac, ETH_ALEN);
	note("the PF assigned no MAC: using %s (random, locally administered); for a stable one run on the "
	     "host: ip link set <pf> vf <n> mac <mac>", mac_str(a->mac).s);
	return 0;
}

/* The rings of queue pair 0 and the packet buffers (iavf_type.h's descriptors). */
static int queues_alloc(struct avf *a)
{
	if (a->tx_ring) /* after a VF reset: the same memory again */
		return 0;
	a->tx_ring = dma_alloc(a, AVF_TX_RING_LEN * sizeof *a->tx_ring, &a->tx_ring_iova);
	a->rx_ring = dma_alloc(a, AVF_RX_RING_LEN * sizeof *a->rx_ring, &a->rx_ring_iova);
	a->bufs = dma_alloc(a, (size_t)AVF_NUM_BUFS * AVF_RX_BUF_SIZE, &a->bufs_iova);
	return a->tx_ring && a->rx_ring && a->bufs ? 0 : -1;
}

/* i40e_vc_config_queues_msg, one pair.  The legacy length
 * (virtchnl_vc_validate_vf_msg) counts the [1] array's element
 * on top of the n sent: sizeof + n * 64 bytes. */
static int vc_config_vsi_queues(struct avf *a)
{
	struct virtchnl_vsi_queue_config_info *m = vc_msg(a);
	struct virtchnl_queue_pair_info *qp = m->qpair;
	m->vsi_id = a->vsi_id;
	m->num_queue_pairs = AVF_QUEUE_PAIRS;
	qp->txq = (struct virtchnl_txq_info){ .vsi_id = a->vsi_id, .queue_id = AVF_QUEUE_ID,
					      .ring_len = AVF_TX_RING_LEN, .dma_ring_addr = a->tx_ring_iova };
	qp->rxq = (struct virtchnl_rxq_info){
		.vsi_id = a->vsi_id, .queue_id = AVF_QUEUE_ID, .ring_len = AVF_RX_RING_LEN,
		.dma_ring_addr = a->rx_ring_iova, .databuffer_size = AVF_RX_BUF_SIZE,
		.max_pkt_size = AVF_RX_BUF_SIZE, /* a frame always fits one buffer */
		.rxdid = VIRTCHNL_RXDID_1_32B_BASE,
	};
	vlog(a, "   VSI %u, queue pair %u: TX ring %u at %#" PRIx64 ", RX ring %u at %#" PRIx64 ", %u-byte buffers, "
	     "frames up to %u bytes, RXDID %u", a->vsi_id, AVF_QUEUE_ID, AVF_TX_RING_LEN, a->tx_ring_iova,
	     AVF_RX_RING_LEN, a->rx_ring_iova, AVF_RX_BUF_SIZE, AVF_RX_BUF_SIZE, VIRTCHNL_RXDID_1_32B_BASE);
	return vc_call(a, VIRTCHNL_OP_CONFIG_VSI_QUEUES, sizeof *m + m->num_queue_pairs * sizeof *qp, 0, 0);
}

/* i40e_vc_config_irq_map_msg.  The queue pair on a->queue_vector; vector 0
 * (admin queue) goes last without queues, as iavf sends it, unless the queues
 * ride it (a polling build without WB_ON_ITR).  Legacy length as
 * above: 14 + 12 * n bytes. */
static int vc_config_irq_map(struct avf *a)
{
	struct virtchnl_irq_map_info *m = vc_msg(a);
	struct virtchnl_vector_map *v = m->vecmap;
	*v = (struct virtchnl_vector_map){
		.vsi_id = a->vsi_id, .vector_id = a->queue_vector, .rxq_map = 1u << AVF_QUEUE_ID,
		.txq_map = 1u << AVF_QUEUE_ID, .rxitr_idx = AVF_RX_ITR, .txitr_idx = AVF_TX_ITR,
	};
	v++;
	if (a->queue_vector != AVF_MISC_VECTOR) {
		*v = (struct virtchnl_vector_map){ .vsi_id = a->vsi_id, .vector_id = AVF_MISC_VECTOR };
		v++;
	}
	m->num_vectors = (uint16_t)(v - m->vecmap);
	vlog(a, "   VSI %u: queue pair %u on vector %u (RX ITR %u, TX ITR %u)%s", a->vsi_id, AVF_QUEUE_ID,
	     a->queue_vector, AVF_RX_ITR, AVF_TX_ITR, m->num_vectors > 1 ? ", vector 0 without queues" : "");
	return vc_call(a, VIRTCHNL_OP_CONFIG_IRQ_MAP, sizeof *m + m->num_vectors * sizeof *v, 0, 0);
}

/* vfio-pci asks the program holding a device to let go, through the
 * device-request eventfd (VFIO_PCI_REQ_IRQ_INDEX; drivers/vfio/pci,
 * vfio_pci_core_request), when the host removes it: sriov_numvfs set to 0,
 * the PF driver unloaded.  Without one avf would learn of it only when the
 * device vanished under it. */
static void device_request_setup(struct avf *a)
{
	union {
		struct vfio_irq_set set;
		uint8_t bytes[sizeof(struct vfio_irq_set) + sizeof(int)];
	} irq = { .set = { .argsz = sizeof irq, .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			   .index = VFIO_PCI_REQ_IRQ_INDEX, .start = 0, .count = 1 } };
	a->req_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->req_efd < 0) {
		note("eventfd for vfio-pci's device request: %s; avf will not hear of the VF's removal", strerror(errno));
		return;
	}
	memcpy(irq.set.data, &a->req_efd, sizeof a->req_efd);
	if (ioctl(a->device, VFIO_DEVICE_SET_IRQS, &irq) < 0)
		note("VFIO_DEVICE_SET_IRQS (device request): %s; avf will not hear of the VF's removal", strerror(errno));
}

/* True once vfio-pci has asked for the device back: the run ends at once,
 * without the PF, which is removing the VF. */
static bool device_requested(struct avf *a)
{
	uint64_t count;
	if (a->req_efd < 0 || read(a->req_efd, &count, sizeof count) != (ssize_t)sizeof count)
		return false;
	note("vfio-pci asks for %s back: the host is removing the VF (sriov_numvfs, or its PF driver unloading); "
	     "releasing it now", a->bdf);
	vf_gone(a, AVF_STOP_PF);
	return true;
}

/* vfio.rst, VFIO_DEVICE_SET_IRQS: an eventfd per vector, all given in ONE
 * SET_IRQS (ixy filled in only the first), and the device request's.  The
 * MSI-X build sleeps on them (an epoll set).  The polling build enables MSI-X
 * too, because an interrupt is what makes the device write back a partial
 * cache line of descriptors (ice_set_wb_on_itr): see irq_enable. */
static int irq_setup(struct avf *a)
{
	if (a->irqs_set) /* after a VF reset: VFIO kept them */
		return 0;
	union {
		struct vfio_irq_set set;
		uint8_t bytes[sizeof(struct vfio_irq_set) + sizeof a->efd];
	} irq = { .set = { .argsz = sizeof irq, .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			   .index = VFIO_PCI_MSIX_IRQ_INDEX, .start = 0, .count = AVF_MSIX_VECTORS } };
	if (a->msix_count < AVF_MSIX_VECTORS)
		irq.set.count = 1;
	for (unsigned v = 0; v < irq.set.count; v++) {
		a->efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (a->efd[v] < 0)
			return fail("eventfd for MSI-X vector %u: %s", v, strerror(errno));
	}
	memcpy(irq.set.data, a->efd, sizeof a->efd);
	if (ioctl(a->device, VFIO_DEVICE_SET_IRQS, &irq) < 0)
		return fail("VFIO_DEVICE_SET_IRQS (MSI-X, %u vectors): %s", irq.set.count, strerror(errno));
	a->irqs_set = true;
	device_request_setup(a);
#ifndef POLL
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0)
		return fail("epoll_create1: %s", strerror(errno));
	for (unsigned v = 0; v <= AVF_REQ_EVENT; v++) {
		int fd = v < AVF_REQ_EVENT ? a->efd[v] : a->req_efd;
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = v };
		if (fd >= 0 && epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			return fail("epoll_ctl for MSI-X vector %u: %s", v, strerror(errno));
	}
#endif
	return 0;
}

/* The registers, at bring-up and again after every VF reset (the eventfds
 * survive it: VFIO keeps the MSI-X setup).  ICR0_ENA1 lets the admin queue
 * raise vector 0; avf sets it as iavf_misc_irq_enable does and never clears
 * it.  MSI-X: both vectors armed.  POLL: WB_ON_ITR on the queue's vector,
 * or vector 0 armed with an ITR for the queues that ride it. */
static int irq_enable(struct avf *a)
{
	wr32(a, VFINT_ICR0_ENA1, VFINT_ICR0_ENA1_ADMINQ);
#ifdef POLL
	if (a->queue_vector == AVF_MISC_VECTOR)
		wr32(a, VFINT_DYN_CTL01, VFINT_DYN_CTL_INTENA | AVF_RX_ITR << VFINT_DYN_CTL_ITR_INDX_SHIFT |
		     (AVF_POLL_ITR_US / VFINT_ITR_USEC_PER_UNIT) << VFINT_DYN_CTL_INTERVAL_SHIFT);
	else
		wr32(a, VFINT_DYN_CTLN1(a->queue_vector - 1), VFINT_DYN_CTL_WB_ON_ITR |
		     AVF_RX_ITR << VFINT_DYN_CTL_ITR_INDX_SHIFT | AVF_WB_ON_ITR_INTERVAL << VFINT_DYN_CTL_INTERVAL_SHIFT);
#else
	wr32(a, VFINT_DYN_CTL01, IRQ_ARM);
	wr32(a, VFINT_DYN_CTLN1(AVF_QUEUE_VECTOR - 1), IRQ_ARM);
#endif
	return 0;
}

/* RSS is on before avf says a word: ice spreads IP flows over every granted
 * queue pair from the start (ice_vsi_cfg_rss_lut_key), and an i40e VF keeps
 * the LUT its last user left, the host's iavf: entry i = i % pairs.  Frames
 * hashed to a queue avf never enabled are dropped, so every entry points at
 * queue 0: CONFIG_RSS_LUT with RSS_PF, as DPDK's iavf_init_rss does for one
 * queue; the VFQF_HLUT registers with RSS_REG (i40e_config_rss_reg).  The
 * legacy length counts lut[1]: sizeof + entries - 1 bytes. */
static int vc_config_rss_lut(struct avf *a)
{
	struct virtchnl_rss_lut *m = vc_msg(a);
	if (a->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) {
		if (a->rss_lut_size == 0 || a->rss_lut_size > AVF_AQ_BUF_SIZE - sizeof *m + 1)
			return fail("the PF grants RSS_PF with an RSS LUT of %" PRIu32 " entries: a LUT message holds 1 to "
				    "%zu; check the host's i40e/ice", a->rss_lut_size, AVF_AQ_BUF_SIZE - sizeof *m + 1);
		m->vsi_id = a->vsi_id;
		m->lut_entries = (uint16_t)a->rss_lut_size;
		memset(m->lut, AVF_QUEUE_ID, a->rss_lut_size);
		vlog(a, "   VSI %u: %u LUT entries, each queue %u", m->vsi_id, m->lut_entries, AVF_QUEUE_ID);
		if (vc_call(a, VIRTCHNL_OP_CONFIG_RSS_LUT, sizeof *m + m->lut_entries - 1, 0, 0) < 0)
			return degrade(a, "the PF's RSS still spreads flows over its queue pairs: only queue 0's reach avf");
		a->rss_done = "every LUT entry -> queue 0 (CONFIG_RSS_LUT)";
	} else if (a->caps & VIRTCHNL_VF_OFFLOAD_RSS_REG) {
		for (unsigned i = 0; i < AVF_RSS_LUT_REGS; i++)
			wr32(a, VFQF_HLUT(i), AVF_RSS_LUT_REG_QUEUE_0);
		a->rss_done = "every LUT entry -> queue 0 (VFQF_HLUT registers)";
	} else {
		a->rss_done = "not granted: if the PF spreads flows, only queue 0's reach avf";
	}
	vlog(a, "   RSS: %s", a->rss_done);
	return 0;
}

/* i40e strips received VLAN tags by default (i40e_add_vsi, SR-IOV VSI) and
 * puts them in the descriptor; avf shows frames as they were on the wire, so
 * it turns that off (needs OFFLOAD_VLAN, as DPDK and VPP do).  Where it
 * cannot, rx_burst puts the tag back from the descriptor. */
static int vc_disable_vlan_stripping(struct avf *a)
{
	a->vlan_stripped = true;
	if (!(a->caps & VIRTCHNL_VF_OFFLOAD_VLAN))
		return 0;
	if (vc_call(a, VIRTCHNL_OP_DISABLE_VLAN_STRIPPING, 0, 0, 0) < 0)
		return degrade(a, "the PF strips VLAN tags: avf puts them back from the RX descriptor");
	a->vlan_stripped = false;
	return 0;
}

/* i40e_vc_add_mac_addr_msg.  Needed only for a MAC avf chose itself: for the
 * MAC the host assigned, the PF installed the filter already. */
static int vc_add_eth_addr(struct avf *a)
{
	struct virtchnl_ether_addr_list *m = vc_msg(a);
	m->vsi_id = a->vsi_id;
	m->num_elements = 1;
	memcpy(m->list[0].addr, a->mac, ETH_ALEN);
	m->list[0].type = VIRTCHNL_ETHER_ADDR_PRIMARY;
	vlog(a, "   VSI %u: %s, PRIMARY", a->vsi_id, mac_str(a->mac).s);
	if (vc_call(a, VIRTCHNL_OP_ADD_ETH_ADDR, sizeof *m + m->num_elements * sizeof m->list[0], 0, 0) == 0)
		return 0;
	if (a->mac_random)
		return a->wait.done ? fail("the host does not let this VF use %s: set its MAC (ip link set <pf> vf <n> "
					   "mac <mac>) or trust it (ip link set <pf> vf <n> trust on)", mac_str(a->mac).s) : -1;
	return degrade(a, "the host assigned this MAC, so the PF filters for it already");
}

#ifndef ECHO
/* i40e_vc_config_promiscuous_mode_msg: dump mode wants every frame.  An
 * untrusted VF's request is answered SUCCESS and ignored, on purpose: the
 * reply cannot tell. */
static int vc_config_promiscuous_mode(struct avf *a)
{
	struct virtchnl_promisc_info *m = vc_msg(a);
	*m = (struct virtchnl_promisc_info){ a->vsi_id, FLAG_VF_UNICAST_PROMISC | FLAG_VF_MULTICAST_PROMISC };
	vlog(a, "   VSI %u: unicast and multicast promiscuous", a->vsi_id);
	if (vc_call(a, VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, sizeof *m, 0, 0) < 0)
		return degrade(a, "no promiscuous mode: only frames for this MAC, broadcast and multicast arrive");
	note("promiscuous mode requested: it takes effect only if the VF is trusted (on the host: ip link "
	     "set <pf> vf <n> trust on); the PF answers SUCCESS either way");
	return 0;
}
#endif

static inline uint64_t buf_iova(const struct avf *a, uint16_t b) { return a->bufs_iova + b * AVF_RX_BUF_SIZE; }
static inline uint8_t *buf_addr(const struct avf *a, uint16_t b) { return a->bufs + (size_t)b * AVF_RX_BUF_SIZE; }

/* A bad RX descriptor: counted, the first one also said. */
static void rx_drop(struct avf *a, uint16_t slot, uint64_t qw1, uint64_t *counter, const char *why)
{
	(*counter)++;
	if (!a->rx_warned)
		note("RX descriptor %u dropped, %s: status_error_len %#" PRIx64 " (length %" PRIu32 "); further bad "
		     "descriptors are only counted", slot, why, qw1,
		     (uint32_t)((qw1 & AVF_RXD_QW1_LENGTH_PBUF_MASK) >> AVF_RXD_QW1_LENGTH_PBUF_SHIFT));
	a->rx_warned = true;
}

/* iavf_alloc_rx_buffers: hand the device the slots up to (not including)
 * tail, rounded down to a multiple of 8: E810 ignores QRX_TAIL's low bits
 * (ice_release_rx_desc), so a slot past the last multiple would stay ours
 * anyway.  Each is written in the read format just before: pkt_addr, and
 * hdr_addr = 0, since DD lands in that qword and must start clear.  rx_burst
 * cleared DD when it took a slot back, so a DD here was written while avf
 * owned the slot. */
static void rx_post(struct avf *a, uint16_t tail)
{
	tail -= tail % AVF_RX_TAIL_MULTIPLE;
	if (tail == a->rx_tail)
		return;
	for (uint16_t s = a->rx_tail; s != tail; s = RX_NEXT(s)) {
		if (a->rx_ring[s].qword[1] & AVF_RXD_QW1_STATUS_DD)
			rx_drop(a, s, a->rx_ring[s].qword[1], &a->cnt.rx_stray_dd, "DD on a slot avf had not posted");
		a->rx_ring[s].qword[0] = buf_iova(a, a->rx_buf[s]);
		a->rx_ring[s].qword[1] = 0;
	}
	atomic_thread_fence(memory_order_release); /* descriptors before the doorbell */
	wr32(a, QRX_TAIL1(AVF_QUEUE_ID), tail);
	a->rx_tail = tail;
}

/* A buffer for every RX slot, all but the last slot handed to the device
 * (one-slot gap); the buffers beyond the ring start in the free pool. */
static int rx_fill(struct avf *a)
{
	/* After a VF reset: the rings start over, every buffer back in its pool;
	 * the echoes still on the TX ring were lost with it. */
	a->cnt.tx_lost_reset += (a->tx_next - a->tx_clean) & (AVF_TX_RING_LEN - 1);
	memset((void *)a->rx_ring, 0, AVF_RX_RING_LEN * sizeof *a->rx_ring);
	memset((void *)a->tx_ring, 0, AVF_TX_RING_LEN * sizeof *a->tx_ring);
	a->rx_next = 0;
	a->rx_tail = 0;
	a->rx_drop_to_eof = false;
	a->tx_next = 0;
	a->tx_clean = 0;
	a->nfree = 0;
	for (uint16_t b = 0; b < AVF_NUM_BUFS; b++)
		if (b < AVF_RX_RING_LEN)
			a->rx_buf[b] = b;
		else
			a->free_buf[a->nfree++] = b;
	rx_post(a, AVF_RX_RING_LEN - 1);
	return 0;
}

/* i40e_vc_enable_queues_msg, i40e_vc_get_stats_msg: ENABLE_QUEUES,
 * DISABLE_QUEUES and GET_STATS select queue 0. */
static int vc_queue_select(struct avf *a, uint32_t op, uint16_t reply_len)
{
	struct virtchnl_queue_select *m = vc_msg(a);
	*m = (struct virtchnl_queue_select){ .vsi_id = a->vsi_id, .rx_queues = 1u << AVF_QUEUE_ID,
					     .tx_queues = 1u << AVF_QUEUE_ID };
	vlog(a, "   VSI %u, rx_queues %#" PRIx32 ", tx_queues %#" PRIx32, m->vsi_id, m->rx_queues, m->tx_queues);
	return vc_call(a, op, sizeof *m, reply_len, reply_len);
}

static int vc_enable_queues(struct avf *a)
{
	a->queues_enabled = true; /* even if the reply is lost: teardown disables them */
	return vc_queue_select(a, VIRTCHNL_OP_ENABLE_QUEUES, 0);
}

static bool link_done(struct avf *a) { arq_service(a); return a->link_up || a->vf_lost || a->stop != AVF_RUNNING; }

/* i40e and ice send LINK_CHANGE after GET_VF_RESOURCES and ENABLE_QUEUES
 * (i40e_vc_notify_vf_link_state).  A link that stays down is reported, not
 * fatal: frames flow once the PF reports it up. */
static int link_wait(struct avf *a)
{
	if (!wait_for(a, link_done, AVF_LINK_WAIT_MS, AVF_USEC_PER_MSEC) && !interrupted(a))
		note("link still down after %u ms: check the PF's link (ip link show <pf>) or force the VF's "
		     "(ip link set <pf> vf <n> state enable); running anyway", AVF_LINK_WAIT_MS);
	return a->stop == AVF_RUNNING ? 0 : -1;
}

/* i40e_vc_get_stats_msg: the PF's counters are cumulative across runs: a
 * baseline, taken before the queues are enabled so that it counts no frame of
 * this run. */
static int stats_baseline(struct avf *a)
{
	if (vc_queue_select(a, VIRTCHNL_OP_GET_STATS, sizeof a->reply.stats) < 0)
		return degrade(a, "the PF's counters will not be shown");
	a->stats_base = a->reply.stats;
	a->have_stats_base = true;
	vlog(a, "   baseline: rx_bytes %" PRIu64 ", rx_unicast %" PRIu64 ", rx_discards %" PRIu64 ", tx_bytes %" PRIu64
	     ", tx_unicast %" PRIu64 ", tx_errors %" PRIu64, a->stats_base.rx_bytes, a->stats_base.rx_unicast,
	     a->stats_base.rx_discards, a->stats_base.tx_bytes, a->stats_base.tx_unicast, a->stats_base.tx_errors);
	return 0;
}

/* How completed descriptors reach memory: the device writes a partial
 * 64-byte line of them back only when the queue's vector fires or its
 * WB_ON_ITR timer expires (ice_set_wb_on_itr; irq_setup). */
static const char *write_back_mode(const struct avf *a)
{
#ifdef POLL
	if (a->queue_vector == AVF_MISC_VECTOR)
		return "queues on vector 0 with INTENA and a 32 us ITR (WB_ON_ITR not granted)";
	return "WB_ON_ITR on vector 1, every 4 us";
#else
	(void)a;
	return "on each interrupt of vector 1";
#endif
}

/* ice prunes VLANs for a VF without VLAN_V2 (ice_vf_rebuild_host_vlan_cfg):
 * tagged frames of VLANs the VF did not join are dropped, unless it is
 * trusted and promiscuous.  avf joins none. */
static const char *vlan_pruning_note(const struct avf *a)
{
	if (a->device_id != AVF_DEV_ID_ADAPTIVE_VF)
		return "";
	return "; an E810's PF (ice) drops tagged frames of other VLANs unless the VF is trusted and promiscuous";
}

static int banner(struct avf *a)
{
	struct cap_str caps = cap_str(a->caps);
	fprintf(stderr, "avf: %s is up, %" PRIu64 " ms after start\n  device     %04x:%04x %s\n"
		"  iommu      group %d, VFIO %s, %u KiB of DMA memory in %s\n  virtchnl   %" PRIu32 ".%" PRIu32 "\n"
		"  caps       %s\n  vsi        %u: %u queue pairs (using 1), %u MSI-X vectors (using %u)\n"
		"  max mtu    %u\n  mac        %s%s\n  link       %s, %" PRIu32 " Mbit/s\n"
		"  mode       " MODE ", " IRQ_MODE "\n",
		a->bdf, (uint64_t)((now_ns(CLOCK_MONOTONIC) - a->exec_ns) / AVF_NSEC_PER_MSEC), AVF_PCI_VENDOR_INTEL,
		a->device_id, avf_device_name(a->device_id), a->group_num,
		a->type1v2 ? "type1v2" : "type1", AVF_DMA_SIZE >> 10, a->hugepage ? "2 MiB hugepages" : "4 KiB pages",
		a->pf_version.major, a->pf_version.minor, caps.s, a->vsi_id, a->num_queue_pairs, a->max_vectors,
		a->queue_vector + 1u, a->max_mtu, mac_str(a->mac).s, a->mac_random ? " (random, locally administered)" : "",
		a->link_up ? "up" : "down", a->link_mbps);
	fprintf(stderr, "  rss        %s\n  vlan       %s%s\n  write-back %s\n", a->rss_done,
		a->vlan_stripped ? "the PF strips tags: avf puts them back from the descriptor"
		: "tags kept on received frames (DISABLE_VLAN_STRIPPING)", vlan_pruning_note(a), write_back_mode(a));
	a->running = true;
	a->start_ns = a->tick_ns = now_ns(CLOCK_MONOTONIC);
	a->start_cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID);
	return 0;
}

/* ---------------------------------------------------------------- bring-up */
/* The steps in order, one function each.  `again`: redone when the PF has
 * reset the VF (vf_recover): from the admin queue on, everything the PF
 * forgot; the steps that allocate DMA memory or set up VFIO's eventfds do
 * so once and keep them (VFIO keeps them across a VF reset). */
#define STEP(f, again) { #f, f, again }
static const struct { const char *name; int (*run)(struct avf *); bool again; } bring_up[] = {
	STEP(pci_identify, false), STEP(vfio_open_group, false), STEP(vfio_open_device, false),
	STEP(pci_enable, false), STEP(bar0_map, false), STEP(dma_init, false), STEP(vf_reset, false),
	STEP(aq_init, true), STEP(vc_version, true), STEP(vc_get_vf_resources, true), STEP(vf_mac, true),
	STEP(queues_alloc, true), STEP(vc_config_vsi_queues, true), STEP(vc_config_irq_map, true),
	STEP(irq_setup, true), STEP(irq_enable, true), STEP(vc_config_rss_lut, true),
	STEP(vc_disable_vlan_stripping, true), STEP(vc_add_eth_addr, true),
#ifndef ECHO
	STEP(vc_config_promiscuous_mode, true),
#endif
	STEP(stats_baseline, true), STEP(rx_fill, true), STEP(vc_enable_queues, true), STEP(link_wait, true),
	STEP(banner, false),
};
#undef STEP

/* All the steps, or after a reset those marked `again`; -1 at the first
 * that fails, or once the PF resets the VF (vf_recover takes over). */
static int run_steps(struct avf *a, bool again)
{
	for (size_t i = 0; i < ARRAY_SIZE(bring_up); i++) {
		if (again && !bring_up[i].again)
			continue;
		if (stopping(a) || a->reset_pending)
			return -1;
		vlog(a, "step %s", bring_up[i].name);
		if (bring_up[i].run(a) < 0)
			return -1;
	}
	return 0;
}

/* What a reset changed, as the PF granted it again. */
struct grant {
	uint8_t mac[ETH_ALEN];
	uint32_t caps;
	uint16_t vsi_id, num_queue_pairs, max_mtu;
};

static struct grant grant_of(const struct avf *a)
{
	struct grant g = { .caps = a->caps, .vsi_id = a->vsi_id, .num_queue_pairs = a->num_queue_pairs,
			   .max_mtu = a->max_mtu };
	memcpy(g.mac, a->mac, ETH_ALEN);
	return g;
}

static void grant_changes(const struct avf *a, const struct grant *before)
{
	if (memcmp(before->mac, a->mac, ETH_ALEN))
		note("  mac        %s -> %s", mac_str(before->mac).s, mac_str(a->mac).s);
	if (before->caps & ~a->caps)
		note("  caps       no longer granted: %s", cap_str(before->caps & ~a->caps).s);
	if (a->caps & ~before->caps)
		note("  caps       newly granted: %s", cap_str(a->caps & ~before->caps).s);
	if (before->max_mtu != a->max_mtu)
		note("  max mtu    %u -> %u", before->max_mtu, a->max_mtu);
	if (before->num_queue_pairs != a->num_queue_pairs)
		note("  vsi        %u queue pairs -> %u", before->num_queue_pairs, a->num_queue_pairs);
	if (before->vsi_id != a->vsi_id)
		note("  vsi        id %u -> %u", before->vsi_id, a->vsi_id);
	note("  link       %s, %" PRIu32 " Mbit/s", a->link_up ? "up" : "down", a->link_mbps);
}

/* A reset that comes soon after the last one is part of a loop. */
static bool reset_loop(struct avf *a)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	bool soon = a->last_reset_ns && now - a->last_reset_ns < AVF_RESET_LOOP_MS * AVF_NSEC_PER_MSEC;
	a->last_reset_ns = now;
	a->resets_in_a_row = soon ? a->resets_in_a_row + 1 : 1;
	return a->resets_in_a_row > AVF_RESETS_IN_A_ROW_MAX;
}

/* The PF reset the VF under a running avf (RESET_IMPENDING, or the admin
 * queue found disabled): wait until it is active again, then redo bring-up
 * from the admin queue on, as iavf_reset_task does: same DMA memory, the
 * buffers back in their pools, the driver's counters going on.  A reset
 * during the recovery starts it over; one that never completes, or resets
 * in a tight loop, end the run.  0 when the VF is up again. */
static int vf_recover(struct avf *a)
{
	unsigned timeout_ms = AVF_RESET_WAIT_COUNT * AVF_RESET_WAIT_MS;
	struct grant before = grant_of(a);
	while (a->reset_pending && !stopping(a)) {
		if (reset_loop(a)) {
			note("the PF reset the VF %u times, each within %u ms of the last: stopping; the host's dmesg "
			     "says why", a->resets_in_a_row, AVF_RESET_LOOP_MS);
			stop_with(a, AVF_STOP_PF);
			return -1;
		}
		a->reset_pending = false;
		a->queues_enabled = false; /* the reset disabled them */
		a->aq_up = false;
		a->link_up = false;
		/* As iavf_reset_task: the admin queue goes down first (at once
		 * after RESET_IMPENDING on i40e), then RSTAT reads VFACTIVE. */
		wait_for(a, reset_seen, AVF_RESET_DETECT_MS, AVF_USEC_PER_MSEC);
		if (!wait_for(a, reset_done, timeout_ms, AVF_RESET_WAIT_MS * AVF_USEC_PER_MSEC)) {
			if (!interrupted(a))
				note("the VF reset did not complete in %u ms (VFGEN_RSTAT %s): stopping; check the host's "
				     "dmesg for i40e/ice messages about this VF", timeout_ms, rstat_name(rd32(a, VFGEN_RSTAT)));
			stop_with(a, stop_signal ? AVF_STOP_SIGNAL : AVF_STOP_PF);
			return -1;
		}
		a->vf_lost = false;
		if (run_steps(a, true) == 0)
			break;
		/* A step that failed because another reset took the admin
		 * queue down (one the PF did not announce) starts over too. */
		vf_reset_seen(a);
		if (!a->reset_pending) {
			stop_with(a, stop_signal ? AVF_STOP_SIGNAL : AVF_STOP_ERROR);
			return -1;
		}
		note("the PF reset the VF again during the recovery: starting over");
	}
	if (stopping(a))
		return -1;
	a->resets++;
	note("the VF is up again after %u reset%s; what the PF changed:", a->resets, a->resets == 1 ? "" : "s");
	grant_changes(a, &before);
	return 0;
}

/* ---------------------------------------------------------------- data path */
/* The frame as it was on the wire when the device stripped its VLAN tag
 * (L2TAG1P): the tag goes back after the two MACs, in a copy, since the
 * buffer has no room in front.  Only where stripping could not be disabled. */
static const uint8_t *vlan_restore(struct avf *a, const uint8_t *f, uint32_t *len, uint16_t tag)
{
	const uint16_t tpid = htons(ETH_P_8021Q), tci = htons(tag);
	memcpy(a->vlan_frame, f, 2 * ETH_ALEN);
	memcpy(a->vlan_frame + 2 * ETH_ALEN, &tpid, sizeof tpid);
	memcpy(a->vlan_frame + 2 * ETH_ALEN + sizeof tpid, &tci, sizeof tci);
	memcpy(a->vlan_frame + 2 * ETH_ALEN + AVF_VLAN_HLEN, f + 2 * ETH_ALEN, *len - 2 * ETH_ALEN);
	*len += AVF_VLAN_HLEN;
	return a->vlan_frame;
}

/* The frame as it arrived, to the -w capture (one timestamp per burst). */
static void pcap_write(struct avf *a, const uint8_t *frame, uint32_t len, struct timespec *ts)
{
	if (!ts->tv_sec)
		clock_gettime(CLOCK_REALTIME, ts);
	const struct avf_pcap_record_header h = {
		.ts_sec = (uint32_t)ts->tv_sec, .ts_usec = (uint32_t)((uint64_t)ts->tv_nsec / AVF_NSEC_PER_USEC),
		.incl_len = len, .orig_len = len,
	};
	if (fwrite(&h, sizeof h, 1, a->pcap) != 1 || fwrite(frame, len, 1, a->pcap) != 1)
		pcap_failed(a);
}

#ifndef ECHO
/* The IP protocol by name, or its number. */
static const char *ip_proto_name(unsigned proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_ICMP: return "ICMP";
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_ICMPV6: return "ICMPv6";
	default:
		snprintf(buf, len, "proto %u", proto);
		return buf;
	}
}

/* The header line's end: IPv4, IPv6 and ARP summarised.  The headers are
 * copied out: behind the 14-byte Ethernet header they are misaligned. */
static void print_l3(const uint8_t *p, uint32_t len, uint16_t type)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], what[sizeof "proto 255"];
	union { struct iphdr ip; struct ip6_hdr ip6; struct ether_arp arp; } h;
	bool v4 = type == ETH_P_IP && len >= sizeof h.ip, v6 = type == ETH_P_IPV6 && len >= sizeof h.ip6;
	uint8_t proto;
	memcpy(&h, p, len < sizeof h ? len : sizeof h);
	if (type == ETH_P_ARP && len >= sizeof h.arp) {
		inet_ntop(AF_INET, h.arp.arp_spa, src, sizeof src);
		inet_ntop(AF_INET, h.arp.arp_tpa, dst, sizeof dst);
		const char *op = "op";
		if (ntohs(h.arp.arp_op) == ARPOP_REQUEST)
			op = "request";
		if (ntohs(h.arp.arp_op) == ARPOP_REPLY)
			op = "reply";
		printf(", ARP %s %s > %s", op, src, dst);
	}
	if (!v4 && !v6)
		return;
	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (void *)&h.ip.saddr : &h.ip6.ip6_src, src, sizeof src);
	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (void *)&h.ip.daddr : &h.ip6.ip6_dst, dst, sizeof dst);
	proto = v4 ? h.ip.protocol : h.ip6.ip6_nxt;
	printf(", %s %s > %s %s", v4 ? "IPv4" : "IPv6", src, dst, ip_proto_name(proto, what, sizeof what));
}

/* A header line, then the bytes in `hexdump -C` layout: offset, 16 bytes in
 * two groups of 8, |ascii|, then the length as the last offset.  Repeated
 * lines are printed, not squeezed into '*' (as with hexdump -Cv). */
static void dump_frame(const struct avf *a, const uint8_t *f, uint32_t len)
{
	const struct ethhdr *eh = (const struct ethhdr *)f;
	char ascii[AVF_HEXDUMP_LINE];
	printf("#%" PRIu64 " len %" PRIu32 ": %s > %s, ethertype 0x%04x", a->cnt.rx_frames, len,
	       mac_str(eh->h_source).s, mac_str(eh->h_dest).s, ntohs(eh->h_proto));
	print_l3(f + ETH_HLEN, len - ETH_HLEN, ntohs(eh->h_proto));
	putchar('\n');
	for (uint32_t off = 0; off < len; off += AVF_HEXDUMP_LINE) {
		uint32_t n = len - off < AVF_HEXDUMP_LINE ? len - off : AVF_HEXDUMP_LINE;
		printf("%08" PRIx32 " ", off);
		for (uint32_t i = 0; i < AVF_HEXDUMP_LINE; i++) {
			if (i % AVF_HEXDUMP_GROUP == 0)
				putchar(' ');
			if (i < n)
				printf("%02x ", f[off + i]);
			else
				fputs("   ", stdout);
			ascii[i] = '.';
			if (i < n && f[off + i] >= ' ' && f[off + i] <= '~')
				ascii[i] = (char)f[off + i];
		}
		printf(" |%.*s|\n", (int)n, ascii);
	}
	printf("%08" PRIx32 "\n", len);
}
#else
/* Echo, zero-copy: the frame goes back to its sender in its own buffer, from
 * the VF's own MAC (the PF drops spoofed sources).  RS is left to tx_flush.  A
 * tag the device stripped goes back on as it leaves (IL2TAG1, iavf_tx_desc).
 * False when the TX ring is full: the frame is dropped. */
static bool echo_frame(struct avf *a, uint16_t buf, uint32_t len, bool tagged, uint16_t tag)
{
	uint16_t slot = a->tx_next;
	uint64_t cmd = AVF_TX_DESC_CMD_EOP | AVF_TX_DESC_CMD_ICRC;
	struct ethhdr *eh = (struct ethhdr *)buf_addr(a, buf);
	if (TX_NEXT(slot) == a->tx_clean) {
		a->cnt.tx_ring_full++;
		return false;
	}
	if ((a->tx_ring[slot].cmd_type_offset_bsz & AVF_TXD_QW1_DTYPE_MASK) == AVF_TX_DESC_DTYPE_DESC_DONE)
		a->cnt.tx_stray_done++; /* tx_reclaim cleared the ones avf awaited */
	memcpy(eh->h_dest, eh->h_source, ETH_ALEN);
	memcpy(eh->h_source, a->mac, ETH_ALEN);
	if (len < AVF_MIN_TX_LEN) { /* iavf_txrx.c: shorter frames must be padded */
		memset((uint8_t *)eh + len, 0, AVF_MIN_TX_LEN - len);
		len = AVF_MIN_TX_LEN;
	}
	a->tx_ring[slot].buffer_addr = buf_iova(a, buf);
	if (tagged)
		cmd |= AVF_TX_DESC_CMD_IL2TAG1;
	a->tx_ring[slot].cmd_type_offset_bsz = AVF_TX_DESC_DTYPE_DATA | cmd << AVF_TXD_QW1_CMD_SHIFT |
		(uint64_t)len << AVF_TXD_QW1_TX_BUF_SZ_SHIFT | (uint64_t)tag << AVF_TXD_QW1_L2TAG1_SHIFT;
	a->tx_buf[slot] = buf;
	a->tx_len[slot] = (uint16_t)len;
	a->tx_next = TX_NEXT(slot);
	a->cnt.tx_queued++;
	return true;
}

/* iavf_tx_map: a burst's descriptors are one batch, and RS on its last one
 * has the device report the batch done: one write-back per at most AVF_BURST
 * descriptors, and no frame waits for a later burst.  One tail write. */
static void tx_flush(struct avf *a, uint16_t first)
{
	uint16_t last = (a->tx_next - 1) & (AVF_TX_RING_LEN - 1);
	a->tx_ring[last].cmd_type_offset_bsz |= AVF_TX_DESC_CMD_RS << AVF_TXD_QW1_CMD_SHIFT;
	a->tx_batch_end[first] = last;
	atomic_thread_fence(memory_order_release); /* descriptors before the doorbell */
	wr32(a, QTX_TAIL1(AVF_QUEUE_ID), a->tx_next);
}
#endif

/* iavf_clean_tx_irq: a batch is done when its RS descriptor reads DTYPE
 * DESC_DONE; its buffers go back to the pool, and its frames count as sent.
 * Only the RS slots avf chose are looked at: write-backs anywhere else are
 * ignored. */
static void tx_reclaim(struct avf *a)
{
	while (a->tx_clean != a->tx_next) {
		uint16_t last = a->tx_batch_end[a->tx_clean];
		if ((a->tx_ring[last].cmd_type_offset_bsz & AVF_TXD_QW1_DTYPE_MASK) != AVF_TX_DESC_DTYPE_DESC_DONE)
			return;
		for (uint16_t s = a->tx_clean; s != TX_NEXT(last); s = TX_NEXT(s)) {
			a->free_buf[a->nfree++] = a->tx_buf[s];
			a->cnt.tx_frames++;
			a->cnt.tx_bytes += a->tx_len[s];
		}
		a->tx_ring[last].cmd_type_offset_bsz = 0; /* a DESC_DONE seen later is a stray (echo_frame) */
		a->tx_clean = TX_NEXT(last);
	}
}

/* The 32-byte write-back (iavf_type.h, union iavf_32byte_rx_desc),
 * untrusted: the frame must end in this descriptor (EOF; max_pkt_size is
 * one buffer, so no good frame spans two), carry no MAC error, and have a
 * length within its buffer.  After a descriptor without
 * EOF, everything up to the next EOF belongs to the same bad frame. */
static bool rx_desc_ok(struct avf *a, uint16_t slot, uint64_t qw1, uint32_t len)
{
	const uint64_t errors = (AVF_RX_DESC_ERROR_RXE | AVF_RX_DESC_ERROR_OVERSIZE) << AVF_RXD_QW1_ERROR_SHIFT;
	bool eof = qw1 & AVF_RXD_QW1_STATUS_EOF;
	if (a->rx_drop_to_eof || !eof) {
		a->rx_drop_to_eof = !eof;
		rx_drop(a, slot, qw1, &a->cnt.rx_no_eof, "part of a frame without EOF");
	} else if (qw1 & errors)
		rx_drop(a, slot, qw1, &a->cnt.rx_hw_error, "error bits set");
	else if (len < ETH_HLEN || len > AVF_RX_BUF_SIZE)
		rx_drop(a, slot, qw1, &a->cnt.rx_bad_length, "length not within its buffer");
	else
		return true;
	return false;
}

/* Up to AVF_BURST descriptors, one RX tail write (and in echo one TX tail
 * write) per burst.  Returns how many descriptors were consumed. */
static unsigned rx_burst(struct avf *a)
{
	unsigned n, budget = AVF_BURST;
	struct timespec ts = { 0, 0 };
	uint16_t tx_first = a->tx_next;
	tx_reclaim(a);
	if (a->count && a->count - a->cnt.rx_frames < budget)
		budget = (unsigned)(a->count - a->cnt.rx_frames);
	for (n = 0; n < budget && !stopping(a); n++) {
		uint16_t slot = a->rx_next, buf = a->rx_buf[slot];
		/* A volatile load: the device writes DD behind the compiler's back,
		 * and a plain load lets -O2 hoist it out of the poll loop and spin
		 * on a stale copy forever (vfio-e1000's bug). */
		uint64_t qw1 = a->rx_ring[slot].qword[1];
		if (!(qw1 & AVF_RXD_QW1_STATUS_DD))
			break;
		/* Acquire: the frame is read only after DD was seen, never from
		 * before the device finished writing it. */
		atomic_thread_fence(memory_order_acquire);
		uint32_t len = (uint32_t)((qw1 & AVF_RXD_QW1_LENGTH_PBUF_MASK) >> AVF_RXD_QW1_LENGTH_PBUF_SHIFT);
		a->rx_ring[slot].qword[1] = 0; /* ours now: see rx_post */
		a->rx_next = RX_NEXT(slot);
		if (rx_desc_ok(a, slot, qw1, len)) {
			bool tagged = qw1 & AVF_RXD_QW1_STATUS_L2TAG1P;
			uint16_t tag = 0;
			const uint8_t *wire = buf_addr(a, buf);
			uint32_t wire_len = len;
			if (tagged)
				tag = (uint16_t)((a->rx_ring[slot].qword[0] & AVF_RXD_QW0_L2TAG1_MASK) >> AVF_RXD_QW0_L2TAG1_SHIFT);
			/* echo puts the tag back through the TX descriptor: no copy
			 * unless a capture wants the frame as it was */
			if (tagged && (DUMPS || a->pcap))
				wire = vlan_restore(a, wire, &wire_len, tag);
			a->cnt.rx_frames++;
			a->cnt.rx_bytes += len;
			if (a->pcap)
				pcap_write(a, wire, wire_len, &ts);
#ifdef ECHO
			if (echo_frame(a, buf, len, tagged, tag))
				a->rx_buf[slot] = a->free_buf[--a->nfree]; /* never empty: see AVF_NUM_BUFS */
#else
			dump_frame(a, wire, wire_len);
#endif
		}
	}
	if (n)
		rx_post(a, (a->rx_next - 1) & (AVF_RX_RING_LEN - 1));
#ifdef ECHO
	if (a->tx_next != tx_first)
		tx_flush(a, tx_first);
#else
	(void)tx_first;
	/* A burst's dump reaches a pipe or file now, in one write: stdout's
	 * buffer holds a burst (main), so a failed write is the last one. */
	if (n && fflush(stdout) == EOF)
		dump_failed(a);
#endif
	return n;
}

/* Echoes the device does not complete: the PF stopped the TX queue (i40e
 * does on an MDD, i40e_handle_mdd_event).  The run ends, exit 1. */
static void tx_queue_stopped(struct avf *a, unsigned waited_ms)
{
	note("the device did not send back the last %u frames in %u ms: is the TX queue stopped? check the host's "
	     "dmesg for MDD", (a->tx_next - a->tx_clean) & (AVF_TX_RING_LEN - 1), waited_ms);
	stop_with(a, AVF_STOP_ERROR);
}

/* -c COUNT frames received, and in echo mode every echo written back, for
 * a bounded time: a TX queue the PF stopped (MDD) never completes. */
static bool count_reached(struct avf *a)
{
	if (!a->count || a->cnt.rx_frames < a->count)
		return false; /* the poll loop's every turn: no clock read here */
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	tx_reclaim(a);
	if (a->tx_clean == a->tx_next) {
		stop_with(a, AVF_STOP_COUNT);
		return true;
	}
	a->drain_end_ns = a->drain_end_ns ? a->drain_end_ns : now + AVF_TX_DRAIN_MS * AVF_NSEC_PER_MSEC;
	if (now < a->drain_end_ns)
		return false;
	tx_queue_stopped(a, AVF_TX_DRAIN_MS);
	return true;
}

/* Once a second: a VF reset the PF did not announce (vf_reset_seen); echo
 * prints the rate line, counting preamble, IFG and the FCS the device
 * strips: line rate reads as link speed.  Echoes that waited on the TX queue
 * through a whole tick, none completed: the queue is stopped. */
static void tick(struct avf *a)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC), dt = now - a->tick_ns;
	if (dt < AVF_TICK_MS * AVF_NSEC_PER_MSEC)
		return;
	vf_reset_seen(a);
#ifdef ECHO
	double s = (double)dt / AVF_NSEC_PER_SEC, wire = AVF_WIRE_OVERHEAD + AVF_ETH_FCS_LEN;
	uint64_t rx = a->cnt.rx_frames - a->last.rx_frames, tx = a->cnt.tx_frames - a->last.tx_frames;
	bool tx_stopped = a->last.tx_queued > a->last.tx_frames + a->last.tx_lost_reset && !tx;
	fprintf(stderr, "[%s] RX: %.0f Mbit/s %.2f Mpps | TX: %.0f Mbit/s %.2f Mpps%s\n", a->bdf,
		((double)(a->cnt.rx_bytes - a->last.rx_bytes) + (double)rx * wire) * CHAR_BIT / AVF_BITS_PER_MBIT / s,
		(double)rx / AVF_FRAMES_PER_MFRAME / s,
		((double)(a->cnt.tx_bytes - a->last.tx_bytes) + (double)tx * wire) * CHAR_BIT / AVF_BITS_PER_MBIT / s,
		(double)tx / AVF_FRAMES_PER_MFRAME / s, tx_stopped ? ", TX queue stopped" : "");
	if (tx_stopped)
		tx_queue_stopped(a, (unsigned)(dt / AVF_NSEC_PER_MSEC));
#endif
	a->last = a->cnt;
	a->tick_ns = now;
}

#ifdef POLL
/* Never sleeps.  The admin queue (events) is looked at every
 * AVF_POLL_SERVICE_EVERY loops: one MMIO read of ARQH when nothing came.
 * Where the queues ride vector 0 (no WB_ON_ITR), that is also when vector 0
 * is re-armed: its firing, which writes back a partial descriptor line,
 * masks it again (irq_setup). */
static void run(struct avf *a)
{
	for (unsigned i = 0; !stopping(a) && !count_reached(a); i++) {
		a->cnt.polls++;
		a->cnt.empty_polls += !rx_burst(a);
		if (i % AVF_POLL_SERVICE_EVERY == 0) {
			arq_service(a);
			device_requested(a);
			if (a->queue_vector == AVF_MISC_VECTOR && !a->vf_lost)
				wr32(a, VFINT_DYN_CTL01, IRQ_ARM);
			tick(a);
			if (a->reset_pending)
				vf_recover(a);
		}
	}
}
#else
/* Sleep until a vector fires or a tick passed: the events, or -1 once the run
 * should stop.  The stop signals are blocked from the check to the sleep,
 * which unblocks them atomically, so one that comes in between ends the
 * sleep instead of being seen a tick later.  epoll_pwait does not deliver a
 * signal that came while events were ready: the sigprocmask below does, and
 * the next turn's check sees it. */
static int irq_wait(struct avf *a, struct epoll_event *ev, const sigset_t *stops)
{
	sigset_t open;
	int n = -1;
	sigprocmask(SIG_BLOCK, stops, &open);
	if (!stopping(a) && !count_reached(a)) {
		bool draining = a->count && a->cnt.rx_frames >= a->count; /* echoes still in flight */
		n = epoll_pwait(a->epfd, ev, AVF_REQ_EVENT + 1, draining ? AVF_DRAIN_POLL_MS : AVF_TICK_MS, &open);
		if (n < 0 && errno != EINTR) {
			note("epoll_pwait: %s", strerror(errno));
			stop_with(a, AVF_STOP_ERROR);
		}
		if (n < 0)
			n = 0;
	}
	sigprocmask(SIG_SETMASK, &open, NULL);
	return n;
}

/* Sleeps in epoll until a vector fires; the device masks a vector when it
 * fires, so: service, then re-arm. */
static void run(struct avf *a)
{
	struct epoll_event ev[AVF_REQ_EVENT + 1];
	sigset_t stops;
	uint64_t fired;
	int n;
	sigemptyset(&stops);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&stops, stop_signals[i]);
	while ((n = irq_wait(a, ev, &stops)) >= 0) {
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == AVF_REQ_EVENT) {
				device_requested(a);
				continue;
			}
			if (read(a->efd[ev[i].data.u32], &fired, sizeof fired) < 0 && errno != EAGAIN)
				note("reading the eventfd of vector %" PRIu32 ": %s", ev[i].data.u32, strerror(errno));
			if (ev[i].data.u32 == AVF_MISC_VECTOR) {
				rd32(a, VFINT_ICR01); /* reading clears the causes (iavf_register.h) */
				arq_service(a);
				wr32(a, VFINT_DYN_CTL01, IRQ_ARM);
			}
		}
		/* Every wake-up drains the ring (a lost interrupt costs a tick at
		 * most), in a bounded number of bursts so nothing starves; a burst
		 * cut short by a stop ends it.  Not while the VF is in reset. */
		if (!a->vf_lost) {
			for (unsigned b = 0; b < AVF_RX_RING_LEN / AVF_BURST && rx_burst(a) == AVF_BURST; b++)
				;
			wr32(a, VFINT_DYN_CTLN1(AVF_QUEUE_VECTOR - 1), IRQ_ARM);
		}
		tick(a);
		if (a->reset_pending)
			vf_recover(a);
	}
}
#endif

/* ----------------------------------------------------------------- teardown */
/* The driver's counters, then the PF's since the baseline (GET_STATS), named as
 * `ethtool -S` names them: bytes and packets wrap at 48 bits, discards and
 * errors at 32.  Then the CPU time, which shows whether the build slept. */
static void report(struct avf *a)
{
#define STAT(f, bits) { #f, offsetof(struct virtchnl_eth_stats, f), bits }
	static const struct { const char *name; size_t off; unsigned bits; } pf[] = {
		STAT(rx_bytes, 48), STAT(rx_unicast, 48), STAT(rx_multicast, 48), STAT(rx_broadcast, 48),
		STAT(rx_discards, 32), STAT(rx_unknown_protocol, 32), STAT(tx_bytes, 48), STAT(tx_unicast, 48),
		STAT(tx_multicast, 48), STAT(tx_broadcast, 48), STAT(tx_discards, 32), STAT(tx_errors, 32),
	};
#undef STAT
	const struct avf_counters *c = &a->cnt;
	uint64_t now, base;
	tx_reclaim(a); /* the queues are off: what completed by now was sent */
	fprintf(stderr, "avf: driver counters\n  rx_frames: %" PRIu64 "\n  rx_bytes: %" PRIu64 "\n  rx_dropped_bad_desc: %"
		PRIu64 " (no_eof %" PRIu64 ", hw_error %" PRIu64 ", bad_length %" PRIu64 ", stray_dd %" PRIu64 ")\n"
		"  tx_frames: %" PRIu64 "\n  tx_bytes: %" PRIu64 "\n  tx_queued: %" PRIu64 "\n  tx_dropped_ring_full: %" PRIu64 "\n"
		"  tx_stray_done_ignored: %" PRIu64 "\n  tx_lost_in_vf_reset: %" PRIu64 "\n  vf_resets: %u\n", c->rx_frames,
		c->rx_bytes, c->rx_no_eof + c->rx_hw_error + c->rx_bad_length + c->rx_stray_dd, c->rx_no_eof,
		c->rx_hw_error, c->rx_bad_length, c->rx_stray_dd, c->tx_frames, c->tx_bytes, c->tx_queued, c->tx_ring_full,
		c->tx_stray_done, c->tx_lost_reset, a->resets);
	if (a->have_stats_base && !a->vf_lost &&
	    vc_queue_select(a, VIRTCHNL_OP_GET_STATS, sizeof a->reply.stats) == 0) {
		/* A VF reset gives the VF a new VSI, its counters from zero
		 * (i40e_alloc_vsi_res): they cover the run since the last one. */
		fprintf(stderr, "avf: PF counters of VSI %u since %s\n", a->vsi_id,
			a->resets ? "the last VF reset" : "start");
		for (size_t i = 0; i < ARRAY_SIZE(pf); i++) {
			memcpy(&now, (const uint8_t *)&a->reply.stats + pf[i].off, sizeof now);
			memcpy(&base, (const uint8_t *)&a->stats_base + pf[i].off, sizeof base);
			fprintf(stderr, "  %s: %" PRIu64 "\n", pf[i].name, (now - base) & (((uint64_t)1 << pf[i].bits) - 1));
		}
	}
	double cpu_ns = (double)(now_ns(CLOCK_THREAD_CPUTIME_ID) - a->start_cpu_ns);
	double wall_us = (double)(now_ns(CLOCK_MONOTONIC) - a->start_ns) / AVF_NSEC_PER_USEC;
	struct rusage ru = { .ru_maxrss = 0 };
	getrusage(RUSAGE_SELF, &ru);
	/* Per frame, a handful of frames would mostly measure bring-up's tail. */
	char per_frame[64] = "";
	if (c->rx_frames >= AVF_COST_MIN_FRAMES)
		snprintf(per_frame, sizeof per_frame, ": %.3f Mpps, %.1f ns of cpu per frame", c->rx_frames / wall_us,
			 cpu_ns / (double)c->rx_frames);
	fprintf(stderr, "avf: cpu %.3f ms over %.3f s wall for %" PRIu64 " frames%s; peak RSS %ld KiB\n",
		cpu_ns / AVF_NSEC_PER_MSEC, wall_us / AVF_USEC_PER_SEC, c->rx_frames, per_frame, ru.ru_maxrss);
#ifdef POLL
	/* A poller's CPU time is its wall time: its headroom shows in the polls
	 * that found nothing, its batching in the frames per poll that did. */
	uint64_t full = c->polls - c->empty_polls;
	fprintf(stderr, "avf: %" PRIu64 " polls, %.1f%% found frames, %.1f frames each\n", c->polls,
		c->polls ? AVF_PERCENT * (double)full / (double)c->polls : 0.0,
		full ? (double)c->rx_frames / (double)full : 0.0);
#endif
}

/* Release what bring-up set up, in reverse: queues off, interrupts off (at
 * the device, then in VFIO), VF reset, admin queue registers cleared
 * (iavf_shutdown_adminq), bus mastering off.  Only then is DMA unmapped: the
 * device can no longer touch it. */
static void teardown(struct avf *a)
{
	struct vfio_irq_set irq_off = { .argsz = sizeof irq_off, .index = VFIO_PCI_MSIX_IRQ_INDEX,
					.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof unmap, .iova = AVF_IOVA_BASE, .size = AVF_DMA_SIZE };
	uint16_t cmd = a->command & ~PCI_COMMAND_MASTER;
	int fds[] = { a->efd[0], a->efd[1], a->req_efd, a->epfd, a->device, a->group, a->container };
	a->teardown = true;
	vlog(a, "teardown, in the reverse order of bring-up");
	output_flush(a); /* before the counters: stdout and stderr may be one file */
	if (a->queues_enabled && !a->vf_lost && vc_queue_select(a, VIRTCHNL_OP_DISABLE_QUEUES, 0) == 0)
		a->queues_enabled = false;
	if (a->running)
		report(a);
	if (a->irqs_set) {
		vlog(a, "   interrupts off: the vectors disarmed, then MSI-X disabled in VFIO");
		if (a->queue_vector != AVF_MISC_VECTOR)
			wr32(a, VFINT_DYN_CTLN1(a->queue_vector - 1), 0);
		wr32(a, VFINT_DYN_CTL01, 0); /* not ICR0_ENA1: see irq_setup */
		if (ioctl(a->device, VFIO_DEVICE_SET_IRQS, &irq_off) < 0)
			note("VFIO_DEVICE_SET_IRQS (off): %s", strerror(errno));
	}
	vlog(a, "   VF reset, so the PF frees its queues and filters");
	if (a->atq && vf_reset(a) == 0) { /* not if bring-up never got past the reset */
		vlog(a, "   admin queue registers cleared");
		for (size_t i = 0; i < ARRAY_SIZE(aq_reg); i++)
			wr32(a, aq_reg[i], 0);
	}
	vlog(a, "   bus mastering off, then the DMA memory unmapped: the device can no longer reach it");
	if (a->command_set)
		config_rw16(a, true, PCI_COMMAND, &cmd);
	if (a->dma_mapped && ioctl(a->container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
		note("VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
	if (a->dma)
		munmap(a->dma, AVF_DMA_SIZE);
	if (a->bar0)
		munmap((void *)a->bar0, a->bar0_size);
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (a->pcap && fclose(a->pcap) != 0 && !a->write_failed) {
		note("closing the capture %s failed: %s", a->pcap_path, strerror(errno));
		a->write_failed = true;
	}
}

/* --------------------------------------------------------------------- main */
/* Signal handling, all of it.  The handler records the first stop signal;
 * every wait and the run loop check it each turn (interrupted(), stopping(),
 * rx_burst's every frame).  No SA_RESTART, and the signals stay unblocked
 * (but in irq_wait, from its check to its sleep): a write blocked on a
 * reader that stopped reading returns EINTR (output_failed).  A signal that
 * lands just before such a write cannot interrupt it, so from the first one
 * on SIGALRM comes every AVF_STOP_ALARM_S: no write outlasts that. */
static void on_signal(int sig)
{
	if (sig != SIGALRM && !stop_signal)
		stop_signal = sig;
	alarm(AVF_STOP_ALARM_S);
}

static void signals_init(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
}

/* fds 0-2 open before anything else: a closed one would go to the next open()
 * (the capture, a VFIO fd, BAR0) and the dump or a message into it. */
static void std_fds_open(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(1); /* nowhere to say it */
}

int main(int argc, char **argv)
{
	static struct avf avf = { .container = -1, .group = -1, .device = -1, .epfd = -1, .efd = { -1, -1 },
				  .req_efd = -1 };
	struct avf *a = &avf;
	a->exec_ns = now_ns(CLOCK_MONOTONIC); /* for "up, N ms after start" */
	std_fds_open();
	static char stdout_buf[AVF_STDOUT_BUFFER]; /* see rx_burst */
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
	parse_args(a, argc, argv);
	signals_init();
	if (run_steps(a, false) < 0 && !a->reset_pending)
		stop_with(a, stop_signal ? AVF_STOP_SIGNAL : AVF_STOP_ERROR);
	if (a->reset_pending && vf_recover(a) == 0)
		banner(a);
	if (!stopping(a))
		run(a);
	if (a->stop == AVF_STOP_SIGNAL)
		note("%s%s: stopping", strsignal(stop_signal), a->running ? "" : " during bring-up");
	teardown(a);
	return (a->stop == AVF_STOP_COUNT || a->stop == AVF_STOP_SIGNAL) && !a->write_failed ? 0 : 1;
}
