/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * perms.c: permission lists.
 *
 * A node's permissions are a list of entries "<letter><domid>": entry 0 names
 * the owner and gives the default rights of every domain without an entry of
 * its own. Lists are immutable and reference-counted: a created node takes a
 * reference on its parent's list (creation copies the parent's permissions),
 * so a subtree written under one ACL costs one list, not one per node.
 * Changing a node's permissions builds a new list.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stored.h"

struct perm_list *perms_new(unsigned int nr)
{
	struct perm_list *p;

	if (nr == 0 || nr > UINT16_MAX)
		return NULL;
	p = calloc(1, sizeof(*p) + nr * sizeof(p->e[0]));
	if (!p)
		return NULL;
	p->refs = 1;
	p->nr = nr;
	return p;
}

struct perm_list *perms_get(struct perm_list *p)
{
	if (p)
		p->refs++;
	return p;
}

void perms_put(struct perm_list *p)
{
	if (p && --p->refs == 0)
		free(p);
}

struct perm_list *perms_simple(unsigned int domid, unsigned int perms)
{
	struct perm_list *p = perms_new(1);

	if (!p)
		return NULL;
	p->e[0].domid = domid;
	p->e[0].perms = perms;
	return p;
}

/* Parse one entry "<r|w|b|n><domid>": strtol base 0 as C xenstored, whole string. */
static int perms_parse_one(const char *s, struct perm_entry *e)
{
	char *end = NULL;
	long id;

	switch (s[0]) {
	case 'r':
		e->perms = XS_PERM_READ;
		break;
	case 'w':
		e->perms = XS_PERM_WRITE;
		break;
	case 'b':
		e->perms = XS_PERM_READ | XS_PERM_WRITE;
		break;
	case 'n':
		e->perms = XS_PERM_NONE;
		break;
	default:
		return EINVAL;
	}
	if (!s[1] || s[1] == '-' || s[1] == '+' || s[1] == ' ')
		return EINVAL;
	errno = 0;
	id = strtol(s + 1, &end, 0);
	if (errno || *end || id < 0 || id >= (long)STORED_NR_DOMIDS)
		return EINVAL;
	e->domid = id;
	return 0;
}

int perms_parse(const char *buf, size_t len, unsigned int nr, struct perm_list **perms_r)
{
	struct perm_list *p = NULL;
	const char *s = buf;
	unsigned int i;
	int rc;

	if (nr == 0)
		return EINVAL;
	p = perms_new(nr);
	if (!p)
		return nr > UINT16_MAX ? EINVAL : ENOMEM;
	for (i = 0; i < nr; i++) {
		size_t l = strnlen(s, buf + len - s);

		if (s + l >= buf + len) {
			rc = EINVAL;
			goto out;
		}
		rc = perms_parse_one(s, &p->e[i]);
		if (rc)
			goto out;
		s += l + 1;
	}
	*perms_r = p;
	p = NULL;
	rc = 0;
out:
	perms_put(p);
	return rc;
}

size_t perms_format(const struct perm_list *p, char *buf, size_t len)
{
	static const char letters[] = { 'n', 'r', 'w', 'b' };
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < p->nr; i++) {
		char one[16];
		int n = snprintf(one, sizeof(one), "%c%u", letters[p->e[i].perms & 3],
				 p->e[i].domid);

		if (buf && used + n + 1 <= len)
			memcpy(buf + used, one, n + 1);
		used += n + 1;
	}
	return used;
}

struct perm_list *perms_with_owner(struct perm_list *p, unsigned int owner)
{
	struct perm_list *n;

	if (p->e[0].domid == owner)
		return perms_get(p);
	n = perms_new(p->nr);
	if (!n)
		return NULL;
	memcpy(n->e, p->e, p->nr * sizeof(p->e[0]));
	n->e[0].domid = owner;
	return n;
}

struct perm_list *perms_without(struct perm_list *p, unsigned int domid)
{
	struct perm_list *n;
	unsigned int i, j, keep = 1;

	for (i = 1; i < p->nr; i++)
		keep += p->e[i].domid != domid;
	n = perms_new(keep);
	if (!n)
		return NULL;
	n->e[0] = p->e[0];
	for (i = 1, j = 1; i < p->nr; i++)
		if (p->e[i].domid != domid)
			n->e[j++] = p->e[i];
	return n;
}

bool perms_mentions(const struct perm_list *p, unsigned int domid)
{
	unsigned int i;

	for (i = 0; i < p->nr; i++)
		if (p->e[i].domid == domid)
			return true;
	return false;
}

bool perms_equal(const struct perm_list *a, const struct perm_list *b)
{
	unsigned int i;

	if (a == b)
		return true;
	if (a->nr != b->nr)
		return false;
	for (i = 0; i < a->nr; i++)
		if (a->e[i].domid != b->e[i].domid || a->e[i].perms != b->e[i].perms)
			return false;
	return true;
}

unsigned int perms_for_conn(const struct conn *conn, const struct perm_list *p)
{
	const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
	unsigned int target = UINT32_MAX, i;
	struct domain *d;

	if (conn->privileged)
		return all;
	d = domain_get(conn->store, conn->domid);
	if (d)
		target = d->target;
	if (p->e[0].domid == conn->domid || p->e[0].domid == target ||
	    p->e[0].domid == STORED_DOMID_ANY)
		return all;
	for (i = 1; i < p->nr; i++)
		if (p->e[i].domid == conn->domid || p->e[i].domid == target ||
		    p->e[i].domid == STORED_DOMID_ANY)
			return p->e[i].perms & (XS_PERM_READ | XS_PERM_WRITE);
	return p->e[0].perms & (XS_PERM_READ | XS_PERM_WRITE);
}
