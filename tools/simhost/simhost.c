/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simhost.c: xmem-simhost, a whole simulated Xen host from a scenario file:
 * the command line and what the subcommands share (see simhost.h).
 *
 *   xmem-simhost start SCENARIO [--dir DIR]
 *   xmem-simhost stop [--dir DIR]
 *   xmem-simhost status [--dir DIR] [--json]
 *   xmem-simhost record [--dir DIR] --out FILE.csv [--interval-ms N] [--duration-s S]
 *
 * Design note. start brings the host up in dependency order: the key tree
 * (xmem-stored), the hypervisor (xmem-hvsim), dom0's keys, each guest as
 * libxl would build it (lib/simdom), one xmem-balloon per guest, and xmemd
 * last, so it finds every domain complete on its first pass. Any failure
 * stops whatever was started and says which component failed, quoting its
 * log. A component that is not built makes start fail before anything runs.
 *
 * stop does not trust the pid files alone: it also looks for any process of
 * ours whose command line names DIR (a balloon `xmem create` started, a
 * daemon whose pid file was lost), ends them all (TERM, then KILL), and
 * removes every socket under DIR. Logs stay in DIR/run for post-mortems.
 * Both commands are idempotent.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "guest/agent/report.h"
#include "host.h"
#include "hv.h"
#include "json.h"
#include "keytree.h"
#include "log.h"
#include "proc.h"
#include "scenario.h"
#include "simdom.h"
#include "simhost.h"
#include "size.h"
#include "table.h"
#include "trace.h"
#include "xmem_err.h"
#include "xenstore-schema/xs_schema.h"

static const char *simhost_usage_text =
	"usage: xmem-simhost start SCENARIO [--dir DIR]\n"
	"       xmem-simhost stop [--dir DIR]\n"
	"       xmem-simhost status [--dir DIR] [--json]\n"
	"       xmem-simhost record [--dir DIR] --out FILE.csv [--interval-ms N] [--duration-s S]\n"
	"\n"
	"Start, stop and inspect a whole simulated Xen host (xmem-stored, xmem-hvsim,\n"
	"dom0, the scenario's guests with one xmem-balloon each, and xmemd).\n"
	"\n"
	"  --dir DIR         runtime directory (default: $XMEM_HOST, else $TMPDIR/xmem-host-UID)\n"
	"  --json            status as JSON\n"
	"  --out FILE        record: CSV file to write (- for stdout)\n"
	"  --interval-ms N   record: sampling period (default 1000)\n"
	"  --duration-s S    record: stop after S seconds (default: until the host stops)\n"
	"  -v, --verbose     more messages\n"
	"  -h, --help        this help\n"
	"\n"
	"start prints `export XMEM_HOST=DIR`. Binaries are found next to xmem-simhost\n"
	"(build tree or install), in $XMEM_BINDIR, or in PATH. See xmem-simhost(1),\n"
	"xmem-scenario(5).\n";

/* mkdir -p path (mode 0755). */
static int simhost_mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Resolve the runtime directory into o->dir; create it when create is set. */
int simhost_resolve_dir(struct simhost_opts *o, int create)
{
	const char *d = host_dir(o->dir_arg);
	char def[PATH_MAX], *real;

	if (!d) {
		const char *tmp = getenv("TMPDIR");

		snprintf(def, sizeof(def), "%s/xmem-host-%u", tmp && tmp[0] ? tmp : "/tmp",
			 (unsigned int)getuid());
		d = def;
	}
	if (create) {
		char run[PATH_MAX + 8];

		snprintf(run, sizeof(run), "%s/run", d);
		if (simhost_mkdirs(run) < 0) {
			log_warn("cannot create %s", run);
			return -1;
		}
	}
	real = realpath(d, NULL);
	if (!real) {
		if (errno == ENOENT) {
			snprintf(o->dir, sizeof(o->dir), "%s", d);
			return 1; /* does not exist */
		}
		log_warn("%s", d);
		return -1;
	}
	snprintf(o->dir, sizeof(o->dir), "%s", real);
	free(real);
	/* DIR/store/domain/NNNNN/socket must fit a Unix socket address. */
	if (strlen(o->dir) + strlen("/store/domain/32752/socket") > SIMHOST_SUN_PATH_MAX) {
		log_warnx("runtime directory %s is too long for Unix sockets (at most %zu "
			  "characters)",
			  o->dir,
			  (size_t)SIMHOST_SUN_PATH_MAX - strlen("/store/domain/32752/socket"));
		return -1;
	}
	return 0;
}

/* Component names of the pid files in DIR/run (without .pid). */
size_t simhost_pidfile_names(const char *dir, char names[][128], size_t max)
{
	char run[PATH_MAX + 8];
	struct dirent *de;
	size_t nr = 0;
	DIR *d;

	snprintf(run, sizeof(run), "%s/run", dir);
	d = opendir(run);
	if (!d)
		return 0;
	while ((de = readdir(d)) && nr < max) {
		size_t len = strlen(de->d_name);

		if (len <= 4 || len - 4 >= 128 || strcmp(de->d_name + len - 4, ".pid") != 0)
			continue;
		memcpy(names[nr], de->d_name, len - 4);
		names[nr][len - 4] = '\0';
		nr++;
	}
	closedir(d);
	return nr;
}

/* Print "NAME.pid" name into buf for guest g. */
void simhost_balloon_name(const char *guest, char *buf, size_t len)
{
	snprintf(buf, len, "balloon-%s", guest);
}

/* Names of the components a scenario runs: stored, hvsim, balloon-*, xmemd. */
size_t simhost_expected(const struct scenario *sc, char names[][160], size_t max)
{
	size_t nr = 0, i;

	snprintf(names[nr++], 160, "stored");
	snprintf(names[nr++], 160, "hvsim");
	for (i = 0; sc && i < sc->nr_guests && nr < max - 1; i++)
		simhost_balloon_name(sc->guests[i].name, names[nr++], 160);
	snprintf(names[nr++], 160, "xmemd");
	return nr;
}

/* The scenario a running host was started with (DIR/run/scenario.json), or NULL. */
struct scenario *simhost_saved_scenario(const char *dir)
{
	char path[PATH_MAX + 32], err[SCENARIO_ERR_LEN];

	snprintf(path, sizeof(path), "%s/run/scenario.json", dir);
	if (access(path, R_OK) < 0)
		return NULL;
	return scenario_load(path, err, sizeof(err));
}

/* Read an unsigned key; 0 and *ok_r = 0 when absent or malformed. */
uint64_t simhost_read_u64(struct xs_handle *xs, const char *path, int *ok_r)
{
	uint64_t v = 0;

	*ok_r = keytree_read_u64(xs, XBT_NULL, path, &v) == 0;
	return v;
}

/* Read ~/rel of domid as unsigned. */
uint64_t simhost_dom_u64(struct xs_handle *xs, uint32_t domid, const char *rel, int *ok_r)
{
	char path[256];

	snprintf(path, sizeof(path), XS_LOCAL_DOMAIN "/%s", domid, rel);
	return simhost_read_u64(xs, path, ok_r);
}

/* A demand source name fit for a CSV cell: letters, digits and '-' only, else "". */
static void simhost_source_name(const char *v, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	if (!v || strlen(v) >= len)
		return;
	for (i = 0; v[i]; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return;
	snprintf(buf, len, "%s", v);
}

/* Take use, PSI and MemTotal from the guest's /proc when it is there. */
static void simhost_dom_proc(const char *dir, struct simhost_dom *d)
{
	struct report_sample s;
	char root[PATH_MAX];

	memset(&s, 0, sizeof(s));
	if (host_guest_root(dir, d->domid, root, sizeof(root)) || report_read_root(root, &s))
		return;
	d->has_demand = report_used_kib(&s, &d->demand_kib) == 0;
	d->has_psi = report_has(&s, REPORT_PSI_SOME);
	d->psi_some = d->has_psi ? s.val[REPORT_PSI_SOME] : 0;
	d->has_psi_total = report_has(&s, REPORT_PSI_SOME_TOTAL);
	d->psi_some_total_us = d->has_psi_total ? s.val[REPORT_PSI_SOME_TOTAL] : 0;
	d->has_mem_total = report_has(&s, REPORT_MEM_TOTAL);
	d->mem_total_kib = d->has_mem_total ? s.val[REPORT_MEM_TOTAL] : 0;
}

size_t simhost_snapshot(struct xs_handle *xs, struct hv *hv, const char *dir,
			struct simhost_dom *doms, size_t max)
{
	static struct hv_dominfo infos[SIMHOST_MAX_PIDS];
	size_t nr_hv = 0, nr = 0, i, k;
	unsigned int nr_ents = 0;
	char **ents;

	if (hv && hv_domain_list(hv, 0, infos, SIMHOST_MAX_PIDS, &nr_hv))
		nr_hv = 0;
	ents = xs_directory(xs, XBT_NULL, XS_LOCAL_DOMAINS, &nr_ents);
	for (i = 0; ents && i < nr_ents && nr < max; i++) {
		struct simhost_dom *d = &doms[nr];
		char path[256], *v;
		unsigned int len;
		uint32_t id;
		int ok;

		if (keytree_parse_domid(ents[i], &id) || id == 0)
			continue;
		memset(d, 0, sizeof(*d));
		d->domid = id;
		snprintf(path, sizeof(path), XS_LOCAL_DOMAIN "/%s", d->domid, XS_DOM_NAME);
		v = xs_read(xs, XBT_NULL, path, &len);
		snprintf(d->name, sizeof(d->name), "%s", v ? v : "");
		free(v);
		d->target_kib = simhost_dom_u64(xs, d->domid, XS_DOM_TARGET, &d->has_target);
		d->static_max_kib = simhost_dom_u64(xs, d->domid, XS_DOM_STATIC_MAX, &ok);
		d->min_kib = simhost_dom_u64(xs, d->domid, XS_DOM_DYNAMIC_MIN, &d->has_min);
		d->max_kib = simhost_dom_u64(xs, d->domid, XS_DOM_DYNAMIC_MAX, &d->has_max);
		d->demand_kib = simhost_dom_u64(xs, d->domid, XS_DOM_MEM_USED, &d->has_demand);
		d->psi_some = simhost_dom_u64(xs, d->domid, XS_DOM_PSI_SOME, &d->has_psi);
		d->psi_some_total_us =
			simhost_dom_u64(xs, d->domid, XS_DOM_PSI_SOME_TOTAL, &d->has_psi_total);
		d->mem_total_kib =
			simhost_dom_u64(xs, d->domid, XS_DOM_MEMINFO_TOTAL, &d->has_mem_total);
		snprintf(path, sizeof(path), XS_XMEMD_DOM_DEMAND, d->domid);
		d->xmemd_demand_kib = simhost_read_u64(xs, path, &d->has_xmemd_demand);
		snprintf(path, sizeof(path), XS_XMEMD_DOM_DEMAND_SOURCE, d->domid);
		v = xs_read(xs, XBT_NULL, path, &len);
		simhost_source_name(v, d->demand_source, sizeof(d->demand_source));
		free(v);
		if (dir)
			simhost_dom_proc(dir, d);
		for (k = 0; k < nr_hv; k++) {
			if (infos[k].domid == d->domid) {
				d->alloc_kib = size_pages_to_kib(infos[k].tot_pages);
				d->has_alloc = 1;
			}
		}
		nr++;
	}
	free(ents);
	return nr;
}

/*
 * Parse the options after the subcommand (from argv[2]) into o. Returns -1 to
 * go on, or the exit status when done (help) or refused.
 */
static int simhost_parse(int argc, char **argv, struct simhost_opts *o)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "duration-s", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, verbose = 1;
	char *end;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "d:jo:i:t:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->dir_arg = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'i':
			errno = 0;
			o->interval_ms = (unsigned int)strtoul(optarg, &end, 10);
			if (errno || *end || o->interval_ms < 10 || o->interval_ms > 3600000) {
				log_warnx("--interval-ms: expected 10 to 3600000");
				return 2;
			}
			break;
		case 't':
			errno = 0;
			o->duration_s = strtod(optarg, &end);
			if (errno || *end || !(o->duration_s > 0)) {
				log_warnx("--duration-s: expected a positive number");
				return 2;
			}
			break;
		case 'v':
			log_setverbose(++verbose);
			break;
		case 'h':
			fputs(simhost_usage_text, stdout);
			return 0;
		default:
			fputs(simhost_usage_text, stderr);
			return 2;
		}
	}
	return -1;
}

/* The subcommands without arguments, by name. */
static const struct {
	const char *name;
	int (*fn)(struct simhost_opts *o);
} simhost_cmds[] = {
	{ "stop", simhost_cmd_stop },
	{ "status", simhost_cmd_status },
	{ "record", simhost_cmd_record },
};

int main(int argc, char **argv)
{
	struct simhost_opts o;
	const char *cmd;
	size_t i;
	int r;

	memset(&o, 0, sizeof(o));
	o.interval_ms = 1000;
	log_init("xmem-simhost", LOG_TO_CLI, 1);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(simhost_usage_text, stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		fputs(simhost_usage_text, stderr);
		return 2;
	}
	cmd = argv[1];
	r = simhost_parse(argc, argv, &o);
	if (r >= 0)
		return r;
	if (strcmp(cmd, "start") == 0) {
		if (optind != argc - 1) {
			log_warnx("start: expected one SCENARIO file");
			return 2;
		}
		return simhost_cmd_start(&o, argv[optind]);
	}
	if (optind != argc) {
		log_warnx("%s: unexpected argument %s", cmd, argv[optind]);
		return 2;
	}
	for (i = 0; i < sizeof(simhost_cmds) / sizeof(simhost_cmds[0]); i++)
		if (strcmp(cmd, simhost_cmds[i].name) == 0)
			return simhost_cmds[i].fn(&o);
	log_warnx("unknown command %s (start, stop, status, record)", cmd);
	return 2;
}
