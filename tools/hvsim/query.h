/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * query.h: `xmem-hvsim --query DIR ...`, a small client of a running
 * simulator (for operators and tests), built on lib/hv.h.
 */
#ifndef HVSIM_QUERY_H
#define HVSIM_QUERY_H

/* argv[0] is "--query". Returns the process exit status. */
int query_main(int argc, char **argv);

#endif
