/* SPDX-License-Identifier: MIT
 *
 * report.c - the simulator's voice: --trace lines, always-on log lines
 * (faults, IOMMU faults, MDD events) and the --report file of counters.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

struct sim_report sim_report = {.last_link_state = -1};
pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One line per call, written with a single fprintf so lines from the device
 * thread and the driver's threads do not interleave; the newline is added
 * unless the format already ends with one. */
static void say(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	fprintf(stderr, "avfsim: %s%s", line, n && line[n - 1] == '\n' ? "" : "\n");
}

void sim_trace(const char *fmt, ...)
{
	va_list ap;

	if (!sim_opts.trace)
		return;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

void sim_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

void sim_write_report(void)
{
	const struct sim_report *r = &sim_report;
	FILE *f;

	if (!sim_opts.report)
		return;
	f = fopen(sim_opts.report, "w");
	if (!f) {
		sim_log("cannot write the report %s: %m", sim_opts.report);
		return;
	}
#define KEY(name) fprintf(f, #name "=%llu\n", (unsigned long long)r->name)
	KEY(iommu_faults);
	KEY(mdd_events);
	KEY(vf_resets);
	KEY(queues_enabled);
	KEY(dma_maps);
	KEY(dma_maps_total);
	for (unsigned v = 0; v < sim_opts.vectors && v < AVF_MAX_VECTORS; v++)
		fprintf(f, "irqs_vector%u=%llu\n", v, (unsigned long long)r->irqs[v]);
	KEY(rx_delivered);
	KEY(rx_filtered);
	KEY(rx_dropped_no_desc);
	KEY(rx_dropped_oversize);
	KEY(rx_dropped_queue_off);
	KEY(tx_frames);
	KEY(tx_spoofed);
	KEY(tx_vlan_inserted);
	KEY(virtchnl_msgs);
	KEY(virtchnl_errors);
	KEY(bus_master_blocked);
	KEY(vfr_sync_waits);
	KEY(vfr_never_finished);
	KEY(device_busy_ns);
	KEY(device_idle_ns);
	KEY(host_actions);
	KEY(host_vf_resets);
	KEY(host_device_requests);
	KEY(host_vf_removed);
#undef KEY
	fprintf(f, "last_link_state=%s\n", r->last_link_state < 0 ? "unknown"
					   : r->last_link_state ? "up" : "down");
	if (fclose(f))
		sim_log("cannot write the report %s: %m", sim_opts.report);
}
