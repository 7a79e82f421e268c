/* SPDX-License-Identifier: MIT
 *
 * avfsim.c - the launcher: avfsim [options] -- COMMAND [ARGS...]
 *
 * Checks the options, passes them to the library in AVFSIM_ARGS (one per
 * line), preloads libavfsim.so from the launcher's own directory and execs
 * the command in its place, so signals sent to this pid reach the driver.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "avfsim: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(status);
}

int main(int argc, char **argv)
{
	char err[256], lib[PATH_MAX];
	struct sim_opts opts;
	int sep = 1;

	while (sep < argc && strcmp(argv[sep], "--"))
		sep++;
	int r = sim_parse_options(sep - 1, argv + 1, &opts, err, sizeof(err));
	if (r > 0) {
		fputs(sim_usage, stdout);
		return 0;
	}
	if (r == 0 && sep + 1 >= argc)
		snprintf(err, sizeof(err), "no command: put it after --, e.g. avfsim -- ./avf 0000:3b:02.0");
	if (r < 0 || sep + 1 >= argc) {
		fprintf(stderr, "avfsim: %s\n%s", err, sim_usage);
		return 2;
	}

	/* AVFSIM_ARGS: the options as given, one per line. */
	size_t len = 1;
	for (int i = 1; i < sep; i++) {
		if (strchr(argv[i], '\n'))
			die(2, "%s: an argument may not contain a newline", argv[i]);
		len += strlen(argv[i]) + 1;
	}
	char *args = calloc(1, len);
	if (!args)
		die(2, "%s", strerror(errno));
	for (int i = 1; i < sep; i++) {
		if (i > 1)
			strcat(args, "\n");
		strcat(args, argv[i]);
	}

	/* The library next to this executable, ahead of any other preload. */
	ssize_t n = readlink("/proc/self/exe", lib, sizeof(lib) - 32);
	if (n < 0)
		die(2, "cannot find myself in /proc/self/exe: %s", strerror(errno));
	lib[n] = '\0';
	strcpy(strrchr(lib, '/') + 1, "libavfsim.so");
	if (access(lib, R_OK))
		die(2, "%s is missing: build it with `make sim`", lib);
	const char *old = getenv("LD_PRELOAD");
	char *preload = malloc(strlen(lib) + (old ? strlen(old) : 0) + 2);
	if (!preload)
		die(2, "%s", strerror(errno));
	sprintf(preload, "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");

	/* A sanitizer runtime insists on being first in the library list;
	 * ours must be, so tell it not to check (it still works). */
	const char *asan = getenv("ASAN_OPTIONS");
	if (!asan || !strstr(asan, "verify_asan_link_order")) {
		char *a = malloc((asan ? strlen(asan) : 0) + 32);
		if (!a)
			die(2, "%s", strerror(errno));
		sprintf(a, "%s%sverify_asan_link_order=0", asan ? asan : "", asan && *asan ? ":" : "");
		setenv("ASAN_OPTIONS", a, 1);
	}
	if (setenv(SIM_ENV_ARGS, args, 1) || setenv("LD_PRELOAD", preload, 1))
		die(2, "%s", strerror(errno));
	execvp(argv[sep + 1], argv + sep + 1);
	die(errno == ENOENT ? 127 : 126, "cannot run %s: %s", argv[sep + 1], strerror(errno));
}
