/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hv_xc.c: the hv.h back end for a real Xen host, through libxenctrl.
 *
 * Only the host side exists here: dom0 tools ask Xen for physinfo and the
 * domain list, set maxmem and claims. Creating or destroying domains is the
 * toolstack's business (libxl), and dom0 does not balloon guests, so those
 * ops and the guest-side ops are absent and hv.c answers
 * XMEM_ERR_UNSUPPORTED. libxenctrl reports failures as -1 with errno set;
 * errno is mapped here, with ENOMEM (the host is short of memory, e.g. a
 * claim larger than free memory) reported as XMEM_ERR_NOSPACE.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "hv.h"
#include "xmem_err.h"

/* Domains fetched per xc_domain_getinfolist call. */
#define HV_XC_LIST_BATCH 256u

struct hv_xc {
	struct hv base;
	xc_interface *xch;
};

/* Map the errno of a failed libxenctrl call to an XMEM_ERR_*. */
static int hv_xc_err(int err)
{
	switch (err) {
	case ENOMEM:
		return XMEM_ERR_NOSPACE;
	case ESRCH:
		return XMEM_ERR_NOTFOUND;
	case EPERM:
	case EACCES:
		return XMEM_ERR_PERM;
	case 0:
		return XMEM_ERR_FAIL;
	default:
		return xmem_err_from_errno(err);
	}
}

/* Translate XEN_DOMINF_* into HV_DOMF_*. */
static unsigned int hv_xc_flags(uint32_t xen_flags)
{
	unsigned int flags = 0;

	if (xen_flags & XEN_DOMINF_dying)
		flags |= HV_DOMF_DYING;
	if (xen_flags & XEN_DOMINF_shutdown)
		flags |= HV_DOMF_SHUTDOWN;
	if (xen_flags & XEN_DOMINF_paused)
		flags |= HV_DOMF_PAUSED;
	if (xen_flags & XEN_DOMINF_hvm_guest)
		flags |= HV_DOMF_HVM;
	return flags;
}

static int hv_xc_physinfo(struct hv *h, struct hv_physinfo *info_r)
{
	struct hv_xc *x = (struct hv_xc *)h;
	xc_physinfo_t info;

	memset(&info, 0, sizeof(info));
	if (xc_physinfo(x->xch, &info) < 0)
		return hv_xc_err(errno);
	info_r->total_pages = info.total_pages;
	info_r->free_pages = info.free_pages;
	info_r->outstanding_pages = info.outstanding_pages;
	info_r->scrub_pages = info.scrub_pages;
	return 0;
}

static int hv_xc_domain_list(struct hv *h, uint32_t first_domid, struct hv_dominfo *infos,
			     size_t max_infos, size_t *nr_r)
{
	struct hv_xc *x = (struct hv_xc *)h;
	xc_domaininfo_t *batch = NULL;
	size_t nr = 0;
	unsigned int want;
	int r, i, rc = 0;

	*nr_r = 0;
	batch = calloc(HV_XC_LIST_BATCH, sizeof(*batch));
	if (!batch)
		return XMEM_ERR_NOMEM;
	while (nr < max_infos && first_domid < HV_DOMID_FIRST_RESERVED) {
		want = max_infos - nr < HV_XC_LIST_BATCH ? (unsigned int)(max_infos - nr)
							 : HV_XC_LIST_BATCH;
		r = xc_domain_getinfolist(x->xch, first_domid, want, batch);
		if (r < 0) {
			rc = hv_xc_err(errno);
			goto out;
		}
		if ((unsigned int)r > want) {
			rc = XMEM_ERR_PROTO;
			goto out;
		}
		for (i = 0; i < r; i++) {
			infos[nr].domid = batch[i].domain;
			infos[nr].flags = hv_xc_flags(batch[i].flags);
			infos[nr].tot_pages = batch[i].tot_pages;
			infos[nr].max_pages = batch[i].max_pages;
			infos[nr].outstanding_pages = batch[i].outstanding_pages;
			nr++;
		}
		if ((unsigned int)r < want || r == 0)
			break;
		first_domid = (uint32_t)batch[r - 1].domain + 1;
	}
	*nr_r = nr;
out:
	free(batch);
	return rc;
}

static int hv_xc_set_maxmem(struct hv *h, uint32_t domid, uint64_t max_kib)
{
	struct hv_xc *x = (struct hv_xc *)h;

	if (xc_domain_setmaxmem(x->xch, domid, max_kib) < 0)
		return hv_xc_err(errno);
	return 0;
}

static int hv_xc_claim_pages(struct hv *h, uint32_t domid, uint64_t nr_pages)
{
	struct hv_xc *x = (struct hv_xc *)h;

	if (nr_pages > (uint64_t)(unsigned long)-1)
		return XMEM_ERR_RANGE;
	if (xc_domain_claim_pages(x->xch, domid, (unsigned long)nr_pages) < 0)
		return hv_xc_err(errno);
	return 0;
}

static void hv_xc_close(struct hv *h)
{
	struct hv_xc *x = (struct hv_xc *)h;

	if (x->xch)
		xc_interface_close(x->xch);
	free(x);
}

static const struct hv_ops hv_xc_ops = {
	.name = "xc",
	.physinfo = hv_xc_physinfo,
	.domain_list = hv_xc_domain_list,
	.set_maxmem = hv_xc_set_maxmem,
	.claim_pages = hv_xc_claim_pages,
	.close = hv_xc_close,
	/* No create/destroy and no guest-side ops: see the top of this file. */
};

struct hv *hv_open_xc(void)
{
	struct hv_xc *x = NULL;
	int saved;

	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->base.ops = &hv_xc_ops;
	x->base.domid = 0;
	x->base.privileged = 1;
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (!x->xch) {
		saved = errno ? errno : ENOENT;
		free(x);
		errno = saved;
		return NULL;
	}
	return &x->base;
}
