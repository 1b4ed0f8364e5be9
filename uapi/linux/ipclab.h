/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ipclab - inspectable IPC primitives for teaching operating systems.
 *
 * This header is the whole interface between the ipclab module and
 * userspace.  Everything goes through ioctl() (and, for shared buffers,
 * mmap()) on /dev/ipclab.
 *
 * Conventions, the same for every command:
 *  - Structures use only fixed-size types, are naturally aligned, and
 *    carry explicit padding.  Padding and reserved fields must be zero;
 *    the kernel rejects anything else with EINVAL so that they can be
 *    given a meaning later.
 *  - Pointers to userspace travel as __u64.
 *  - Unknown flags are rejected with EINVAL; unknown commands with ENOTTY.
 *  - A bad userspace pointer gives EFAULT.
 */
#ifndef _UAPI_LINUX_IPCLAB_H
#define _UAPI_LINUX_IPCLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The ioctl "magic" (type) of every ipclab command. */
#define IPCLAB_IOC_MAGIC	0xB9

/*
 * ABI version.  The major number changes when an existing command changes
 * incompatibly (programs built against another major must not run); the
 * minor number grows when commands or flags are added.
 */
#define IPCLAB_ABI_MAJOR	0
#define IPCLAB_ABI_MINOR	1

/**
 * struct ipclab_version - what IPCLAB_IOC_VERSION reports
 * @major: IPCLAB_ABI_MAJOR of the running module
 * @minor: IPCLAB_ABI_MINOR of the running module
 * @pad:   always written as zero
 */
struct ipclab_version {
	__u32 major;
	__u32 minor;
	__u64 pad;
};

/*
 * IPCLAB_IOC_VERSION - report the ABI version of the loaded module.
 *
 * Never fails on a valid pointer; EFAULT otherwise.  Call it first: a
 * program built against another major version should refuse to run.
 */
#define IPCLAB_IOC_VERSION	_IOR(IPCLAB_IOC_MAGIC, 0x00, struct ipclab_version)

#endif /* _UAPI_LINUX_IPCLAB_H */
