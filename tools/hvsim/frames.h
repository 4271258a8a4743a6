/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * frames.h: the simulated host's machine frames and who owns each one.
 *
 * Frames are grouped in chunks of 512 (2 MiB, one order-9 extent). A chunk
 * holds a 512-bit used map and one owner for all its used frames; only a
 * chunk shared by several owners gets a per-frame owner array (1 KiB). Two
 * bitmaps over the chunks (has a free frame, entirely free) make finding
 * room cheap. A 1 TiB host costs about 40 MiB plus 1 KiB per shared chunk.
 *
 * An owner is a domid (Xen's own memory is owned by FRAMES_OWNER_XEN). The
 * allocator knows nothing of limits or claims: domain.c and memop.c decide
 * whether an allocation may happen, frames.c only finds, hands out and takes
 * back frames, and refuses to take back a frame from a non-owner.
 */
#ifndef HVSIM_FRAMES_H
#define HVSIM_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAMES_CHUNK_ORDER 9
#define FRAMES_PER_CHUNK   (1u << FRAMES_CHUNK_ORDER)
#define FRAMES_MAX_ORDER   12		       /* the hardware domain's limit in Xen */
#define FRAMES_OWNER_XEN   0x7FF2u	       /* DOMID_XEN */
#define FRAMES_NR_OWNERS   0x8000u	       /* owners are below this */
#define FRAMES_MAX_FRAMES  (UINT64_C(1) << 40) /* 4 PiB of 4 KiB frames */

struct frames;

/* A frame table of nr_frames free frames. NULL on failure (errno set). */
struct frames *frames_new(uint64_t nr_frames);
void frames_free_all(struct frames *fr);

uint64_t frames_total(const struct frames *fr);
uint64_t frames_nr_free(const struct frames *fr);

/*
 * Allocate one extent of 2^order contiguous frames, aligned to its size, to
 * owner. Writes the first frame to *frame_r. Returns 0, XMEM_ERR_NOSPACE when
 * no such extent is free, XMEM_ERR_NOMEM or XMEM_ERR_INVAL (bad order/owner).
 */
int frames_alloc(struct frames *fr, unsigned int owner, unsigned int order, uint64_t *frame_r);

/*
 * Give back the 2^order frames from frame (no alignment required). Every one
 * must be in range and owned by owner, else nothing changes and
 * XMEM_ERR_PERM (or XMEM_ERR_RANGE) is returned. Returns 0 on success.
 */
int frames_release(struct frames *fr, unsigned int owner, uint64_t frame, unsigned int order);

/* Give back every frame of owner. Returns how many there were. */
uint64_t frames_release_owner(struct frames *fr, unsigned int owner);

/* Owner of frame, or -1 when it is free or out of range. */
int frames_owner(const struct frames *fr, uint64_t frame);

/*
 * Recount everything from the used maps: the free count, the chunk
 * summaries, and the frames of each owner into counts_r (FRAMES_NR_OWNERS
 * entries). Returns 0 when the maps agree with the counters, else
 * XMEM_ERR_FAIL with a description in msg.
 */
int frames_audit(const struct frames *fr, uint64_t *counts_r, char *msg, size_t msg_len);

/* Bytes of memory the table uses (chunks, maps, owner arrays). */
uint64_t frames_mem_bytes(const struct frames *fr);

/* Chunks that have a per-frame owner array. */
uint64_t frames_nr_shared_chunks(const struct frames *fr);

#endif
