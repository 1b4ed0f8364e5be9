/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place.
 *
 * This header is force-included into every ipclab source file (see
 * module/Kbuild), so the .c files are written against the newest kernel
 * API and carry no LINUX_VERSION_CODE tests.  ipclab supports 6.1 and
 * later.  Each shim names the release that changed the API.
 */
#ifndef _IPCLAB_COMPAT_H
#define _IPCLAB_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "ipclab needs Linux 6.1 or later"
#endif

/*
 * 6.3 made vm_flags read-only and added helpers to change them.  A macro,
 * so that this header need not include <linux/mm.h> before pr_fmt is set.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

/*
 * 6.10 dropped the source argument of the trace events' __assign_str():
 * the string declared with __string() is copied from what that
 * declaration names.  ipclab_assign_str() takes both and uses what the
 * kernel wants.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define ipclab_assign_str(dst, src)	__assign_str(dst, src)
#else
#define ipclab_assign_str(dst, src)	\
	do { (void)(src); __assign_str(dst); } while (0)
#endif

#endif /* _IPCLAB_COMPAT_H */
