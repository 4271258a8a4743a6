/*
 * hv_backends_pending.c: placeholder openers until the hypervisor issue lands
 * hv_xc.c (libxenctrl) and hv_sim.c (xmem-hvsim client). They fail cleanly
 * with ENOSYS. DELETE THIS FILE when those back ends exist.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "hv.h"

struct hv *hv_open_xc(void)
{
	errno = ENOSYS;
	return NULL;
}

struct hv *hv_open_sim(const char *hv_rundir)
{
	(void)hv_rundir;
	errno = ENOSYS;
	return NULL;
}

struct hv *hv_open_sim_guest(const char *hv_rundir, uint32_t domid)
{
	(void)hv_rundir;
	(void)domid;
	errno = ENOSYS;
	return NULL;
}
