dnl SPDX-License-Identifier: LGPL-2.1-or-later
dnl XMEM_CHECK_CFLAG(FLAG): append FLAG to WARN_CFLAGS when the compiler takes it.
AC_DEFUN([XMEM_CHECK_CFLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	xmem_saved_cflags="$CFLAGS"
	CFLAGS="$CFLAGS -Werror $1"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
		[AC_MSG_RESULT([yes]); WARN_CFLAGS="$WARN_CFLAGS $1"],
		[AC_MSG_RESULT([no])])
	CFLAGS="$xmem_saved_cflags"
])
