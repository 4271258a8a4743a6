/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmocka-analyzer.h: cmocka's asserts as clang's static analyzer should read
 * them. Included ahead of every file (-include) by ./run's analysis of the
 * test programs, and only there: under __clang_analyzer__ it defines nothing
 * else.
 *
 * cmocka reports a failed assert through _fail(), which its header does not
 * mark as not returning, so to the analyzer every assert_non_null(p) is
 * followed by a use of a p that may be NULL. Here each assert the tests use
 * becomes a test that aborts, which the analyzer knows ends the path; what
 * the assert checks is unchanged.
 */
#ifndef XMEM_CMOCKA_ANALYZER_H
#define XMEM_CMOCKA_ANALYZER_H
#ifdef __clang_analyzer__

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#undef assert_true
#undef assert_false
#undef assert_non_null
#undef assert_null
#undef assert_ptr_equal
#undef assert_ptr_not_equal
#undef assert_int_equal
#undef assert_int_not_equal
#undef assert_string_equal
#undef assert_string_not_equal
#undef assert_memory_equal
#undef assert_float_equal
#undef fail
#undef fail_msg

#define assert_true(c)		      ((c) ? (void)0 : abort())
#define assert_false(c)		      ((c) ? abort() : (void)0)
#define assert_non_null(p)	      ((p) != NULL ? (void)0 : abort())
#define assert_null(p)		      ((p) == NULL ? (void)0 : abort())
#define assert_ptr_equal(a, b)	      ((a) == (b) ? (void)0 : abort())
#define assert_ptr_not_equal(a, b)    ((a) != (b) ? (void)0 : abort())
#define assert_int_equal(a, b)	      ((a) == (b) ? (void)0 : abort())
#define assert_int_not_equal(a, b)    ((a) != (b) ? (void)0 : abort())
#define assert_string_equal(a, b)     (strcmp((a), (b)) == 0 ? (void)0 : abort())
#define assert_string_not_equal(a, b) (strcmp((a), (b)) != 0 ? (void)0 : abort())
#define assert_memory_equal(a, b, n)  (memcmp((a), (b), (n)) == 0 ? (void)0 : abort())
#define assert_float_equal(a, b, e)   ((a) - (b) <= (e) && (b) - (a) <= (e) ? (void)0 : abort())
#define fail()			      abort()
#define fail_msg(...)		      abort()

#endif /* __clang_analyzer__ */
#endif /* XMEM_CMOCKA_ANALYZER_H */
