/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xmem_xlcfg.c: the little of an xl domain configuration file xmem needs:
 * name, memory and maxmem (MiB, as xl.cfg(5)), and xl's key=value overrides
 * given after the file on the command line.
 *
 * The file is xl's syntax: "key = value" settings, values numbers, quoted
 * strings or [lists] (which may run over several lines), '#' comments. Only
 * the three keys are read; everything else is left to xl, which reads the
 * file itself. A value xmem reads that is not what xl would accept is
 * refused with the line number.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

#define XLCFG_FILE_MAX (1024 * 1024) /* an xl config is a few KiB */

/* Trim spaces (and a trailing ';') in place; returns the start. */
static char *xlcfg_trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ';'))
		s[--n] = '\0';
	return s;
}

/* A MiB number of xl's (decimal) into *kib_r. 0 or -1. */
static int xlcfg_mib(const char *v, uint64_t *kib_r)
{
	unsigned long long mib;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	mib = strtoull(v, &end, 10);
	if (errno || *end || mib == 0 || mib > (1ULL << 32))
		return -1;
	*kib_r = (uint64_t)mib * 1024;
	return 0;
}

/* A quoted string into buf. 0 or -1. */
static int xlcfg_str(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v);

	if (n < 2 || (v[0] != '"' && v[0] != '\'') || v[n - 1] != v[0] || n - 2 >= len)
		return -1;
	memcpy(buf, v + 1, n - 2);
	buf[n - 2] = '\0';
	return parse_name_ok(buf) ? 0 : -1;
}

int xlcfg_set(struct xlcfg *c, const char *key, const char *value)
{
	if (!strcmp(key, "name"))
		return xlcfg_str(value, c->name, sizeof(c->name));
	if (!strcmp(key, "memory"))
		return xlcfg_mib(value, &c->memory_kib);
	if (!strcmp(key, "maxmem"))
		return xlcfg_mib(value, &c->maxmem_kib);
	return 0; /* xl's business */
}

/* One "key = value" line (modified in place); *in_list tracks multi-line lists. */
static int xlcfg_line(struct xlcfg *c, char *line, int *in_list)
{
	char *hash = strchr(line, '#'), *eq, *key, *val;

	if (hash)
		*hash = '\0';
	if (*in_list) {
		*in_list = strchr(line, ']') == NULL;
		return 0;
	}
	line = xlcfg_trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return -1;
	*eq = '\0';
	key = xlcfg_trim(line);
	val = xlcfg_trim(eq + 1);
	if (!*key ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
		    strlen(key))
		return -1;
	if (val[0] == '[') {
		*in_list = strchr(val, ']') == NULL;
		return 0;
	}
	return xlcfg_set(c, key, val);
}

int xlcfg_parse(const char *text, struct xlcfg *c, char *err, size_t err_len)
{
	char *copy = strdup(text), *line, *save = NULL;
	int in_list = 0, lineno = 0, rc = 0;

	memset(c, 0, sizeof(*c));
	if (!copy) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	for (line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		if (xlcfg_line(c, line, &in_list)) {
			snprintf(err, err_len,
				 "line %d: expected key = value (name a quoted name, memory and "
				 "maxmem whole MiB)",
				 lineno);
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

int xlcfg_load(const char *path, struct xlcfg *c, char *err, size_t err_len)
{
	char *text = NULL, msg[200];
	size_t n = 0;
	FILE *f = fopen(path, "r");
	int rc = -1;

	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(XLCFG_FILE_MAX + 1);
	if (text) {
		n = fread(text, 1, XLCFG_FILE_MAX + 1, f);
		if (n > XLCFG_FILE_MAX || ferror(f) || memchr(text, '\0', n)) {
			snprintf(err, err_len,
				 "%s: not an xl configuration (binary, or over 1 MiB)", path);
		} else {
			text[n] = '\0';
			rc = xlcfg_parse(text, c, msg, sizeof(msg));
			if (rc)
				snprintf(err, err_len, "%s: %s", path, msg);
		}
	} else {
		snprintf(err, err_len, "out of memory");
	}
	free(text);
	fclose(f);
	return rc;
}
