/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * host.h: finding the host xmem talks to.
 *
 * A simulated host is a runtime directory DIR (from --host or $XMEM_HOST):
 *   DIR/store/socket                 xmem-stored, privileged (dom0 tools)
 *   DIR/store/domain/<domid>/socket  xmem-stored, speaking as that domain
 *   DIR/hv/socket                    xmem-hvsim, privileged
 *   DIR/hv/domain/<domid>/socket     xmem-hvsim, that domain acting on itself
 *   DIR/run/                         pid files, logs, scenario state (simhost)
 *   DIR/guest/<domid>/               that simulated guest's own files: its
 *                                    xmem-balloon writes proc/meminfo, proc/vmstat
 *                                    and proc/pressure/memory there (--proc-root)
 * Without a directory, tools use the real Xen host: libxenstore's default
 * socket or device and libxenctrl.
 *
 * The key tree is always reached through libxenstore; for a simulated host
 * host_xs_open() points it at DIR's socket through XENSTORED_PATH.
 */
#ifndef XMEM_HOST_H
#define XMEM_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#define HOST_NO_DOMID UINT32_MAX

struct hv;

/* The simulated host directory from arg, else $XMEM_HOST, else NULL (real host). */
const char *host_dir(const char *arg);

/*
 * Write the store socket path for dir into buf: the privileged socket when
 * domid is HOST_NO_DOMID, else that domain's. Returns 0 or XMEM_ERR_RANGE.
 */
int host_store_socket(const char *dir, uint32_t domid, char *buf, size_t len);

/* Write DIR/hv (the xmem-hvsim rundir) into buf. Returns 0 or XMEM_ERR_RANGE. */
int host_hv_rundir(const char *dir, char *buf, size_t len);

/* Write DIR/guest/DOMID (the guest's own files) into buf. Returns 0 or XMEM_ERR_RANGE. */
int host_guest_root(const char *dir, uint32_t domid, char *buf, size_t len);

/*
 * Open the key tree: dir NULL means the real host's xenstored; otherwise the
 * simulated host's store, privileged (domid HOST_NO_DOMID) or as domid.
 * NULL on failure with errno set.
 */
struct xs_handle *host_xs_open(const char *dir, uint32_t domid);

/* Open the hypervisor: libxenctrl when dir is NULL, else the simulator. */
struct hv *host_hv_open(const char *dir);

#endif
