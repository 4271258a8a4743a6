/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * frames.c: the frame table (see frames.h for the shape).
 *
 * Design notes.
 * - The used map is the truth; nr_used, nr_free and the two chunk bitmaps are
 *   summaries kept in step with it, and frames_audit() recomputes them.
 * - A last chunk shorter than 512 frames has its missing frames marked used
 *   for ever (its "tail"); they belong to nobody and are never counted.
 * - Finding room for an owner: first the chunk it last allocated from (so a
 *   guest's frames cluster and chunks stay single-owner), then an entirely
 *   free chunk (from a rotating cursor), then any chunk with a free extent of
 *   the right size, which may make that chunk shared.
 * - Extents of order 10..12 (only the hardware domain may ask for them) take
 *   2^(order-9) aligned, entirely free chunks.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "xmem_err.h"

#define FRAMES_OWNER_FREE  0xFFFFu
#define FRAMES_OWNER_MIXED 0xFFFEu
#define FRAMES_CHUNK_WORDS (FRAMES_PER_CHUNK / 64)

struct frames_chunk {
	uint64_t used[FRAMES_CHUNK_WORDS]; /* bit set: frame in use (or beyond the end) */
	uint16_t *owners;		   /* per-frame owner when shared, else NULL */
	uint16_t owner;			   /* owner of all used frames, FREE or MIXED */
	uint16_t nr_used;		   /* used frames, tail excluded */
	uint16_t cap;			   /* frames that exist in this chunk */
};

struct frames {
	uint64_t nr_frames;
	uint64_t nr_free;
	uint64_t nr_chunks;
	uint64_t nr_shared;
	uint64_t nr_map_words;
	uint64_t cursor; /* next place to look for an entirely free chunk */
	struct frames_chunk *chunks;
	uint64_t *avail_map; /* chunk has at least one free frame */
	uint64_t *empty_map; /* chunk is full-size and entirely free */
	uint32_t *hint;	     /* per owner: 1 + chunk of its last allocation, 0 none */
};

/* Set bit i of map. */
static void map_set(uint64_t *map, uint64_t i)
{
	map[i / 64] |= UINT64_C(1) << (i % 64);
}

/* Clear bit i of map. */
static void map_clear(uint64_t *map, uint64_t i)
{
	map[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

/* Test bit i of map. */
static int map_test(const uint64_t *map, uint64_t i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

/* First set bit at or after start, wrapping once; UINT64_MAX when none. */
static uint64_t map_find(const uint64_t *map, uint64_t nr_words, uint64_t nr_bits, uint64_t start)
{
	uint64_t w, i, word;

	if (start >= nr_bits)
		start = 0;
	for (i = 0; i <= nr_words; i++) {
		w = (start / 64 + i) % nr_words;
		word = map[w];
		if (i == 0)
			word &= ~UINT64_C(0) << (start % 64);
		if (word)
			return w * 64 + (uint64_t)__builtin_ctzll(word);
	}
	return UINT64_MAX;
}

/* Mask of n bits starting at bit off of one word (n >= 1, off + n <= 64). */
static uint64_t bits_mask(unsigned int off, unsigned int n)
{
	uint64_t m = n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;

	return m << off;
}

/* Set (val 1) or clear (val 0) bits [idx, idx + n) of a chunk's used map. */
static void chunk_bits_write(struct frames_chunk *c, unsigned int idx, unsigned int n, int val)
{
	unsigned int w, off, len;

	while (n) {
		w = idx / 64;
		off = idx % 64;
		len = 64 - off < n ? 64 - off : n;
		if (val)
			c->used[w] |= bits_mask(off, len);
		else
			c->used[w] &= ~bits_mask(off, len);
		idx += len;
		n -= len;
	}
}

/* Whether bits [idx, idx + n) of a chunk's used map are all set. */
static int chunk_bits_all_set(const struct frames_chunk *c, unsigned int idx, unsigned int n)
{
	unsigned int w, off, len;
	uint64_t m;

	while (n) {
		w = idx / 64;
		off = idx % 64;
		len = 64 - off < n ? 64 - off : n;
		m = bits_mask(off, len);
		if ((c->used[w] & m) != m)
			return 0;
		idx += len;
		n -= len;
	}
	return 1;
}

/* Empty a chunk: no used frame but its tail. */
static void chunk_reset(struct frames_chunk *c)
{
	memset(c->used, 0, sizeof(c->used));
	if (c->cap < FRAMES_PER_CHUNK)
		chunk_bits_write(c, c->cap, FRAMES_PER_CHUNK - c->cap, 1);
	free(c->owners);
	c->owners = NULL;
	c->owner = FRAMES_OWNER_FREE;
	c->nr_used = 0;
}

/* Bring the two chunk bitmaps in line with chunk ci. */
static void frames_chunk_summarise(struct frames *fr, uint64_t ci)
{
	struct frames_chunk *c = &fr->chunks[ci];

	if (c->nr_used < c->cap)
		map_set(fr->avail_map, ci);
	else
		map_clear(fr->avail_map, ci);
	if (c->nr_used == 0 && c->cap == FRAMES_PER_CHUNK)
		map_set(fr->empty_map, ci);
	else
		map_clear(fr->empty_map, ci);
}

struct frames *frames_new(uint64_t nr_frames)
{
	struct frames *fr = NULL;
	uint64_t ci;

	if (nr_frames == 0 || nr_frames > FRAMES_MAX_FRAMES) {
		errno = EINVAL;
		return NULL;
	}
	fr = calloc(1, sizeof(*fr));
	if (!fr)
		return NULL;
	fr->nr_frames = nr_frames;
	fr->nr_free = nr_frames;
	fr->nr_chunks = (nr_frames + FRAMES_PER_CHUNK - 1) / FRAMES_PER_CHUNK;
	fr->nr_map_words = (fr->nr_chunks + 63) / 64;
	fr->chunks = calloc(fr->nr_chunks, sizeof(*fr->chunks));
	fr->avail_map = calloc(fr->nr_map_words, sizeof(uint64_t));
	fr->empty_map = calloc(fr->nr_map_words, sizeof(uint64_t));
	fr->hint = calloc(FRAMES_NR_OWNERS, sizeof(uint32_t));
	if (!fr->chunks || !fr->avail_map || !fr->empty_map || !fr->hint) {
		frames_free_all(fr);
		errno = ENOMEM;
		return NULL;
	}
	for (ci = 0; ci < fr->nr_chunks; ci++) {
		struct frames_chunk *c = &fr->chunks[ci];
		uint64_t left = nr_frames - ci * FRAMES_PER_CHUNK;

		c->cap = left < FRAMES_PER_CHUNK ? (uint16_t)left : FRAMES_PER_CHUNK;
		c->owner = FRAMES_OWNER_FREE;
		if (c->cap < FRAMES_PER_CHUNK)
			chunk_reset(c);
		frames_chunk_summarise(fr, ci);
	}
	return fr;
}

void frames_free_all(struct frames *fr)
{
	uint64_t ci;

	if (!fr)
		return;
	if (fr->chunks) {
		for (ci = 0; ci < fr->nr_chunks; ci++)
			free(fr->chunks[ci].owners);
	}
	free(fr->chunks);
	free(fr->avail_map);
	free(fr->empty_map);
	free(fr->hint);
	free(fr);
}

uint64_t frames_total(const struct frames *fr)
{
	return fr->nr_frames;
}

uint64_t frames_nr_free(const struct frames *fr)
{
	return fr->nr_free;
}

/*
 * Find a free, aligned run of 2^order frames (order <= 9) in a chunk.
 * Returns its index in the chunk, or -1.
 */
static int chunk_find_block(const struct frames_chunk *c, unsigned int order)
{
	unsigned int w, off, n, words;
	uint64_t m;

	if (c->nr_used + (1u << order) > c->cap)
		return -1;
	if (order == 0) {
		for (w = 0; w < FRAMES_CHUNK_WORDS; w++) {
			if (~c->used[w])
				return (int)(w * 64 + (unsigned int)__builtin_ctzll(~c->used[w]));
		}
		return -1;
	}
	if (order <= 6) {
		n = 1u << order;
		m = bits_mask(0, n);
		for (w = 0; w < FRAMES_CHUNK_WORDS; w++) {
			if (c->used[w] == ~UINT64_C(0))
				continue;
			for (off = 0; off < 64; off += n) {
				if (!(c->used[w] & (m << off)))
					return (int)(w * 64 + off);
			}
		}
		return -1;
	}
	words = 1u << (order - 6);
	for (w = 0; w < FRAMES_CHUNK_WORDS; w += words) {
		unsigned int j;

		for (j = 0; j < words; j++) {
			if (c->used[w + j])
				break;
		}
		if (j == words)
			return (int)(w * 64);
	}
	return -1;
}

/* Hand frames [idx, idx + n) of chunk ci to owner. Returns 0 or XMEM_ERR_NOMEM. */
static int frames_chunk_take(struct frames *fr, uint64_t ci, unsigned int idx, unsigned int n,
			     unsigned int owner)
{
	struct frames_chunk *c = &fr->chunks[ci];
	unsigned int i;

	if (c->nr_used == 0) {
		c->owner = (uint16_t)owner;
	} else if (!c->owners && c->owner != owner) {
		/* A second owner moves in: record owners frame by frame from now on. */
		c->owners = malloc(FRAMES_PER_CHUNK * sizeof(uint16_t));
		if (!c->owners)
			return XMEM_ERR_NOMEM;
		for (i = 0; i < FRAMES_PER_CHUNK; i++)
			c->owners[i] = c->owner;
		c->owner = FRAMES_OWNER_MIXED;
		fr->nr_shared++;
	}
	if (c->owners) {
		for (i = idx; i < idx + n; i++)
			c->owners[i] = (uint16_t)owner;
	}
	chunk_bits_write(c, idx, n, 1);
	c->nr_used = (uint16_t)(c->nr_used + n);
	fr->nr_free -= n;
	frames_chunk_summarise(fr, ci);
	return 0;
}

/* Take frames [idx, idx + n) of chunk ci back (ownership already checked). */
static void frames_chunk_give(struct frames *fr, uint64_t ci, unsigned int idx, unsigned int n)
{
	struct frames_chunk *c = &fr->chunks[ci];

	chunk_bits_write(c, idx, n, 0);
	c->nr_used = (uint16_t)(c->nr_used - n);
	fr->nr_free += n;
	if (c->nr_used == 0) {
		if (c->owners)
			fr->nr_shared--;
		chunk_reset(c);
	}
	frames_chunk_summarise(fr, ci);
}

/* Allocate an extent of order <= 9 inside one chunk. */
static int frames_alloc_small(struct frames *fr, unsigned int owner, unsigned int order,
			      uint64_t *frame_r)
{
	uint64_t ci, start;
	int idx, rc;

	/* 1. Where this owner allocated last. */
	if (fr->hint[owner]) {
		struct frames_chunk *c;

		ci = fr->hint[owner] - 1;
		c = &fr->chunks[ci];
		if (c->nr_used == 0 || c->owner == owner || c->owners) {
			idx = chunk_find_block(c, order);
			if (idx >= 0)
				goto found;
		}
	}
	/* 2. An entirely free chunk. */
	ci = map_find(fr->empty_map, fr->nr_map_words, fr->nr_chunks, fr->cursor);
	if (ci != UINT64_MAX) {
		fr->cursor = ci;
		idx = 0;
		goto found;
	}
	/* 3. Any chunk with a free extent of this size (it may become shared). */
	start = 0;
	while (start < fr->nr_chunks) {
		ci = map_find(fr->avail_map, fr->nr_map_words, fr->nr_chunks, start);
		if (ci == UINT64_MAX || ci < start)
			break;
		idx = chunk_find_block(&fr->chunks[ci], order);
		if (idx >= 0)
			goto found;
		start = ci + 1;
	}
	return XMEM_ERR_NOSPACE;
found:
	rc = frames_chunk_take(fr, ci, (unsigned int)idx, 1u << order, owner);
	if (rc)
		return rc;
	fr->hint[owner] = (uint32_t)(ci + 1);
	*frame_r = ci * FRAMES_PER_CHUNK + (unsigned int)idx;
	return 0;
}

/* Allocate an extent of order 10..12: 2^(order-9) aligned free chunks. */
static int frames_alloc_large(struct frames *fr, unsigned int owner, unsigned int order,
			      uint64_t *frame_r)
{
	unsigned int m = 1u << (order - FRAMES_CHUNK_ORDER);
	uint64_t mask = bits_mask(0, m), w, ci, j;
	unsigned int off;

	for (w = 0; w < fr->nr_map_words; w++) {
		if (!fr->empty_map[w])
			continue;
		for (off = 0; off < 64; off += m) {
			ci = w * 64 + off;
			if (ci + m > fr->nr_chunks)
				break;
			if (((fr->empty_map[w] >> off) & mask) != mask)
				continue;
			for (j = 0; j < m; j++)
				(void)frames_chunk_take(fr, ci + j, 0, FRAMES_PER_CHUNK, owner);
			*frame_r = ci * FRAMES_PER_CHUNK;
			return 0;
		}
	}
	return XMEM_ERR_NOSPACE;
}

int frames_alloc(struct frames *fr, unsigned int owner, unsigned int order, uint64_t *frame_r)
{
	if (order > FRAMES_MAX_ORDER || owner >= FRAMES_NR_OWNERS)
		return XMEM_ERR_INVAL;
	if ((UINT64_C(1) << order) > fr->nr_free)
		return XMEM_ERR_NOSPACE;
	if (order <= FRAMES_CHUNK_ORDER)
		return frames_alloc_small(fr, owner, order, frame_r);
	return frames_alloc_large(fr, owner, order, frame_r);
}

/* Whether owner owns every frame of [idx, idx + n) in chunk c. */
static int chunk_owns(const struct frames_chunk *c, unsigned int owner, unsigned int idx,
		      unsigned int n)
{
	unsigned int i;

	if (c->nr_used == 0 || idx + n > c->cap || !chunk_bits_all_set(c, idx, n))
		return 0;
	if (!c->owners)
		return c->owner == owner;
	for (i = idx; i < idx + n; i++) {
		if (c->owners[i] != owner)
			return 0;
	}
	return 1;
}

int frames_release(struct frames *fr, unsigned int owner, uint64_t frame, unsigned int order)
{
	uint64_t n, f, end;

	if (order > FRAMES_MAX_ORDER)
		return XMEM_ERR_INVAL;
	n = UINT64_C(1) << order;
	if (frame >= fr->nr_frames || n > fr->nr_frames - frame)
		return XMEM_ERR_RANGE;
	end = frame + n;
	/* Check the whole extent first, so a refused extent changes nothing. */
	for (f = frame; f < end;) {
		unsigned int idx = f % FRAMES_PER_CHUNK;
		uint64_t len = FRAMES_PER_CHUNK - idx < end - f ? FRAMES_PER_CHUNK - idx : end - f;

		if (!chunk_owns(&fr->chunks[f / FRAMES_PER_CHUNK], owner, idx, (unsigned int)len))
			return XMEM_ERR_PERM;
		f += len;
	}
	for (f = frame; f < end;) {
		unsigned int idx = f % FRAMES_PER_CHUNK;
		uint64_t len = FRAMES_PER_CHUNK - idx < end - f ? FRAMES_PER_CHUNK - idx : end - f;

		frames_chunk_give(fr, f / FRAMES_PER_CHUNK, idx, (unsigned int)len);
		f += len;
	}
	return 0;
}

uint64_t frames_release_owner(struct frames *fr, unsigned int owner)
{
	uint64_t ci, nr = 0;
	unsigned int i;

	for (ci = 0; ci < fr->nr_chunks; ci++) {
		struct frames_chunk *c = &fr->chunks[ci];

		if (c->nr_used == 0)
			continue;
		if (!c->owners) {
			if (c->owner != owner)
				continue;
			nr += c->nr_used;
			fr->nr_free += c->nr_used;
			chunk_reset(c);
			frames_chunk_summarise(fr, ci);
			continue;
		}
		for (i = 0; i < c->cap && c->owners; i++) {
			if (c->owners[i] == owner && map_test(c->used, i)) {
				frames_chunk_give(fr, ci, i, 1);
				nr++;
			}
		}
	}
	if (owner < FRAMES_NR_OWNERS)
		fr->hint[owner] = 0;
	return nr;
}

int frames_owner(const struct frames *fr, uint64_t frame)
{
	const struct frames_chunk *c;
	unsigned int idx;

	if (frame >= fr->nr_frames)
		return -1;
	c = &fr->chunks[frame / FRAMES_PER_CHUNK];
	idx = frame % FRAMES_PER_CHUNK;
	if (!map_test(c->used, idx))
		return -1;
	return c->owners ? c->owners[idx] : c->owner;
}

int frames_audit(const struct frames *fr, uint64_t *counts_r, char *msg, size_t msg_len)
{
	uint64_t ci, nr_free = 0, nr_shared = 0;
	unsigned int w, i, pop;

	memset(counts_r, 0, FRAMES_NR_OWNERS * sizeof(uint64_t));
	for (ci = 0; ci < fr->nr_chunks; ci++) {
		const struct frames_chunk *c = &fr->chunks[ci];
		unsigned int tail = FRAMES_PER_CHUNK - c->cap;

		pop = 0;
		for (w = 0; w < FRAMES_CHUNK_WORDS; w++)
			pop += (unsigned int)__builtin_popcountll(c->used[w]);
		if (tail && !chunk_bits_all_set(c, c->cap, tail)) {
			snprintf(msg, msg_len, "chunk %llu: tail frames marked free",
				 (unsigned long long)ci);
			return XMEM_ERR_FAIL;
		}
		if (pop != c->nr_used + tail) {
			snprintf(msg, msg_len, "chunk %llu: %u frames used in the map, %u counted",
				 (unsigned long long)ci, pop - tail, c->nr_used);
			return XMEM_ERR_FAIL;
		}
		if (map_test(fr->avail_map, ci) != (c->nr_used < c->cap) ||
		    map_test(fr->empty_map, ci) != (c->nr_used == 0 && !tail)) {
			snprintf(msg, msg_len, "chunk %llu: summary bitmaps out of date",
				 (unsigned long long)ci);
			return XMEM_ERR_FAIL;
		}
		nr_free += c->cap - c->nr_used;
		if (c->nr_used == 0) {
			if (c->owners || c->owner != FRAMES_OWNER_FREE) {
				snprintf(msg, msg_len, "chunk %llu: free but owned",
					 (unsigned long long)ci);
				return XMEM_ERR_FAIL;
			}
			continue;
		}
		if (!c->owners) {
			if (c->owner >= FRAMES_NR_OWNERS) {
				snprintf(msg, msg_len, "chunk %llu: bad owner %u",
					 (unsigned long long)ci, c->owner);
				return XMEM_ERR_FAIL;
			}
			counts_r[c->owner] += c->nr_used;
			continue;
		}
		nr_shared++;
		for (i = 0; i < c->cap; i++) {
			if (!map_test(c->used, i))
				continue;
			if (c->owners[i] >= FRAMES_NR_OWNERS) {
				snprintf(msg, msg_len, "frame %llu: bad owner %u",
					 (unsigned long long)(ci * FRAMES_PER_CHUNK + i),
					 c->owners[i]);
				return XMEM_ERR_FAIL;
			}
			counts_r[c->owners[i]]++;
		}
	}
	if (nr_free != fr->nr_free) {
		snprintf(msg, msg_len, "%llu frames free in the maps, %llu counted",
			 (unsigned long long)nr_free, (unsigned long long)fr->nr_free);
		return XMEM_ERR_FAIL;
	}
	if (nr_shared != fr->nr_shared) {
		snprintf(msg, msg_len, "%llu shared chunks, %llu counted",
			 (unsigned long long)nr_shared, (unsigned long long)fr->nr_shared);
		return XMEM_ERR_FAIL;
	}
	return 0;
}

uint64_t frames_mem_bytes(const struct frames *fr)
{
	return sizeof(*fr) + fr->nr_chunks * sizeof(struct frames_chunk) +
	       2 * fr->nr_map_words * sizeof(uint64_t) + FRAMES_NR_OWNERS * sizeof(uint32_t) +
	       fr->nr_shared * FRAMES_PER_CHUNK * sizeof(uint16_t);
}

uint64_t frames_nr_shared_chunks(const struct frames *fr)
{
	return fr->nr_shared;
}
