/* SPDX-License-Identifier: MIT
 *
 * sim.h - the simulated AVF VF's internal interface.
 *
 * The simulator is an LD_PRELOAD library (libavfsim.so) in layers, each
 * in files named for its role:
 *
 *   options.c            the launcher's and library's shared option parser
 *   vfio.c sysfs.c       VFIO + sysfs emulation (what the kernel would do)
 *   iommu.c              the MAP_DMA table every device DMA goes through
 *   device.c adminq.c    the VF's BAR0 registers, reset, interrupts, admin
 *   queues.c             queues, TX/RX rings (what the silicon would do)
 *   pf.c pf-*.c          the PF driver's virtchnl side (what i40e or ice would do)
 *   host.c               the host's administrator acting on the VF (--host)
 *   wire.c               pcap in/out, the generator, the switch (the network)
 *   report.c             --trace helpers and the --report file
 *   machine.c            puts the layers together
 *
 * Each layer calls only the layers below it (VFIO, machine, host, PF,
 * device, wire and IOMMU, in that order); the device reaches its PF and its
 * driver through the function tables they hand it (struct dev_pf_ops,
 * struct dev_driver_ops).  tests/sim/README.md, "How the layers talk".
 *
 * Threads: the driver's own threads call into vfio.c through interposed libc
 * calls; one device thread (device.c) polls BAR0 and runs the admin queue, the
 * PF and the rings.  sim_lock serialises the two: the device thread holds it
 * while it works, vfio.c takes it for anything that changes device or IOMMU
 * state (MAP/UNMAP_DMA, DEVICE_RESET, SET_IRQS, config writes, close).
 *
 * Hardware definitions come from the project's avf.h and virtchnl.h.
 */
#ifndef AVFSIM_H
#define AVFSIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../avf.h"
#include "../../virtchnl.h"

/* ---------------------------------------------------------------- options */

#define SIM_MAX_FAULTS 32

/* A --fault NAME[=VALUE]; the names are listed in tests/sim/README.md and
 * checked by sim_parse_options(). */
struct sim_fault {
	char name[32];
	char value[64]; /* "" when no =VALUE was given */
};

/* --gen: flows by default, and at most (one UDP source port each, from
 * 49152: the ephemeral range). */
#define SIM_GEN_FLOWS 256
#define SIM_GEN_MAX_FLOWS 16384

/* --lut: what the VF's previous user left in its RSS LUT and key. */
enum sim_lut { SIM_LUT_IAVF, SIM_LUT_ZERO };

/* --host MS:ACTION: what the host's administrator does to the running VF
 * (host.c), MS ms after the first successful ENABLE_QUEUES. */
#define SIM_MAX_HOST 16
enum sim_host_action {
	SIM_HOST_MAC,       /* ip link set <pf> vf 0 mac MAC */
	SIM_HOST_TRUST,     /* ... trust on|off */
	SIM_HOST_SPOOFCHK,  /* ... spoofchk on|off */
	SIM_HOST_LINK,      /* ... state auto|enable|disable */
	SIM_HOST_VLAN,      /* ... vlan VID (0 removes the port VLAN) */
	SIM_HOST_PF_RESET,  /* the PF resets itself */
	SIM_HOST_VF_REMOVE, /* echo 0 > sriov_numvfs, or the PF driver unloads */
};
/* link=: IFLA_VF_LINK_STATE_* as i40e_ndo_set_vf_link_state takes them. */
enum sim_host_link { SIM_HOST_LINK_AUTO, SIM_HOST_LINK_UP, SIM_HOST_LINK_DOWN };
struct sim_host {
	uint32_t ms;
	enum sim_host_action action;
	uint8_t mac[6];   /* mac= */
	int value;        /* trust/spoofchk 0|1, link enum sim_host_link, vlan VID */
	char text[40];    /* ACTION as given, for the log */
};
/* --pf: the PF driver behind the VF (pf-i40e.c, pf-ice.c).  AUTO until the
 * options are parsed, then ice for 8086:1889, i40e for the others. */
enum sim_pf { SIM_PF_AUTO, SIM_PF_I40E, SIM_PF_ICE };

struct sim_opts {
	char bdf[16];              /* --bdf, canonical "dddd:bb:dd.f" */
	uint16_t device_id;        /* --device-id */
	const char *rx_pcap;       /* --rx */
	const char *tx_pcap;       /* --tx */
	uint64_t gen_count;        /* --gen COUNT[:SIZE[:FLOWS]]; 0 = no generator */
	uint32_t gen_size;
	uint32_t gen_flows;
	uint64_t rx_rate;          /* --rx-rate PPS; 0 = lossless delivery */
	uint8_t mac[6];            /* --mac; all zero = unassigned */
	bool trust;                /* --trust */
	bool no_spoofchk;          /* --no-spoofchk */
	uint32_t link_delay_ms;    /* --link-delay */
	uint32_t vectors;          /* --vectors: MSI-X vectors incl. vector 0 */
	uint32_t queue_pairs;      /* --queue-pairs */
	enum sim_lut lut;          /* --lut */
	enum sim_pf pf;            /* --pf */
	bool trace;                /* --trace */
	const char *report;        /* --report */
	int iommu_group;           /* --iommu-group (default 42) */
	int device_cpu;            /* --device-cpu: the device thread's CPU, -1 = any */
	unsigned nfaults;
	struct sim_fault faults[SIM_MAX_FAULTS];
	unsigned nhost;            /* --host, in the order given */
	struct sim_host host[SIM_MAX_HOST];
};

/* The launcher passes its options to the library in this variable, one
 * argument per line, exactly as given on its command line. */
#define SIM_ENV_ARGS "AVFSIM_ARGS"

/* Parse argv[0..argc-1] (options only, no command).  On error write one line
 * naming the option and the fix to err (size errlen) and return -1. */
int sim_parse_options(int argc, char **argv, struct sim_opts *o, char *err, size_t errlen);
/* The --fault with this name, or NULL. */
const struct sim_fault *sim_fault(const char *name);
/* --fault fuzz=SEED[:RATE]: each layer that corrupts draws from its own
 * stream (SEED mixed with the layer's salt), so one seed replays exactly. */
struct sim_fuzz {
	uint64_t state;
	unsigned rate; /* percent of messages or write-backs hit; 0 = off */
};
void sim_fuzz_init(struct sim_fuzz *z, uint64_t salt);
uint64_t sim_fuzz_next(struct sim_fuzz *z);  /* splitmix64 */
bool sim_fuzz_hit(struct sim_fuzz *z);       /* true RATE% of the time */
/* Usage text of the launcher. */
extern const char sim_usage[];

/* ---------------------------------------------------------------- globals */

extern struct sim_opts sim_opts;      /* parsed once, at library load */
extern pthread_mutex_t sim_lock;

/* Counters of the --report file, one field per key (report.c writes them all
 * as key=value).  Device-model counters are written by the device thread;
 * read them only under sim_lock or at exit. */
struct sim_report {
	uint64_t iommu_faults;
	uint64_t mdd_events;
	uint64_t vf_resets;
	uint64_t queues_enabled;   /* TX + RX queues enabled right now */
	uint64_t dma_maps;         /* MAP_DMA mappings in place right now */
	uint64_t dma_maps_total;   /* MAP_DMA calls that succeeded */
	uint64_t irqs[AVF_MAX_VECTORS]; /* interrupts delivered per vector */
	uint64_t rx_delivered;
	uint64_t rx_filtered;
	uint64_t rx_dropped_no_desc;
	uint64_t rx_dropped_oversize;
	uint64_t rx_dropped_queue_off; /* RSS chose a queue that is not enabled */
	uint64_t tx_frames;
	uint64_t tx_spoofed;
	uint64_t tx_vlan_inserted; /* frames given an 802.1Q tag (descriptor IL2TAG1) */
	uint64_t virtchnl_msgs;
	uint64_t virtchnl_errors;  /* messages the PF answered with an error */
	uint64_t bus_master_blocked; /* DMA attempted with COMMAND.MASTER clear */
	uint64_t vfr_sync_waits;   /* resets the PF delayed: VFINT_ICR0_ENA1.ADMINQ clear */
	uint64_t vfr_never_finished; /* ... and logged "Reset VF 0 never finished" */
	uint64_t device_busy_ns;   /* device thread working, while queues are enabled */
	uint64_t device_idle_ns;   /* device thread finding nothing to do, likewise */
	uint64_t host_actions;     /* --host actions that acted */
	uint64_t host_vf_resets;   /* VF resets the host's actions caused */
	uint64_t host_device_requests; /* vfio-pci's device requests (REQ eventfd) */
	uint64_t host_vf_removed;  /* 1 once the program released a VF being removed */
	int last_link_state;       /* 1 up, 0 down, -1 never reported */
};
extern struct sim_report sim_report;

/* Monotonic clock in nanoseconds. */
uint64_t sim_now_ns(void);
/* --trace output: "avfsim: " + printf, to stderr, only when --trace. */
void sim_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Always printed: "avfsim: " + printf, to stderr (faults, IOMMU faults, MDD). */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write the --report file (called once at exit by vfio.c). */
void sim_write_report(void);

/* ---------------------------------------------------------------- IOMMU */

#define SIM_DMA_READ 1   /* device reads host memory (VFIO_DMA_MAP_FLAG_READ) */
#define SIM_DMA_WRITE 2  /* device writes host memory (VFIO_DMA_MAP_FLAG_WRITE) */

/* Translate a device access of len bytes at iova.  Returns the host address
 * when one mapping covers [iova, iova+len) with the needed permission;
 * otherwise logs an IOMMU fault naming `what` (e.g. "RX descriptor write q0
 * idx 17"), counts it and returns NULL: the access must then be dropped.
 * Bus mastering is the device's to check first (dev_dma_allowed).  Caller
 * holds sim_lock. */
void *sim_dma(uint64_t iova, size_t len, int access, const char *what);
/* Start bringing the first line at iova into the cache for the access the
 * device is about to make, if it is mapped for it (a hint: no fault). */
void sim_dma_prefetch(uint64_t iova, int access);

/* ---------------------------------------------------------------- device */

#define SIM_BAR0_SIZE 0x10000   /* 64 KiB */
#define SIM_MSIX_BAR 3
#define SIM_MSIX_BAR_SIZE 0x4000 /* 16 KiB: table at 0, PBA at 0x2000 */
#define SIM_MSIX_PBA_OFFSET 0x2000

/* What the device asks of the PF that owns it: the mailbox's far end, the
 * end of a reset, and the switch and port in front of the VF.  The device
 * never calls the PF's code by name: machine.c hands it these when it
 * creates the device, so the device layer depends on nothing above it.
 * Every call comes from the device thread with sim_lock held. */
struct dev_pf_ops {
	/* A virtchnl message the VF posted on its ATQ.  The PF answers with
	 * dev_arq_send(), or not at all (RESET_VF). */
	void (*receive)(uint32_t v_opcode, const uint8_t *msg, uint16_t len);
	/* The opcode's name, for the device's trace and log lines. */
	const char *(*op_name)(uint32_t v_opcode);
	/* Every device-thread iteration: the machine's timed events. */
	void (*tick)(uint64_t now_ns);
	/* A VF reset finished: the PF builds the VF's VSI again. */
	void (*reset_done)(void);
	/* A function-level reset happened: the PF forgets the VF's state.
	 * Returns 0 when it did so at once, else how long RSTAT stays
	 * VFR_INPROGRESS before it handles the VFLR (then reset_done). */
	uint64_t (*flr)(void);
	/* The link as the PF reports it to the VF; frames flow only when up. */
	bool (*link_up)(void);
	/* The switch: does the VSI's filter set accept this frame (destination
	 * MAC, and its VLAN once the VF added VLAN filters)?  Sets *umbcast
	 * to AVF_RX_UMBCAST_*. */
	bool (*rx_accept)(const uint8_t *frame, uint32_t len, unsigned *umbcast);
	/* The VSI strips received 802.1Q tags into the RX descriptor. */
	bool (*rx_strip)(void);
	/* Spoof check: may the VF send with this source MAC? */
	bool (*tx_allowed)(const uint8_t src[6]);
};

/* What the device tells the driver bound to the function (vfio-pci,
 * vfio.c), as the PCI core calls a struct pci_driver's .remove. */
struct dev_driver_ops {
	/* The function is being removed (dev_remove). */
	void (*remove)(uint64_t now_ns);
	/* Every device-thread iteration (vfio-pci's repeated requests). */
	void (*tick)(uint64_t now_ns);
};

/* Create the device (BAR0 and BAR3 memfds, power-on register values, the
 * wire, the device thread), owned by the PF behind pf.  Called once, by
 * machine.c. */
void dev_init(const struct dev_pf_ops *pf);
/* Stop the device thread, flush the wire (--tx).  Called at exit. */
void dev_shutdown(void);
/* The driver bound to the function (vfio.c, when it opens the device). */
void dev_bind_driver(const struct dev_driver_ops *drv);
/* The host removes the function (host.c's vf-remove: sriov_numvfs set to
 * 0, or the PF driver unloaded; pci_iov_remove_virtfn): its driver is told. */
void dev_remove(uint64_t now_ns);
/* memfds backing BAR0 and the MSI-X BAR; vfio.c mmaps and preads them. */
int dev_bar_fd(int bar);
/* Host mapping of BAR0 that the device model works on. */
extern volatile uint32_t *dev_bar0;
/* Number of MSI-X vectors the function exposes (--vectors). */
unsigned dev_num_vectors(void);
/* VFIO_DEVICE_SET_IRQS on the MSI-X index: eventfd per vector, -1 = none. */
void dev_set_msix_eventfd(unsigned vector, int fd);
/* VFIO_DEVICE_SET_IRQS on the REQ index. */
void dev_set_req_eventfd(int fd);
/* VFIO_DEVICE_RESET: a function-level reset (all state forgotten, RSTAT
 * back to VFACTIVE when done).  Caller holds sim_lock. */
void dev_flr(void);
/* PCI COMMAND register MEMORY/MASTER bits as the driver set them. */
void dev_set_command(uint16_t command);

/* Called by the PF (device thread, sim_lock held). */
/* Queue a PF->VF message for the ARQ (opcode 0x0802); sent when a slot is free. */
void dev_arq_send(uint32_t v_opcode, int32_t v_retval, const void *msg, uint16_t len);
/* Start a VF reset (i40e_reset_vf): RSTAT 0, admin queues disabled, all queue, IRQ
 * and filter state forgotten; RSTAT VFACTIVE follows after i40e's delay
 * and the PF's reset_done is called when the VF is active again. */
void dev_vf_reset(void);
/* The same reset, RSTAT held VFR_INPROGRESS for hold_ns (a PF reset, whose
 * rebuild takes longer than one VF's reset). */
void dev_vf_reset_for(uint64_t hold_ns);
/* The PF zeroes VF_ATQLEN1 and VF_ARQLEN1 (ice_trigger_vf_reset,
 * clear_mbx_register), disabling both admin queues. */
void dev_mbx_clear(void);
/* VFINT_ICR0_ENA1.ADMINQ as the driver left it (i40e_sync_vfr_reset reads it). */
bool dev_icr0_adminq_enabled(void);
struct sim_txq_cfg { uint64_t ring; uint16_t len; };
/* rxdid: the write-back format the PF programmed (1 = legacy 32-byte). */
struct sim_rxq_cfg { uint64_t ring; uint32_t len; uint32_t buf_size; uint32_t max_pkt; uint8_t rxdid; };
/* Flexible RXDIDs the device can write besides the legacy 1 (rxflex.c). */
#define SIM_RXDID_FLEX_COMMS_OVS 22
void dev_config_txq(unsigned q, const struct sim_txq_cfg *c);
void dev_config_rxq(unsigned q, const struct sim_rxq_cfg *c);
/* Enable/disable: 0 on success, -1 if the queue was never configured. */
int dev_enable_txq(unsigned q, bool on);
int dev_enable_rxq(unsigned q, bool on);
/* CONFIG_IRQ_MAP: queues whose causes fire `vector`, with their ITR index. */
void dev_map_vector(unsigned vector, uint16_t rxq_map, uint16_t txq_map,
		    unsigned rx_itr, unsigned tx_itr);
/* The VSI's counters, kept by the switch as frames pass (the GLV_*
 * statistics registers i40e_update_eth_stats reads); GET_STATS reports
 * them and a new VSI starts them from zero. */
extern struct virtchnl_eth_stats dev_vsi_stats;

/* ---------------------------------------------------------------- PF */

/* The PF's side of struct dev_pf_ops, wired up by machine.c (see there). */
void pf_receive(uint32_t v_opcode, const uint8_t *msg, uint16_t len);
const char *pf_op_name(uint32_t v_opcode);
void pf_tick(uint64_t now_ns);
void pf_reset_done(void);
uint64_t pf_flr(void);
bool pf_link_up(void);
bool pf_rx_accept(const uint8_t *frame, uint32_t len, unsigned *umbcast);
bool pf_rx_strip(void);
bool pf_tx_allowed(const uint8_t src[6]);

/* ---------------------------------------------------------------- host */

/* --host actions that are due (host.c; device thread, sim_lock held). */
void host_tick(uint64_t now_ns);

/* ---------------------------------------------------------------- machine */

/* Put the machine together on first use (vfio.c, when /dev/vfio is first
 * opened): the device, owned by the PF and ticking the host's actions. */
void sim_machine_create(void);

/* ---------------------------------------------------------------- wire */

/* Open --rx/--tx/--gen at device creation. */
void wire_init(void);
/* Next frame for the VF, or NULL when none is due now (device thread). */
const uint8_t *wire_peek(uint32_t *len, uint64_t now_ns);
/* The peeked frame was taken (delivered, filtered or dropped). */
void wire_consume(void);
/* A frame the VF transmitted and the switch let out: append to --tx. */
void wire_tx(const uint8_t *frame, uint32_t len);
/* --host mac=: --gen frames go to mac from now on (unless broadcast). */
void wire_gen_follow_mac(const uint8_t mac[6]);
/* Flush and close the --tx capture. */
void wire_close(void);

#endif /* AVFSIM_H */
