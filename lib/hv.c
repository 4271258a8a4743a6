/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hv.c: the back-end-independent wrappers of hv.h.
 */
#include "config.h"

#include <stddef.h>

#include "hv.h"
#include "xmem_err.h"

void hv_close(struct hv *h)
{
	if (h)
		h->ops->close(h);
}

int hv_physinfo(struct hv *h, struct hv_physinfo *info_r)
{
	if (!h->privileged)
		return XMEM_ERR_PERM;
	return h->ops->physinfo(h, info_r);
}

int hv_domain_list(struct hv *h, uint32_t first_domid, struct hv_dominfo *infos, size_t max_infos,
		   size_t *nr_r)
{
	if (!h->privileged)
		return XMEM_ERR_PERM;
	return h->ops->domain_list(h, first_domid, infos, max_infos, nr_r);
}

int hv_domain_info(struct hv *h, uint32_t domid, struct hv_dominfo *info_r)
{
	size_t nr = 0;
	int rc;

	rc = hv_domain_list(h, domid, info_r, 1, &nr);
	if (rc)
		return rc;
	if (nr != 1 || info_r->domid != domid)
		return XMEM_ERR_NOTFOUND;
	return 0;
}

int hv_set_maxmem(struct hv *h, uint32_t domid, uint64_t max_kib)
{
	if (!h->privileged)
		return XMEM_ERR_PERM;
	return h->ops->set_maxmem(h, domid, max_kib);
}

int hv_claim_pages(struct hv *h, uint32_t domid, uint64_t nr_pages)
{
	if (!h->privileged)
		return XMEM_ERR_PERM;
	return h->ops->claim_pages(h, domid, nr_pages);
}

int hv_domain_create(struct hv *h, uint32_t domid, uint64_t max_pages, uint64_t initial_pages)
{
	if (!h->privileged)
		return XMEM_ERR_PERM;
	if (!h->ops->domain_create)
		return XMEM_ERR_UNSUPPORTED;
	return h->ops->domain_create(h, domid, max_pages, initial_pages);
}

int hv_domain_destroy(struct hv *h, uint32_t domid)
{
	if (!h->privileged)
		return XMEM_ERR_PERM;
	if (!h->ops->domain_destroy)
		return XMEM_ERR_UNSUPPORTED;
	return h->ops->domain_destroy(h, domid);
}

long hv_increase_reservation(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			     uint64_t *frames)
{
	if (!h->ops->increase_reservation)
		return XMEM_ERR_UNSUPPORTED;
	return h->ops->increase_reservation(h, nr_extents, extent_order, frames);
}

long hv_decrease_reservation(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			     const uint64_t *frames)
{
	if (!h->ops->decrease_reservation)
		return XMEM_ERR_UNSUPPORTED;
	return h->ops->decrease_reservation(h, nr_extents, extent_order, frames);
}

long hv_populate_physmap(struct hv *h, unsigned long nr_extents, unsigned int extent_order,
			 uint64_t *frames)
{
	if (!h->ops->populate_physmap)
		return XMEM_ERR_UNSUPPORTED;
	return h->ops->populate_physmap(h, nr_extents, extent_order, frames);
}

int hv_current_reservation(struct hv *h, uint64_t *nr_pages_r)
{
	if (!h->ops->current_reservation)
		return XMEM_ERR_UNSUPPORTED;
	return h->ops->current_reservation(h, nr_pages_r);
}

int hv_maximum_reservation(struct hv *h, uint64_t *nr_pages_r)
{
	if (!h->ops->maximum_reservation)
		return XMEM_ERR_UNSUPPORTED;
	return h->ops->maximum_reservation(h, nr_pages_r);
}
