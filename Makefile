# avf: a minimal userspace driver for Intel's Adaptive Virtual Function.
#
#   make          the driver in its four variants
#   make demo     run ./avf on the simulated VF with a small bundled capture
#   make trace    the same conversation in full: every VFIO call, register and message
#   make test     the test suite (bats) against the simulated VF
#   make sanitize the driver built with -fsanitize=address,undefined (build-asan/)
#   make bench    avf echo throughput on the simulated VF, beside DPDK's testpmd

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra
SIMFLAGS := -std=c11 -Wall -Wextra -O2 -g -fPIC -pthread

VARIANTS := avf avf-poll avf-echo avf-poll-echo
SIM_LIB_SRC := tests/sim/vfio.c tests/sim/libc.c tests/sim/sysfs.c tests/sim/iommu.c tests/sim/options.c \
	tests/sim/device.c tests/sim/adminq.c tests/sim/queues.c tests/sim/rss.c tests/sim/tso.c tests/sim/pf.c \
	tests/sim/pf-queues.c tests/sim/pf-filters.c tests/sim/pf-vlan.c tests/sim/pf-i40e.c tests/sim/pf-ice.c tests/sim/rxflex.c tests/sim/host.c tests/sim/wire.c \
	tests/sim/report.c tests/sim/machine.c
SIM_HDR := tests/sim/sim.h tests/sim/kernel.h tests/sim/devmodel.h tests/sim/pf.h avf.h virtchnl.h
PROBES := tests/sim/probe tests/sim/probe-dev tests/sim/probe-pf
TOOLS := tests/tools/pcaptool $(PROBES)
SIM := tests/sim/libavfsim.so tests/sim/avfsim

.PHONY: all sim tools test demo trace sanitize bench clean

all: $(VARIANTS) sim tools

# The variant a name stands for: avf-poll = -DPOLL, avf-echo = -DECHO.
variant_flags = $(if $(findstring poll,$(notdir $1)),-DPOLL) $(if $(findstring echo,$(notdir $1)),-DECHO)
$(VARIANTS): avf.c avf.h virtchnl.h
	$(CC) $(WARN) $(CFLAGS) $(call variant_flags,$@) -o $@ avf.c

# The same four variants with the sanitizers, for the test suite's second pass.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize: $(addprefix build-asan/,$(VARIANTS))
build-asan/%: avf.c avf.h virtchnl.h
	@mkdir -p build-asan
	$(CC) $(WARN) -O1 -g $(SAN) $(call variant_flags,$@) -o $@ avf.c

sim: $(SIM)
tests/sim/libavfsim.so: $(SIM_LIB_SRC) $(SIM_HDR) tests/sim/libavfsim.map
	$(CC) $(SIMFLAGS) -shared -Wl,--no-undefined -Wl,--version-script=tests/sim/libavfsim.map -o $@ $(SIM_LIB_SRC)
tests/sim/avfsim: tests/sim/avfsim.c tests/sim/options.c $(SIM_HDR)
	$(CC) $(SIMFLAGS) -o $@ tests/sim/avfsim.c tests/sim/options.c

tools: $(TOOLS)
tests/tools/pcaptool: tests/tools/pcaptool.c
	$(CC) $(WARN) -O2 -g -o $@ $<
# The simulator's own probes: each drives the simulated VF through the raw
# VFIO, register and virtchnl interfaces, independent of avf.c.
$(PROBES): tests/sim/%: tests/sim/%.c $(SIM_HDR)
	$(CC) $(WARN) -O2 -g -o $@ $<

test: all sanitize
	tests/run

demo: avf sim tools
	tests/sim/avfsim --mac 02:00:00:aa:bb:cc --rx tests/data/demo.pcap -- ./avf -c 5 0000:3b:02.0

# The whole conversation, in order, for learners: the simulator's view (every
# VFIO call, message, descriptor write-back) and avf's (-vv: every register).
trace: avf-echo sim tools
	tests/sim/avfsim --mac 02:00:00:aa:bb:cc --rx tests/data/demo.pcap --trace -- ./avf-echo -vv -c 5 0000:3b:02.0

# Throughput, CPU per frame, start-up time and memory, beside DPDK when
# installed, and the batching curve: measured, never part of make test.
bench: all
	tests/bench.sh

clean:
	rm -rf $(VARIANTS) $(SIM) $(TOOLS) build-asan
