/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cmocka_all.h: the headers cmocka needs, in the order it needs them. */
#ifndef XMEM_CMOCKA_ALL_H
#define XMEM_CMOCKA_ALL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#endif
