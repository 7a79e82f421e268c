/* SPDX-License-Identifier: MIT
 *
 * probe-dev.c - checks the simulated VF's device model (device.c, adminq.c,
 * queues.c, wire.c) through the real VFIO path, as a driver would: open the
 * container, group and device, map DMA memory, mmap BAR0, set up eventfds.
 * Prints "ok ..." / "FAIL ..." per check; exits 1 if any failed.
 *
 *   cc -std=c11 -Wall -Wextra -O2 -o tests/sim/probe-dev tests/sim/probe-dev.c
 *   tests/sim/avfsim [options] -- tests/sim/probe-dev CHECK
 *
 * CHECK is one of
 *   reset     RESET_VF: RSTAT 0 -> 1 -> 2, admin queue torn down; DEVICE_RESET
 *   adminq    ATQ write-back and ATQH, ARQ delivery, the one-slot gap,
 *             truncation, ICR01.ADMINQ and the vector-0 eventfd, auto-masking
 *   datapath  one queue pair through virtchnl, then RX of the --rx capture
 *             (frames to --mac or broadcast; 512-byte buffers, so longer frames
 *             span descriptors), TX with RS write-back, the queue vector, MDD.
 *             Run with --mac and --tx; the TX frames land in the --tx capture.
 *   tx-wrap   TSO packets that go round a TX ring of 32 and end in the line
 *             they began in, RS on every data descriptor: write-backs once
 *             the head leaves a line, only a line's worth held back; prints
 *             "expect tx_frames N"
 *   genrate   receive the --gen frames in a tight loop and print the rate
 *   rss       RSS: HENA, LUT and key as the VF finds them (--lut), CONFIG_RSS_KEY,
 *             CONFIG_RSS_LUT and SET_RSS_HENA in the registers, HENA back to
 *             the PF's default after a VF reset while key and LUT stay, then
 *             the frames of the `pcaptool rss` capture over 4 queue pairs (queue
 *             3 not enabled): hash and queue of each against the probe's own
 *             Toeplitz and the published verification values; prints
 *             "expect rx_dropped_queue_off N"
 *   rss-reg   the same with key, LUT and HENA written to the registers (RSS_REG)
 *             and only TCP hashed: other frames go to queue 0 without a hash
 *   spread    the --gen frames over 4 queues with the LUT and key the VF found:
 *             each on the queue its hash names, every queue used; prints
 *             "expect rx_delivered N"
 *   spread-q0 the same with queue 0 alone enabled (what the others lose)
 *   vlan      the `pcaptool vlan` capture in three rounds: tags stripped into
 *             L2TAG1 (the default), kept after DISABLE_VLAN_STRIPPING, only
 *             VLAN 0 and 100 after ADD_VLAN 100; prints "expect rx_filtered N"
 *
 * The probe learns --rx, --mac, --bdf, --device-id, --queue-pairs and --lut
 * from the launcher's AVFSIM_ARGS.
 * Only the headers avf.h, virtchnl.h and <linux/vfio.h> are shared with the
 * project.
 */
#define _GNU_SOURCE
#include "../../avf.h"
#include "../../virtchnl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------- reporting */

static int failures;

__attribute__((format(printf, 2, 3)))
static bool check(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf(cond ? "ok   " : "FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failures += !cond;
	return cond;
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Poll `cond` every 100 us for up to ms milliseconds. */
#define WAIT_FOR(cond, ms)                                                  \
	({                                                                  \
		uint64_t t_end_ = now_ms() + (ms);                          \
		bool ok_;                                                   \
		while (!(ok_ = (cond)) && now_ms() < t_end_)                \
			usleep(100);                                        \
		ok_;                                                        \
	})

/* ------------------------------------------------------------- options */

static struct {
	char bdf[32];
	char rx[4096];
	uint8_t mac[6];
	bool has_mac;
	unsigned device_id, queue_pairs;
	bool lut_zero;
} opt = { .bdf = "0000:3b:02.0", .device_id = AVF_DEV_ID_VF, .queue_pairs = 4 };

/* The launcher hands its options over in AVFSIM_ARGS, one per line. */
static void opts_read(void)
{
	const char *env = getenv("AVFSIM_ARGS");
	char *copy, *save, *prev = NULL;

	if (!env)
		return;
	copy = strdup(env);
	for (char *a = strtok_r(copy, "\n", &save); a; prev = a, a = strtok_r(NULL, "\n", &save)) {
		if (!prev)
			continue;
		if (!strcmp(prev, "--bdf"))
			snprintf(opt.bdf, sizeof(opt.bdf), "%s", a);
		else if (!strcmp(prev, "--rx"))
			snprintf(opt.rx, sizeof(opt.rx), "%s", a);
		else if (!strcmp(prev, "--device-id"))
			opt.device_id = (unsigned)strtoul(a, NULL, 16);
		else if (!strcmp(prev, "--queue-pairs"))
			opt.queue_pairs = (unsigned)strtoul(a, NULL, 10);
		else if (!strcmp(prev, "--lut"))
			opt.lut_zero = !strcmp(a, "zero");
		else if (!strcmp(prev, "--mac"))
			opt.has_mac = sscanf(a, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &opt.mac[0], &opt.mac[1],
					     &opt.mac[2], &opt.mac[3], &opt.mac[4], &opt.mac[5]) == 6;
	}
	free(copy);
}

/* ------------------------------------------------------------- VFIO */

#define DMA_SIZE (8u << 20)
#define MAX_VECTORS 17

static struct {
	int container, group, device;
	uint64_t cfg_off;
	volatile uint32_t *bar0;
	uint8_t *mem;               /* DMA memory, IOVA == address */
	unsigned nvec;
	int efd[MAX_VECTORS];
} vf;

static uint64_t iova(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void wr32(uint32_t off, uint32_t v)
{
	__atomic_store_n(&vf.bar0[off / 4], v, __ATOMIC_RELEASE);
}

static uint32_t rd32(uint32_t off)
{
	return __atomic_load_n(&vf.bar0[off / 4], __ATOMIC_ACQUIRE);
}

static void vfio_open(void)
{
	char path[256], link[256];
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_MSIX_IRQ_INDEX };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	ssize_t n;
	uint16_t cmd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", opt.bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("readlink %s: %s", path, strerror(errno));
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	vf.container = open("/dev/vfio/vfio", O_RDWR);
	vf.group = open(path, O_RDWR);
	if (vf.container < 0 || vf.group < 0)
		die("open /dev/vfio/vfio or %s: %s", path, strerror(errno));
	if (ioctl(vf.container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(vf.group, VFIO_GROUP_GET_STATUS, &gs) || !(gs.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    ioctl(vf.group, VFIO_GROUP_SET_CONTAINER, &vf.container) ||
	    ioctl(vf.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO container/group setup: %s", strerror(errno));
	vf.device = ioctl(vf.group, VFIO_GROUP_GET_DEVICE_FD, opt.bdf);
	if (vf.device < 0)
		die("GET_DEVICE_FD %s: %s", opt.bdf, strerror(errno));

	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(vf.device, VFIO_DEVICE_GET_REGION_INFO, &ri) || !(ri.flags & VFIO_REGION_INFO_FLAG_MMAP))
		die("BAR0 region info");
	vf.bar0 = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, vf.device, (off_t)ri.offset);
	if (vf.bar0 == MAP_FAILED)
		die("mmap BAR0: %s", strerror(errno));
	ri = (struct vfio_region_info){ .argsz = sizeof(ri), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	if (ioctl(vf.device, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("config region info");
	vf.cfg_off = ri.offset;
	if (pread(vf.device, &cmd, 2, (off_t)(vf.cfg_off + PCI_COMMAND)) != 2)
		die("config read");
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(vf.device, &cmd, 2, (off_t)(vf.cfg_off + PCI_COMMAND)) != 2)
		die("config write");

	vf.mem = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vf.mem == MAP_FAILED)
		die("mmap DMA memory");
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = map.iova = iova(vf.mem);
	map.size = DMA_SIZE;
	if (ioctl(vf.container, VFIO_IOMMU_MAP_DMA, &map))
		die("MAP_DMA: %s", strerror(errno));

	if (ioctl(vf.device, VFIO_DEVICE_GET_IRQ_INFO, &ii) || ii.count == 0)
		die("MSI-X IRQ info");
	vf.nvec = ii.count > MAX_VECTORS ? MAX_VECTORS : ii.count;
	{
		char buf[sizeof(struct vfio_irq_set) + MAX_VECTORS * sizeof(int)];
		struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

		*s = (struct vfio_irq_set){ .argsz = (uint32_t)(sizeof(*s) + vf.nvec * sizeof(int)),
					    .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
					    .index = VFIO_PCI_MSIX_IRQ_INDEX, .count = vf.nvec };
		for (unsigned v = 0; v < vf.nvec; v++)
			vf.efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		memcpy(s->data, vf.efd, vf.nvec * sizeof(int));
		if (ioctl(vf.device, VFIO_DEVICE_SET_IRQS, s))
			die("SET_IRQS MSI-X: %s", strerror(errno));
	}
}

/* Interrupts counted on vector v's eventfd within ms (0 = none). */
static uint64_t irq_wait(unsigned v, int ms)
{
	struct pollfd p = { .fd = vf.efd[v], .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) == 1 && read(vf.efd[v], &n, sizeof(n)) != sizeof(n))
		n = 0;
	return n;
}

/* ------------------------------------------------------------- DMA layout */

#define AQ_LEN 32
#define ATQ_RING 0x000000
#define ARQ_RING 0x001000
#define ATQ_BUF 0x002000
#define ARQ_BUFS 0x010000 /* AQ_LEN x 4 KiB */
#define TX_RING 0x040000
#define RX_RING 0x050000  /* queue 0's; genrate's 4096 x 32 bytes end before 0x070000 */
#define RX_RING_Q 0x070000 /* queue q >= 1: RX_RING_Q + (q - 1) x RING_LEN x 32 */
#define TX_BUFS 0x100000
#define RX_BUFS 0x200000  /* ring entries x RX_BUF_SIZE, up to 4096 x 1 KiB */
#define RX_BUFS_Q 0x600000 /* queue q >= 1: RING_LEN x RX_BUF_SIZE each */
#define RING_LEN 512
#define RX_BUF_SIZE 512   /* so longer frames span descriptors */
#define RSS_QUEUES 4      /* queue pairs the rss checks configure */

static volatile struct avf_aq_desc *atq(unsigned i)
{
	return (volatile struct avf_aq_desc *)(vf.mem + ATQ_RING) + i;
}

static volatile struct avf_aq_desc *arq(unsigned i)
{
	return (volatile struct avf_aq_desc *)(vf.mem + ARQ_RING) + i;
}

/* ------------------------------------------------------------- admin queue */

static unsigned atq_ntu, arq_ntc;

static void arq_post(unsigned i, uint16_t size)
{
	volatile struct avf_aq_desc *d = arq(i);
	uint64_t a = iova(vf.mem + ARQ_BUFS + 4096 * i);

	memset((void *)d, 0, sizeof(*d));
	d->flags = AVF_AQ_FLAG_BUF | (size > AVF_AQ_LARGE_BUF ? AVF_AQ_FLAG_LB : 0);
	d->datalen = size;
	d->addr_high = (uint32_t)(a >> 32);
	d->addr_low = (uint32_t)a;
}

/* iavf_init_adminq's order; `posted` ARQ buffers (ARQT = posted). */
static void aq_setup(unsigned posted)
{
	memset(vf.mem, 0, ARQ_BUFS);
	atq_ntu = arq_ntc = 0;
	wr32(VF_ATQH1, 0);
	wr32(VF_ATQT1, 0);
	wr32(VF_ATQLEN1, AQ_LEN | VF_QLEN_ENABLE);
	wr32(VF_ATQBAL1, (uint32_t)iova(atq(0)));
	wr32(VF_ATQBAH1, (uint32_t)(iova(atq(0)) >> 32));
	wr32(VF_ARQH1, 0);
	wr32(VF_ARQT1, 0);
	wr32(VF_ARQLEN1, AQ_LEN | VF_QLEN_ENABLE);
	wr32(VF_ARQBAL1, (uint32_t)iova(arq(0)));
	wr32(VF_ARQBAH1, (uint32_t)(iova(arq(0)) >> 32));
	for (unsigned i = 0; i < AQ_LEN; i++)
		arq_post(i, AVF_AQ_BUF_SIZE);
	wr32(VF_ARQT1, posted);
}

/* Post one ATQ command; unless `async`, wait for ATQH to pass it.  Returns its slot. */
static volatile struct avf_aq_desc *atq_post(uint16_t opcode, uint32_t v_op, const void *msg, uint16_t len,
					     uint16_t datalen, bool async)
{
	volatile struct avf_aq_desc *d = atq(atq_ntu);
	uint64_t a = iova(vf.mem + ATQ_BUF);

	memset((void *)d, 0, sizeof(*d));
	d->opcode = opcode;
	d->flags = AVF_AQ_FLAG_SI;
	d->cookie_high = v_op;
	if (datalen) {
		memcpy(vf.mem + ATQ_BUF, msg, len);
		d->flags |= AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_RD | (datalen > AVF_AQ_LARGE_BUF ? AVF_AQ_FLAG_LB : 0);
		d->datalen = datalen;
		d->addr_high = (uint32_t)(a >> 32);
		d->addr_low = (uint32_t)a;
	}
	atq_ntu = (atq_ntu + 1) % AQ_LEN;
	wr32(VF_ATQT1, atq_ntu);
	if (!async && !WAIT_FOR(rd32(VF_ATQH1) == atq_ntu, 1000))
		die("ATQH did not advance to %u (ATQH %u, ATQLEN 0x%08x)", atq_ntu, rd32(VF_ATQH1),
		    rd32(VF_ATQLEN1));
	return d;
}

static volatile struct avf_aq_desc *atq_send(uint16_t opcode, uint32_t v_op, const void *msg, uint16_t len,
					     uint16_t datalen)
{
	return atq_post(opcode, v_op, msg, len, datalen, false);
}

static void vc_send(uint32_t v_op, const void *msg, uint16_t len)
{
	atq_send(AVF_AQC_OPC_SEND_MSG_TO_PF, v_op, msg, len, len);
}

struct vc_reply {
	uint32_t op;
	int32_t status;
	uint16_t len, flags, retval;
	uint8_t data[AVF_AQ_BUF_SIZE];
};

/* Take the next ARQ message (within ms), re-post its buffer. */
static bool vc_recv(struct vc_reply *r, int ms)
{
	volatile struct avf_aq_desc *d = arq(arq_ntc);

	if (!WAIT_FOR((rd32(VF_ARQH1) & VF_QPTR_MASK) != arq_ntc, ms))
		return false;
	r->op = d->cookie_high;
	r->status = (int32_t)d->cookie_low;
	r->len = d->datalen;
	r->flags = d->flags;
	r->retval = d->retval;
	memcpy(r->data, vf.mem + ARQ_BUFS + 4096 * arq_ntc, r->len < 4096 ? r->len : 4096);
	arq_post(arq_ntc, AVF_AQ_BUF_SIZE);
	wr32(VF_ARQT1, arq_ntc);
	arq_ntc = (arq_ntc + 1) % AQ_LEN;
	return true;
}

/* Send and wait for the reply with the same opcode; events are skipped. */
static int32_t vc_call(uint32_t v_op, const void *msg, uint16_t len, struct vc_reply *r)
{
	vc_send(v_op, msg, len);
	for (;;) {
		if (!vc_recv(r, 1000))
			die("no reply to virtchnl opcode %u", v_op);
		if (r->op == v_op)
			return r->status;
		if (r->op != VIRTCHNL_OP_EVENT)
			die("reply opcode %u while waiting for %u", r->op, v_op);
	}
}

/* ------------------------------------------------------------- reset */

static void check_reset(void)
{
	struct vc_reply r;
	uint64_t t0, t1, t2;
	bool saw0, saw1;

	check((rd32(VFGEN_RSTAT) & 3) == VIRTCHNL_VFR_VFACTIVE, "VFGEN_RSTAT is VFACTIVE at power-on (%u)",
	      rd32(VFGEN_RSTAT));
	aq_setup(AQ_LEN - 1);
	check(vc_call(VIRTCHNL_OP_VERSION, &(struct virtchnl_version_info){ 1, 1 }, 8, &r) == 0,
	      "VERSION answered before the reset");

	t0 = now_ms();
	/* like iavf: RESET_VF is not waited for (the reset tears the ATQ down) */
	atq_post(AVF_AQC_OPC_SEND_MSG_TO_PF, VIRTCHNL_OP_RESET_VF, NULL, 0, 0, true);
	saw0 = WAIT_FOR(!(rd32(VF_ARQLEN1) & VF_QLEN_ENABLE), 100);
	check(saw0 && (rd32(VFGEN_RSTAT) & 3) == VIRTCHNL_VFR_INPROGRESS,
	      "RESET_VF: ARQLEN.ENABLE cleared and RSTAT VFR_INPROGRESS at once");
	check(rd32(VF_ATQLEN1) == 0 && rd32(VF_ATQH1) == 0 && rd32(VF_ARQH1) == 0,
	      "RESET_VF: admin queue registers cleared");
	/* i40e_cleanup_reset_vf writes VFACTIVE only, once the VSI is rebuilt:
	 * RSTAT must never read VFR_COMPLETED (1) on the way. */
	saw1 = false;
	for (t1 = now_ms(); (rd32(VFGEN_RSTAT) & 3) != VIRTCHNL_VFR_VFACTIVE && now_ms() - t1 < 1000;)
		saw1 |= (rd32(VFGEN_RSTAT) & 3) == VIRTCHNL_VFR_COMPLETED;
	t2 = now_ms();
	check((rd32(VFGEN_RSTAT) & 3) == VIRTCHNL_VFR_VFACTIVE, "RSTAT VFR_VFACTIVE");
	check(!saw1, "RSTAT never read VFR_COMPLETED during the reset");
	check(t2 - t0 >= 20, "reset timing: VFACTIVE after %" PRIu64 " ms (i40e_reset_vf: at least 20)", t2 - t0);

	aq_setup(AQ_LEN - 1);
	check(vc_call(VIRTCHNL_OP_VERSION, &(struct virtchnl_version_info){ 1, 1 }, 8, &r) == 0,
	      "admin queue works again after the reset");

	wr32(VFINT_DYN_CTL01, VFINT_DYN_CTL_INTENA);
	wr32(QRX_TAIL1(0), 5);
	check(ioctl(vf.device, VFIO_DEVICE_RESET) == 0, "VFIO_DEVICE_RESET succeeds");
	check((rd32(VFGEN_RSTAT) & 3) == VIRTCHNL_VFR_VFACTIVE && rd32(VF_ARQLEN1) == 0 &&
	      rd32(VF_ATQLEN1) == 0 && rd32(VFINT_DYN_CTL01) == 0 && rd32(QRX_TAIL1(0)) == 0,
	      "DEVICE_RESET: synchronous, RSTAT VFACTIVE, registers back to 0");
	aq_setup(AQ_LEN - 1);
	check(vc_call(VIRTCHNL_OP_VERSION, &(struct virtchnl_version_info){ 1, 1 }, 8, &r) == 0,
	      "admin queue works after DEVICE_RESET");
}

/* ------------------------------------------------------------- adminq */

static void check_adminq(void)
{
	struct vc_reply r;
	volatile struct avf_aq_desc *d;
	struct virtchnl_version_info v = { 1, 1 };
	uint8_t big[AVF_AQ_BUF_SIZE] = { 0 };

	aq_setup(0); /* ARQT == ARQH: nothing posted */
	wr32(VFINT_ICR0_ENA1, VFINT_ICR0_ENA1_ADMINQ);
	wr32(VFINT_DYN_CTL01, VFINT_DYN_CTL_INTENA | VFINT_DYN_CTL_ITR_INDX_MASK);
	d = atq_send(AVF_AQC_OPC_SEND_MSG_TO_PF, VIRTCHNL_OP_VERSION, &v, 8, 8);
	check(rd32(VF_ATQH1) == 1, "ATQH advanced to 1");
	check((d->flags & (AVF_AQ_FLAG_DD | AVF_AQ_FLAG_CMP | AVF_AQ_FLAG_ERR)) ==
		      (AVF_AQ_FLAG_DD | AVF_AQ_FLAG_CMP) && d->retval == 0,
	      "ATQ write-back: DD|CMP, no ERR, retval 0 (flags 0x%04x)", d->flags);
	usleep(50000);
	check(rd32(VF_ARQH1) == 0 && !(rd32(VFINT_ICR01) & VFINT_ICR01_ADMINQ) && irq_wait(0, 0) == 0,
	      "ARQT == ARQH: no delivery (one-slot gap)");

	wr32(VF_ARQT1, AQ_LEN - 1);
	check(WAIT_FOR(rd32(VF_ARQH1) == 1, 1000), "reply delivered once buffers are posted: ARQH 1");
	d = arq(0);
	check(d->opcode == AVF_AQC_OPC_SEND_MSG_TO_VF && d->cookie_high == VIRTCHNL_OP_VERSION &&
		      d->cookie_low == 0 && d->datalen == 8 && d->retval == 0,
	      "ARQ descriptor: opcode 0x%04x, cookies %u/%d, datalen %u", d->opcode, d->cookie_high,
	      (int32_t)d->cookie_low, d->datalen);
	check(d->flags == (AVF_AQ_FLAG_DD | AVF_AQ_FLAG_CMP | AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_LB),
	      "ARQ flags DD|CMP|BUF|LB (0x%04x)", d->flags);
	check(!memcmp(vf.mem + ARQ_BUFS, &v, 8), "ARQ payload: version 1.1");
	check(rd32(VFINT_ICR01) & VFINT_ICR01_ADMINQ, "VFINT_ICR01.ADMINQ set while the message is pending");
	check(irq_wait(0, 1000) == 1, "vector 0 eventfd fired");
	check(!(rd32(VFINT_DYN_CTL01) & VFINT_DYN_CTL_INTENA), "vector 0 auto-masked (INTENA cleared)");
	check(vc_recv(&r, 100) && WAIT_FOR(!(rd32(VFINT_ICR01) & VFINT_ICR01_ADMINQ), 100),
	      "ICR01.ADMINQ cleared once the ARQ is drained");

	/* masked: the cause stays pending and fires on re-arm */
	vc_send(VIRTCHNL_OP_VERSION, &v, 8);
	check(vc_recv(&r, 1000) && irq_wait(0, 50) == 0, "reply while masked: no interrupt");
	wr32(VFINT_DYN_CTL01, VFINT_DYN_CTL_INTENA | VFINT_DYN_CTL_CLEARPBA | VFINT_DYN_CTL_ITR_INDX_MASK);
	check(irq_wait(0, 1000) == 1, "pending cause fires on re-arm (INTENA|CLEARPBA)");
	check(WAIT_FOR(!(rd32(VFINT_DYN_CTL01) & (VFINT_DYN_CTL_CLEARPBA | VFINT_DYN_CTL_INTENA)), 100),
	      "CLEARPBA acted on and cleared; INTENA auto-masked");

	d = atq_send(AVF_AQC_OPC_GET_VERSION, 0, NULL, 0, 0);
	check((d->flags & AVF_AQ_FLAG_ERR) && d->retval == AVF_AQ_RC_ESRCH,
	      "unsupported AQ opcode 0x0001: ERR, retval ESRCH (%u)", d->retval);
	d = atq_send(AVF_AQC_OPC_SEND_MSG_TO_PF, VIRTCHNL_OP_VERSION, big, sizeof(big), 4096 + 8);
	check((d->flags & AVF_AQ_FLAG_ERR) && d->retval == AVF_AQ_RC_E2BIG,
	      "datalen 4104 > 4096: ERR, retval E2BIG (%u)", d->retval);

	arq_post(arq_ntc, 4); /* a buffer too small for the 8-byte reply */
	vc_send(VIRTCHNL_OP_VERSION, &v, 8);
	r.flags = 0;
	vc_recv(&r, 1000);
	check((r.flags & AVF_AQ_FLAG_ERR) && r.retval == AVF_AQ_RC_E2BIG && r.len == 4,
	      "reply into a 4-byte buffer: truncated, ERR, retval E2BIG (flags 0x%04x, datalen %u)", r.flags,
	      r.len);

	wr32(VF_ATQT1, AQ_LEN + 3);
	check(WAIT_FOR(rd32(VF_ATQLEN1) & VF_QLEN_VFE, 100), "ATQT beyond the ring: ATQLEN.VFE");
}

/* ------------------------------------------------------------- datapath */

static struct {
	uint16_t vsi;
	uint8_t mac[6];
} vsi;

static uint64_t rx_ring_iova(unsigned q)
{
	return iova(vf.mem + (q ? RX_RING_Q + (size_t)(q - 1) * RING_LEN * 32 : RX_RING));
}

/* VERSION, GET_VF_RESOURCES asking `caps`, nq queue pairs (a TX ring on
 * queue 0 only), every RX queue on vector 1, the MAC filter.  Returns the
 * capabilities granted. */
static uint32_t vf_configure(unsigned nq, uint32_t caps, uint32_t ring_len, uint32_t buf_size)
{
	struct vc_reply r;
	struct virtchnl_vf_resource *res = (void *)r.data;
	uint8_t m[72 + 64 * RSS_QUEUES];
	struct virtchnl_vsi_queue_config_info *qc = (void *)m;
	uint8_t im[14 + 2 * 12]; /* legacy sizes (virtchnl_vc_validate_vf_msg): 14 + 12n, 12 + 8n */
	struct virtchnl_irq_map_info *irq = (void *)im;
	uint8_t am[12 + 8] = { 0 };
	struct virtchnl_ether_addr_list *al = (void *)am;
	uint32_t granted;

	aq_setup(AQ_LEN - 1);
	if (vc_call(VIRTCHNL_OP_VERSION, &(struct virtchnl_version_info){ 1, 1 }, 8, &r) ||
	    vc_call(VIRTCHNL_OP_GET_VF_RESOURCES, &caps, 4, &r))
		die("VERSION / GET_VF_RESOURCES refused");
	vsi.vsi = res->vsi_res[0].vsi_id;
	granted = res->vf_cap_flags;
	memcpy(vsi.mac, opt.has_mac ? opt.mac : res->vsi_res[0].default_mac_addr, 6);

	memset(m, 0, sizeof(m));
	qc->vsi_id = vsi.vsi;
	qc->num_queue_pairs = (uint16_t)nq;
	for (unsigned q = 0; q < nq; q++) {
		qc->qpair[q].txq = (struct virtchnl_txq_info){ .vsi_id = vsi.vsi, .queue_id = (uint16_t)q,
							       .ring_len = q ? 0 : (uint16_t)ring_len,
							       .dma_ring_addr = q ? 0 : iova(vf.mem + TX_RING) };
		qc->qpair[q].rxq = (struct virtchnl_rxq_info){ .vsi_id = vsi.vsi, .queue_id = (uint16_t)q,
							       .ring_len = ring_len, .databuffer_size = buf_size,
							       .max_pkt_size = AVF_MAX_FRAME,
							       .dma_ring_addr = rx_ring_iova(q) };
	}
	if (vc_call(VIRTCHNL_OP_CONFIG_VSI_QUEUES, m, (uint16_t)(72 + 64 * nq), &r))
		die("CONFIG_VSI_QUEUES refused (%d)", r.status);
	memset(im, 0, sizeof(im));
	irq->num_vectors = 2;
	irq->vecmap[0] = (struct virtchnl_vector_map){ .vsi_id = vsi.vsi, .vector_id = 1,
						       .rxq_map = (uint16_t)((1u << nq) - 1), .txq_map = 1,
						       .rxitr_idx = 0, .txitr_idx = 1 };
	memcpy(im + 2 + 12, &(struct virtchnl_vector_map){ .vsi_id = vsi.vsi, .vector_id = 0 }, 12);
	if (vc_call(VIRTCHNL_OP_CONFIG_IRQ_MAP, im, sizeof(im), &r))
		die("CONFIG_IRQ_MAP refused (%d)", r.status);
	al->vsi_id = vsi.vsi;
	al->num_elements = 1;
	memcpy(al->list[0].addr, vsi.mac, 6);
	if (vc_call(VIRTCHNL_OP_ADD_ETH_ADDR, am, sizeof(am), &r))
		die("ADD_ETH_ADDR refused (%d)", r.status);
	return granted;
}

static void vf_enable(uint16_t rx_queues)
{
	struct vc_reply r;
	struct virtchnl_queue_select qs = { .vsi_id = vsi.vsi, .rx_queues = rx_queues, .tx_queues = 1 };

	if (vc_call(VIRTCHNL_OP_ENABLE_QUEUES, &qs, sizeof(qs), &r))
		die("ENABLE_QUEUES refused (%d)", r.status);
}

/* Four bytes per register, little-endian byte lanes. */
static void wr_bytes(uint32_t reg0, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n / 4; i++)
		wr32(reg0 + 4 * i, (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
					   (uint32_t)b[4 * i + 3] << 24);
}

static void rd_bytes(uint32_t reg0, uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n / 4; i++) {
		uint32_t v = rd32(reg0 + 4 * i);

		memcpy(b + 4 * i, &v, 4);
	}
}

/* One queue pair.  RSS would spread flows over queues this probe never
 * enables: like any one-queue driver granted RSS_REG, it points the whole
 * LUT at queue 0 first. */
static void vf_bring_up(uint32_t ring_len, uint32_t buf_size)
{
	static const uint8_t lut0[VIRTCHNL_RSS_LUT_SIZE];

	if (!(vf_configure(1, VIRTCHNL_VF_OFFLOAD_L2, ring_len, buf_size) &
	      VIRTCHNL_VF_OFFLOAD_RSS_REG))
		die("RSS_REG not granted: cannot point the LUT at queue 0");
	wr_bytes(VFQF_HLUT(0), lut0, sizeof(lut0));
	vf_enable(1);
}

static volatile struct avf_rx_desc *rxdq(unsigned q, unsigned i)
{
	return (volatile struct avf_rx_desc *)(uintptr_t)rx_ring_iova(q) + i;
}

static volatile struct avf_rx_desc *rxd(unsigned i)
{
	return rxdq(0, i);
}

static volatile struct avf_tx_desc *txd(unsigned i)
{
	return (volatile struct avf_tx_desc *)(vf.mem + TX_RING) + i;
}

static uint8_t *rx_bufq(unsigned q, unsigned i)
{
	return vf.mem + (q ? RX_BUFS_Q + (size_t)(q - 1) * RING_LEN * RX_BUF_SIZE : RX_BUFS) +
	       (size_t)RX_BUF_SIZE * i;
}

static uint8_t *rx_buf(unsigned i)
{
	return rx_bufq(0, i);
}

static void rx_postq(unsigned q, unsigned i)
{
	rxdq(q, i)->qword[0] = iova(rx_bufq(q, i));
	rxdq(q, i)->qword[1] = 0;
}

static void rx_post(unsigned i)
{
	rx_postq(0, i);
}

/* The --rx capture as the probe expects to receive it. */
struct frame {
	uint32_t len;
	uint8_t *data;
};

static unsigned pcap_load(const char *path, struct frame *f, unsigned max)
{
	FILE *fp = fopen(path, "rb");
	uint32_t h[6], rh[4];
	unsigned n = 0;

	if (!fp || fread(h, 4, 6, fp) != 6 || h[0] != 0xA1B2C3D4u)
		die("%s: not a native-endian microsecond pcap", path);
	while (n < max && fread(rh, 4, 4, fp) == 4) {
		f[n].len = rh[2];
		f[n].data = malloc(rh[2]);
		if (fread(f[n].data, 1, rh[2], fp) != rh[2])
			die("%s: truncated", path);
		n++;
	}
	fclose(fp);
	return n;
}

static bool accepted(const uint8_t *dst)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return !memcmp(dst, vsi.mac, 6) || !memcmp(dst, bc, 6);
}

static unsigned expect_ptype(const uint8_t *f)
{
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);

	if (type == 0x0806)
		return AVF_PTYPE_ARP;
	if (type == 0x0800)
		return f[23] == 17 ? AVF_PTYPE_IPV4_UDP : f[23] == 6 ? AVF_PTYPE_IPV4_TCP :
		       f[23] == 1 ? AVF_PTYPE_IPV4_ICMP : AVF_PTYPE_IPV4;
	if (type == 0x86DD)
		return f[20] == 17 ? AVF_PTYPE_IPV6_UDP : f[20] == 58 ? AVF_PTYPE_IPV6_ICMP : AVF_PTYPE_IPV6;
	return AVF_PTYPE_L2;
}

/* Vector 1's DYN_CTLN1 values: WB_ON_ITR with DPDK's 2-unit interval, a
 * software interrupt that changes no ITR, INTENA. */
static const uint32_t wb_on_itr = VFINT_DYN_CTL_WB_ON_ITR | 2u << VFINT_DYN_CTL_INTERVAL_SHIFT;
static const uint32_t swint = VFINT_DYN_CTL_SWINT_TRIG | VFINT_DYN_CTL_ITR_INDX_MASK;
static const uint32_t intena = VFINT_DYN_CTL_INTENA | VFINT_DYN_CTL_ITR_INDX_MASK;

/* DD of a descriptor of a queue on vector 1, forcing write-backs while it
 * waits: the device writes a partial 64-byte line back only when the vector
 * fires, so a poller that needs every frame raises a software interrupt now
 * and then, as kernel iavf's iavf_force_wb does. */
static bool dd_forced(volatile struct avf_rx_desc *d)
{
	if (__atomic_load_n(&d->qword[1], __ATOMIC_ACQUIRE) & AVF_RXD_QW1_STATUS_DD)
		return true;
	wr32(VFINT_DYN_CTLN1(0), swint);
	return false;
}

/* Receive one frame starting at *ntc: check every descriptor, reassemble. */

static bool rx_frame(unsigned *ntc, const struct frame *want)
{
	uint8_t got[AVF_MAX_FRAME];
	uint32_t len = 0;
	unsigned ndesc = 0;
	bool ok = true;

	for (;;) {
		volatile struct avf_rx_desc *d = rxd(*ntc);
		uint64_t qw1;
		uint32_t plen;

		if (!WAIT_FOR(__atomic_load_n(&d->qword[1], __ATOMIC_ACQUIRE) & AVF_RXD_QW1_STATUS_DD, 1000))
			return check(false, "RX: descriptor %u never done", *ntc);
		qw1 = d->qword[1];
		plen = (uint32_t)((qw1 & AVF_RXD_QW1_LENGTH_PBUF_MASK) >> AVF_RXD_QW1_LENGTH_PBUF_SHIFT);
		ok &= plen <= RX_BUF_SIZE && len + plen <= sizeof(got);
		if (!ok)
			break;
		memcpy(got + len, rx_buf(*ntc), plen);
		len += plen;
		ndesc++;
		/* no tag to report; the RSS hash may be there (qword 0's upper half) */
		ok &= (qw1 & AVF_RXD_QW1_ERROR_MASK) == 0 && (uint32_t)d->qword[0] == 0;
		ok &= ((qw1 & AVF_RXD_QW1_PTYPE_MASK) >> AVF_RXD_QW1_PTYPE_SHIFT) == expect_ptype(want->data);
		*ntc = (*ntc + 1) % RING_LEN;
		if (qw1 & AVF_RXD_QW1_STATUS_EOF) {
			unsigned umb = (unsigned)((qw1 & AVF_RXD_QW1_STATUS_UMBCAST_MASK) >>
						  AVF_RXD_QW1_STATUS_UMBCAST_SHIFT);
			ok &= umb == (want->data[0] == 0xff ? AVF_RX_UMBCAST_BROADCAST : AVF_RX_UMBCAST_UNICAST);
			break;
		}
	}
	ok &= len == want->len && !memcmp(got, want->data, len) &&
	      ndesc == (want->len + RX_BUF_SIZE - 1) / RX_BUF_SIZE;
	return check(ok, "RX frame of %u bytes in %u descriptor(s): DD/EOF, length, ptype, UMBCAST, data",
		     want->len, ndesc);
}

static void check_rx(void)
{
	static struct frame f[64];
	unsigned n, ntc = 0, want = 0, last = 0;

	if (!opt.rx[0])
		die("datapath needs --rx CAPTURE");
	n = pcap_load(opt.rx, f, 64);
	for (unsigned i = 0; i < n; i++)
		if (accepted(f[i].data))
			last = i;
	for (unsigned i = 0; i < RING_LEN; i++)
		rx_post(i);
	wr32(VFINT_DYN_CTLN1(0), VFINT_DYN_CTL_INTENA | VFINT_DYN_CTL_ITR_INDX_MASK);
	/* two descriptors only: the device must stop before the tail */
	wr32(QRX_TAIL1(0), 2);
	usleep(50000);
	check(!(rxd(2)->qword[1] & AVF_RXD_QW1_STATUS_DD), "RX: nothing written at the tail (index 2)");
	wr32(QRX_TAIL1(0), RING_LEN - 1);
	for (unsigned i = 0; i < n; i++) {
		if (!accepted(f[i].data))
			continue;
		/* The first frames fired vector 1, which masked itself: a frame
		 * alone in its 64-byte line stays unwritten until the re-arm. */
		if (i == last && ntc % 2 == 0) {
			usleep(50000);
			check(!(rxd(ntc)->qword[1] & AVF_RXD_QW1_STATUS_DD),
			      "RX: the last frame, alone in its line, not written back while vector 1 is masked");
			wr32(VFINT_DYN_CTLN1(0), VFINT_DYN_CTL_INTENA | VFINT_DYN_CTL_ITR_INDX_MASK);
		}
		rx_frame(&ntc, &f[i]);
		want++;
	}
	check(want > 0, "RX: %u of the %u captured frames are for this VF", want, n);
	usleep(20000);
	check(!(rxd(ntc)->qword[1] & AVF_RXD_QW1_STATUS_DD), "RX: filtered frames not delivered");
	check(irq_wait(1, 1000) >= 1, "RX: queue vector 1 fired");
	check(!(rd32(VFINT_DYN_CTLN1(0)) & VFINT_DYN_CTL_INTENA), "vector 1 auto-masked");
}

static unsigned tx_ntu;
static unsigned tx_ring_len = RING_LEN; /* the TX ring the check configured */

/* One frame from `src` in `nbuf` buffers, RS on the last; returns its last index. */
static unsigned tx_post(const uint8_t *src, uint32_t len, unsigned nbuf)
{
	uint8_t *b = vf.mem + TX_BUFS + 2048 * tx_ntu;
	uint32_t per = (len + nbuf - 1) / nbuf, off = 0;
	unsigned last = tx_ntu;

	memset(b, 0, len);
	memcpy(b, (const uint8_t[]){ 0x02, 0xa5, 0xf0, 0, 0, 1 }, 6);
	memcpy(b + 6, src, 6);
	b[12] = 0x08, b[13] = 0x00;
	for (unsigned i = 0; i < nbuf; i++, off += per) {
		uint32_t sz = len - off < per ? len - off : per;
		uint64_t cmd = AVF_TX_DESC_CMD_ICRC | (i == nbuf - 1 ? AVF_TX_DESC_CMD_EOP | AVF_TX_DESC_CMD_RS : 0);

		txd(tx_ntu)->buffer_addr = iova(b + off);
		txd(tx_ntu)->cmd_type_offset_bsz = AVF_TX_DESC_DTYPE_DATA | cmd << AVF_TXD_QW1_CMD_SHIFT |
						   (uint64_t)sz << AVF_TXD_QW1_TX_BUF_SZ_SHIFT;
		last = tx_ntu;
		tx_ntu = (tx_ntu + 1) % tx_ring_len;
	}
	return last;
}

static bool tx_done(unsigned i, int ms)
{
	return WAIT_FOR((__atomic_load_n(&txd(i)->cmd_type_offset_bsz, __ATOMIC_ACQUIRE) &
			 AVF_TXD_QW1_DTYPE_MASK) == AVF_TX_DESC_DTYPE_DESC_DONE, ms);
}

static void check_tx(void)
{
	static const uint8_t spoof[6] = { 0x02, 0x66, 0x66, 0x66, 0x66, 0x66 };
	unsigned a, b, c, bad, after;

	irq_wait(1, 0);
	wr32(VFINT_DYN_CTLN1(0), VFINT_DYN_CTL_INTENA | VFINT_DYN_CTL_ITR_INDX_MASK);
	a = tx_post(vsi.mac, 60, 1);
	b = tx_post(vsi.mac, 1000, 2);
	c = tx_post(spoof, 60, 1);
	wr32(QTX_TAIL1(0), tx_ntu);
	check(tx_done(a, 1000) && tx_done(b, 1000) && tx_done(c, 1000),
	      "TX: RS descriptors written back with DTYPE 0xF (frames of 60 and 1000 bytes, one spoofed; "
	      "the --tx capture gets the two from the VF's MAC)");
	check((txd(b - 1)->cmd_type_offset_bsz & AVF_TXD_QW1_DTYPE_MASK) == 0,
	      "TX: the descriptor without RS is not written back");
	check(irq_wait(1, 1000) >= 1, "TX: vector 1 fired after re-arm");

	bad = tx_ntu;
	txd(bad)->buffer_addr = iova(vf.mem + TX_BUFS);
	txd(bad)->cmd_type_offset_bsz = (AVF_TX_DESC_CMD_EOP | AVF_TX_DESC_CMD_RS) << AVF_TXD_QW1_CMD_SHIFT;
	tx_ntu = (tx_ntu + 1) % tx_ring_len;
	after = tx_post(vsi.mac, 60, 1);
	wr32(QTX_TAIL1(0), tx_ntu);
	check(!tx_done(after, 100) && !tx_done(bad, 0), "MDD: a descriptor with BUF_SZ 0 stops the queue");
}

static void check_datapath(void)
{
	struct vc_reply r;

	vf_bring_up(RING_LEN, RX_BUF_SIZE);
	while (vc_recv(&r, 50)) /* link events */
		;
	check_rx();
	check_tx();
}

/* ------------------------------------------------------------- writeback */

/* Needs --gen 7 (or more).  Queue 0's vector 1 stays masked: completed
 * descriptors are written back a 64-byte line at a time (two RX, four TX
 * descriptors); a partial line goes out when the vector fires (INTENA),
 * on a software interrupt (SWINT_TRIG, iavf_force_wb) or when its ITR
 * expires with WB_ON_ITR (ice_set_wb_on_itr, DPDK's values). */
static bool rx_dd(unsigned i, int ms)
{
	return WAIT_FOR(__atomic_load_n(&rxd(i)->qword[1], __ATOMIC_ACQUIRE) & AVF_RXD_QW1_STATUS_DD, ms);
}


/* Descriptor `lone` (the first of its line) is done but must stay unwritten
 * until `ctl` is written to vector 1's DYN_CTLN1. */
static void rx_lone(unsigned lone, uint32_t ctl, const char *how)
{
	wr32(QRX_TAIL1(0), lone + 1);
	usleep(50000);
	check(!rx_dd(lone, 0), "RX writeback: a lone frame (descriptor %u) stays unwritten", lone);
	wr32(VFINT_DYN_CTLN1(0), ctl);
	check(rx_dd(lone, 1000), "RX writeback: ... until %s", how);
	wr32(QRX_TAIL1(0), lone + 2);
	check(rx_dd(lone + 1, 1000), "RX writeback: the next frame completes the line: written at once");
}

static void tx_lone(uint32_t ctl, const char *how)
{
	unsigned i = tx_post(vsi.mac, 60, 1);

	wr32(QTX_TAIL1(0), tx_ntu);
	check(!tx_done(i, 50), "TX writeback: RS descriptor %u, its line not complete, stays unwritten", i);
	wr32(VFINT_DYN_CTLN1(0), ctl);
	check(tx_done(i, 1000), "TX writeback: ... until %s", how);
}

static void check_writeback(void)
{
	struct vc_reply r;
	unsigned i;

	vf_bring_up(RING_LEN, RX_BUF_SIZE);
	while (vc_recv(&r, 50))
		;
	for (i = 0; i < RING_LEN; i++)
		rx_post(i);
	rx_lone(0, swint, "a software interrupt (SWINT_TRIG without INTENA)");
	rx_lone(2, intena, "vector 1 is armed and fires");
	check(irq_wait(1, 1000) >= 1, "RX writeback: vector 1 fired");
	rx_lone(4, wb_on_itr, "its ITR expires with WB_ON_ITR (INTENA clear)");
	check(irq_wait(1, 100) == 0, "RX writeback: WB_ON_ITR wrote back without an interrupt");

	wr32(VFINT_DYN_CTLN1(0), VFINT_DYN_CTL_ITR_INDX_MASK); /* WB_ON_ITR off */
	tx_lone(swint, "a software interrupt");
	i = tx_post(vsi.mac, 60, 1);
	wr32(QTX_TAIL1(0), tx_ntu);
	check(!tx_done(i, 50), "TX writeback: RS descriptor %u, second of its line, unwritten", i);
	tx_post(vsi.mac, 60, 1);
	tx_post(vsi.mac, 60, 1);
	wr32(QTX_TAIL1(0), tx_ntu);
	check(tx_done(i, 1000) && tx_done(i + 2, 1000), "TX writeback: the line of four complete: written at once");
	tx_lone(intena, "vector 1 is armed and fires");
	tx_lone(wb_on_itr, "its ITR expires with WB_ON_ITR");
}

/* ------------------------------------------------------------- tso */

/* One TSO packet: a context descriptor (CMD TSO, TSO_LEN, MSS), a 54-byte
 * Ethernet/IPv4/TCP header buffer, then `payload` bytes in buffers of
 * `piece`; RS on the last, and on every data descriptor if `rs_all`.  Returns
 * the last descriptor's index. */
static unsigned tso_post(uint32_t payload, uint32_t piece, uint32_t mss, bool rs_all)
{
	enum { HDR = 54 };
	uint8_t *h = vf.mem + TX_BUFS + 2048 * tx_ntu;
	uint64_t off = 7 << AVF_TX_DESC_LENGTH_MACLEN_SHIFT | 5 << AVF_TX_DESC_LENGTH_IPLEN_SHIFT |
		       5 << AVF_TX_DESC_LENGTH_L4_LEN_SHIFT;
	unsigned last;

	txd(tx_ntu)->buffer_addr = 0;
	txd(tx_ntu)->cmd_type_offset_bsz = AVF_TX_DESC_DTYPE_CONTEXT |
					   AVF_TX_CTX_DESC_TSO << AVF_TXD_CTX_QW1_CMD_SHIFT |
					   (uint64_t)payload << AVF_TXD_CTX_QW1_TSO_LEN_SHIFT |
					   (uint64_t)mss << AVF_TXD_CTX_QW1_MSS_SHIFT;
	tx_ntu = (tx_ntu + 1) % tx_ring_len;
	h = vf.mem + TX_BUFS + 2048 * tx_ntu;
	memset(h, 0, HDR);
	memcpy(h, (const uint8_t[]){ 0x02, 0xa5, 0xf0, 0, 0, 1 }, 6);
	memcpy(h + 6, vsi.mac, 6);
	h[12] = 0x08;
	h[14] = 0x45;                    /* IPv4, 20 bytes */
	h[23] = 6;                       /* TCP */
	h[46] = 0x50;                    /* TCP data offset 5 */
	h[47] = 0x18;                    /* PSH|ACK */
	txd(tx_ntu)->buffer_addr = iova(h);
	txd(tx_ntu)->cmd_type_offset_bsz = AVF_TX_DESC_DTYPE_DATA | off << AVF_TXD_QW1_OFFSET_SHIFT |
					   (rs_all ? (uint64_t)AVF_TX_DESC_CMD_RS << AVF_TXD_QW1_CMD_SHIFT : 0) |
					   (uint64_t)HDR << AVF_TXD_QW1_TX_BUF_SZ_SHIFT;
	last = tx_ntu;
	tx_ntu = (tx_ntu + 1) % tx_ring_len;
	for (uint32_t done = 0; done < payload; done += piece) {
		uint8_t *b = vf.mem + TX_BUFS + 2048 * tx_ntu;
		uint64_t cmd = done + piece >= payload ? AVF_TX_DESC_CMD_EOP | AVF_TX_DESC_CMD_RS : 0;

		if (rs_all)
			cmd |= AVF_TX_DESC_CMD_RS;
		memset(b, (int)(done / piece), piece);
		txd(tx_ntu)->buffer_addr = iova(b);
		txd(tx_ntu)->cmd_type_offset_bsz = AVF_TX_DESC_DTYPE_DATA | cmd << AVF_TXD_QW1_CMD_SHIFT |
						   (uint64_t)piece << AVF_TXD_QW1_TX_BUF_SZ_SHIFT;
		last = tx_ntu;
		tx_ntu = (tx_ntu + 1) % tx_ring_len;
	}
	return last;
}

/* The MDD rule counts buffers per MSS-sized segment, the headers' buffer
 * included (__i40e_chk_linearize), not per packet: 3000 bytes in 12
 * buffers at MSS 1000 is 1 + 4 buffers a segment and goes out as three
 * frames; in 30 buffers of 100 it is 1 + 10 and stops the queue. */
static void check_tso(void)
{
	struct vc_reply r;
	unsigned last;

	vf_bring_up(RING_LEN, RX_BUF_SIZE);
	while (vc_recv(&r, 50))
		;
	wr32(VFINT_DYN_CTLN1(0), VFINT_DYN_CTL_WB_ON_ITR); /* every RS written back */
	last = tso_post(3000, 250, 1000, false);
	wr32(QTX_TAIL1(0), tx_ntu);
	check(tx_done(last, 1000), "TSO: 13 data descriptors, 5 per segment: sent (RS written back)");
	last = tso_post(3000, 100, 1000, false);
	wr32(QTX_TAIL1(0), tx_ntu);
	check(!tx_done(last, 200), "TSO: 31 data descriptors, 11 per segment: MDD, queue stopped");
}

/* ------------------------------------------------------------- tx-wrap */

/* A TX ring of 32: a TSO packet of 31 descriptors (context, headers, 29
 * payload buffers of 100 bytes at MSS 500, so 6 buffers and one frame per
 * segment) goes round it and ends in the line it began in when it starts
 * off a line boundary.  RS on every data descriptor, as a driver may set
 * it: the device must hold back only those before the head in the head's
 * line, never more than a line's worth (queues.c, tx_complete). */
#define WRAP_RING 32
#define WRAP_DESCS (WRAP_RING - 1)
#define WRAP_PIECE 100
#define WRAP_PAYLOAD ((WRAP_DESCS - 2) * WRAP_PIECE)
#define WRAP_MSS 500
#define WRAP_SEGMENTS ((WRAP_PAYLOAD + WRAP_MSS - 1) / WRAP_MSS)
#define TX_LINE (64 / sizeof(struct avf_tx_desc))
#define WRAP_SENTINEL 0x1234 /* BUF_SZ of the slot the probe does not give */

static unsigned wrap_frames;

static bool desc_done(unsigned i)
{
	return (__atomic_load_n(&txd(i)->cmd_type_offset_bsz, __ATOMIC_ACQUIRE) & AVF_TXD_QW1_DTYPE_MASK) ==
	       AVF_TX_DESC_DTYPE_DESC_DONE;
}

/* DESC_DONE in descriptor i, else a software interrupt to force its line
 * out (the device may not have reached it at the first one). */
static bool done_or_force(unsigned i)
{
	if (desc_done(i))
		return true;
	wr32(VFINT_DYN_CTLN1(0), swint);
	return false;
}

static bool tx_forced(unsigned i)
{
	return WAIT_FOR(done_or_force(i), 1000);
}

/* Single-descriptor frames up to descriptor `to`, forced out. */
static void wrap_step(unsigned to)
{
	unsigned last = tx_ntu;

	while (tx_ntu != to) {
		last = tx_post(vsi.mac, 60, 1);
		wrap_frames++;
	}
	wr32(QTX_TAIL1(0), tx_ntu);
	check(tx_forced(last), "tx-wrap: frames up to descriptor %u sent and written back", last);
}

/* One wrapping packet from the head.  `forced`: the slot not given holds a
 * sentinel, and a software interrupt then writes the partial line back;
 * otherwise the next round follows at once, over descriptors the device
 * has processed but not all written back. */
static void wrap_round(bool forced)
{
	unsigned first = tx_ntu, end = (first + WRAP_DESCS) % WRAP_RING, line = end / TX_LINE;
	uint64_t sentinel = AVF_TX_DESC_DTYPE_DATA | (uint64_t)WRAP_SENTINEL << AVF_TXD_QW1_TX_BUF_SZ_SHIFT;
	bool early = true, held = true, all = true;
	uint64_t ctx;

	if (forced)
		txd(end)->cmd_type_offset_bsz = sentinel;
	tso_post(WRAP_PAYLOAD, WRAP_PIECE, WRAP_MSS, true);
	wrap_frames += WRAP_SEGMENTS;
	wr32(QTX_TAIL1(0), tx_ntu);
	if (!check(tx_done((first + WRAP_RING / 2) % WRAP_RING, 1000),
		   "tx-wrap: packet at %u..%u sent round the ring, the head back in line %u", first,
		   (end + WRAP_RING - 1) % WRAP_RING, line))
		return;
	for (unsigned i = (first + 1) % WRAP_RING; i != end; i = (i + 1) % WRAP_RING) {
		if (i / TX_LINE == line && i < end)
			held = held && !desc_done(i);
		else
			early = early && desc_done(i);
	}
	check(early, "tx-wrap: every RS descriptor of the packet outside the head's line %u written back, "
	      "those it visited in that line before going round included", line);
	if (!forced) {
		check(desc_done(end), "tx-wrap: descriptor %u, left by the head, written back", end);
		return;
	}
	check(held, "tx-wrap: those before the head (%u) in its line wait for the line", end);
	wr32(VFINT_DYN_CTLN1(0), swint);
	for (unsigned i = (first + 1) % WRAP_RING; i != end; i = (i + 1) % WRAP_RING)
		all = all && tx_done(i, 1000);
	check(all, "tx-wrap: ... and are written back on SWINT_TRIG");
	ctx = __atomic_load_n(&txd(first)->cmd_type_offset_bsz, __ATOMIC_ACQUIRE);
	check((ctx & AVF_TXD_QW1_DTYPE_MASK) == AVF_TX_DESC_DTYPE_CONTEXT &&
	      __atomic_load_n(&txd(end)->cmd_type_offset_bsz, __ATOMIC_ACQUIRE) == sentinel,
	      "tx-wrap: the context descriptor %u and the slot %u not given are left alone", first, end);
}

/* Rounds starting at descriptors 3, 2, 1, 1 with the partial line forced
 * out after each, then 3, 2, 1 back to back; every packet reaches the wire. */
static void check_tx_wrap(void)
{
	struct vc_reply r;
	bool all = true;
	unsigned ctx;

	vf_bring_up(WRAP_RING, RX_BUF_SIZE);
	while (vc_recv(&r, 50))
		;
	tx_ring_len = WRAP_RING;
	wrap_step(TX_LINE - 1);
	for (unsigned n = 0; n < 4; n++) {
		if (tx_ntu % TX_LINE == 0)
			wrap_step(tx_ntu + 1);
		wrap_round(true);
	}
	wrap_step(TX_LINE - 1);
	for (unsigned n = 0; n < TX_LINE - 1; n++)
		wrap_round(false);
	ctx = tx_ntu + 1;
	wrap_step(tx_ntu + 1);
	for (unsigned i = (ctx + 1) % WRAP_RING; i != ctx; i = (i + 1) % WRAP_RING)
		all = all && tx_done(i, 1000);
	check(all, "tx-wrap: after one more frame and SWINT_TRIG every descriptor but the last packet's "
	      "context descriptor %u reads DESC_DONE", ctx);
	printf("expect tx_frames %u\n", wrap_frames);
}

/* ------------------------------------------------------------- genrate */

static void check_genrate(void)
{
	enum { RING = 4096, BUF = 1024, REARM = 32 };
	uint64_t frames = 0, bytes = 0, seq_errors = 0, next_seq = 0, t0, t1, last;
	unsigned ntc = 0;

	/* buffers posted before the queue is configured, as kernel iavf does */
	for (unsigned i = 0; i < RING; i++) {
		rxd(i)->qword[0] = iova(vf.mem + RX_BUFS + (size_t)BUF * i);
		rxd(i)->qword[1] = 0;
	}
	wr32(QRX_TAIL1(0), RING - 1);
	vf_bring_up(RING, BUF);
	t0 = last = now_ms();
	for (;;) {
		volatile struct avf_rx_desc *d = rxd(ntc);
		uint64_t qw1 = __atomic_load_n(&d->qword[1], __ATOMIC_ACQUIRE);
		const uint8_t *p;
		uint64_t seq = 0;

		if (!(qw1 & AVF_RXD_QW1_STATUS_DD)) {
			if (now_ms() - last > 500)
				break; /* the generator is done */
			continue;
		}
		p = vf.mem + RX_BUFS + (size_t)BUF * ntc + 42;
		for (int i = 0; i < 8; i++)
			seq = seq << 8 | p[i];
		seq_errors += seq < next_seq; /* --rx-rate may drop, never reorder */
		next_seq = seq + 1;
		frames++;
		bytes += (qw1 & AVF_RXD_QW1_LENGTH_PBUF_MASK) >> AVF_RXD_QW1_LENGTH_PBUF_SHIFT;
		d->qword[0] = iova(vf.mem + RX_BUFS + (size_t)BUF * ntc);
		d->qword[1] = 0;
		ntc = (ntc + 1) % RING;
		if (ntc % REARM == 0)
			wr32(QRX_TAIL1(0), (ntc + RING - 1) % RING);
		if ((frames & 0xFFF) == 0)
			last = now_ms();
	}
	t1 = last;
	check(frames > 0 && seq_errors == 0, "generator: %" PRIu64 " frames in order, %" PRIu64
	      " missing (%" PRIu64 " out of order)", frames, next_seq - frames, seq_errors);
	if (t1 > t0)
		printf("rate %.2f Mpps, %.1f Mbit/s of frame data, over %" PRIu64 " ms\n",
		       frames / 1000.0 / (double)(t1 - t0), bytes * 8.0 / 1000.0 / (double)(t1 - t0), t1 - t0);
}

/* ------------------------------------------------------------- rss */

/* i40e's default hash enables (i40e_txrx.h I40E_DEFAULT_RSS_HENA) and the
 * X722 set (I40E_DEFAULT_RSS_HENA_EXPANDED). */
#define I40E_DEFAULT_RSS_HENA 0x80007A1E80000000ull
#define I40E_DEFAULT_RSS_HENA_EXPANDED 0x80007F9FE0000000ull

/* The key of the RSS verification suite (Microsoft, "Verifying the RSS Hash
 * Calculation"; DPDK app/test/test_thash.c) and its published hashes, over
 * addresses only and over addresses and ports. */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};
static const struct {
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
	uint32_t ip, ip_ports;
} ms_v4[] = {
	{ { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217, 0x82989176, 0xafc7327f },
	{ { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};
/* 3ffe:2501:200:1fff::7 port 2794 -> 3ffe:2501:200:3::1 port 1766 */
#define MS_V6_IP 0x2cc18cd5u
#define MS_V6_IP_PORTS 0x40207d3du

/* Toeplitz, bit by bit: for each input bit set (MSB first), XOR in the 32
 * key bits starting at that bit. */
static uint32_t toeplitz(const uint8_t *key, const uint8_t *in, unsigned n)
{
	uint32_t h = 0;

	for (unsigned bit = 0; bit < 8 * n; bit++) {
		uint32_t w = 0;

		if (!(in[bit / 8] & (0x80 >> bit % 8)))
			continue;
		for (unsigned k = 0; k < 32; k++)
			w = w << 1 | (uint32_t)((key[(bit + k) / 8] >> (7 - (bit + k) % 8)) & 1);
		h ^= w;
	}
	return h;
}

/* i40e PCTYPE numbers (i40e_type.h) of an IP protocol: IPv6's are IPv4's + 10. */
static unsigned ip_pctype(unsigned proto)
{
	switch (proto) {
	case 6: return 33;    /* NONF_IPV4_TCP */
	case 17: return 31;   /* NONF_IPV4_UDP */
	case 132: return 34;  /* NONF_IPV4_SCTP */
	default: return 35;   /* NONF_IPV4_OTHER */
	}
}

/* The hash input and PCTYPE of the capture's frames (IPv4 and IPv6 without
 * options or extension headers, or L2): i40e hashes source and destination
 * address, then the ports for TCP, UDP and SCTP; L2 payload its ethertype. */
static unsigned hash_input(const uint8_t *f, uint8_t *in, unsigned *n)
{
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);

	if (type == 0x0800) {
		bool frag = (f[20] & 0x3f) || f[21];
		unsigned pctype = frag ? 36 : ip_pctype(f[23]); /* FRAG_IPV4 */

		memcpy(in, f + 26, 8);
		memcpy(in + 8, f + 34, 4);
		*n = pctype == 35 || pctype == 36 ? 8 : 12;
		return pctype;
	}
	if (type == 0x86DD) {
		unsigned pctype = f[20] == 44 ? 46 : ip_pctype(f[20]) + 10; /* FRAG_IPV6 */

		memcpy(in, f + 22, 32);
		memcpy(in + 32, f + 54, 4);
		*n = pctype == 45 || pctype == 46 ? 32 : 36;
		return pctype;
	}
	memcpy(in, f + 12, 2);
	*n = 2;
	return 63; /* L2_PAYLOAD */
}

/* What the device should do with frame f: hashed (with *hash) or not. */
static bool expect_hash(const uint8_t *f, const uint8_t *key, uint64_t hena, uint32_t *hash)
{
	uint8_t in[36];
	unsigned n, pctype = hash_input(f, in, &n);

	*hash = toeplitz(key, in, n);
	return hena >> pctype & 1;
}

static uint64_t default_hena(void)
{
	return opt.device_id == AVF_DEV_ID_X722_VF ? I40E_DEFAULT_RSS_HENA_EXPANDED : I40E_DEFAULT_RSS_HENA;
}

static uint64_t hena_read(void)
{
	return rd32(VFQF_HENA(0)) | (uint64_t)rd32(VFQF_HENA(1)) << 32;
}

/* The published values against the probe's own Toeplitz. */
static void check_toeplitz_vectors(void)
{
	static const uint8_t v6[32] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 7,
					0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t in[36];
	bool ok = true;

	for (size_t i = 0; i < sizeof(ms_v4) / sizeof(ms_v4[0]); i++) {
		memcpy(in, ms_v4[i].src, 4);
		memcpy(in + 4, ms_v4[i].dst, 4);
		in[8] = (uint8_t)(ms_v4[i].sport >> 8);
		in[9] = (uint8_t)ms_v4[i].sport;
		in[10] = (uint8_t)(ms_v4[i].dport >> 8);
		in[11] = (uint8_t)ms_v4[i].dport;
		ok &= toeplitz(ms_key, in, 8) == ms_v4[i].ip && toeplitz(ms_key, in, 12) == ms_v4[i].ip_ports;
	}
	memcpy(in, v6, 32);
	memcpy(in + 32, (const uint8_t[]){ 2794 >> 8, 2794 & 0xff, 1766 >> 8, 1766 & 0xff }, 4);
	ok &= toeplitz(ms_key, in, 32) == MS_V6_IP && toeplitz(ms_key, in, 36) == MS_V6_IP_PORTS;
	check(ok, "RSS: the probe's Toeplitz gives the verification suite's published hashes");
}

/* The published hash for frame f if its flow is in the suite, else 0. */
static uint32_t published_hash(const uint8_t *f)
{
	if (f[12] == 0x86 && f[13] == 0xDD)
		return f[20] == 6 ? MS_V6_IP_PORTS : MS_V6_IP;
	for (size_t i = 0; f[12] == 0x08 && f[13] == 0x00 && i < sizeof(ms_v4) / sizeof(ms_v4[0]); i++) {
		bool l4 = f[23] == 6 || f[23] == 17;
		bool frag = f[20] & 0x20;

		if (!memcmp(f + 26, ms_v4[i].src, 4))
			return l4 && !frag ? ms_v4[i].ip_ports : ms_v4[i].ip;
	}
	return 0;
}

/* Receive the capture's frames over RSS_QUEUES queues (enabled: bit q of
 * `enabled`): each where key, LUT and HENA send it, its hash in the
 * write-back (FLTSTAT 3) or none.  Returns the frames sent to a queue not
 * enabled. */
static unsigned rss_receive(const uint8_t *key, const uint8_t *lut, uint64_t hena, unsigned enabled)
{
	static struct frame f[64];
	unsigned n = pcap_load(opt.rx, f, 64), ntc[RSS_QUEUES] = { 0 }, dropped = 0, used = 0, published = 0;
	bool ok = true;

	for (unsigned i = 0; i < n; i++) {
		uint32_t hash = 0, pub = published_hash(f[i].data);
		bool hashed = expect_hash(f[i].data, key, hena, &hash);
		unsigned q = hashed ? lut[hash % VIRTCHNL_RSS_LUT_SIZE] : 0;
		volatile struct avf_rx_desc *d = rxdq(q, ntc[q]);
		uint64_t qw0, qw1, want_flt = hashed ? AVF_RX_DESC_FLTSTAT_RSS_HASH : 0;
		uint32_t len;

		if (!accepted(f[i].data))
			continue;
		if (!(enabled >> q & 1)) {
			dropped++;
			continue;
		}
		if (!WAIT_FOR(dd_forced(d), 1000)) {
			check(false, "RSS: frame %u (hash 0x%08x) never reached queue %u", i + 1, hash, q);
			return dropped;
		}
		qw0 = d->qword[0];
		qw1 = d->qword[1];
		len = (uint32_t)((qw1 & AVF_RXD_QW1_LENGTH_PBUF_MASK) >> AVF_RXD_QW1_LENGTH_PBUF_SHIFT);
		ok &= check(len == f[i].len && !memcmp(rx_bufq(q, ntc[q]), f[i].data, len) &&
			    (qw1 & AVF_RXD_QW1_STATUS_FLTSTAT_MASK) >> AVF_RXD_QW1_STATUS_FLTSTAT_SHIFT == want_flt &&
			    qw0 >> AVF_RXD_QW0_RSS_SHIFT == (hashed ? hash : 0),
			    "RSS: frame %u on queue %u, FLTSTAT %u, hash 0x%08x (write-back: FLTSTAT %u, 0x%08x)",
			    i + 1, q, (unsigned)want_flt, hashed ? hash : 0,
			    (unsigned)((qw1 & AVF_RXD_QW1_STATUS_FLTSTAT_MASK) >> AVF_RXD_QW1_STATUS_FLTSTAT_SHIFT),
			    (uint32_t)(qw0 >> AVF_RXD_QW0_RSS_SHIFT));
		if (hashed && pub && !memcmp(key, ms_key, sizeof(ms_key))) {
			ok &= check((uint32_t)(qw0 >> AVF_RXD_QW0_RSS_SHIFT) == pub,
				    "RSS: frame %u's hash is the published 0x%08x", i + 1, pub);
			published++;
		}
		ntc[q]++;
		used |= 1u << q;
	}
	check(ok && n > 0, "RSS: %u frames, each on its queue with its hash", n);
	check(__builtin_popcount(used) >= 2, "RSS: frames spread over %d queues", __builtin_popcount(used));
	if (!memcmp(key, ms_key, sizeof(ms_key)) && hena)
		check(published > 0, "RSS: %u write-backs compared with the published hashes", published);
	return dropped;
}

static void rss_post_all(unsigned enabled)
{
	for (unsigned q = 0; q < RSS_QUEUES; q++) {
		if (!(enabled >> q & 1))
			continue;
		for (unsigned i = 0; i < RING_LEN; i++)
			rx_postq(q, i);
		wr32(QRX_TAIL1(q), RING_LEN - 1);
	}
}

/* RESET_VF, back to VFACTIVE. */
static void vf_reset(void)
{
	atq_post(AVF_AQC_OPC_SEND_MSG_TO_PF, VIRTCHNL_OP_RESET_VF, NULL, 0, 0, true);
	if (!WAIT_FOR((rd32(VFGEN_RSTAT) & 3) != VIRTCHNL_VFR_VFACTIVE, 1000) ||
	    !WAIT_FOR((rd32(VFGEN_RSTAT) & 3) == VIRTCHNL_VFR_VFACTIVE, 1000))
		die("RESET_VF: RSTAT did not go through a reset back to VFACTIVE");
}

static void check_rss(void)
{
	uint8_t key[VIRTCHNL_RSS_KEY_SIZE], lut[VIRTCHNL_RSS_LUT_SIZE], zero[VIRTCHNL_RSS_KEY_SIZE] = { 0 };
	uint8_t km[6 + VIRTCHNL_RSS_KEY_SIZE] = { 0 }, lm[6 + VIRTCHNL_RSS_LUT_SIZE] = { 0 };
	struct virtchnl_rss_key *k = (void *)km;
	struct virtchnl_rss_lut *l = (void *)lm;
	struct virtchnl_rss_hena h = { 1ull << 33 };
	bool ok = true;
	struct vc_reply r;
	unsigned dropped;

	if (!opt.rx[0] || opt.queue_pairs < RSS_QUEUES)
		die("rss needs --rx CAPTURE (pcaptool rss) and --queue-pairs %u or more", RSS_QUEUES);
	check_toeplitz_vectors();
	rd_bytes(VFQF_HLUT(0), lut, sizeof(lut));
	for (unsigned i = 0; i < sizeof(lut); i++)
		ok &= lut[i] == (opt.lut_zero ? 0 : i % opt.queue_pairs);
	check(ok, "RSS: the LUT the VF starts with is %s", opt.lut_zero ? "all 0 (--lut zero)" :
	      "entry i = i % queue pairs (--lut iavf: the host's iavf left it)");
	rd_bytes(VFQF_HKEY(0), key, sizeof(key));
	check(!memcmp(key, zero, sizeof(key)) == opt.lut_zero, "RSS: the key is %s",
	      opt.lut_zero ? "all zero" : "iavf's (not zero)");
	check(hena_read() == default_hena(), "RSS: VFQF_HENA is i40e's default 0x%016llx (0x%016llx)",
	      (unsigned long long)default_hena(), (unsigned long long)hena_read());

	/* key, LUT and HENA through virtchnl; then a VF reset */
	vf_configure(RSS_QUEUES, VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_OFFLOAD_RSS_PF, RING_LEN, RX_BUF_SIZE);
	k->vsi_id = vsi.vsi;
	k->key_len = VIRTCHNL_RSS_KEY_SIZE;
	memcpy(km + 4, ms_key, sizeof(ms_key));
	l->vsi_id = vsi.vsi;
	l->lut_entries = VIRTCHNL_RSS_LUT_SIZE;
	for (unsigned i = 0; i < VIRTCHNL_RSS_LUT_SIZE; i++)
		lm[4 + i] = (uint8_t)((i * 7 + 1) % RSS_QUEUES);
	if (vc_call(VIRTCHNL_OP_CONFIG_RSS_KEY, km, sizeof(km) - 1, &r) ||
	    vc_call(VIRTCHNL_OP_CONFIG_RSS_LUT, lm, sizeof(lm) - 1, &r) ||
	    vc_call(VIRTCHNL_OP_SET_RSS_HENA, &h, sizeof(h), &r))
		die("CONFIG_RSS_KEY / CONFIG_RSS_LUT / SET_RSS_HENA refused (%d)", r.status);
	rd_bytes(VFQF_HKEY(0), key, sizeof(key));
	rd_bytes(VFQF_HLUT(0), lut, sizeof(lut));
	check(!memcmp(key, km + 4, sizeof(key)) && !memcmp(lut, lm + 4, sizeof(lut)) && hena_read() == h.hena,
	      "RSS: CONFIG_RSS_KEY, CONFIG_RSS_LUT, SET_RSS_HENA land in VFQF_HKEY, VFQF_HLUT, VFQF_HENA");
	vf_reset();
	rd_bytes(VFQF_HKEY(0), key, sizeof(key));
	rd_bytes(VFQF_HLUT(0), lut, sizeof(lut));
	check(!memcmp(key, km + 4, sizeof(key)) && !memcmp(lut, lm + 4, sizeof(lut)),
	      "RSS: a VF reset keeps key and LUT");
	check(hena_read() == default_hena(), "RSS: a VF reset puts i40e's default hash enables back (0x%016llx)",
	      (unsigned long long)hena_read());

	/* the frames: queue 3 is never enabled */
	vf_configure(RSS_QUEUES, VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_OFFLOAD_RSS_PF, RING_LEN, RX_BUF_SIZE);
	rss_post_all(0x7);
	vf_enable(0x7);
	dropped = rss_receive(key, lut, default_hena(), 0x7);
	check(dropped > 0, "RSS: %u frames hashed to queue 3, which is not enabled", dropped);
	printf("expect rx_dropped_queue_off %u\n", dropped);
}

/* RSS_REG: the driver writes key, LUT and HENA itself; only TCP hashed. */
static void check_rss_reg(void)
{
	uint8_t key[VIRTCHNL_RSS_KEY_SIZE] = { 0 }, lut[VIRTCHNL_RSS_LUT_SIZE];
	uint64_t hena = 1ull << 33 | 1ull << 43; /* NONF_IPV4_TCP, NONF_IPV6_TCP */

	if (!opt.rx[0] || opt.queue_pairs < RSS_QUEUES)
		die("rss-reg needs --rx CAPTURE (pcaptool rss) and --queue-pairs %u or more", RSS_QUEUES);
	if (!(vf_configure(RSS_QUEUES, VIRTCHNL_VF_OFFLOAD_L2, RING_LEN, RX_BUF_SIZE) & VIRTCHNL_VF_OFFLOAD_RSS_REG))
		die("RSS_REG not granted");
	memcpy(key, ms_key, sizeof(ms_key));
	for (unsigned i = 0; i < VIRTCHNL_RSS_LUT_SIZE; i++)
		lut[i] = (uint8_t)(RSS_QUEUES - 1 - i * RSS_QUEUES / VIRTCHNL_RSS_LUT_SIZE);
	wr_bytes(VFQF_HKEY(0), key, sizeof(key));
	wr_bytes(VFQF_HLUT(0), lut, sizeof(lut));
	wr32(VFQF_HENA(0), (uint32_t)hena);
	wr32(VFQF_HENA(1), (uint32_t)(hena >> 32));
	rss_post_all(0xF);
	vf_enable(0xF);
	check(rss_receive(key, lut, hena, 0xF) == 0, "RSS: every queue enabled, nothing dropped");
}

/* The --gen frames on RSS_QUEUES queues (enabled: bit q), LUT and key as
 * the VF found them: each frame where its hash (over the frame as received,
 * with the key read back) sends it, until 500 ms pass without one. */
static void spread_receive(unsigned enabled)
{
	uint8_t key[VIRTCHNL_RSS_KEY_SIZE], lut[VIRTCHNL_RSS_LUT_SIZE];
	unsigned ntc[RSS_QUEUES] = { 0 }, per_queue[RSS_QUEUES] = { 0 }, wrong = 0, total = 0;
	uint64_t last;

	vf_configure(RSS_QUEUES, VIRTCHNL_VF_OFFLOAD_L2, RING_LEN, RX_BUF_SIZE);
	rd_bytes(VFQF_HKEY(0), key, sizeof(key));
	rd_bytes(VFQF_HLUT(0), lut, sizeof(lut));
	rss_post_all(enabled);
	vf_enable((uint16_t)enabled);
	last = now_ms();
	while (now_ms() - last < 500) {
		for (unsigned q = 0; q < RSS_QUEUES; q++) {
			volatile struct avf_rx_desc *d = rxdq(q, ntc[q]);
			uint32_t hash;

			if (!(enabled >> q & 1) || !dd_forced(d))
				continue;

			wrong += !expect_hash(rx_bufq(q, ntc[q]), key, default_hena(), &hash) ||
				 lut[hash % VIRTCHNL_RSS_LUT_SIZE] != q || d->qword[0] >> AVF_RXD_QW0_RSS_SHIFT != hash;
			per_queue[q]++;
			total++;
			rx_postq(q, ntc[q]);
			wr32(QRX_TAIL1(q), ntc[q]);
			ntc[q] = (ntc[q] + 1) % RING_LEN;
			last = now_ms();
		}
	}
	check(total > 0 && wrong == 0, "RSS: %u generated frames, each on the queue its hash names (%u not)", total,
	      wrong);
	for (unsigned q = 0; q < RSS_QUEUES; q++)
		check(per_queue[q] > 0 || !(enabled >> q & 1), "RSS: queue %u received %u frames", q, per_queue[q]);
	printf("expect rx_delivered %u\n", total);
}

static void check_spread(void)
{
	spread_receive((1u << RSS_QUEUES) - 1);
}

/* A driver that enables queue 0 only and leaves the LUT as it found it. */
static void check_spread_q0(void)
{
	spread_receive(1);
}

/* ------------------------------------------------------------- vlan */

/* Frames [first, first + n) of the capture, each in one descriptor from
 * *ntc on: stripped (tag in L2TAG1 with L2TAG1P) or as on the wire; frames
 * of VLAN `filtered` (0: none) must not arrive.  Returns the frames filtered. */
static unsigned vlan_receive(const struct frame *f, unsigned first, unsigned n, unsigned *ntc, bool strip,
			     unsigned filtered)
{
	unsigned gone = 0;

	for (unsigned i = first; i < first + n; i++) {
		const uint8_t *w = f[i].data;
		bool tagged = w[12] == 0x81 && w[13] == 0x00;
		unsigned tci = tagged ? (unsigned)(w[14] << 8 | w[15]) : 0;
		uint8_t want[128];
		uint32_t want_len = f[i].len, len;
		volatile struct avf_rx_desc *d = rxd(*ntc);
		uint64_t qw1;

		if (filtered && tagged && (tci & 0xFFF) == filtered) {
			gone++;
			continue;
		}
		memcpy(want, w, f[i].len);
		if (tagged && strip) {
			memcpy(want + 12, w + 16, f[i].len - 16);
			want_len -= 4;
		}
		if (!WAIT_FOR(dd_forced(d), 1000)) {
			check(false, "VLAN: frame %u never arrived", i + 1);
			return gone;
		}
		qw1 = d->qword[1];
		len = (uint32_t)((qw1 & AVF_RXD_QW1_LENGTH_PBUF_MASK) >> AVF_RXD_QW1_LENGTH_PBUF_SHIFT);
		check(len == want_len && !memcmp(rx_buf(*ntc), want, len) &&
		      !!(qw1 & AVF_RXD_QW1_STATUS_L2TAG1P) == (tagged && strip) &&
		      (d->qword[0] & AVF_RXD_QW0_L2TAG1_MASK) >> AVF_RXD_QW0_L2TAG1_SHIFT == (strip ? tci : 0),
		      "VLAN: frame %u (%s, TCI 0x%04x) %s: %u bytes, L2TAG1P %u, L2TAG1 0x%04x", i + 1,
		      tagged ? "tagged" : "untagged", tci, strip ? "stripped" : "as on the wire", len,
		      !!(qw1 & AVF_RXD_QW1_STATUS_L2TAG1P),
		      (unsigned)((d->qword[0] & AVF_RXD_QW0_L2TAG1_MASK) >> AVF_RXD_QW0_L2TAG1_SHIFT));
		*ntc = *ntc + 1;
	}
	return gone;
}

static void check_vlan(void)
{
	static struct frame f[16];
	static const uint8_t lut0[VIRTCHNL_RSS_LUT_SIZE];
	uint8_t vm[6 + 2] = { 0 };
	struct virtchnl_vlan_filter_list *vl = (void *)vm;
	unsigned n, ntc = 0, filtered;
	struct vc_reply r;

	if (!opt.rx[0] || (n = pcap_load(opt.rx, f, 16)) != 12)
		die("vlan needs --rx CAPTURE (pcaptool vlan: 12 frames)");
	vf_configure(1, VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_OFFLOAD_VLAN, RING_LEN, RX_BUF_SIZE);
	wr_bytes(VFQF_HLUT(0), lut0, sizeof(lut0));
	for (unsigned i = 0; i < RING_LEN; i++)
		rx_post(i);
	/* a round at a time: the wire holds the next frame until there is room */
	wr32(QRX_TAIL1(0), 4);
	vf_enable(1);
	vlan_receive(f, 0, 4, &ntc, true, 0);
	if (vc_call(VIRTCHNL_OP_DISABLE_VLAN_STRIPPING, NULL, 0, &r))
		die("DISABLE_VLAN_STRIPPING refused (%d)", r.status);
	wr32(QRX_TAIL1(0), 8);
	vlan_receive(f, 4, 4, &ntc, false, 0);
	vl->vsi_id = vsi.vsi;
	vl->num_elements = 1;
	vl->vlan_id[0] = 100;
	if (vc_call(VIRTCHNL_OP_ADD_VLAN, vm, sizeof(vm), &r))
		die("ADD_VLAN refused (%d)", r.status);
	wr32(QRX_TAIL1(0), 11);
	/* ADD_VLAN turns stripping back on (i40e_vc_add_vlan_msg) */
	filtered = vlan_receive(f, 8, 4, &ntc, true, 200);
	usleep(20000);
	check(!(rxd(ntc)->qword[1] & AVF_RXD_QW1_STATUS_DD), "VLAN: nothing more arrived");
	printf("expect rx_filtered %u\n", filtered);
}

/* ------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*run)(void);
	} checks[] = {
		{ "reset", check_reset }, { "adminq", check_adminq },
		{ "datapath", check_datapath }, { "genrate", check_genrate }, { "writeback", check_writeback },
		{ "tso", check_tso }, { "tx-wrap", check_tx_wrap }, { "rss", check_rss }, { "rss-reg", check_rss_reg }, { "spread", check_spread },
		{ "spread-q0", check_spread_q0 }, { "vlan", check_vlan },
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s reset|adminq|datapath|genrate|writeback|tso|tx-wrap|rss|rss-reg|spread|spread-q0|vlan "
			"(under tests/sim/avfsim)\n", argv[0]);

		return 2;
	}
	opts_read();
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (!strcmp(argv[1], checks[i].name)) {
			vfio_open();
			checks[i].run();
			printf("%s: %s\n", checks[i].name, failures ? "FAILED" : "passed");
			return failures != 0;
		}
	fprintf(stderr, "%s: unknown check %s\n", argv[0], argv[1]);
	return 2;
}
