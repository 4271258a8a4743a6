/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simdom.h: create and destroy a domain of a simulated host the way libxl does.
 *
 * simdom_create() is what `xl create` amounts to on a simulated host, for the
 * parts xmem cares about:
 *   1. the domain is created in the hypervisor (hv_domain_create) with
 *      maxmem = startup + LIBXL_MAXMEM_CONSTANT (libxl__build_pre: xmemd
 *      moves maxmem with the target afterwards) and no pages, and its
 *      startup size is claimed (XENMEM_claim_pages, libxl's claim_mode):
 *      the guest's balloon frontend populates its boot memory itself, as a
 *      domain builder would, so it knows every frame it may give back; the
 *      claim keeps that memory set aside for it meanwhile;
 *   2. in ONE key-tree transaction (retried on EAGAIN) it writes what
 *      libxl__domain_make and libxl__build_post write, with the same
 *      permissions:
 *        /local/domain/N, /vm/<uuid>                         [n0, rN]
 *        /libxl/N, /libxl/N/device                           [n0]
 *        ~/cpu ~/memory ~/control ~/device (~/hvmloader HVM) [n0, rN]
 *        ~/device/suspend/event-channel, ~/control/{shutdown,
 *          feature-poweroff,feature-reboot,feature-suspend,sysrq}
 *          (HVM: feature-s3, feature-s4), ~/data ~/drivers
 *          ~/feature ~/attr ~/error                          [nN]
 *        ~/vm ~/name ~/domid /vm/<uuid>/{uuid,name} /libxl/N/type
 *        control/platform-feature-{multiprocessor-suspend,xs_reset_watches}
 *        memory/{static-max,target,videoram} cpu/0/availability
 *        store/{port,ring-ref}
 *      plus xmem's policy keys memory/{dynamic-min,dynamic-max,startup,
 *      weight,buffer,managed}, memory/meminfo [nN] for a Qubes guest
 *      (cfg->agent "qubes"), and, when the memory comes from a granted
 *      reservation, /tool/xmemd/reservation/<id>/domid = N;
 *   3. the domain is introduced to the store (xs_introduce_domain), which
 *      opens its guest connection.
 * A failure at any step undoes the earlier ones.
 *
 * simdom_destroy() undoes it: xs_release_domain, removal of the domain's
 * keys (/local/domain/N, /vm/<uuid>, /libxl/N) in one transaction, and
 * hv_domain_destroy.
 *
 * Both take an open privileged key-tree handle (host_xs_open(dir,
 * HOST_NO_DOMID)) and a privileged hypervisor handle (host_hv_open(dir)).
 * They return 0 or a negative XMEM_ERR_*, and fill err (when not NULL) with a
 * one-line message naming what failed.
 */
#ifndef XMEM_SIMDOM_H
#define XMEM_SIMDOM_H

#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#include "xenstore-schema/xs_schema.h"

struct hv;

#define SIMDOM_DOMID_AUTO	   UINT32_MAX
#define SIMDOM_UUID_LEN		   37 /* 36 characters and the NUL */
#define SIMDOM_ERR_LEN		   256
#define SIMDOM_NAME_MAX		   64
#define SIMDOM_MAXMEM_CONSTANT_KIB XS_MAXMEM_SLACK_KIB /* LIBXL_MAXMEM_CONSTANT */
#define SIMDOM_STORE_PORT	   1		       /* simulated: no event channels */
#define SIMDOM_STORE_RING_REF	   0xfeffcul	       /* simulated: the HVM magic store pfn */
#define SIMDOM_WEIGHT_MAX	   XS_DOM_WEIGHT_MAX
#define SIMDOM_BUFFER_MIN	   XS_DOM_BUFFER_MIN
#define SIMDOM_BUFFER_MAX	   XS_DOM_BUFFER_MAX

struct simdom_config {
	const char *name;	   /* required; [A-Za-z0-9_.-], unique on the host */
	uint32_t domid;		   /* SIMDOM_DOMID_AUTO: the lowest free id from 1 */
	const char *uuid;	   /* NULL: a fresh random (version 4) uuid */
	int hvm;		   /* 0: PVH; 1: HVM (hvmloader, feature-s3/s4) */
	uint64_t static_max_kib;   /* memory/static-max: the most it can ever have */
	uint64_t startup_kib;	   /* allocated at creation; memory/startup */
	uint64_t dynamic_min_kib;  /* 0: startup_kib */
	uint64_t dynamic_max_kib;  /* 0: static_max_kib */
	uint64_t videoram_kib;	   /* HVM video memory (libxl's video_memkb) */
	unsigned int weight;	   /* 0..10000 */
	unsigned int buffer_pct;   /* 5..2000 */
	int managed;		   /* memory/managed: 1 lets xmemd move the target */
	const char *reservation;   /* NULL, or the id of a granted reservation */
	uint64_t maxmem_kib;	   /* 0: startup + LIBXL_MAXMEM_CONSTANT (libxl); more: headroom */
	const char *policy_source; /* NULL, or memory/policy-source: xmemd keeps these keys */
	const char *agent;	   /* guest agent (simdom_agent_ok); NULL: xmem */
};

/*
 * Guest agents a simulated guest can play (xmem-balloon --agent): xmem,
 * xe-guest-utilities, qubes, none. For qubes the toolstack side is Qubes':
 * memory/meminfo is created writable by the guest ([nN]), as qubesd does
 * for its meminfo-writer; libxl alone leaves memory/ read-only.
 */
#define SIMDOM_AGENTS "xmem, xe-guest-utilities, qubes, none"

/* 1 when name is one of SIMDOM_AGENTS. */
int simdom_agent_ok(const char *name);

/* Defaults: domid auto, PVH, weight 5000, buffer 20, managed. */
void simdom_config_init(struct simdom_config *cfg);

/*
 * Check cfg on its own (no host needed): name, sizes (startup <= static-max,
 * dynamic-min <= startup <= dynamic-max <= static-max after defaults), weight,
 * buffer, uuid and reservation id syntax. Returns 0 or XMEM_ERR_INVAL.
 */
int simdom_validate(const struct simdom_config *cfg, char *err, size_t err_len);

/* memory/target libxl writes: startup - videoram - (HVM && max > startup ? 1024 : 0). */
uint64_t simdom_target_kib(const struct simdom_config *cfg);

/*
 * Xen's maxmem at creation, in KiB: cfg->maxmem_kib when set, else libxl's
 * startup + LIBXL_MAXMEM_CONSTANT (libxl__build_pre). A larger maxmem (up to
 * static-max + LIBXL_MAXMEM_CONSTANT) lets the guest's balloon grow past its
 * startup size without a toolstack moving maxmem.
 */
uint64_t simdom_maxmem_kib(const struct simdom_config *cfg);

/*
 * Create the domain (see the top of this file). *domid_r gets its id.
 * XMEM_ERR_EXISTS: the name or the requested domid is taken;
 * XMEM_ERR_NOSPACE: the hypervisor has too little free memory.
 */
int simdom_create(struct xs_handle *xs, struct hv *hv, const struct simdom_config *cfg,
		  uint32_t *domid_r, char *err, size_t err_len);

/*
 * The key-tree half of simdom_create, for a domain the hypervisor already has
 * (or one the caller made itself): steps 2 and 3 only, for cfg->domid, which
 * must be given (not SIMDOM_DOMID_AUTO). Keys of that domid are replaced, so
 * this also rewrites a domain's home, e.g. after the store restarted. The
 * hypervisor is not touched. XMEM_ERR_EXISTS: another domain has the name.
 */
int simdom_create_keys(struct xs_handle *xs, const struct simdom_config *cfg, char *err,
		       size_t err_len);

/*
 * Destroy domain domid (not 0): release it from the store, remove its keys,
 * destroy it in the hypervisor. Every step is attempted even when an earlier
 * one failed (a half-created domain is cleaned up); the first error is
 * returned. XMEM_ERR_NOTFOUND when neither the store nor the hypervisor knew it.
 */
int simdom_destroy(struct xs_handle *xs, struct hv *hv, uint32_t domid, char *err, size_t err_len);

/* Find a domain by its name (~/name). 0, XMEM_ERR_NOTFOUND or XMEM_ERR_IO. */
int simdom_lookup(struct xs_handle *xs, const char *name, uint32_t *domid_r);

/*
 * Write dom0's keys as xen-init-dom0 and libxl do: ~/name "Domain-0",
 * ~/domid, ~/vm, /vm/<zero uuid>/{uuid,name}, and memory/static-max and
 * memory/target from the hypervisor's view of domain 0, in one transaction.
 */
int simdom_dom0_init(struct xs_handle *xs, struct hv *hv, char *err, size_t err_len);

/* Write a fresh random version 4 uuid into buf (SIMDOM_UUID_LEN bytes). */
int simdom_uuid_generate(char *buf, size_t len);

#endif
