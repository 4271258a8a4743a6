/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * htab.c: intrusive chained hash tables.
 *
 * Entries embed a struct htab_node carrying their hash; callers walk the chain
 * returned by htab_chain() and compare keys themselves, so one table type
 * serves nodes (keyed by parent and name), watches and transaction entries
 * (keyed by path). Tables grow by doubling at a load factor of 1; growth
 * that cannot allocate is simply skipped (longer chains, never a failure),
 * and htab_reserve() lets a caller make room before a sequence of inserts
 * that must not fail.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stored.h"

/* FNV-1a, then a final mix: cheap and good enough for path components. */
uint32_t htab_hash_bytes(uint32_t seed, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t h = 2166136261u ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

/* Rehash into nr buckets; 0 or ENOMEM (table unchanged). */
static int htab_resize(struct htab *t, size_t nr)
{
	struct htab_node **b = calloc(nr, sizeof(*b));
	size_t i;

	if (!b)
		return ENOMEM;
	for (i = 0; i < t->nr_buckets; i++) {
		struct htab_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nr - 1)];
			b[n->hash & (nr - 1)] = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nr_buckets = nr;
	return 0;
}

int htab_reserve(struct htab *t, size_t extra)
{
	size_t want = t->count + extra, nr = t->nr_buckets ? t->nr_buckets : 16;

	if (want < t->count)
		return ENOMEM;
	while (nr < want) {
		if (nr > SIZE_MAX / 4)
			return ENOMEM;
		nr *= 2;
	}
	if (nr == t->nr_buckets)
		return 0;
	return htab_resize(t, nr);
}

void htab_insert(struct htab *t, struct htab_node *n)
{
	size_t i;

	if (t->count + 1 > t->nr_buckets)
		(void)htab_resize(t, t->nr_buckets ? t->nr_buckets * 2 : 16);
	if (!t->nr_buckets)
		return; /* unreachable after htab_reserve(); callers reserve first */
	i = n->hash & (t->nr_buckets - 1);
	n->next = t->buckets[i];
	t->buckets[i] = n;
	t->count++;
}

void htab_remove(struct htab *t, struct htab_node *n)
{
	struct htab_node **pp;

	if (!t->nr_buckets)
		return;
	for (pp = &t->buckets[n->hash & (t->nr_buckets - 1)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}

struct htab_node *htab_chain(const struct htab *t, uint32_t hash)
{
	if (!t->nr_buckets)
		return NULL;
	return t->buckets[hash & (t->nr_buckets - 1)];
}

void htab_free(struct htab *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nr_buckets = 0;
	t->count = 0;
}
