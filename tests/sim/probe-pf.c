/* SPDX-License-Identifier: MIT
 *
 * probe-pf.c - checks the simulated PF's virtchnl rules through the real
 * VFIO path: container, group, device, one MAP_DMA buffer, BAR0 mmap, the
 * admin queues set up as iavf_init_adminq does.  No simulator code is
 * linked: it talks to whatever answers on /dev/vfio.
 *
 *   cc -std=c11 -Wall -Wextra -O2 -o tests/sim/probe-pf tests/sim/probe-pf.c
 *   tests/sim/avfsim [options] -- tests/sim/probe-pf CHECK
 *
 * CHECK is one of (each starts from a function-level reset):
 *   state lengths queues filters rss stats reset   (any options; "all" runs them)
 *   link-delay          needs --link-delay 300
 *   grants              any --device-id: the grants that depend on it
 *   vlan2               VLAN v2 (ice), or its refusal (i40e); reads --trust
 *   handshake           VFINT_ICR0_ENA1 and i40e's wait before a VF reset
 *   counters            needs --gen 50 --rx-rate 1000: rx_discards, zero after reset
 *   fault-silent        needs --fault pf-silent=get_stats
 *   fault-silent-all    needs --fault pf-silent
 *   fault-version       needs --fault version=2.0
 *   fault-status        needs --fault status=get_stats:-53
 *   fault-wrong-opcode  needs --fault wrong-opcode=version
 *   fault-reply-long    needs --fault reply-long=version
 *   fault-reply-short   needs --fault reply-short=get_vf_resources
 *   fault-unsolicited   needs --fault unsolicited=get_stats
 *   fault-reset-impending needs --fault reset-impending=100
 *   fault-pf-close      needs --fault pf-close=100
 *   fault-link-down     needs --fault link-down
 *   fault-link-flap     needs --fault link-flap=100
 *   fault-resources     needs --fault resources=vsi_id:7
 *   host-mac            needs --mac 02:00:00:00:00:01 --host 100:mac=02:00:00:00:00:02
 *   host-trust          needs --host 100:trust=on
 *   host-spoofchk       needs --host 100:spoofchk=off
 *   host-link           needs --host 100:link=down --host 400:link=up
 *   host-vlan           needs --host 100:vlan=100 --host 400:vlan=0
 *   host-vlan2          needs --pf ice --host 100:vlan=100
 *   host-pf-reset       needs --host 100:pf-reset
 *   host-vf-remove      needs --host 100:vf-remove (REQ eventfd registered)
 *   host-vf-remove-noreq  needs --host 100:vf-remove (no REQ eventfd)
 *   host-vf-remove-hold   needs --host 100:vf-remove (the device held 10.5 s)
 *   host-wait           needs --host 100:trust=on --host 100:mac=02:00:00:00:00:02
 *   host-stuck          needs --fault reset-stuck-from=1 --host 100:trust=on --host 100:mac=02:00:00:00:00:02
 *   reset-rules         RESET_VF before GET_VF_RESOURCES; a VFLR and an early admin queue
 * `filters` reads --trust and --mac from AVFSIM_ARGS to know what to expect.
 * Every check knows two PFs (struct pf_rules: Linux i40e and ice); --pf, or
 * else --device-id (1889 is served by ice), in AVFSIM_ARGS says which.
 * Prints "ok ..." / "FAIL ..." per rule; exit status 1 if anything failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
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
#include <time.h>
#include <unistd.h>

#include "../../avf.h"
#include "../../virtchnl.h"

#define DMA_IOVA 0x40000000ull
#define DMA_SIZE (2u << 20)
/* Layout of the DMA buffer */
#define OFF_ATQ 0x0000u
#define OFF_ARQ 0x1000u
#define OFF_ATQ_BUF 0x10000u
#define OFF_ARQ_BUF 0x30000u
#define OFF_TX_RING 0x100000u
#define OFF_RX_RING 0x110000u

#define VSI_ID 18 /* before GET_VF_RESOURCES: any id will do, nothing is accepted */
#define CAPS_DPDK 0xbe0bc7e1u
#define CAPS_IAVF 0x1abd00f9u

/* What the PF behind the VF does where i40e and ice differ, each with the
 * function it follows (Linux drivers/net/ethernet/intel/i40e/
 * i40e_virtchnl_pf.c, ice/ice_virtchnl.c, ice/virt/queues.c,
 * ice/ice_virtchnl_allowlist.c). */
struct pf_rules {
	const char *name;
	uint16_t res_len;      /* GET_VF_RESOURCES reply bytes */
	uint32_t grant_v10;    /* what a 1.0 VF (no caps sent) is granted */
	uint32_t grant_none;   /* a 1.1 VF asking for nothing */
	uint32_t grant_dpdk;   /* CAPS_DPDK, on 154c for i40e */
	uint32_t grant_iavf;   /* CAPS_IAVF, likewise */
	int32_t before_res;    /* a configuration message before GET_VF_RESOURCES */
	uint16_t stats_before; /* GET_STATS reply bytes then */
	int link_after_res;    /* LINK_CHANGE after GET_VF_RESOURCES, link up */
	uint64_t hena;         /* GET_RSS_HENA_CAPS */
	bool allow_list;       /* opcodes outside the allow-list: ERR_NOT_SUPPORTED */
	bool lut_rebuilt;      /* a VF reset rewrites the LUT (else it is kept) */
	bool ice_rings;        /* ring_len 0 or 64..8160 step 32, max_pkt_size <= 9728,
				* no head write-back; rxdid ignored without RX_FLEX_DESC */
	bool vector0_queues;   /* CONFIG_IRQ_MAP may put queues on vector 0 */
	bool sync_vfr_reset;   /* a reset waits for VFINT_ICR0_ENA1.ADMINQ */
	bool vflr_later;       /* after VFIO_DEVICE_RESET RSTAT reads VFR_INPROGRESS until the
				* PF rebuilds the VF, which zeroes VF_ATQLEN1/VF_ARQLEN1 */
	bool link_resets;      /* --host link=up resets the VF; link=down refuses ENABLE_QUEUES */
};

static const struct pf_rules i40e_rules = {
	.name = "i40e",
	.res_len = 52,                 /* i40e_vc_get_vf_resources_msg: 36 + a legacy 16 */
	.grant_v10 = 0x00010091,       /* L2|RSS_REG|ADV_LINK_SPEED|VLAN */
	.grant_none = 0x00010091,      /* the same: i40e adds RSS_REG, ADV_LINK_SPEED, VLAN unasked */
	.grant_dpdk = 0x000b00c1,
	.grant_iavf = 0x001900c1,
	.before_res = VIRTCHNL_STATUS_ERR_PARAM, /* i40e_vc_isvalid_vsi_id / state checks */
	.stats_before = 96,            /* i40e_vc_get_stats_msg sends zeroed stats */
	.link_after_res = 1,           /* i40e_vc_notify_vf_link_state: the port's link */
	.hena = 0x80007A1E80000000ull, /* i40e_pf_get_default_rss_hena on XL710 */
	.allow_list = false,
	.lut_rebuilt = false,          /* i40e_alloc_vsi_res writes only VFQF_HENA */
	.ice_rings = false,            /* i40e_config_vsi_tx_queue / _rx_queue */
	.vector0_queues = true,        /* i40e_config_irq_link_list */
	.sync_vfr_reset = true,        /* i40e_trigger_vf_reset -> i40e_sync_vfr_reset */
	.vflr_later = false,           /* the model keeps i40e's VFLR synchronous */
	.link_resets = true,           /* i40e_ndo_set_vf_link_state */
};

static const struct pf_rules ice_rules = {
	.name = "ice",
	.res_len = 36,                 /* ice_vc_get_vf_res_msg: virtchnl_struct_size(.., 0) */
	.grant_v10 = 0x00010001,       /* ice_vc_get_vf_res_msg assumes L2|VLAN for 1.0 */
	.grant_none = 0x00000001,      /* ice_vc_get_vf_res_msg: L2 always, the rest if asked */
	.grant_dpdk = 0x040a80e1,      /* with RX_FLEX_DESC; VLAN_V2, not VLAN (ice_vc_get_vlan_caps) */
	.grant_iavf = 0x003d00e1,
	.before_res = VIRTCHNL_STATUS_ERR_NOT_SUPPORTED, /* ice_vc_is_opcode_allowed */
	.stats_before = 0,
	.link_after_res = 0,           /* ice_is_vf_link_up: down, no queue enabled yet */
	.hena = 0x00007F9FE0000000ull, /* ice_flow.h ICE_DEFAULT_RSS_HENA */
	.allow_list = true,
	.lut_rebuilt = true,           /* ice_vsi_cfg_rss_lut_key at every VSI rebuild */
	.ice_rings = true,             /* ice_vc_cfg_qs_msg, ice_vc_isvalid_ring_len */
	.vector0_queues = false,       /* ice_vc_cfg_irq_map_msg */
	.sync_vfr_reset = false,       /* ice_trigger_vf_reset */
	.vflr_later = true,            /* ice_process_vflr_event, ice_trigger_vf_reset */
	.link_resets = false,          /* ice_set_vf_link_state: ice_vc_notify_vf_link_state only */
};

static const struct pf_rules *pf = &i40e_rules;

static struct {
	int container, group, device;
	volatile uint32_t *bar0;
	uint8_t *dma;
	off_t cfg_off;
	unsigned atq_ntu, arq_ntc;
	uint16_t vsi;
	unsigned num_qp, vectors;
	bool trust, admin_mac;
	uint8_t mac[6];
	int fails;
} p;

/* The last event of each kind, and the messages that were not awaited. */
static struct {
	int link;          /* -1 none since cleared */
	uint32_t speed;
	unsigned links;    /* LINK_CHANGE count */
	int doom;          /* last RESET_IMPENDING/PF_DRIVER_CLOSE code, 0 none */
	unsigned dooms;    /* how many of those */
	int32_t severity;
	uint32_t stray_op; /* last reply nobody waited for, 0 none */
} ev;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	p.fails += !ok;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec t = { 0, 50000 };
	nanosleep(&t, NULL);
}

static uint32_t rd(uint32_t off) { return p.bar0[off / 4]; }
static void wr(uint32_t off, uint32_t v) { p.bar0[off / 4] = v; }

/* ---------------------------------------------------------------- options */

/* AVFSIM_ARGS holds the launcher's options, one per line (sim.h). */
static void read_args(char *bdf, size_t n)
{
	const char *env = getenv("AVFSIM_ARGS");
	char *args = strdup(env ? env : ""), *save = NULL, *prev = NULL;
	bool pf_chosen = false;

	snprintf(bdf, n, "0000:3b:02.0");
	for (char *a = strtok_r(args, "\n", &save); a; prev = a, a = strtok_r(NULL, "\n", &save)) {
		const char *mac = !strncmp(a, "--mac=", 6) ? a + 6 : prev && !strcmp(prev, "--mac") ? a : NULL;
		const char *pfv = !strncmp(a, "--pf=", 5) ? a + 5 : prev && !strcmp(prev, "--pf") ? a : NULL;
		const char *id = !strncmp(a, "--device-id=", 12) ? a + 12
				 : prev && !strcmp(prev, "--device-id") ? a : NULL;
		if (!strcmp(a, "--trust"))
			p.trust = true;
		if (id && !pfv && strtoul(id, NULL, 16) == AVF_DEV_ID_ADAPTIVE_VF && !pf_chosen)
			pf = &ice_rules;
		if (pfv) {
			pf = !strcmp(pfv, "ice") ? &ice_rules : &i40e_rules;
			pf_chosen = true;
		}
		if (!strncmp(a, "--bdf=", 6))
			snprintf(bdf, n, "%s", a + 6);
		else if (prev && !strcmp(prev, "--bdf"))
			snprintf(bdf, n, "%s", a);
		if (mac && sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &p.mac[0], &p.mac[1], &p.mac[2],
				  &p.mac[3], &p.mac[4], &p.mac[5]) == 6)
			p.admin_mac = true;
	}
	free(args);
}

/* ---------------------------------------------------------------- VFIO */

static void vfio_open(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	ssize_t l;
	int type;

	if ((p.container = open("/dev/vfio/vfio", O_RDWR)) < 0)
		die("/dev/vfio/vfio");
	if (ioctl(p.container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("VFIO_GET_API_VERSION");
	type = ioctl(p.container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1 ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	if ((l = readlink(path, link, sizeof(link) - 1)) < 0)
		die(path);
	link[l] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	if ((p.group = open(path, O_RDWR)) < 0)
		die(path);
	if (ioctl(p.group, VFIO_GROUP_GET_STATUS, &gs) || !(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("VFIO_GROUP_GET_STATUS");
	if (ioctl(p.group, VFIO_GROUP_SET_CONTAINER, &p.container) || ioctl(p.container, VFIO_SET_IOMMU, type))
		die("VFIO_GROUP_SET_CONTAINER/SET_IOMMU");
	p.dma = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p.dma == MAP_FAILED)
		die("mmap DMA buffer");
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)p.dma;
	map.iova = DMA_IOVA;
	map.size = DMA_SIZE;
	if (ioctl(p.container, VFIO_IOMMU_MAP_DMA, &map))
		die("VFIO_IOMMU_MAP_DMA");
	if ((p.device = ioctl(p.group, VFIO_GROUP_GET_DEVICE_FD, bdf)) < 0)
		die("VFIO_GROUP_GET_DEVICE_FD");
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(p.device, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("GET_REGION_INFO BAR0");
	p.bar0 = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, p.device, (off_t)ri.offset);
	if (p.bar0 == MAP_FAILED)
		die("mmap BAR0");
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(p.device, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("GET_REGION_INFO config");
	p.cfg_off = (off_t)ri.offset;
}

/* ---------------------------------------------------------------- admin queues */

static struct avf_aq_desc *atq(unsigned i) { return (struct avf_aq_desc *)(p.dma + OFF_ATQ) + i; }
static struct avf_aq_desc *arq(unsigned i) { return (struct avf_aq_desc *)(p.dma + OFF_ARQ) + i; }

static void arq_post(unsigned i)
{
	uint64_t a = DMA_IOVA + OFF_ARQ_BUF + i * AVF_AQ_BUF_SIZE;

	memset(arq(i), 0, sizeof(struct avf_aq_desc));
	arq(i)->flags = AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_LB;
	arq(i)->datalen = AVF_AQ_BUF_SIZE;
	arq(i)->addr_high = (uint32_t)(a >> 32);
	arq(i)->addr_low = (uint32_t)a;
}

/* Register order as iavf writes them (iavf_config_asq_regs, iavf_config_arq_regs). */
static void aq_init(void)
{
	memset(p.dma + OFF_ATQ, 0, AVF_AQ_LEN * sizeof(struct avf_aq_desc));
	for (unsigned i = 0; i < AVF_AQ_LEN; i++)
		arq_post(i);
	p.atq_ntu = p.arq_ntc = 0;
	wr(VF_ATQH1, 0), wr(VF_ATQT1, 0);
	wr(VF_ATQLEN1, AVF_AQ_LEN | VF_QLEN_ENABLE);
	wr(VF_ATQBAL1, (uint32_t)(DMA_IOVA + OFF_ATQ)), wr(VF_ATQBAH1, (uint32_t)((DMA_IOVA + OFF_ATQ) >> 32));
	wr(VF_ARQH1, 0), wr(VF_ARQT1, 0);
	wr(VF_ARQLEN1, AVF_AQ_LEN | VF_QLEN_ENABLE);
	wr(VF_ARQBAL1, (uint32_t)(DMA_IOVA + OFF_ARQ)), wr(VF_ARQBAH1, (uint32_t)((DMA_IOVA + OFF_ARQ) >> 32));
	wr(VF_ARQT1, AVF_AQ_LEN - 1);
}

static bool wait_rstat_active(unsigned ms)
{
	for (uint64_t end = now_ms() + ms; now_ms() < end; nap()) {
		uint32_t s = rd(VFGEN_RSTAT) & VFGEN_RSTAT_VFR_STATE_MASK;
		if (s == VIRTCHNL_VFR_COMPLETED || s == VIRTCHNL_VFR_VFACTIVE)
			return true;
	}
	return false;
}

/* A function-level reset (VFIO_DEVICE_RESET), bus mastering on, fresh AQ. */
static void fresh(void)
{
	uint16_t cmd = 0x0006; /* MEMORY | MASTER */

	if (ioctl(p.device, VFIO_DEVICE_RESET))
		die("VFIO_DEVICE_RESET");
	if (pwrite(p.device, &cmd, 2, p.cfg_off + 4) != 2)
		die("config COMMAND write");
	if (!wait_rstat_active(2000))
		die("VFGEN_RSTAT never became active");
	memset(&ev, 0, sizeof(ev));
	ev.link = -1;
	aq_init();
}

static void send_msg(uint32_t op, const void *msg, uint16_t len)
{
	struct avf_aq_desc *d = atq(p.atq_ntu);
	uint64_t a = DMA_IOVA + OFF_ATQ_BUF + p.atq_ntu * AVF_AQ_BUF_SIZE;
	bool resets = op == VIRTCHNL_OP_RESET_VF;

	memset(d, 0, sizeof(*d));
	d->flags = AVF_AQ_FLAG_SI;
	d->opcode = AVF_AQC_OPC_SEND_MSG_TO_PF;
	d->cookie_high = op;
	if (len) {
		memcpy(p.dma + OFF_ATQ_BUF + p.atq_ntu * AVF_AQ_BUF_SIZE, msg, len);
		d->flags |= AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_RD | (len > AVF_AQ_LARGE_BUF ? AVF_AQ_FLAG_LB : 0);
		d->datalen = len;
		d->addr_high = (uint32_t)(a >> 32);
		d->addr_low = (uint32_t)a;
	}
	p.atq_ntu = (p.atq_ntu + 1) % AVF_AQ_LEN;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr(VF_ATQT1, p.atq_ntu);
	/* RESET_VF tears the queue down, and so does a REQUEST_QUEUES the PF
	 * grants: the descriptor's DD (written back before the PF sees the
	 * message) is what tells that the device took it, not ATQH. */
	for (uint64_t end = now_ms() + 1000;
	     !resets && !(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE) & AVF_AQ_FLAG_DD); nap())
		if (now_ms() > end) {
			check(false, "ATQ: the device did not consume opcode %u", op);
			return;
		}
}

struct msg {
	uint32_t op;
	int32_t status;
	uint16_t len;
	uint8_t data[AVF_AQ_BUF_SIZE];
};

/* The next ARQ message within ms, false if none. */
static bool recv_msg(struct msg *m, unsigned ms)
{
	for (uint64_t end = now_ms() + ms; (rd(VF_ARQH1) & VF_QPTR_MASK) == p.arq_ntc; nap())
		if (now_ms() > end)
			return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	struct avf_aq_desc *d = arq(p.arq_ntc);
	m->op = d->cookie_high;
	m->status = (int32_t)d->cookie_low;
	m->len = d->datalen <= AVF_AQ_BUF_SIZE ? d->datalen : AVF_AQ_BUF_SIZE;
	memcpy(m->data, p.dma + OFF_ARQ_BUF + p.arq_ntc * AVF_AQ_BUF_SIZE, m->len);
	arq_post(p.arq_ntc);
	wr(VF_ARQT1, p.arq_ntc);
	p.arq_ntc = (p.arq_ntc + 1) % AVF_AQ_LEN;
	if (m->op == VIRTCHNL_OP_EVENT && m->len >= sizeof(struct virtchnl_pf_event)) {
		struct virtchnl_pf_event e;
		memcpy(&e, m->data, sizeof(e));
		if (e.event == VIRTCHNL_EVENT_LINK_CHANGE) {
			ev.link = e.event_data.link_event.link_status;
			ev.speed = e.event_data.link_event.link_speed;
			ev.links++;
		} else {
			ev.doom = e.event;
			ev.severity = e.severity;
			ev.dooms++;
		}
	}
	return true;
}

/* Wait up to ms for the reply to op; events and strays are noted on the way.
 * Returns false on timeout. */
static bool await(uint32_t op, struct msg *m, unsigned ms)
{
	m->len = 0;
	for (uint64_t end = now_ms() + ms; now_ms() <= end;) {
		if (!recv_msg(m, (unsigned)(end - now_ms() + 1)))
			return false;
		if (m->op == op)
			return true;
		if (m->op != VIRTCHNL_OP_EVENT)
			ev.stray_op = m->op;
	}
	return false;
}

/* Send and wait for the reply: its status, or INT32_MIN if none came. */
static int32_t call(uint32_t op, const void *msg, uint16_t len, struct msg *m)
{
	static struct msg spare;

	m = m ? m : &spare;
	send_msg(op, msg, len);
	return await(op, m, 1000) ? m->status : INT32_MIN;
}

/* Drain events for ms. */
static void drain(unsigned ms)
{
	struct msg m;

	for (uint64_t end = now_ms() + ms; now_ms() < end;)
		if (recv_msg(&m, (unsigned)(end - now_ms())) && m.op != VIRTCHNL_OP_EVENT)
			ev.stray_op = m.op;
}

/* ---------------------------------------------------------------- messages */

static int32_t version(uint32_t minor, struct virtchnl_version_info *out)
{
	struct virtchnl_version_info v = { 1, minor };
	struct msg m;
	int32_t s = call(VIRTCHNL_OP_VERSION, &v, sizeof(v), &m);

	if (out && m.len == sizeof(*out))
		memcpy(out, m.data, sizeof(*out));
	return s;
}

static int32_t resources(uint32_t caps, struct virtchnl_vf_resource *r, uint16_t *len)
{
	struct msg m;
	int32_t s = call(VIRTCHNL_OP_GET_VF_RESOURCES, &caps, sizeof(caps), &m);

	memset(r, 0, sizeof(*r));
	memcpy(r, m.data, m.len < sizeof(*r) ? m.len : sizeof(*r));
	if (len)
		*len = m.len;
	if (s == 0) {
		p.vsi = r->vsi_res[0].vsi_id;
		p.num_qp = r->num_queue_pairs;
		p.vectors = r->max_vectors;
	}
	return s;
}

/* VERSION 1.1 + GET_VF_RESOURCES as DPDK asks, link event drained. */
static void bring_up(void)
{
	struct virtchnl_vf_resource r;

	if (version(1, NULL) || resources(CAPS_DPDK, &r, NULL))
		check(false, "bring-up: VERSION + GET_VF_RESOURCES");
	drain(50);
}

/* CONFIG_VSI_QUEUES as it goes on the wire: the 8-byte header of
 * virtchnl_vsi_queue_config_info, then the pairs (room for 17). */
struct vsiq {
	uint16_t vsi_id, num_queue_pairs;
	uint32_t pad;
	struct virtchnl_queue_pair_info qpair[VIRTCHNL_MAX_QUEUE_PAIRS + 2]; /* 17 pairs + the legacy trailing one */
};

/* n valid pairs, queue i's rings in the DMA buffer. */
static void vsiq_fill(struct vsiq *q, unsigned n)
{
	memset(q, 0, sizeof(*q));
	q->vsi_id = p.vsi;
	q->num_queue_pairs = (uint16_t)n;
	for (unsigned i = 0; i < n; i++) {
		struct virtchnl_queue_pair_info *qp = &q->qpair[i];
		qp->txq = (struct virtchnl_txq_info){ .vsi_id = p.vsi, .queue_id = (uint16_t)i, .ring_len = 64,
			.dma_ring_addr = DMA_IOVA + OFF_TX_RING + i * 0x1000 };
		qp->rxq = (struct virtchnl_rxq_info){ .vsi_id = p.vsi, .queue_id = (uint16_t)i, .ring_len = 64,
			.databuffer_size = 2048, .max_pkt_size = 1522, .rxdid = VIRTCHNL_RXDID_1_32B_BASE,
			.dma_ring_addr = DMA_IOVA + OFF_RX_RING + i * 0x1000 };
	}
}

static int32_t vsiq_send(const struct vsiq *q)
{
	return call(VIRTCHNL_OP_CONFIG_VSI_QUEUES, q, (uint16_t)(72 + 64 * q->num_queue_pairs), NULL);
}

static int32_t queues(uint32_t op, uint16_t vsi, uint32_t rx, uint32_t tx)
{
	struct virtchnl_queue_select s = { .vsi_id = vsi, .rx_queues = rx, .tx_queues = tx };
	return call(op, &s, sizeof(s), NULL);
}

/* n copies of one vector map entry (14 + 12n bytes). */
static int32_t irq_map(struct virtchnl_vector_map v, uint16_t n)
{
	uint8_t b[14 + 12 * 18] = { 0 };

	memcpy(b, &n, 2);
	for (unsigned i = 0; i < n && i < 18; i++)
		memcpy(b + 2 + 12 * i, &v, sizeof(v));
	return call(VIRTCHNL_OP_CONFIG_IRQ_MAP, b, (uint16_t)(14 + 12 * n), NULL);
}

static int32_t mac_op(uint32_t op, const uint8_t (*mac)[6], unsigned n)
{
	uint8_t b[12 + 8 * 64] = { 0 };
	uint16_t vsi = p.vsi, cnt = (uint16_t)n;

	memcpy(b, &vsi, 2), memcpy(b + 2, &cnt, 2);
	for (unsigned i = 0; i < n; i++)
		memcpy(b + 4 + 8 * i, mac[i], 6);
	return call(op, b, (uint16_t)(12 + 8 * n), NULL);
}

static int32_t promisc(uint16_t flags)
{
	struct virtchnl_promisc_info pi = { p.vsi, flags };
	return call(VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, &pi, sizeof(pi), NULL);
}

/* ---------------------------------------------------------------- checks */

static void check_state(void)
{
	struct virtchnl_version_info v = { 0, 0 };
	struct virtchnl_vf_resource r;
	uint16_t len = 0;
	uint32_t zero = 0;
	int32_t st;

	fresh();
	printf("# state: the PF is %s\n", pf->name);
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, VSI_ID, 1, 1) == pf->before_res,
	      "state: ENABLE_QUEUES before GET_VF_RESOURCES -> %d", pf->before_res);
	check(call(VIRTCHNL_OP_GET_STATS, &(struct virtchnl_queue_select){ .vsi_id = VSI_ID }, 12, NULL) ==
		      pf->before_res, "state: GET_STATS before GET_VF_RESOURCES -> %d", pf->before_res);
	/* A 1.0 VF: {1,0} back, GET_VF_RESOURCES carries no caps, legacy link speed */
	st = version(0, &v);
	check(st == 0 && v.major == 1 && v.minor == 0, "state: VERSION 1.0 -> 1.0 (got %u.%u)", v.major, v.minor);
	check(call(VIRTCHNL_OP_GET_VF_RESOURCES, &zero, 4, NULL) == VIRTCHNL_STATUS_ERR_PARAM,
	      "state: 1.0 VF: GET_VF_RESOURCES with 4 bytes -> ERR_PARAM");
	struct msg m;
	st = call(VIRTCHNL_OP_GET_VF_RESOURCES, NULL, 0, &m);
	check(st == 0 && m.len == pf->res_len, "state: 1.0 VF: GET_VF_RESOURCES with 0 bytes -> %u-byte reply (%u)",
	      pf->res_len, m.len);
	memcpy(&r, m.data, sizeof(r));
	check(r.vf_cap_flags == pf->grant_v10, "state: 1.0 VF granted 0x%08x (0x%08x)", pf->grant_v10, r.vf_cap_flags);
	drain(100);
	check(ev.link == pf->link_after_res &&
		      ev.speed == (pf->link_after_res ? VIRTCHNL_LINK_SPEED_40GB : VIRTCHNL_LINK_SPEED_UNKNOWN),
	      "state: 1.0 VF: LINK_CHANGE %s in the legacy format (speed 0x%x)", pf->link_after_res ? "up" : "down",
	      ev.speed);

	fresh();
	st = version(1, &v);
	check(st == 0 && v.major == 1 && v.minor == 1, "state: VERSION 1.1 -> 1.1 (got %u.%u)", v.major, v.minor);
	st = resources(CAPS_DPDK, &r, &len);
	check(st == 0 && len == pf->res_len, "state: GET_VF_RESOURCES reply is %u bytes (%u)", pf->res_len, len);
	check(r.vf_cap_flags == pf->grant_dpdk, "state: DPDK's caps 0x%08x -> 0x%08x granted (0x%08x)", CAPS_DPDK,
	      pf->grant_dpdk, r.vf_cap_flags);
	check(r.vsi_res[0].vsi_id == (pf->allow_list ? 1 : VSI_ID),
	      "state: vsi_id %u (i40e: the VSI's number; ice: ICE_VF_VSI_ID 1)", r.vsi_res[0].vsi_id);
	check(r.num_vsis == 1 && r.vsi_res[0].vsi_type == VIRTCHNL_VSI_SRIOV && r.vsi_res[0].num_queue_pairs == r.num_queue_pairs,
	      "state: one SR-IOV VSI with the VF's %u queue pairs", r.num_queue_pairs);
	check(r.rss_key_size == 52 && r.rss_lut_size == 64 && r.max_mtu == 9728,
	      "state: rss_key 52, rss_lut 64, max_mtu 9728 (%u %u %u)", r.rss_key_size, r.rss_lut_size, r.max_mtu);
	check(p.admin_mac ? !memcmp(r.vsi_res[0].default_mac_addr, p.mac, 6) : true, "state: default MAC is --mac when given");
	drain(100);
	check(ev.links == 1 && ev.link == pf->link_after_res && ev.speed == (pf->link_after_res ? 40000u : 0u),
	      "state: LINK_CHANGE %s after GET_VF_RESOURCES (%u Mbps)", pf->link_after_res ? "up" : "down", ev.speed);
	st = resources(CAPS_IAVF, &r, NULL);
	check(st == 0 && r.vf_cap_flags == pf->grant_iavf,
	      "state: iavf's caps 0x%08x -> 0x%08x granted (0x%08x)", CAPS_IAVF, pf->grant_iavf, r.vf_cap_flags);
	check(resources(0, &r, NULL) == 0 && r.vf_cap_flags == pf->grant_none, "state: no caps -> 0x%08x (0x%08x)",
	      pf->grant_none, r.vf_cap_flags);
	if (!pf->allow_list)
		return;
	/* ice_vc_set_caps_allowlist: RSS messages only with RSS_PF granted */
	check(call(VIRTCHNL_OP_GET_RSS_HENA_CAPS, NULL, 0, NULL) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
	      "state: GET_RSS_HENA_CAPS without RSS_PF -> ERR_NOT_SUPPORTED (ice_vc_is_opcode_allowed)");
	check(resources(VIRTCHNL_VF_OFFLOAD_RSS_REG | VIRTCHNL_VF_OFFLOAD_RSS_AQ, &r, NULL) == 0 &&
		      r.vf_cap_flags == VIRTCHNL_VF_OFFLOAD_L2,
	      "state: RSS_REG|RSS_AQ asked -> neither granted (ice_vc_get_vf_res_msg) (0x%08x)", r.vf_cap_flags);
	/* ice_vc_cfg_qs_msg: without RX_FLEX_DESC the VF's rxdid is not read */
	struct vsiq q;
	vsiq_fill(&q, 1);
	q.qpair[0].rxq.rxdid = 2;
	check(vsiq_send(&q) == 0, "state: rxdid 2 without RX_FLEX_DESC -> SUCCESS (ice programs ICE_RXDID_LEGACY_1)");
}

/* ice_virtchnl_allowlist.c: what a VF granted CAPS_DPDK (L2, REQ_QUEUES,
 * VLAN_V2, RSS_PF, RX_FLEX_DESC) may send; ice_vc_process_vf_msg answers anything else
 * ERR_NOT_SUPPORTED before it looks at the length. */
static bool ice_dpdk_may_send(uint32_t op)
{
	switch (op) {
	case VIRTCHNL_OP_VERSION: case VIRTCHNL_OP_RESET_VF: case VIRTCHNL_OP_GET_VF_RESOURCES:
	case VIRTCHNL_OP_CONFIG_TX_QUEUE: case VIRTCHNL_OP_CONFIG_RX_QUEUE: case VIRTCHNL_OP_CONFIG_VSI_QUEUES:
	case VIRTCHNL_OP_CONFIG_IRQ_MAP: case VIRTCHNL_OP_ENABLE_QUEUES: case VIRTCHNL_OP_DISABLE_QUEUES:
	case VIRTCHNL_OP_GET_STATS: case VIRTCHNL_OP_EVENT:
	case VIRTCHNL_OP_ADD_ETH_ADDR: case VIRTCHNL_OP_DEL_ETH_ADDR: case VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE:
	case VIRTCHNL_OP_REQUEST_QUEUES:
	case VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS: case VIRTCHNL_OP_ADD_VLAN_V2: case VIRTCHNL_OP_DEL_VLAN_V2:
	case VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2: case VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2:
	case VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2: case VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2:
	case VIRTCHNL_OP_CONFIG_RSS_KEY: case VIRTCHNL_OP_CONFIG_RSS_LUT:
	case VIRTCHNL_OP_GET_RSS_HENA_CAPS: case VIRTCHNL_OP_SET_RSS_HENA:
	case VIRTCHNL_OP_GET_SUPPORTED_RXDIDS:
		return true;
	default:
		return false;
	}
}

/* The answer to a message with a wrong length or an unknown opcode: ERR_PARAM
 * (virtchnl_vc_validate_vf_msg), unless ice's allow-list answers first. */
static int32_t bad_len_status(uint32_t op)
{
	if (pf->allow_list && !ice_dpdk_may_send(op))
		return VIRTCHNL_STATUS_ERR_NOT_SUPPORTED;
	return VIRTCHNL_STATUS_ERR_PARAM;
}

/* Every opcode with a wrong length: ERR_PARAM (virtchnl_vc_validate_vf_msg), nothing applied. */
static void check_lengths(void)
{
	static const struct { uint32_t op; uint16_t len; } bad[] = {
		{ VIRTCHNL_OP_VERSION, 7 }, { VIRTCHNL_OP_VERSION, 9 }, { VIRTCHNL_OP_RESET_VF, 1 },
		{ VIRTCHNL_OP_GET_VF_RESOURCES, 3 }, { VIRTCHNL_OP_GET_VF_RESOURCES, 0 },
		{ VIRTCHNL_OP_CONFIG_TX_QUEUE, 23 }, { VIRTCHNL_OP_CONFIG_RX_QUEUE, 41 },
		{ VIRTCHNL_OP_CONFIG_VSI_QUEUES, 71 }, { VIRTCHNL_OP_CONFIG_VSI_QUEUES, 135 },
		{ VIRTCHNL_OP_CONFIG_VSI_QUEUES, 137 }, { VIRTCHNL_OP_CONFIG_IRQ_MAP, 13 },
		{ VIRTCHNL_OP_CONFIG_IRQ_MAP, 25 }, { VIRTCHNL_OP_CONFIG_IRQ_MAP, 27 },
		{ VIRTCHNL_OP_ENABLE_QUEUES, 11 }, { VIRTCHNL_OP_DISABLE_QUEUES, 13 },
		{ VIRTCHNL_OP_ADD_ETH_ADDR, 11 }, { VIRTCHNL_OP_ADD_ETH_ADDR, 19 }, { VIRTCHNL_OP_DEL_ETH_ADDR, 21 },
		{ VIRTCHNL_OP_ADD_VLAN, 5 }, { VIRTCHNL_OP_ADD_VLAN, 7 }, { VIRTCHNL_OP_DEL_VLAN, 9 },
		{ VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, 3 }, { VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, 5 },
		{ VIRTCHNL_OP_GET_STATS, 11 }, { VIRTCHNL_OP_CONFIG_RSS_HFUNC, 7 },
		{ VIRTCHNL_OP_CONFIG_RSS_KEY, 5 }, { VIRTCHNL_OP_CONFIG_RSS_KEY, 56 }, { VIRTCHNL_OP_CONFIG_RSS_KEY, 58 },
		{ VIRTCHNL_OP_CONFIG_RSS_LUT, 68 }, { VIRTCHNL_OP_CONFIG_RSS_LUT, 70 },
		{ VIRTCHNL_OP_GET_RSS_HENA_CAPS, 1 }, { VIRTCHNL_OP_SET_RSS_HENA, 7 },
		{ VIRTCHNL_OP_ENABLE_VLAN_STRIPPING, 1 }, { VIRTCHNL_OP_DISABLE_VLAN_STRIPPING, 4 },
		{ VIRTCHNL_OP_REQUEST_QUEUES, 1 }, { VIRTCHNL_OP_REQUEST_QUEUES, 3 },
		{ VIRTCHNL_OP_GET_SUPPORTED_RXDIDS, 8 }, { VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, 1 },
		{ VIRTCHNL_OP_ADD_VLAN_V2, 39 }, { VIRTCHNL_OP_ADD_VLAN_V2, 41 }, { VIRTCHNL_OP_DEL_VLAN_V2, 72 },
		{ VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2, 15 }, { VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2, 17 },
		{ VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2, 0 }, { VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2, 12 },
		{ VIRTCHNL_OP_CONFIG_QUANTA, 11 },
	};
	/* A well-formed body for every count-carrying message: count 1 at
	 * offset 2 (or 0 for IRQ_MAP), so the length is what is wrong. */
	uint8_t body[256] = { 0 };
	unsigned wrong = 0;

	fresh();
	bring_up();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(body, 0, sizeof(body));
		body[0] = VSI_ID;
		if (bad[i].op == VIRTCHNL_OP_CONFIG_IRQ_MAP)
			body[0] = 1;
		else if (bad[i].op == VIRTCHNL_OP_CONFIG_RSS_KEY)
			body[2] = 52;
		else if (bad[i].op == VIRTCHNL_OP_CONFIG_RSS_LUT)
			body[2] = 64;
		else
			body[2] = 1;
		int32_t s = call(bad[i].op, body, bad[i].len, NULL);
		if (s != bad_len_status(bad[i].op)) {
			check(false, "lengths: opcode %u with %u bytes -> %d, want %d", bad[i].op, bad[i].len, s,
			      bad_len_status(bad[i].op));
			wrong++;
		}
	}
	check(!wrong, "lengths: %zu wrong-length messages all answered ERR_PARAM%s", sizeof(bad) / sizeof(bad[0]),
	      pf->allow_list ? " (ERR_NOT_SUPPORTED outside ice's allow-list)" : "");
	/* zero elements with the matching length is an error too */
	memset(body, 0, sizeof(body));
	body[0] = VSI_ID;
	check(call(VIRTCHNL_OP_CONFIG_VSI_QUEUES, body, 72, NULL) == VIRTCHNL_STATUS_ERR_PARAM &&
	      call(VIRTCHNL_OP_ADD_ETH_ADDR, body, 12, NULL) == VIRTCHNL_STATUS_ERR_PARAM &&
	      call(VIRTCHNL_OP_ADD_VLAN, body, 6, NULL) == bad_len_status(VIRTCHNL_OP_ADD_VLAN) &&
	      call(VIRTCHNL_OP_ADD_VLAN_V2, body, 8, NULL) == VIRTCHNL_STATUS_ERR_PARAM,
	      "lengths: zero elements -> ERR_PARAM (ADD_VLAN on ice: not in the allow-list of a VLAN_V2 VF)");
	check(call(200, NULL, 0, NULL) == bad_len_status(200),
	      "lengths: unknown opcode 200 -> %d (virtchnl's validator, or ice's allow-list)", bad_len_status(200));
	check(call(VIRTCHNL_OP_EVENT, NULL, 0, NULL) == VIRTCHNL_STATUS_ERR_PARAM, "lengths: EVENT from the VF -> ERR_PARAM");
	check(call(VIRTCHNL_OP_UNKNOWN, NULL, 0, NULL) == bad_len_status(VIRTCHNL_OP_UNKNOWN), "lengths: UNKNOWN -> %d",
	      bad_len_status(VIRTCHNL_OP_UNKNOWN));
	if (pf->allow_list) {
		/* ice_vc_query_rxdid: the legacy 32-byte one and the flexible 22 */
		struct msg m;
		uint64_t ids = 0;
		check(call(VIRTCHNL_OP_GET_SUPPORTED_RXDIDS, NULL, 0, &m) == 0 && m.len == 8 &&
			      (memcpy(&ids, m.data, 8), ids == (1ull << 1 | 1ull << 22)),
		      "lengths: GET_SUPPORTED_RXDIDS -> RXDIDs 1 and 22 (0x%016llx)", (unsigned long long)ids);
	} else {
		check(call(VIRTCHNL_OP_GET_SUPPORTED_RXDIDS, NULL, 0, NULL) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
		      "lengths: GET_SUPPORTED_RXDIDS (not in i40e) -> ERR_NOT_SUPPORTED");
	}
	check(call(VIRTCHNL_OP_CONFIG_RSS_HFUNC, body, 8, NULL) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
	      "lengths: CONFIG_RSS_HFUNC -> ERR_NOT_SUPPORTED");
}

static void check_queues(void)
{
	struct vsiq q;
	unsigned last;

	fresh();
	bring_up();
	last = p.num_qp - 1;
#define BAD(what, stmt) do { vsiq_fill(&q, 1); stmt; \
		check(vsiq_send(&q) == VIRTCHNL_STATUS_ERR_PARAM, "queues: %s -> ERR_PARAM", what); } while (0)
	BAD("tx ring_len 60 (not a multiple of 8)", q.qpair[0].txq.ring_len = 60);
	BAD("tx ring_len 8168 (> 8160)", q.qpair[0].txq.ring_len = 8168);
	BAD("rx ring_len 80 (not a multiple of 32)", q.qpair[0].rxq.ring_len = 80);
	BAD("rx ring_len 8192 (> 8160)", q.qpair[0].rxq.ring_len = 8192);
	BAD("tx ring not 128-byte aligned", q.qpair[0].txq.dma_ring_addr += 64);
	BAD("rx ring not 128-byte aligned", q.qpair[0].rxq.dma_ring_addr += 32);
	BAD("databuffer_size 2000", q.qpair[0].rxq.databuffer_size = 2000);
	BAD("databuffer_size 16384", q.qpair[0].rxq.databuffer_size = 16384);
	BAD("databuffer_size 0 on a ring", q.qpair[0].rxq.databuffer_size = 0);
	BAD("max_pkt_size 63", q.qpair[0].rxq.max_pkt_size = 63);
	BAD("max_pkt_size 16384", q.qpair[0].rxq.max_pkt_size = 16384);
	if (pf->ice_rings) {
		BAD("tx ring_len 40 (not a multiple of 32)", q.qpair[0].txq.ring_len = 40);
		BAD("rx ring_len 32 (< 64)", q.qpair[0].rxq.ring_len = 32);
		BAD("max_pkt_size 9729 (> the port's 9728)", q.qpair[0].rxq.max_pkt_size = 9729);
		BAD("headwb_enabled", q.qpair[0].txq.headwb_enabled = 1);
		BAD("crc_disable without CRC", q.qpair[0].rxq.crc_disable = 1);
		BAD("rxdid 2 (RX_FLEX_DESC granted, 2 not supported)", q.qpair[0].rxq.rxdid = 2);
		BAD("rxdid 0 (16-byte legacy: ice supports 32-byte only)", q.qpair[0].rxq.rxdid = 0);
	} else {
		BAD("rxdid 2 (flex not granted)", q.qpair[0].rxq.rxdid = 2);
	}
	BAD("wrong vsi_id in the header", q.vsi_id = (uint16_t)(p.vsi + 1));
	BAD("wrong txq.vsi_id", q.qpair[0].txq.vsi_id = (uint16_t)(p.vsi + 1));
	BAD("rxq.queue_id != txq.queue_id", q.qpair[0].rxq.queue_id = 1);
	BAD("queue_id = VSI queue count",
	    (q.qpair[0].txq.queue_id = (uint16_t)p.num_qp, q.qpair[0].rxq.queue_id = (uint16_t)p.num_qp));
	vsiq_fill(&q, VIRTCHNL_MAX_QUEUE_PAIRS + 1);
	check(vsiq_send(&q) == VIRTCHNL_STATUS_ERR_PARAM, "queues: 17 pairs -> ERR_PARAM");
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 1, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "queues: enabling a queue never configured -> ERR_PARAM (bad configs left nothing)");
	vsiq_fill(&q, 1);
	if (pf->ice_rings) {
		q.qpair[0].rxq.rxdid = 22;
		check(vsiq_send(&q) == 0, "queues: rxdid 22 with RX_FLEX_DESC -> SUCCESS (a supported one)");
	} else {
		q.qpair[0].txq.ring_len = 40;
		q.qpair[0].rxq.max_pkt_size = 9729;
		check(vsiq_send(&q) == 0, "queues: tx ring_len 40, max_pkt_size 9729 -> SUCCESS (i40e)");
	}
	vsiq_fill(&q, p.num_qp);
	check(vsiq_send(&q) == 0, "queues: %u valid pairs -> SUCCESS", p.num_qp);
	vsiq_fill(&q, 1);
	q.qpair[0].txq.ring_len = 0, q.qpair[0].txq.dma_ring_addr = 0;
	q.qpair[0].txq.queue_id = q.qpair[0].rxq.queue_id = (uint16_t)last;
	check(vsiq_send(&q) == 0, "queues: tx ring_len 0 (no ring, as DPDK sends) -> SUCCESS");
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 0, 1u << last) == VIRTCHNL_STATUS_ERR_PARAM,
	      "queues: enabling the TX queue without a ring -> ERR_PARAM");

	struct virtchnl_vector_map v = { .vsi_id = p.vsi, .vector_id = 1, .rxq_map = 1, .txq_map = 1, .txitr_idx = 1 };
	check(irq_map(v, 1) == 0, "irq map: vector 1 <- queue 0 -> SUCCESS");
	v.vector_id = 0;
	check(irq_map(v, 1) == (pf->vector0_queues ? 0 : VIRTCHNL_STATUS_ERR_PARAM), "irq map: vector 0 <- queue 0 -> %s",
	      pf->vector0_queues ? "SUCCESS (i40e_config_irq_link_list)" : "ERR_PARAM (ice_vc_cfg_irq_map_msg)");
	v.vector_id = (uint16_t)p.vectors;
	check(irq_map(v, 1) == VIRTCHNL_STATUS_ERR_PARAM, "irq map: vector_id %u (= max_vectors) -> ERR_PARAM", p.vectors);
	v.vector_id = 1;
	if (p.num_qp < 16) {
		v.rxq_map = (uint16_t)(1u << p.num_qp);
		check(irq_map(v, 1) == VIRTCHNL_STATUS_ERR_PARAM, "irq map: queue %u beyond the VSI -> ERR_PARAM", p.num_qp);
	}
	v.rxq_map = 1, v.rxitr_idx = 3;
	check(irq_map(v, 1) == VIRTCHNL_STATUS_ERR_PARAM, "irq map: ITR index 3 -> ERR_PARAM");
	v.rxitr_idx = 0, v.vsi_id = (uint16_t)(p.vsi + 1);
	check(irq_map(v, 1) == VIRTCHNL_STATUS_ERR_PARAM, "irq map: wrong vsi_id -> ERR_PARAM");
	v.vsi_id = p.vsi;
	check(irq_map(v, (uint16_t)(p.vectors + 1)) == VIRTCHNL_STATUS_ERR_PARAM, "irq map: num_vectors > max_vectors -> ERR_PARAM");

	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 0, 0) == VIRTCHNL_STATUS_ERR_PARAM, "enable: empty bitmaps -> ERR_PARAM");
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 1u << 16, 0) == VIRTCHNL_STATUS_ERR_PARAM, "enable: bit 16 -> ERR_PARAM");
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 1u << p.num_qp, 0) == VIRTCHNL_STATUS_ERR_PARAM,
	      "enable: queue beyond the VSI -> ERR_PARAM");
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, (uint16_t)(p.vsi + 1), 1, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "enable: wrong vsi_id -> ERR_PARAM");
	unsigned links = ev.links;
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 1, 1) == 0, "enable: queue 0 -> SUCCESS");
	drain(100);
	check(ev.links == links + 1 && ev.link == 1, "enable: LINK_CHANGE up follows");
	check(queues(VIRTCHNL_OP_DISABLE_QUEUES, p.vsi, 1, 1) == 0, "disable: queue 0 -> SUCCESS");
}

static void check_filters(void)
{
	static const uint8_t bcast[1][6] = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } }, zero[1][6];
	uint8_t own[1][6] = { { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 } }, mc[40][6];
	unsigned have;
	bool uc_refused = p.admin_mac && !p.trust;

	fresh();
	bring_up();
	printf("# filters: %strusted, %s\n", p.trust ? "" : "un", p.admin_mac ? "admin MAC set" : "no admin MAC");
	check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, bcast, 1) == -10, "filters: ADD broadcast -> INVALID_MAC_ADDR (-10)");
	check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, zero, 1) == -10, "filters: ADD 00:00:00:00:00:00 -> INVALID_MAC_ADDR (-10)");
	check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, (const uint8_t (*)[6])own, 1) == (uc_refused ? -1 : 0),
	      "filters: ADD another unicast -> %s", uc_refused ? "EPERM (-1): the host set the MAC" : "SUCCESS");
	if (p.admin_mac)
		check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, (const uint8_t (*)[6])&p.mac, 1) == 0,
		      "filters: ADD the admin MAC itself -> SUCCESS (duplicate ignored)");
	/* filters now: broadcast, the default MAC if any, the added unicast */
	have = 1 + p.admin_mac + !uc_refused;
	for (unsigned i = 0; i < 40; i++)
		memcpy(mc[i], (uint8_t[6]){ 0x01, 0x00, 0x5e, 0x00, 0x01, (uint8_t)i }, 6);
	check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, (const uint8_t (*)[6])mc, VIRTCHNL_MAX_MAC_UNTRUSTED - have) == 0,
	      "filters: multicast up to %u filters in all -> SUCCESS", VIRTCHNL_MAX_MAC_UNTRUSTED);
	check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, (const uint8_t (*)[6])mc, VIRTCHNL_MAX_MAC_UNTRUSTED - have) == 0,
	      "filters: the same again -> SUCCESS (duplicates ignored)");
	check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, (const uint8_t (*)[6])&mc[30], 1) == (p.trust ? 0 : -1),
	      "filters: filter %u -> %s", VIRTCHNL_MAX_MAC_UNTRUSTED + 1, p.trust ? "SUCCESS (trusted)" : "EPERM (-1): untrusted limit");
	check(mac_op(VIRTCHNL_OP_DEL_ETH_ADDR, (const uint8_t (*)[6])&mc[39], 1) == -10,
	      "filters: DEL a filter that does not exist -> INVALID_MAC_ADDR (-10)");
	check(mac_op(VIRTCHNL_OP_DEL_ETH_ADDR, (const uint8_t (*)[6])mc, 1) == 0, "filters: DEL a multicast filter -> SUCCESS");
	if (p.admin_mac)
		check(mac_op(VIRTCHNL_OP_DEL_ETH_ADDR, (const uint8_t (*)[6])&p.mac, 1) == 0 &&
			      mac_op(VIRTCHNL_OP_DEL_ETH_ADDR, (const uint8_t (*)[6])&p.mac, 1) == 0,
		      "filters: DEL the admin MAC -> SUCCESS, skipped (twice)");
	check(promisc(FLAG_VF_UNICAST_PROMISC | FLAG_VF_MULTICAST_PROMISC) == 0, "promisc: flags 3 -> SUCCESS%s",
	      p.trust ? "" : " (the untrusted lie)");
	check(promisc(4) == (p.trust ? VIRTCHNL_STATUS_ERR_PARAM : 0), "promisc: flags 4 -> %s",
	      p.trust ? "ERR_PARAM" : "SUCCESS (untrusted: never even checked)");
	uint8_t vl[6 + 2 * 20] = { 0 };
	uint16_t n = 16;
	memcpy(vl, &p.vsi, 2), memcpy(vl + 2, &n, 2);
	for (uint16_t i = 0; i < 17; i++)
		memcpy(vl + 4 + 2 * i, &(uint16_t){ (uint16_t)(100 + i) }, 2);
	check(call(VIRTCHNL_OP_ADD_VLAN, vl, 6 + 2 * 16, NULL) == 0, "vlan: 16 VLANs -> SUCCESS");
	n = 1;
	memcpy(vl + 2, &n, 2), memcpy(vl + 4, &(uint16_t){ 200 }, 2);
	check(call(VIRTCHNL_OP_ADD_VLAN, vl, 8, NULL) == 0, "vlan: a 17th -> SUCCESS (%s)",
	      p.trust ? "trusted" : "i40e's quirk: not added, SUCCESS anyway");
	memcpy(vl + 4, &(uint16_t){ 4096 }, 2);
	check(call(VIRTCHNL_OP_DEL_VLAN, vl, 8, NULL) == VIRTCHNL_STATUS_ERR_PARAM, "vlan: id 4096 -> ERR_PARAM");
	check(call(VIRTCHNL_OP_DISABLE_VLAN_STRIPPING, NULL, 0, NULL) == 0, "vlan: DISABLE_VLAN_STRIPPING -> SUCCESS");
}

static bool wait_reset(void);

static void check_rss(void)
{
	uint8_t k[6 + 52], l[6 + 64];
	uint16_t v;
	struct msg m;
	bool same = true;

	fresh();
	bring_up();
	memcpy(k, &p.vsi, 2);
	v = 40, memcpy(k + 2, &v, 2);
	check(call(VIRTCHNL_OP_CONFIG_RSS_KEY, k, 5 + 40, NULL) == VIRTCHNL_STATUS_ERR_PARAM, "rss: 40-byte key -> ERR_PARAM");
	v = 52, memcpy(k + 2, &v, 2);
	for (unsigned i = 0; i < 52; i++)
		k[4 + i] = (uint8_t)(0x11 * i + 1);
	check(call(VIRTCHNL_OP_CONFIG_RSS_KEY, k, 57, NULL) == 0, "rss: 52-byte key -> SUCCESS");
	for (unsigned i = 0; i < 13; i++)
		same &= rd(VFQF_HKEY(i)) == ((uint32_t)k[4 + 4 * i] | (uint32_t)k[5 + 4 * i] << 8 |
					     (uint32_t)k[6 + 4 * i] << 16 | (uint32_t)k[7 + 4 * i] << 24);
	check(same, "rss: the key is in VFQF_HKEY(0..12)");
	memcpy(l, &p.vsi, 2);
	v = 64, memcpy(l + 2, &v, 2);
	for (unsigned i = 0; i < 64; i++)
		l[4 + i] = (uint8_t)(i % p.num_qp);
	l[4 + 9] = (uint8_t)p.num_qp;
	check(call(VIRTCHNL_OP_CONFIG_RSS_LUT, l, 69, NULL) == VIRTCHNL_STATUS_ERR_PARAM, "rss: LUT entry = queue count -> ERR_PARAM");
	l[4 + 9] = (uint8_t)(9 % p.num_qp);
	check(call(VIRTCHNL_OP_CONFIG_RSS_LUT, l, 69, NULL) == 0, "rss: 64-entry LUT -> SUCCESS");
	check((rd(VFQF_HLUT(0)) & 0xff) == 0 && ((rd(VFQF_HLUT(0)) >> 8) & 0xff) == 1 % p.num_qp, "rss: the LUT is in VFQF_HLUT");
	v = 32, memcpy(l + 2, &v, 2);
	check(call(VIRTCHNL_OP_CONFIG_RSS_LUT, l, 5 + 32, NULL) == VIRTCHNL_STATUS_ERR_PARAM, "rss: 32-entry LUT -> ERR_PARAM");
	uint64_t hena = 0;
	check(call(VIRTCHNL_OP_GET_RSS_HENA_CAPS, NULL, 0, &m) == 0 && m.len == 8 && (memcpy(&hena, m.data, 8), hena == pf->hena),
	      "rss: GET_RSS_HENA_CAPS -> 0x%016llx", (unsigned long long)hena);
	hena = 0x0000000180000000ull;
	check(call(VIRTCHNL_OP_SET_RSS_HENA, &hena, 8, NULL) == 0 && rd(VFQF_HENA(0)) == 0x80000000u && rd(VFQF_HENA(1)) == 1,
	      "rss: SET_RSS_HENA -> VFQF_HENA(0/1)");
	/* a VF reset: i40e keeps the LUT (VFQF_HLUT is reset domain CORER),
	 * ice rebuilds it, entry i = i % queue pairs, and the hash set */
	memset(l + 4, 0, 64);
	v = 64, memcpy(l + 2, &v, 2);
	check(call(VIRTCHNL_OP_CONFIG_RSS_LUT, l, 69, NULL) == 0, "rss: LUT all queue 0 -> SUCCESS");
	send_msg(VIRTCHNL_OP_RESET_VF, NULL, 0);
	check(wait_reset(), "rss: RESET_VF done");
	same = true;
	for (unsigned i = 0; i < 64; i++)
		same &= (rd(VFQF_HLUT(i / 4)) >> (8 * (i % 4)) & 0xff) == (pf->lut_rebuilt ? i % p.num_qp : 0);
	check(same, "rss: after a VF reset the LUT is %s", pf->lut_rebuilt ?
	      "i % queue pairs again (ice_vsi_cfg_rss_lut_key)" : "as the VF left it (i40e_alloc_vsi_res)");
	hena = (uint64_t)rd(VFQF_HENA(1)) << 32 | rd(VFQF_HENA(0));
	check(hena == pf->hena,
	      "rss: after a VF reset VFQF_HENA is the PF's default again (0x%016llx)", (unsigned long long)hena);
}

static void check_stats(void)
{
	struct virtchnl_queue_select s = { .vsi_id = VSI_ID };
	struct msg m;

	int32_t st;

	fresh();
	st = call(VIRTCHNL_OP_GET_STATS, &s, 12, &m);
	check(st == pf->before_res && m.len == pf->stats_before,
	      "stats: before GET_VF_RESOURCES -> %d with %u zero bytes (%d, %u bytes)", pf->before_res, pf->stats_before,
	      st, m.len);
	bring_up();
	s.vsi_id = p.vsi;
	check(call(VIRTCHNL_OP_GET_STATS, &s, 12, &m) == 0 && m.len == 96, "stats: -> SUCCESS, 96 bytes");
	s.vsi_id = (uint16_t)(p.vsi + 1);
	check(call(VIRTCHNL_OP_GET_STATS, &s, 12, &m) == VIRTCHNL_STATUS_ERR_PARAM && m.len == 96,
	      "stats: wrong vsi_id -> ERR_PARAM with 96 bytes");
}

/* After a reset: ARQ torn down (ENABLE 0), then RSTAT active again. */
/* A reset took the admin queue down and finished: RSTAT active again. */
static bool wait_reset_done(void)
{
	bool seen = false;

	for (uint64_t end = now_ms() + 1000; now_ms() < end && !seen; nap())
		seen = !(rd(VF_ARQLEN1) & VF_QLEN_ENABLE);
	return seen && wait_rstat_active(2000);
}

static bool wait_reset(void)
{
	if (!wait_reset_done())
		return false;
	aq_init();
	return true;
}

static void check_reset(void)
{
	struct virtchnl_vf_resource r;
	struct msg m;
	uint16_t n;

	fresh();
	bring_up();
	send_msg(VIRTCHNL_OP_RESET_VF, NULL, 0);
	check(!await(VIRTCHNL_OP_RESET_VF, &m, 100), "reset: RESET_VF gets no reply");
	check(wait_reset(), "reset: ARQ disabled, then VFGEN_RSTAT active");
	check(queues(VIRTCHNL_OP_ENABLE_QUEUES, VSI_ID, 1, 1) == pf->before_res,
	      "reset: config before GET_VF_RESOURCES -> %d", pf->before_res);
	check(version(1, NULL) == 0 && resources(CAPS_DPDK, &r, NULL) == 0, "reset: VERSION + GET_VF_RESOURCES again");
	drain(50);
	n = 17;
	check(call(VIRTCHNL_OP_REQUEST_QUEUES, &n, 2, &m) == 0 && m.len == 2 && (memcpy(&n, m.data, 2), n == 16),
	      "request queues: 17 -> reply offers 16");
	n = 2;
	send_msg(VIRTCHNL_OP_REQUEST_QUEUES, &n, 2);
	for (uint64_t end = now_ms() + 1000; !ev.doom && now_ms() < end;)
		recv_msg(&m, 10);
	/* i40e_vc_reset_vf: the reset follows the event at once, no window in
	 * which RSTAT still reads VFACTIVE (the reset lasts 20-40 ms). */
	check((rd(VFGEN_RSTAT) & VFGEN_RSTAT_VFR_STATE_MASK) == VIRTCHNL_VFR_INPROGRESS,
	      "request queues: RSTAT already VFR_INPROGRESS when RESET_IMPENDING is read");
	drain(30);
	check(ev.doom == VIRTCHNL_EVENT_RESET_IMPENDING && ev.severity == PF_EVENT_SEVERITY_CERTAIN_DOOM,
	      "request queues: 2 -> EVENT RESET_IMPENDING CERTAIN_DOOM, no reply");
	check(wait_reset(), "request queues: then the VF is reset");
	n = (uint16_t)(version(1, NULL) | resources(CAPS_DPDK, &r, NULL));
	check(n == 0 && r.num_queue_pairs == 2,
	      "request queues: the new VSI has 2 queue pairs (%u)", r.num_queue_pairs);
}

/* RESET_VF before GET_VF_RESOURCES (i40e_vc_reset_vf_msg needs
 * I40E_VF_STATE_ACTIVE, which i40e_cleanup_reset_vf sets after every reset;
 * ice_vc_reset_vf_msg ICE_VF_STATE_INIT: both reset the VF), then a VFLR
 * and a driver that enables its admin queue without waiting for RSTAT:
 * i40e rebuilds the VF with the FLR, ice later (ice_process_vflr_event ->
 * ice_reset_vf -> ice_trigger_vf_reset's clear_mbx_register). */
static void check_reset_rules(void)
{
	struct virtchnl_vf_resource r;
	uint32_t s;

	fresh();
	check(version(1, NULL) == 0, "reset rules: VERSION, no GET_VF_RESOURCES");
	send_msg(VIRTCHNL_OP_RESET_VF, NULL, 0);
	check(wait_reset(), "reset rules: RESET_VF from a VF before GET_VF_RESOURCES resets it (%s_vc_reset_vf_msg)",
	      pf->name);
	check(version(1, NULL) == 0 && resources(CAPS_DPDK, &r, NULL) == 0, "reset rules: VERSION + GET_VF_RESOURCES");
	send_msg(VIRTCHNL_OP_RESET_VF, NULL, 0);
	check(wait_reset(), "reset rules: RESET_VF from an ACTIVE VF resets it (both PFs)");

	if (ioctl(p.device, VFIO_DEVICE_RESET))
		die("VFIO_DEVICE_RESET");
	s = rd(VFGEN_RSTAT) & VFGEN_RSTAT_VFR_STATE_MASK;
	check(s == (pf->vflr_later ? VIRTCHNL_VFR_INPROGRESS : VIRTCHNL_VFR_VFACTIVE),
	      "vflr: RSTAT right after VFIO_DEVICE_RESET: %u (%s)", s,
	      pf->vflr_later ? "ice: VFR_INPROGRESS until its service task rebuilds the VF" : "i40e: VFR_VFACTIVE");
	aq_init(); /* a driver that does not wait for RSTAT */
	check(wait_rstat_active(1000), "vflr: RSTAT active");
	drain(20);
	s = rd(VF_ATQLEN1) | rd(VF_ARQLEN1);
	check(!(s & VF_QLEN_ENABLE) == pf->vflr_later,
	      "vflr: the admin queue enabled during the VFLR is %s", pf->vflr_later ?
	      "disabled by the PF (ice_trigger_vf_reset: VF_ATQLEN1 = VF_ARQLEN1 = 0)" : "kept");
	aq_init();
	check(version(1, NULL) == 0 && resources(CAPS_DPDK, &r, NULL) == 0, "vflr: bring-up after RSTAT is active");
}

/* GET_VF_RESOURCES grants per device id (i40e_sw_init's hw_features, used by
 * i40e_vc_get_vf_resources_msg): WB_ON_ITR, RSS_PCTYPE_V2 and ENCAP_CSUM on
 * X722 only; the model's interim 1889 gets WB_ON_ITR. */
/* VLAN v2: ADD/DEL_VLAN_V2 with n filters of one inner (single) tag each,
 * vids first..first+n-1, or the filters given. */
static int32_t vlan_v2(uint32_t op, uint16_t vport, const struct virtchnl_vlan_filter *f, uint16_t n)
{
	uint8_t b[8 + 32 * 16] = { 0 };

	memcpy(b, &vport, 2);
	memcpy(b + 2, &n, 2);
	memcpy(b + 8, f, 32u * n);
	return call(op, b, (uint16_t)(8 + 32 * n), NULL);
}

static int32_t vlan_v2_ids(uint32_t op, uint16_t first, uint16_t n)
{
	struct virtchnl_vlan_filter f[16];

	memset(f, 0, sizeof(f));
	for (uint16_t i = 0; i < n; i++)
		f[i].inner = (struct virtchnl_vlan){ .tci = (uint16_t)(first + i), .tpid = 0x8100 };
	return vlan_v2(op, p.vsi, f, n);
}

static int32_t vlan_setting(uint32_t op, uint32_t outer, uint32_t inner)
{
	struct virtchnl_vlan_setting s = { .outer_ethertype_setting = outer, .inner_ethertype_setting = inner,
					   .vport_id = p.vsi };
	return call(op, &s, sizeof(s), NULL);
}

/* VLAN v2 as ice serves it in single VLAN mode (ice_virtchnl.c); i40e has no
 * VLAN v2 at all. */
static void check_vlan2(void)
{
	const uint32_t v1 = VIRTCHNL_VF_OFFLOAD_VLAN, v2 = VIRTCHNL_VF_OFFLOAD_VLAN_V2;
	const uint32_t offl = VIRTCHNL_VLAN_ETHERTYPE_8100 | VIRTCHNL_VLAN_TOGGLE | VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1;
	const uint16_t max = p.trust ? 4096 : 8;
	struct virtchnl_vf_resource r;
	struct virtchnl_vlan_caps c;
	struct virtchnl_vlan_filter f;
	struct msg m;
	int32_t st;

	fresh();
	check(version(1, NULL) == 0, "vlan2: VERSION");
	if (!pf->allow_list) {
		/* i40e_vc_get_vf_resources_msg never grants VLAN_V2;
		 * i40e_vc_process_vf_msg's default case refuses the opcodes */
		st = resources(v1 | v2, &r, NULL);
		check(st == 0 && (r.vf_cap_flags & (v1 | v2)) == v1, "vlan2: i40e: VLAN|VLAN_V2 asked -> VLAN (0x%08x)",
		      r.vf_cap_flags);
		check(call(VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0, NULL) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED &&
			      vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 100, 1) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED &&
			      vlan_setting(VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2, 0, 1) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED &&
			      vlan_setting(VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2, 0, 1) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
		      "vlan2: i40e: VLAN v2 opcodes -> ERR_NOT_SUPPORTED (i40e_vc_process_vf_msg: unknown opcode)");
		check(call(VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2, NULL, 0, NULL) == VIRTCHNL_STATUS_ERR_PARAM,
		      "vlan2: i40e: a wrong length -> ERR_PARAM first (virtchnl_vc_validate_vf_msg)");
		return;
	}
	/* ice_vc_get_vlan_caps */
	st = resources(v1 | v2, &r, NULL);
	check(st == 0 && (r.vf_cap_flags & (v1 | v2)) == v2,
	      "vlan2: VLAN|VLAN_V2 asked -> VLAN_V2 only (ice_vc_get_vlan_caps) (0x%08x)", r.vf_cap_flags);
	st = resources(v1, &r, NULL);
	check(st == 0 && (r.vf_cap_flags & (v1 | v2)) == v1,
	      "vlan2: VLAN asked -> VLAN (ice_vc_get_vlan_caps, SVM without a port VLAN) (0x%08x)", r.vf_cap_flags);
	check(call(VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0, NULL) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
	      "vlan2: VLAN granted: GET_OFFLOAD_VLAN_V2_CAPS -> ERR_NOT_SUPPORTED (ice_vc_is_opcode_allowed)");
	check(resources(v2, &r, NULL) == 0 && (r.vf_cap_flags & (v1 | v2)) == v2, "vlan2: VLAN_V2 asked -> VLAN_V2");
	check(call(VIRTCHNL_OP_DISABLE_VLAN_STRIPPING, NULL, 0, NULL) == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
	      "vlan2: VLAN_V2 granted: DISABLE_VLAN_STRIPPING (v1) -> ERR_NOT_SUPPORTED (ice_vc_is_opcode_allowed)");
	/* vf->vlan_v2_caps is what the VF was told: nothing yet */
	check(vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 100, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: ADD_VLAN_V2 before GET_OFFLOAD_VLAN_V2_CAPS -> ERR_PARAM (max_filters 0, "
	      "ice_vc_validate_add_vlan_filter_list)");
	check(vlan_setting(VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2, 0, VIRTCHNL_VLAN_ETHERTYPE_8100) ==
		      VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: ENABLE_VLAN_STRIPPING_V2 before the caps -> ERR_PARAM (ice_vc_valid_vlan_setting_msg)");
	memset(&c, 0, sizeof(c));
	st = call(VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0, &m);
	check(st == 0 && m.len == sizeof(c), "vlan2: GET_OFFLOAD_VLAN_V2_CAPS -> 40 bytes (%u)", m.len);
	memcpy(&c, m.data, sizeof(c));
	check(c.filtering.filtering_support.inner == VIRTCHNL_VLAN_ETHERTYPE_8100 &&
		      c.filtering.filtering_support.outer == 0 && c.filtering.ethertype_init == VIRTCHNL_VLAN_ETHERTYPE_8100,
	      "vlan2: caps: filtering inner 0x8100 only, no outer (ice_vc_set_svm_caps) (0x%x/0x%x)",
	      c.filtering.filtering_support.outer, c.filtering.filtering_support.inner);
	check(c.filtering.max_filters == max, "vlan2: caps: max_filters %u (ice_vc_get_max_vlan_fltrs, %s) (%u)", max,
	      p.trust ? "trusted" : "ICE_MAX_VLAN_PER_VF", c.filtering.max_filters);
	check(c.offloads.stripping_support.inner == offl && c.offloads.insertion_support.inner == offl &&
		      !c.offloads.stripping_support.outer && !c.offloads.insertion_support.outer,
	      "vlan2: caps: stripping and insertion inner 8100|TOGGLE|L2TAG1, no outer (0x%x 0x%x)",
	      c.offloads.stripping_support.inner, c.offloads.insertion_support.inner);
	check(c.offloads.ethertype_init == VIRTCHNL_VLAN_ETHERTYPE_8100 &&
		      c.offloads.ethertype_match == VIRTCHNL_ETHERTYPE_STRIPPING_MATCHES_INSERTION,
	      "vlan2: caps: offload ethertype_init 0x8100, stripping matches insertion");

	/* ice_vc_add_vlan_v2_msg, ice_vc_validate_vlan_filter_list */
	check(vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 100, 1) == 0, "vlan2: ADD_VLAN_V2 inner 100/0x8100 -> SUCCESS");
	memset(&f, 0, sizeof(f));
	f.outer = (struct virtchnl_vlan){ .tci = 101, .tpid = 0x8100 };
	check(vlan_v2(VIRTCHNL_OP_ADD_VLAN_V2, p.vsi, &f, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: an outer tag -> ERR_PARAM (outer filtering unsupported in SVM)");
	memset(&f, 0, sizeof(f));
	f.inner = (struct virtchnl_vlan){ .tci = 101, .tpid = 0x88a8 };
	check(vlan_v2(VIRTCHNL_OP_ADD_VLAN_V2, p.vsi, &f, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: tpid 0x88a8 -> ERR_PARAM (ice_vc_validate_vlan_tpid)");
	f.inner = (struct virtchnl_vlan){ .tci = 0x2000 | 101, .tpid = 0x8100 };
	check(vlan_v2(VIRTCHNL_OP_ADD_VLAN_V2, p.vsi, &f, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: priority bits in the TCI -> ERR_PARAM (no VIRTCHNL_VLAN_PRIO)");
	f.inner = (struct virtchnl_vlan){ .tci = 101, .tci_mask = 0x0fff, .tpid = 0x8100 };
	check(vlan_v2(VIRTCHNL_OP_ADD_VLAN_V2, p.vsi, &f, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: a tci_mask -> ERR_PARAM (no VIRTCHNL_VLAN_FILTER_MASK)");
	check(vlan_v2(VIRTCHNL_OP_ADD_VLAN_V2, (uint16_t)(p.vsi + 1), &(struct virtchnl_vlan_filter){
			      .inner = { .tci = 101, .tpid = 0x8100 } }, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: wrong vport_id -> ERR_PARAM (ice_vc_isvalid_vsi_id)");
	if (!p.trust) {
		check(vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 101, 8) == VIRTCHNL_STATUS_ERR_PARAM,
		      "vlan2: 1 VLAN + 8 more > max_filters 8 -> ERR_PARAM");
		check(vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 101, 7) == 0, "vlan2: 1 VLAN + 7 more = 8 -> SUCCESS");
		check(vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 100, 1) == VIRTCHNL_STATUS_ERR_PARAM,
		      "vlan2: at 8 VLANs, even one already added -> ERR_PARAM (elements are counted, not new ones)");
	}
	/* ice_vc_remove_vlan_v2_msg, ice_vc_del_vlans */
	check(vlan_v2_ids(VIRTCHNL_OP_DEL_VLAN_V2, 100, 1) == 0, "vlan2: DEL_VLAN_V2 100 -> SUCCESS");
	check(vlan_v2_ids(VIRTCHNL_OP_DEL_VLAN_V2, 300, 1) == 0,
	      "vlan2: DEL_VLAN_V2 of a VLAN never added -> SUCCESS (ice_vsi_del_vlan takes -ENOENT)");
	f.inner = (struct virtchnl_vlan){ 0 };
	f.outer = (struct virtchnl_vlan){ .tci = 101, .tpid = 0x8100 };
	check(vlan_v2(VIRTCHNL_OP_DEL_VLAN_V2, p.vsi, &f, 1) == VIRTCHNL_STATUS_ERR_PARAM,
	      "vlan2: DEL_VLAN_V2 with an outer tag -> ERR_PARAM");
	if (!p.trust)
		check(vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 100, 1) == 0, "vlan2: after a DEL there is room again -> SUCCESS");

	/* ice_vc_ena/dis_vlan_stripping_v2_msg, ice_vc_ena/dis_vlan_insertion_v2_msg */
	for (unsigned i = 0; i < 4; i++) {
		static const uint32_t op[4] = { VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2, VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2,
						VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2, VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2 };
		check(vlan_setting(op[i], 0, VIRTCHNL_VLAN_ETHERTYPE_8100) == 0 &&
			      vlan_setting(op[i], VIRTCHNL_VLAN_ETHERTYPE_8100, 0) == VIRTCHNL_STATUS_ERR_PARAM &&
			      vlan_setting(op[i], 0, 0) == VIRTCHNL_STATUS_ERR_PARAM &&
			      vlan_setting(op[i], 0, VIRTCHNL_VLAN_ETHERTYPE_88A8) == VIRTCHNL_STATUS_ERR_PARAM &&
			      vlan_setting(op[i], 0, VIRTCHNL_VLAN_ETHERTYPE_8100 | VIRTCHNL_VLAN_ETHERTYPE_88A8) ==
				      VIRTCHNL_STATUS_ERR_PARAM,
		      "vlan2: opcode %u: inner 0x8100 -> SUCCESS; outer, none, 0x88a8, 0x8100|0x88a8 -> ERR_PARAM "
		      "(ice_vc_valid_vlan_setting_msg)", op[i]);
	}
	check(vlan_setting(VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2, 0, VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1) ==
		      VIRTCHNL_STATUS_ERR_PARAM &&
		      vlan_setting(VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2, 0, VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1) == 0,
	      "vlan2: setting 0x100: enable -> ERR_PARAM (ice_vc_get_tpid), disable -> SUCCESS (no TPID needed)");
}

static void check_grants(void)
{
	const uint32_t hw = VIRTCHNL_VF_OFFLOAD_WB_ON_ITR | VIRTCHNL_VF_OFFLOAD_RSS_PCTYPE_V2 |
			    VIRTCHNL_VF_OFFLOAD_ENCAP_CSUM;
	struct virtchnl_vf_resource r;
	uint16_t id = 0;
	uint32_t has = 0;

	if (pread(p.device, &id, 2, p.cfg_off + 2) != 2)
		die("config device id read");
	/* i40e_sw_init: the hardware-dependent offloads on X722 only; ice
	 * (ice_vc_get_vf_res_msg) grants them whenever asked */
	if (id == AVF_DEV_ID_X722_VF || pf->allow_list)
		has = hw;
	fresh();
	check(version(1, NULL) == 0 && resources(CAPS_IAVF, &r, NULL) == 0, "grants: GET_VF_RESOURCES");
	check((r.vf_cap_flags & hw) == (CAPS_IAVF & has),
	      "grants: 8086:%04x on %s grants 0x%08x of WB_ON_ITR|RSS_PCTYPE_V2|ENCAP_CSUM (expected 0x%08x)", id,
	      pf->name, r.vf_cap_flags & hw, CAPS_IAVF & has);
	check((r.vf_cap_flags & ~hw) == (pf->grant_iavf & ~hw), "grants: the rest as on every %s device (0x%08x)",
	      pf->name, r.vf_cap_flags & ~hw);
}

/* i40e_trigger_vf_reset: an active VF with VFINT_ICR0_ENA1.ADMINQ clear makes
 * the PF wait (i40e_sync_vfr_reset, 100 x 100-200 us) before the reset and
 * log "Reset VF 0 never finished" (sim.bats checks the log and the report).
 * VFINT_ICR0_ENA1 survives the reset (reset domain CORER). */
static void check_handshake(void)
{
	uint64_t t0, t1;
	bool late = false;

	fresh();
	check(rd(VFINT_ICR0_ENA1) == VFINT_ICR0_ENA1_ADMINQ,
	      "handshake: VFINT_ICR0_ENA1 is ADMINQ at start, as the host's iavf left it (0x%08x)",
	      rd(VFINT_ICR0_ENA1));
	bring_up();
	wr(VFINT_ICR0_ENA1, 0);
	nap();
	t0 = now_ms();
	send_msg(VIRTCHNL_OP_RESET_VF, NULL, 0);
	while ((rd(VF_ARQLEN1) & VF_QLEN_ENABLE) && now_ms() - t0 < 1000)
		late = now_ms() - t0 >= 5;
	t1 = now_ms();
	/* ice has no such wait (sim.bats reads vfr_sync_waits 0 in the report) */
	if (pf->sync_vfr_reset)
		check(late, "handshake: ADMINQ clear: the reset waited for the PF (%" PRIu64 " ms)", t1 - t0);
	check(wait_reset(), "handshake: then the VF is reset");
	check(rd(VFINT_ICR0_ENA1) == 0, "handshake: VFINT_ICR0_ENA1 survives the VF reset (0x%08x)",
	      rd(VFINT_ICR0_ENA1));
	wr(VFINT_ICR0_ENA1, VFINT_ICR0_ENA1_ADMINQ);
	bring_up();
	t0 = now_ms();
	send_msg(VIRTCHNL_OP_RESET_VF, NULL, 0);
	late = false;
	while ((rd(VF_ARQLEN1) & VF_QLEN_ENABLE) && now_ms() - t0 < 1000)
		late = now_ms() - t0 >= 5;
	check(!late, "handshake: ADMINQ set: the reset starts at once");
	check(wait_reset(), "handshake: then the VF is reset");
	check(rd(VFINT_ICR0_ENA1) == VFINT_ICR0_ENA1_ADMINQ, "handshake: VFINT_ICR0_ENA1 kept ADMINQ (0x%08x)",
	      rd(VFINT_ICR0_ENA1));
}

static void start_queue0(void);

/* Needs --gen N --rx-rate PPS: with queue 0 enabled and no descriptor posted
 * every frame is dropped for lack of descriptors, counted in rx_discards and
 * in its class (DPDK iavf_dev_stats_get: ipackets = unicast + multicast +
 * broadcast - rx_discards); a VF reset gives a new VSI whose counters start
 * at zero (i40e_alloc_vsi_res). */
static void check_counters(void)
{
	struct virtchnl_queue_select s = { .vsi_id = VSI_ID };
	struct virtchnl_eth_stats e, zero = { 0 };
	struct virtchnl_vf_resource r;
	struct msg m;
	uint64_t got;

	fresh();
	bring_up();
	start_queue0();
	drain(300);
	s.vsi_id = p.vsi;
	check(call(VIRTCHNL_OP_GET_STATS, &s, 12, &m) == 0 && m.len == sizeof(e), "counters: GET_STATS");
	memcpy(&e, m.data, sizeof(e));
	got = e.rx_unicast + e.rx_multicast + e.rx_broadcast;
	check(e.rx_discards > 0 && got == e.rx_discards,
	      "counters: %" PRIu64 " frames dropped for lack of descriptors, counted in rx_discards and in their "
	      "class (%" PRIu64 "): DPDK's ipackets = 0", (uint64_t)e.rx_discards, got);
	send_msg(VIRTCHNL_OP_RESET_VF, NULL, 0);
	check(wait_reset(), "counters: VF reset");
	check(version(1, NULL) == 0 && resources(CAPS_DPDK, &r, NULL) == 0, "counters: GET_VF_RESOURCES");
	check(call(VIRTCHNL_OP_GET_STATS, &s, 12, &m) == 0 && !memcmp(m.data, &zero, sizeof(zero)),
	      "counters: the new VSI's counters start at zero");
}

/* Queue 0 configured and enabled. */
static void start_queue0(void)
{
	struct vsiq q;

	vsiq_fill(&q, 1);
	if (vsiq_send(&q) || queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 1, 1))
		check(false, "configure and enable queue 0");
}

/* The port comes up later: i40e tells the VF (i40e_vc_notify_link_state);
 * ice tells it too, but down while no queue of the VF is enabled
 * (ice_vc_notify_link_state -> ice_is_vf_link_up), and up once one is. */
static void check_link_delay(void)
{
	fresh();
	bring_up();
	check(ev.link == 0, "link-delay: LINK_CHANGE down after GET_VF_RESOURCES");
	drain(600);
	check(ev.link == pf->link_after_res && ev.links == 2, "link-delay: LINK_CHANGE %s later",
	      pf->link_after_res ? "up" : "down (no queue enabled)");
	if (pf->link_after_res)
		return;
	start_queue0();
	drain(50);
	check(ev.link == 1 && ev.links == 3, "link-delay: LINK_CHANGE up after ENABLE_QUEUES");
}

static void check_fault(const char *name)
{
	struct virtchnl_version_info v = { 1, 1 };
	struct virtchnl_vf_resource r;
	struct msg m;
	uint16_t len = 0;

	fresh();
	if (!strcmp(name, "silent-all")) {
		send_msg(VIRTCHNL_OP_VERSION, &v, 8);
		check(!await(VIRTCHNL_OP_VERSION, &m, 500), "fault pf-silent: VERSION unanswered");
	} else if (!strcmp(name, "silent")) {
		bring_up();
		send_msg(VIRTCHNL_OP_GET_STATS, &(struct virtchnl_queue_select){ .vsi_id = p.vsi }, 12);
		check(!await(VIRTCHNL_OP_GET_STATS, &m, 500), "fault pf-silent=get_stats: GET_STATS unanswered");
		check(version(1, NULL) == 0, "fault pf-silent=get_stats: VERSION still answered");
	} else if (!strcmp(name, "version")) {
		int32_t st = version(1, &v);
		check(st == 0 && v.major == 2 && v.minor == 0, "fault version=2.0: reply says %u.%u", v.major, v.minor);
	} else if (!strcmp(name, "status")) {
		bring_up();
		check(call(VIRTCHNL_OP_GET_STATS, &(struct virtchnl_queue_select){ .vsi_id = p.vsi }, 12, &m) == -53 && m.len == 0,
		      "fault status=get_stats:-53: status -53, no payload");
	} else if (!strcmp(name, "wrong-opcode")) {
		send_msg(VIRTCHNL_OP_VERSION, &v, 8);
		check(await(VIRTCHNL_OP_RESET_VF, &m, 500) && m.len == 8, "fault wrong-opcode=version: the reply says RESET_VF");
	} else if (!strcmp(name, "reply-long")) {
		send_msg(VIRTCHNL_OP_VERSION, &v, 8);
		bool got = await(VIRTCHNL_OP_VERSION, &m, 500);
		check(got && m.len == 12, "fault reply-long=version: 12-byte reply (%u)", m.len);
	} else if (!strcmp(name, "reply-short")) {
		int32_t st = version(1, NULL) | resources(CAPS_DPDK, &r, &len);
		check(st == 0 && len == 48,
		      "fault reply-short=get_vf_resources: 48-byte reply (%u)", len);
	} else if (!strcmp(name, "unsolicited")) {
		check(version(1, NULL) == 0 && ev.stray_op == 0, "fault unsolicited: nothing extra before VERSION's reply");
		resources(CAPS_DPDK, &r, NULL);
		check(ev.stray_op == VIRTCHNL_OP_GET_STATS, "fault unsolicited=get_stats: a GET_STATS reply came first");
	} else if (!strcmp(name, "reset-impending") || !strcmp(name, "pf-close")) {
		bool close = !strcmp(name, "pf-close");
		bring_up();
		start_queue0();
		drain(400);
		check(ev.doom == (close ? VIRTCHNL_EVENT_PF_DRIVER_CLOSE : VIRTCHNL_EVENT_RESET_IMPENDING) &&
			      ev.severity == PF_EVENT_SEVERITY_CERTAIN_DOOM,
		      "fault %s=100: EVENT %s CERTAIN_DOOM", name, close ? "PF_DRIVER_CLOSE" : "RESET_IMPENDING");
		if (close)
			check(call(VIRTCHNL_OP_GET_STATS, &(struct virtchnl_queue_select){ .vsi_id = p.vsi }, 12, NULL) == INT32_MIN,
			      "fault pf-close: the PF answers no more");
		else
			check(wait_reset(), "fault reset-impending: the VF is reset");
	} else if (!strcmp(name, "link-down")) {
		bring_up();
		check(ev.link == 0, "fault link-down: LINK_CHANGE down after GET_VF_RESOURCES");
		start_queue0();
		drain(100);
		check(ev.link == 0 && ev.links == 2, "fault link-down: LINK_CHANGE down after ENABLE_QUEUES");
	} else if (!strcmp(name, "link-flap")) {
		bring_up();
		start_queue0();
		drain(400);
		check(ev.links == 4 && ev.link == 1, "fault link-flap=100: up, up (enable), down, up again (%u events)", ev.links);
	} else if (!strcmp(name, "resources")) {
		check(version(1, NULL) == 0 && resources(CAPS_DPDK, &r, NULL) == 0 && r.vsi_res[0].vsi_id == 7,
		      "fault resources=vsi_id:7: the reply says vsi_id 7");
		struct vsiq q;
		vsiq_fill(&q, 1);
		check(vsiq_send(&q) == VIRTCHNL_STATUS_ERR_PARAM, "fault resources: the PF still wants its own VSI id");
	} else {
		fprintf(stderr, "probe-pf: unknown fault check %s\n", name);
		exit(2);
	}
}

/* ---------------------------------------------------------------- host actions */

/* Wait up to ms for a RESET_IMPENDING; true if one came. */
static bool await_doom(unsigned ms)
{
	struct msg m;

	ev.doom = 0;
	for (uint64_t end = now_ms() + ms; !ev.doom && now_ms() < end;)
		recv_msg(&m, 10);
	return ev.doom == VIRTCHNL_EVENT_RESET_IMPENDING && ev.severity == PF_EVENT_SEVERITY_CERTAIN_DOOM;
}

/* RESET_IMPENDING, the VF reset (at once: the RESET_VF path, check_reset),
 * then VERSION + GET_VF_RESOURCES again: the new grant in *r. */
static void host_reset_seen_caps(const char *what, uint32_t caps, struct virtchnl_vf_resource *r)
{
	check(await_doom(1000), "%s: EVENT RESET_IMPENDING CERTAIN_DOOM", what);
	check(wait_reset(), "%s: the VF is reset (ARQ disabled, RSTAT active again)", what);
	check(version(1, NULL) == 0 && resources(caps, r, NULL) == 0, "%s: VERSION + GET_VF_RESOURCES again",
	      what);
	drain(50);
}

static void host_reset_seen(const char *what, struct virtchnl_vf_resource *r)
{
	host_reset_seen_caps(what, CAPS_DPDK, r);
}

static int32_t add_vlan(uint16_t id)
{
	uint16_t b[4] = { p.vsi, 1, id, 0 }; /* 6 + 2n: the legacy phantom element counts */

	return call(VIRTCHNL_OP_ADD_VLAN, b, sizeof(b), NULL);
}

/* --host MS:ACTION (host.c): each as i40e_ndo_set_vf_* does it. */
static void check_host(const char *name)
{
	static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 }, mac2[6] = { 2, 0, 0, 0, 0, 2 };
	uint8_t mc[VIRTCHNL_MAX_MAC_UNTRUSTED][6];
	struct virtchnl_vf_resource r;

	for (unsigned i = 0; i < VIRTCHNL_MAX_MAC_UNTRUSTED; i++)
		memcpy(mc[i], (const uint8_t[6]){ 0x01, 0x00, 0x5e, 0, 1, (uint8_t)i }, 6);
	fresh();
	bring_up();
	start_queue0();
	if (!strcmp(name, "mac")) {
		host_reset_seen("host mac", &r);
		check(!memcmp(r.vsi_res[0].default_mac_addr, mac2, 6),
		      "host mac: the new VSI's default MAC is the one the host set (%02x:..:%02x)",
		      r.vsi_res[0].default_mac_addr[0], r.vsi_res[0].default_mac_addr[5]);
		check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, &mac1, 1) == -1,
		      "host mac: the old MAC is another unicast now: EPERM (-1) to an untrusted VF");
		check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, &mac2, 1) == 0, "host mac: the new one is accepted");
	} else if (!strcmp(name, "trust")) {
		check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, (const uint8_t (*)[6])mc, VIRTCHNL_MAX_MAC_UNTRUSTED) == -1,
		      "host trust: untrusted at first: %u more filters -> EPERM (-1)", VIRTCHNL_MAX_MAC_UNTRUSTED);
		host_reset_seen("host trust", &r);
		check(mac_op(VIRTCHNL_OP_ADD_ETH_ADDR, (const uint8_t (*)[6])mc, VIRTCHNL_MAX_MAC_UNTRUSTED) == 0,
		      "host trust: trusted after the reset: the same filters -> SUCCESS");
	} else if (!strcmp(name, "spoofchk")) {
		check(!await_doom(400) && ev.links == 2, "host spoofchk: no event, no reset (i40e only updates the VSI)");
		check((rd(VFGEN_RSTAT) & VFGEN_RSTAT_VFR_STATE_MASK) == VIRTCHNL_VFR_VFACTIVE &&
			      queues(VIRTCHNL_OP_DISABLE_QUEUES, p.vsi, 1, 1) == 0,
		      "host spoofchk: the VF goes on as it was");
	} else if (!strcmp(name, "link") && !pf->link_resets) {
		/* ice_set_vf_link_state: ice_vc_notify_vf_link_state, nothing more */
		drain(250);
		check(ev.link == 0 && !ev.doom, "host link=down: LINK_CHANGE down, no reset (ice_set_vf_link_state)");
		check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 1, 1) == 0,
		      "host link=down: the queues run on, ENABLE_QUEUES -> SUCCESS");
		drain(250);
		check(ev.link == 1 && !ev.doom && (rd(VFGEN_RSTAT) & VFGEN_RSTAT_VFR_STATE_MASK) == VIRTCHNL_VFR_VFACTIVE,
		      "host link=up: LINK_CHANGE up, no reset");
	} else if (!strcmp(name, "link")) {
		drain(250);
		check(ev.link == 0 && !ev.doom, "host link=down: LINK_CHANGE down, no reset");
		check(queues(VIRTCHNL_OP_ENABLE_QUEUES, p.vsi, 1, 1) == -1,
		      "host link=down: ENABLE_QUEUES -> EPERM (-1): Admin has disabled VF 0 (i40e_ndo_set_vf_link_state)");
		host_reset_seen("host link=up", &r);
		check(ev.link == 1, "host link=up: GET_VF_RESOURCES is followed by LINK_CHANGE up");
		start_queue0();
	} else if (!strcmp(name, "vlan")) {
		/* A VF asking VLAN v1 only (as avf and older iavf do): ice grants
		 * VLAN_V2 to one that asks for it, port VLAN or not
		 * (ice_vc_get_vlan_caps), and v2's caps are checked by vlan2. */
		const uint32_t caps_v1 = (CAPS_DPDK & ~VIRTCHNL_VF_OFFLOAD_VLAN_V2) | VIRTCHNL_VF_OFFLOAD_VLAN;

		host_reset_seen_caps("host vlan=100", caps_v1, &r);
		check(!(r.vf_cap_flags & VIRTCHNL_VF_OFFLOAD_VLAN) && r.max_mtu == AVF_MAX_FRAME - 4,
		      "host vlan=100: no VLAN offload, max_mtu %u (port max frame - 4)", r.max_mtu);
		/* i40e_vc_add_vlan_msg tests the pvid; ice never allowed the opcode
		 * (ice_vc_is_opcode_allowed: VLAN not granted) */
		check(add_vlan(5) == (pf->allow_list ? VIRTCHNL_STATUS_ERR_NOT_SUPPORTED : VIRTCHNL_STATUS_ERR_PARAM),
		      "host vlan=100: ADD_VLAN -> %s", pf->allow_list ? "ERR_NOT_SUPPORTED" : "ERR_PARAM");
		start_queue0();
		host_reset_seen_caps("host vlan=0", caps_v1, &r);
		check((r.vf_cap_flags & VIRTCHNL_VF_OFFLOAD_VLAN) && r.max_mtu == AVF_MAX_FRAME,
		      "host vlan=0: VLAN offload and max_mtu %u again", r.max_mtu);
		check(add_vlan(5) == 0, "host vlan=0: ADD_VLAN -> SUCCESS");
	} else if (!strcmp(name, "vlan2")) {
		/* ice_vc_get_vlan_caps grants VLAN_V2 with a port VLAN too, and
		 * ice_vc_get_offload_vlan_v2_caps then offers nothing: the port
		 * VLAN is the host's (ice_vf_is_port_vlan_ena) */
		struct virtchnl_vlan_caps c;
		struct msg m;

		host_reset_seen("host vlan=100 (VLAN v2)", &r);
		check(r.vf_cap_flags & VIRTCHNL_VF_OFFLOAD_VLAN_V2, "host vlan=100: VLAN_V2 still granted (0x%08x)",
		      r.vf_cap_flags);
		check(call(VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0, &m) == 0 && m.len == sizeof(c),
		      "host vlan=100: GET_OFFLOAD_VLAN_V2_CAPS -> SUCCESS, 40 bytes");
		memcpy(&c, m.data, sizeof(c));
		check(!c.filtering.filtering_support.outer && !c.filtering.filtering_support.inner &&
			      !c.filtering.max_filters && !c.offloads.stripping_support.outer &&
			      !c.offloads.stripping_support.inner && !c.offloads.insertion_support.outer &&
			      !c.offloads.insertion_support.inner,
		      "host vlan=100: no VLAN filtering, stripping or insertion offered (ice_vc_get_offload_vlan_v2_caps)");
		check(vlan_v2_ids(VIRTCHNL_OP_ADD_VLAN_V2, 5, 1) == VIRTCHNL_STATUS_ERR_PARAM,
		      "host vlan=100: ADD_VLAN_V2 -> ERR_PARAM (max_filters 0)");
	} else if (!strcmp(name, "pf-reset")) {
		/* VFINT_ICR0_ENA1 clear: a VF reset would wait for it (sim.bats:
		 * vfr_sync_waits 0 shows this one did not). */
		wr(VFINT_ICR0_ENA1, 0);
		check(await_doom(1000), "host pf-reset: EVENT RESET_IMPENDING CERTAIN_DOOM");
		check(wait_reset(), "host pf-reset: the VF is reset");
		wr(VFINT_ICR0_ENA1, VFINT_ICR0_ENA1_ADMINQ);
		check(version(1, NULL) == 0 && resources(CAPS_DPDK, &r, NULL) == 0, "host pf-reset: bring-up again");
	} else if (!strncmp(name, "vf-remove", 9)) {
		int32_t efd = eventfd(0, 0);
		struct vfio_irq_set set = { .argsz = sizeof(set) + sizeof(efd), .count = 1,
					    .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
					    .index = VFIO_PCI_REQ_IRQ_INDEX };
		uint8_t irq[sizeof(set) + sizeof(efd)];
		char bdf[64];
		uint64_t n = 0;
		bool req = strcmp(name, "vf-remove-noreq") != 0;
		bool hold = !strcmp(name, "vf-remove-hold");
		memcpy(irq, &set, sizeof(set));
		memcpy(irq + sizeof(set), &efd, sizeof(efd));
		if (req && ioctl(p.device, VFIO_DEVICE_SET_IRQS, irq))
			die("SET_IRQS REQ");
		drain(300);
		if (req)
			check(read(efd, &n, sizeof(n)) == sizeof(n) && n == 1, "host vf-remove: the REQ eventfd fired once");
		if (hold) {
			/* vfio_unregister_group_dev asks again every 10 s, for ever. */
			drain(10500);
			check(read(efd, &n, sizeof(n)) == sizeof(n) && n == 1,
			      "host vf-remove: held for 10 s: asked once more");
		}
		read_args(bdf, sizeof(bdf));
		errno = 0;
		check(ioctl(p.group, VFIO_GROUP_GET_DEVICE_FD, bdf) < 0 && errno == ENODEV,
		      "host vf-remove: the device opens no more (ENODEV)");
		check(queues(VIRTCHNL_OP_DISABLE_QUEUES, p.vsi, 1, 1) == 0, "host vf-remove: the VF works until released");
		close(p.device);
	} else if (!strcmp(name, "wait")) {
		/* The MAC waits for the trust reset (i40e_check_vf_init_timeout),
		 * then resets the VF again as soon as the PF is done: before the
		 * VF enabled its ARQ again, so that RESET_IMPENDING is lost. */
		check(await_doom(1000) && wait_reset_done(), "host trust+mac: RESET_IMPENDING, the VF is reset (trust)");
		/* The admin queue stays off until the MAC's reset is over: RSTAT
		 * leaving VFACTIVE shows it; a probe that missed its 30 ms still
		 * waits a whole second, which that reset cannot outlast. */
		bool left = false;
		for (uint64_t end = now_ms() + 1000; now_ms() < end && !left; nap())
			left = (rd(VFGEN_RSTAT) & VFGEN_RSTAT_VFR_STATE_MASK) != VIRTCHNL_VFR_VFACTIVE;
		check(wait_rstat_active(1000), "host trust+mac: RSTAT active again");
		aq_init();
		check(version(1, NULL) == 0 && resources(CAPS_DPDK, &r, NULL) == 0 &&
			      !memcmp(r.vsi_res[0].default_mac_addr, mac2, 6),
		      "host trust+mac: then the MAC's reset: the default MAC is the new one");
		check(ev.dooms == 1, "host trust+mac: the second reset was not announced to the VF (%u events)", ev.dooms);
	} else if (!strcmp(name, "stuck")) {
		/* the trust reset never completes: the MAC's command waits for
		 * it (i40e 300 ms, ice 800 ms), then fails; sim.bats reads how */
		check(await_doom(1000), "host stuck: RESET_IMPENDING (trust)");
		drain(1200);
		check((rd(VFGEN_RSTAT) & VFGEN_RSTAT_VFR_STATE_MASK) == VIRTCHNL_VFR_INPROGRESS && ev.dooms == 1,
		      "host stuck: still in reset, no second reset (%u events)", ev.dooms);
	} else {
		fprintf(stderr, "probe-pf: unknown host check %s\n", name);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } checks[] = {
		{ "state", check_state }, { "lengths", check_lengths }, { "queues", check_queues },
		{ "filters", check_filters }, { "rss", check_rss }, { "stats", check_stats },
		{ "reset", check_reset }, { "link-delay", check_link_delay }, { "grants", check_grants },
		{ "handshake", check_handshake }, { "counters", check_counters },
		{ "reset-rules", check_reset_rules },
		{ "vlan2", check_vlan2 },
	};
	char bdf[64];
	bool found = false;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CHECK (see the comment at the top of probe-pf.c)\n", argv[0]);
		return 2;
	}
	read_args(bdf, sizeof(bdf));
	vfio_open(bdf);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (!strcmp(argv[1], checks[i].name) || (!strcmp(argv[1], "all") && i < 7)) {
			checks[i].fn();
			found = true;
		}
	if (!strncmp(argv[1], "fault-", 6)) {
		check_fault(argv[1] + 6);
		found = true;
	}
	if (!strncmp(argv[1], "host-", 5)) {
		check_host(argv[1] + 5);
		found = true;
	}
	if (!found) {
		fprintf(stderr, "probe-pf: unknown check %s\n", argv[1]);
		return 2;
	}
	return p.fails ? 1 : 0;
}
