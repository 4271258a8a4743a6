/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch.h: from request bytes to reply bytes, with no I/O.
 *
 * dispatch_next() frames the next message out of a connection's input,
 * checks its header, and runs its handler through the op table, with the
 * caller's identity (the privileged socket, or one domain's socket). The
 * server and the fuzzer both drive it.
 */
#ifndef HVSIM_DISPATCH_H
#define HVSIM_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

struct hvsim;

/* Identity of a connection from the privileged socket. */
#define DISPATCH_PRIV UINT32_MAX

enum dispatch_result {
	DISPATCH_MORE = 0,  /* no complete message yet: read more */
	DISPATCH_REPLY = 1, /* a reply is ready; *consumed_r bytes of input were used */
	DISPATCH_CLOSE = 2, /* the stream is broken: send the reply, then close */
};

/*
 * Look at in[0..len): if it holds a complete message, handle it as caller
 * who (DISPATCH_PRIV or a domid) and write the reply (at most HVSIM_MAX_MSG
 * bytes) into rep, which must be 8-byte aligned. Sets *consumed_r and
 * *rep_len_r.
 */
enum dispatch_result dispatch_next(struct hvsim *sim, uint32_t who, const uint8_t *in, size_t len,
				   size_t *consumed_r, uint8_t *rep, size_t *rep_len_r);

#endif
