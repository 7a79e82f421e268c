/* SPDX-License-Identifier: MIT
 *
 * options.c - the simulator's options, shared by the launcher (avfsim.c),
 * which checks them before starting the command, and the library, which
 * parses them again from AVFSIM_ARGS at load.
 *
 * Every error is one line: the option, the value, and what would be right.
 * Fault values are checked here and normalised so the layers that act on
 * them only need strtol(): an OPCODE becomes its number ("config_irq_map" ->
 * "7"), status=OPCODE becomes "7:-5", memlock=64K becomes "65536".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"
#include "kernel.h"

struct sim_opts sim_opts;

const char sim_usage[] =
	"usage: avfsim [options] -- COMMAND [ARGS...]\n"
	"Run COMMAND on a simulated Intel AVF virtual function (VFIO emulated in-process).\n"
	"\n"
	"  --bdf BDF            PCI address of the VF (default 0000:3b:02.0)\n"
	"  --device-id HEX      PCI device id (default 154c; 1889 = E810 adaptive VF)\n"
	"  --pf i40e|ice        the PF driver behind the VF (default: ice for 1889, else i40e)\n"
	"  --rx FILE.pcap       frames the wire delivers to the VF\n"
	"  --tx FILE.pcap       capture of the frames the VF sends\n"
	"  --gen COUNT[:SIZE[:FLOWS]]\n"
	"                       generate COUNT frames of SIZE bytes (60..9728, default 64)\n"
	"                       in FLOWS IPv4/UDP flows taking turns (1..16384, default 256)\n"
	"  --rx-rate PPS        deliver at most PPS frames per second (default: lossless)\n"
	"  --mac MAC            MAC the PF assigns (default 00:00:00:00:00:00 = none)\n"
	"  --trust              the VF is trusted (promiscuous mode works)\n"
	"  --no-spoofchk        the PF does not drop frames with a foreign source MAC\n"
	"  --link-delay MS      link comes up MS ms after the VF is configured (default 0)\n"
	"  --vectors N          MSI-X vectors incl. vector 0, 2..17 (default 5, AVF base mode)\n"
	"  --queue-pairs N      queue pairs the PF grants, 1..16 (default 4)\n"
	"  --lut iavf|zero      RSS LUT and key the VF starts with: as the host's iavf\n"
	"                       left them (entry i = i %% queue pairs, the default) or\n"
	"                       all zero (after a core reset)\n"
	"  --iommu-group N      IOMMU group number (default 42)\n"
	"  --device-cpu N       run the device thread on CPU N only (benchmarks: keep it off\n"
	"                       the driver's CPU, as real silicon is)\n"
	"  --trace              log every VFIO call, register change, virtchnl message and write-back\n"
	"  --report FILE        write counters as key=value lines at exit\n"
	"  --host MS:ACTION     the host's administrator acts on the VF MS ms after the first\n"
	"                       ENABLE_QUEUES (repeatable, at most 16), as the PF (--pf) does it:\n"
	"                       mac=MAC trust=on|off spoofchk=on|off link=up|down|auto\n"
	"                       vlan=VID (port VLAN, 0 removes it) pf-reset vf-remove\n"
	"  --fault NAME[=VALUE] inject a fault (repeatable), see tests/sim/README.md:\n"
	"      VFIO:   no-iommu-group not-vfio-pci group-not-viable group-busy\n"
	"              permission-denied memlock=BYTES vf-token=UUID\n"
	"      device: reset-stuck reset-stuck-from=N rx-zero-len=N rx-oversize-len=N rx-no-eof=N rx-error=N\n"
	"              rx-stray-dd=N tx-stray-wb=N tx-mdd=N aq-error=OPCODE arq-error=OPCODE\n"
	"      PF:     pf-silent[=OPCODE] version=MAJOR.MINOR status=OPCODE[:STATUS]\n"
	"              wrong-opcode=OPCODE reply-long=OPCODE reply-short=OPCODE\n"
	"              unsolicited=OPCODE reset-impending=MS pf-close=MS link-down\n"
	"              link-flap=MS resources=FIELD:VALUE\n"
	"      both:   fuzz=SEED[:RATE] (RATE% of PF messages and RX write-backs\n"
	"              corrupted at random, reproducibly; RATE 1..100, default 10)\n"
	"  -h, --help           this text\n";

/* The names of enum virtchnl_ops (virtchnl.h), as --fault OPCODE values. */
static const struct {
	const char *name;
	uint32_t op;
} opcodes[] = {
	{"unknown", 0}, {"version", 1}, {"reset_vf", 2}, {"get_vf_resources", 3},
	{"config_tx_queue", 4}, {"config_rx_queue", 5}, {"config_vsi_queues", 6},
	{"config_irq_map", 7}, {"enable_queues", 8}, {"disable_queues", 9},
	{"add_eth_addr", 10}, {"del_eth_addr", 11}, {"add_vlan", 12}, {"del_vlan", 13},
	{"config_promiscuous_mode", 14}, {"get_stats", 15}, {"rsvd", 16}, {"event", 17},
	{"config_rss_hfunc", 18}, {"config_rss_key", 23}, {"config_rss_lut", 24},
	{"get_rss_hena_caps", 25}, {"set_rss_hena", 26}, {"enable_vlan_stripping", 27},
	{"disable_vlan_stripping", 28}, {"request_queues", 29}, {"enable_channels", 30},
	{"disable_channels", 31}, {"add_cloud_filter", 32}, {"del_cloud_filter", 33},
	{"get_supported_rxdids", 44}, {"add_rss_cfg", 45}, {"del_rss_cfg", 46},
	{"add_fdir_filter", 47}, {"del_fdir_filter", 48}, {"get_max_rss_qregion", 50},
	{"get_offload_vlan_v2_caps", 51}, {"add_vlan_v2", 52}, {"del_vlan_v2", 53},
	{"enable_vlan_stripping_v2", 54}, {"disable_vlan_stripping_v2", 55},
	{"enable_vlan_insertion_v2", 56}, {"disable_vlan_insertion_v2", 57},
	{"1588_ptp_get_caps", 60}, {"1588_ptp_get_time", 61}, {"get_qos_caps", 66},
	{"config_queue_bw", 112}, {"config_quanta", 113},
};

/* What follows '=' in a --fault. */
enum fault_value {
	FV_NONE,          /* no value allowed */
	FV_OPT_OPCODE,    /* optional OPCODE */
	FV_OPCODE,
	FV_OPCODE_STATUS, /* OPCODE[:STATUS] */
	FV_COUNT,         /* N >= 1: the Nth frame or completion */
	FV_MS,            /* milliseconds */
	FV_BYTES,         /* BYTES[K|M|G] */
	FV_UUID,
	FV_VERSION,       /* MAJOR.MINOR */
	FV_RESOURCES,     /* FIELD:VALUE */
	FV_FUZZ,          /* SEED[:RATE] */
};

static const struct {
	const char *name;
	enum fault_value value;
} faults[] = {
	/* VFIO layer (vfio.c, sysfs.c) */
	{"no-iommu-group", FV_NONE}, {"not-vfio-pci", FV_NONE},
	{"group-not-viable", FV_NONE}, {"group-busy", FV_NONE},
	{"permission-denied", FV_NONE}, {"memlock", FV_BYTES}, {"vf-token", FV_UUID},
	/* device layer */
	{"reset-stuck", FV_NONE}, {"reset-stuck-from", FV_COUNT}, {"rx-zero-len", FV_COUNT}, {"rx-oversize-len", FV_COUNT},
	{"rx-no-eof", FV_COUNT}, {"rx-error", FV_COUNT}, {"rx-stray-dd", FV_COUNT},
	{"tx-stray-wb", FV_COUNT}, {"tx-mdd", FV_COUNT}, {"aq-error", FV_OPCODE}, {"arq-error", FV_OPCODE},
	/* PF layer */
	{"pf-silent", FV_OPT_OPCODE}, {"version", FV_VERSION}, {"status", FV_OPCODE_STATUS},
	{"wrong-opcode", FV_OPCODE}, {"reply-long", FV_OPCODE}, {"reply-short", FV_OPCODE},
	{"unsolicited", FV_OPCODE}, {"reset-impending", FV_MS}, {"pf-close", FV_MS},
	{"link-down", FV_NONE}, {"link-flap", FV_MS}, {"resources", FV_RESOURCES},
	/* PF and device layers */
	{"fuzz", FV_FUZZ},
};

static const char *const resource_fields[] = {
	"num_vsis", "vsi_type", "num_queue_pairs", "max_vectors", "max_mtu",
	"vsi_queue_pairs", "vsi_id",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal number in [min, max], nothing else (no sign, no spaces). */
static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* 1..maxdigits hex digits at *p; advances *p. */
static bool hex_field(const char **p, int maxdigits, unsigned *out)
{
	unsigned v = 0;
	int n = 0;

	while (isxdigit((unsigned char)**p) && n < maxdigits) {
		char c = (char)tolower((unsigned char)*(*p)++);
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		n++;
	}
	*out = v;
	return n > 0;
}

static bool parse_bdf(const char *s, char out[16])
{
	unsigned dom = 0, bus, dev, fn;
	const char *p = s;
	int colons = 0;

	for (const char *q = s; *q; q++)
		colons += *q == ':';
	if ((colons == 2 && (!hex_field(&p, 4, &dom) || *p++ != ':')) || colons < 1 || colons > 2)
		return false;
	if (!hex_field(&p, 2, &bus) || *p++ != ':' || !hex_field(&p, 2, &dev) || *p++ != '.' ||
	    !hex_field(&p, 1, &fn) || *p || dev > 0x1f || fn > 7)
		return false;
	snprintf(out, 16, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return true;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	const char *p = s;

	for (int i = 0; i < 6; i++) {
		unsigned b;
		const char *start = p;
		if (!hex_field(&p, 2, &b) || p - start != 2 || *p != (i < 5 ? ':' : '\0'))
			return false;
		p++;
		mac[i] = (uint8_t)b;
	}
	return true;
}

/* The first 36 characters of s are a UUID in text form (as uuid_parse wants). */
bool uuid_valid(const char *s)
{
	static const char form[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	for (size_t i = 0; i < sizeof(form) - 1; i++) {
		if (form[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != form[i])
			return false;
	}
	return true;
}

/* OPCODE: a name of enum virtchnl_ops without VIRTCHNL_OP_ (any case), or a number. */
static bool parse_opcode(const char *s, uint32_t *op)
{
	uint64_t v;

	for (size_t i = 0; i < N(opcodes); i++) {
		if (!strcasecmp(s, opcodes[i].name)) {
			*op = opcodes[i].op;
			return true;
		}
	}
	if (!parse_u64(s, 0, UINT32_MAX, &v))
		return false;
	*op = (uint32_t)v;
	return true;
}

/* Check one --fault VALUE and write its normalised form to out. */
static const char *fault_value(enum fault_value kind, const char *v, char *out, size_t len)
{
	uint32_t op;
	uint64_t n, m;
	char buf[64];
	char *sep;

	snprintf(buf, sizeof(buf), "%s", v);
	sep = strpbrk(buf, ":.");
	switch (kind) {
	case FV_NONE:
		return "takes no value";
	case FV_OPT_OPCODE:
	case FV_OPCODE:
		if (!parse_opcode(v, &op))
			return "needs a virtchnl opcode: a name like config_irq_map or a number";
		snprintf(out, len, "%u", op);
		return NULL;
	case FV_OPCODE_STATUS: {
		long status = VIRTCHNL_STATUS_ERR_PARAM;
		if (sep && *sep == ':') {
			char *end;
			*sep = '\0';
			errno = 0;
			status = strtol(sep + 1, &end, 10);
			if (sep[1] != '-' || *end || errno || status < INT32_MIN || status >= 0)
				return "needs OPCODE[:STATUS], STATUS a negative number such as -5 or -64";
		}
		if (!parse_opcode(buf, &op))
			return "needs OPCODE[:STATUS], OPCODE a name like config_irq_map or a number";
		snprintf(out, len, "%u:%ld", op, status);
		return NULL;
	}
	case FV_COUNT:
		if (!parse_u64(v, 1, UINT32_MAX, &n))
			return "needs N >= 1, the 1-based frame or completion number";
		snprintf(out, len, "%llu", (unsigned long long)n);
		return NULL;
	case FV_MS:
		if (!parse_u64(v, 0, 3600000, &n))
			return "needs a delay in milliseconds, 0..3600000";
		snprintf(out, len, "%llu", (unsigned long long)n);
		return NULL;
	case FV_BYTES: {
		size_t l = strlen(buf);
		unsigned shift = 0;
		if (l && strchr("KMG", buf[l - 1])) {
			shift = buf[l - 1] == 'K' ? 10 : buf[l - 1] == 'M' ? 20 : 30;
			buf[l - 1] = '\0';
		}
		if (!parse_u64(buf, 0, UINT64_MAX >> shift, &n))
			return "needs a byte count, optionally with K, M or G (e.g. 65536 or 64K)";
		snprintf(out, len, "%llu", (unsigned long long)(n << shift));
		return NULL;
	}
	case FV_UUID:
		if (strlen(v) != 36 || !uuid_valid(v))
			return "needs a UUID like 2ab74924-c335-45f4-9b16-8569e5b08258";
		for (size_t i = 0; i <= 36; i++)
			out[i] = (char)tolower((unsigned char)v[i]);
		return NULL;
	case FV_VERSION:
		if (!sep || *sep != '.')
			return "needs MAJOR.MINOR, e.g. 1.0";
		*sep = '\0';
		if (!parse_u64(buf, 0, UINT32_MAX, &n) || !parse_u64(sep + 1, 0, UINT32_MAX, &m))
			return "needs MAJOR.MINOR, e.g. 1.0";
		snprintf(out, len, "%llu.%llu", (unsigned long long)n, (unsigned long long)m);
		return NULL;
	case FV_RESOURCES:
		if (!sep || *sep != ':')
			return "needs FIELD:VALUE, e.g. num_queue_pairs:2";
		*sep = '\0';
		for (size_t i = 0; i < N(resource_fields); i++) {
			if (!strcmp(buf, resource_fields[i])) {
				if (!parse_u64(sep + 1, 0, UINT16_MAX, &n))
					return "needs FIELD:VALUE with VALUE 0..65535";
				snprintf(out, len, "%.24s:%llu", buf, (unsigned long long)n);
				return NULL;
			}
		}
		return "needs FIELD:VALUE, FIELD one of num_vsis vsi_type num_queue_pairs "
		       "max_vectors max_mtu vsi_queue_pairs vsi_id";
	case FV_FUZZ:
		m = 10;
		if (sep && *sep == ':')
			*sep = '\0';
		if (!parse_u64(buf, 0, UINT64_MAX, &n) || (sep && !parse_u64(sep + 1, 1, 100, &m)))
			return "needs SEED[:RATE], SEED a number, RATE a percentage 1..100 (default 10)";
		snprintf(out, len, "%llu:%llu", (unsigned long long)n, (unsigned long long)m);
		return NULL;
	}
	return "is not understood";
}

static int add_fault(struct sim_opts *o, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
	struct sim_fault *f;

	for (size_t i = 0; i < N(faults); i++) {
		if (strlen(faults[i].name) != nlen || strncmp(arg, faults[i].name, nlen))
			continue;
		for (unsigned j = 0; j < o->nfaults; j++) {
			if (!strcmp(o->faults[j].name, faults[i].name))
				return fail(err, errlen, "--fault %s: given twice; give each fault once",
					    faults[i].name);
		}
		if (o->nfaults == SIM_MAX_FAULTS)
			return fail(err, errlen, "--fault %s: too many faults; at most %d", arg,
				    SIM_MAX_FAULTS);
		f = &o->faults[o->nfaults];
		snprintf(f->name, sizeof(f->name), "%s", faults[i].name);
		f->value[0] = '\0';
		bool needs = faults[i].value != FV_NONE && faults[i].value != FV_OPT_OPCODE;
		if (!eq && needs)
			return fail(err, errlen, "--fault %s: needs =VALUE; see avfsim -h", arg);
		if (eq) {
			const char *why = fault_value(faults[i].value, eq + 1, f->value, sizeof(f->value));
			if (why)
				return fail(err, errlen, "--fault %s: %s %s", arg, faults[i].name, why);
		}
		o->nfaults++;
		return 0;
	}
	return fail(err, errlen, "--fault %.*s: unknown fault; the names are listed by avfsim -h",
		    (int)nlen, arg);
}

/* on|off of trust= and spoofchk=. */
static bool parse_on_off(const char *s, int *out)
{
	if (!strcmp(s, "on"))
		*out = 1;
	else if (!strcmp(s, "off"))
		*out = 0;
	else
		return false;
	return true;
}

/* The ACTION of --host MS:ACTION; false if it is not one. */
static bool parse_host_action(const char *a, struct sim_host *h)
{
	static const char *const links[] = { "auto", "up", "down" };
	uint64_t vid;

	if (!strncmp(a, "mac=", 4)) {
		h->action = SIM_HOST_MAC;
		return parse_mac(a + 4, h->mac);
	}
	if (!strncmp(a, "trust=", 6)) {
		h->action = SIM_HOST_TRUST;
		return parse_on_off(a + 6, &h->value);
	}
	if (!strncmp(a, "spoofchk=", 9)) {
		h->action = SIM_HOST_SPOOFCHK;
		return parse_on_off(a + 9, &h->value);
	}
	if (!strncmp(a, "link=", 5)) {
		h->action = SIM_HOST_LINK;
		for (h->value = 0; h->value < (int)N(links); h->value++)
			if (!strcmp(a + 5, links[h->value]))
				return true;
		return false;
	}
	if (!strncmp(a, "vlan=", 5)) {
		h->action = SIM_HOST_VLAN;
		if (!parse_u64(a + 5, 0, 4095, &vid))
			return false;
		h->value = (int)vid;
		return true;
	}
	h->action = !strcmp(a, "pf-reset") ? SIM_HOST_PF_RESET : SIM_HOST_VF_REMOVE;
	return !strcmp(a, "pf-reset") || !strcmp(a, "vf-remove");
}

/* --host MS:ACTION, repeatable. */
static int add_host(struct sim_opts *o, const char *val, char *err, size_t errlen)
{
	const char *colon = strchr(val, ':');
	struct sim_host *h = &o->host[o->nhost];
	char ms[16];
	uint64_t n;

	if (o->nhost == SIM_MAX_HOST)
		return fail(err, errlen, "--host %s: too many host actions; at most %d", val, SIM_MAX_HOST);
	memset(h, 0, sizeof(*h));
	if (!colon || (size_t)(colon - val) >= sizeof(ms))
		return fail(err, errlen, "--host %s: use MS:ACTION, e.g. 500:trust=on", val);
	memcpy(ms, val, (size_t)(colon - val));
	ms[colon - val] = '\0';
	if (!parse_u64(ms, 0, 3600000, &n))
		return fail(err, errlen, "--host %s: MS is milliseconds after the first ENABLE_QUEUES, "
			    "0..3600000", val);
	if (!parse_host_action(colon + 1, h))
		return fail(err, errlen, "--host %s: ACTION is one of mac=MAC trust=on|off spoofchk=on|off "
			    "link=up|down|auto vlan=VID (0..4095) pf-reset vf-remove", val);
	if (h->action == SIM_HOST_MAC && (h->mac[0] & 1))
		return fail(err, errlen, "--host %s: a multicast address cannot be a VF's MAC (i40e "
			    "refuses it); use a unicast one like 02:00:00:aa:bb:cc", val);
	h->ms = (uint32_t)n;
	snprintf(h->text, sizeof(h->text), "%s", colon + 1);
	o->nhost++;
	return 0;
}

/* Options that take a value, given as "--opt VALUE" or "--opt=VALUE". */
static const char *const valued[] = {
	"--bdf", "--device-id", "--rx", "--tx", "--gen", "--rx-rate", "--mac", "--link-delay",
	"--vectors", "--queue-pairs", "--lut", "--report", "--iommu-group", "--device-cpu", "--fault",
	"--host",
	"--pf",
};

static bool is_valued(const char *opt)
{
	for (size_t i = 0; i < N(valued); i++) {
		if (!strcmp(opt, valued[i]))
			return true;
	}
	return false;
}

static int set_option(struct sim_opts *o, const char *opt, char *val, char *err, size_t errlen)
{
	uint64_t n = 0;

	if (!strcmp(opt, "--bdf")) {
		if (!parse_bdf(val, o->bdf))
			return fail(err, errlen, "--bdf %s: not a PCI address; use dddd:bb:dd.f or "
				    "bb:dd.f, e.g. 0000:3b:02.0", val);
	} else if (!strcmp(opt, "--device-id")) {
		const char *p = val + (strncasecmp(val, "0x", 2) ? 0 : 2);
		unsigned id;
		if (!hex_field(&p, 4, &id) || *p)
			return fail(err, errlen, "--device-id %s: not a 16-bit hex id; use e.g. 154c "
				    "(700 series VF) or 1889 (adaptive VF)", val);
		o->device_id = (uint16_t)id;
	} else if (!strcmp(opt, "--rx")) {
		o->rx_pcap = val;
	} else if (!strcmp(opt, "--tx")) {
		o->tx_pcap = val;
	} else if (!strcmp(opt, "--report")) {
		o->report = val;
	} else if (!strcmp(opt, "--gen")) {
		char *size_s = strchr(val, ':'), *flows_s = size_s ? strchr(size_s + 1, ':') : NULL;
		uint64_t size = 64, flows = SIM_GEN_FLOWS;
		bool ok = true;
		if (flows_s) {
			*flows_s = '\0';
			ok = parse_u64(flows_s + 1, 1, SIM_GEN_MAX_FLOWS, &flows);
		}
		if (size_s) {
			*size_s = '\0';
			ok = parse_u64(size_s + 1, 60, AVF_MAX_FRAME, &size) && ok;
		}
		ok = parse_u64(val, 1, UINT64_MAX, &n) && ok;
		if (size_s)
			*size_s = ':';
		if (flows_s)
			*flows_s = ':';
		if (!ok)
			return fail(err, errlen, "--gen %s: use COUNT[:SIZE[:FLOWS]], COUNT >= 1, SIZE "
				    "60..%d bytes (default 64), FLOWS 1..%d (default %d)", val, AVF_MAX_FRAME,
				    SIM_GEN_MAX_FLOWS, SIM_GEN_FLOWS);
		o->gen_count = n;
		o->gen_size = (uint32_t)size;
		o->gen_flows = (uint32_t)flows;
	} else if (!strcmp(opt, "--lut")) {
		if (!strcmp(val, "iavf"))
			o->lut = SIM_LUT_IAVF;
		else if (!strcmp(val, "zero"))
			o->lut = SIM_LUT_ZERO;
		else
			return fail(err, errlen, "--lut %s: use iavf (as the host's iavf driver left the VF) "
				    "or zero (after a core reset)", val);
	} else if (!strcmp(opt, "--pf")) {
		if (!strcmp(val, "i40e"))
			o->pf = SIM_PF_I40E;
		else if (!strcmp(val, "ice"))
			o->pf = SIM_PF_ICE;
		else
			return fail(err, errlen, "--pf %s: use i40e (700 Series) or ice (E810); the default "
				    "follows --device-id", val);
	} else if (!strcmp(opt, "--rx-rate")) {
		if (!parse_u64(val, 1, UINT64_MAX, &o->rx_rate))
			return fail(err, errlen, "--rx-rate %s: use frames per second >= 1 (leave "
				    "it out for lossless delivery)", val);
	} else if (!strcmp(opt, "--mac")) {
		if (!parse_mac(val, o->mac))
			return fail(err, errlen, "--mac %s: use six hex bytes like 02:00:00:aa:bb:cc",
				    val);
		if (o->mac[0] & 1)
			return fail(err, errlen, "--mac %s: a multicast address cannot be a VF's MAC; "
				    "use a unicast one like 02:00:00:aa:bb:cc", val);
	} else if (!strcmp(opt, "--link-delay")) {
		if (!parse_u64(val, 0, 3600000, &n))
			return fail(err, errlen, "--link-delay %s: use milliseconds, 0..3600000", val);
		o->link_delay_ms = (uint32_t)n;
	} else if (!strcmp(opt, "--vectors")) {
		if (!parse_u64(val, 2, AVF_MAX_VECTORS, &n))
			return fail(err, errlen, "--vectors %s: use 2..%d (vector 0 plus one per "
				    "queue interrupt; 5 is AVF base mode)", val, AVF_MAX_VECTORS);
		o->vectors = (uint32_t)n;
	} else if (!strcmp(opt, "--queue-pairs")) {
		if (!parse_u64(val, 1, VIRTCHNL_MAX_QUEUE_PAIRS, &n))
			return fail(err, errlen, "--queue-pairs %s: use 1..%d (4 is AVF base mode)",
				    val, VIRTCHNL_MAX_QUEUE_PAIRS);
		o->queue_pairs = (uint32_t)n;
	} else if (!strcmp(opt, "--iommu-group")) {
		if (!parse_u64(val, 0, 99999, &n))
			return fail(err, errlen, "--iommu-group %s: use a group number, 0..99999", val);
		o->iommu_group = (int)n;
	} else if (!strcmp(opt, "--device-cpu")) {
		if (!parse_u64(val, 0, CPU_SETSIZE - 1, &n))
			return fail(err, errlen, "--device-cpu %s: use a CPU number (nproc lists how many)", val);
		o->device_cpu = (int)n;
	} else if (!strcmp(opt, "--host")) {
		return add_host(o, val, err, errlen);
	} else {
		return add_fault(o, val, err, errlen);
	}
	return 0;
}

/* Returns 0, -1 with err set, or 1 when -h/--help asked for the usage. */
int sim_parse_options(int argc, char **argv, struct sim_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->bdf, sizeof(o->bdf), "0000:3b:02.0");
	o->device_id = AVF_DEV_ID_VF;
	o->gen_size = 64;
	o->gen_flows = SIM_GEN_FLOWS;
	o->vectors = 5;
	o->queue_pairs = 4;
	o->iommu_group = 42;
	o->device_cpu = -1;

	for (int i = 0; i < argc; i++) {
		char *opt = argv[i], *eq = strchr(opt, '=');
		int r;

		if (!strcmp(opt, "-h") || !strcmp(opt, "--help"))
			return 1;
		bool *flag = !strcmp(opt, "--trust") ? &o->trust
			   : !strcmp(opt, "--no-spoofchk") ? &o->no_spoofchk
			   : !strcmp(opt, "--trace") ? &o->trace : NULL;
		if (flag) {
			*flag = true;
			continue;
		}
		if (eq && !strncmp(opt, "--", 2))
			*eq = '\0';
		else
			eq = NULL;
		if (!is_valued(opt))
			r = fail(err, errlen, "%s: unknown option%s; see avfsim -h (the command goes "
				 "after --)", opt, eq ? " or it takes no value" : "");
		else if (eq)
			r = set_option(o, opt, eq + 1, err, errlen);
		else if (i + 1 < argc)
			r = set_option(o, opt, argv[++i], err, errlen);
		else
			r = fail(err, errlen, "%s: needs a value; see avfsim -h", opt);
		if (eq)
			*eq = '=';
		if (r)
			return r;
	}
	if (o->pf == SIM_PF_AUTO)
		o->pf = o->device_id == AVF_DEV_ID_ADAPTIVE_VF ? SIM_PF_ICE : SIM_PF_I40E;
	return 0;
}

const struct sim_fault *sim_fault(const char *name)
{
	for (unsigned i = 0; i < sim_opts.nfaults; i++) {
		if (!strcmp(sim_opts.faults[i].name, name))
			return &sim_opts.faults[i];
	}
	return NULL;
}

void sim_fuzz_init(struct sim_fuzz *z, uint64_t salt)
{
	const struct sim_fault *f = sim_fault("fuzz");
	unsigned long long seed;

	z->rate = 0;
	if (f && sscanf(f->value, "%llu:%u", &seed, &z->rate) == 2)
		z->state = seed ^ salt;
}

uint64_t sim_fuzz_next(struct sim_fuzz *z)
{
	uint64_t x = z->state += 0x9e3779b97f4a7c15ull;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

bool sim_fuzz_hit(struct sim_fuzz *z)
{
	return z->rate && sim_fuzz_next(z) % 100 < z->rate;
}
