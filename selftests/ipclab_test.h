/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ipclab selftests.
 */
#ifndef IPCLAB_TEST_H
#define IPCLAB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ipclab.h>

#define IPCLAB_DEVICE "/dev/ipclab"

/*
 * Open the device, or skip the test when the module is not loaded: the
 * selftests then say why instead of failing on a machine without ipclab.
 */
#define IPCLAB_OPEN_OR_SKIP(fd)						\
	do {								\
		(fd) = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);	\
		if ((fd) < 0 && errno == ENOENT)			\
			SKIP(return, IPCLAB_DEVICE " is missing: load ipclab.ko"); \
		ASSERT_LE(0, (fd));					\
	} while (0)

/*
 * Poison an argument struct before an ioctl, so a field the kernel forgot
 * to write stands out as 0xcc bytes.
 */
#define POISON(x) memset(&(x), 0xcc, sizeof(x))

#endif /* IPCLAB_TEST_H */
