// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab - look inside ipclab's IPC objects, in the spirit of ipcs/ipcrm.
 *
 *   ipclab version     ABI version of the loaded module
 *
 * Exit status: 0 success, 1 the operation failed, 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ipclab.h>

#define DEVICE "/dev/ipclab"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ipclab COMMAND\n"
		"\n"
		"commands:\n"
		"  version    ABI version of the loaded ipclab module\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int open_device(void)
{
	int fd = open(DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "ipclab: cannot open %s: %s%s\n", DEVICE,
			strerror(errno),
			errno == ENOENT ? " (is the module loaded?)" : "");
	return fd;
}

static int cmd_version(void)
{
	struct ipclab_version v;
	int fd = open_device();

	if (fd < 0)
		return 1;
	if (ioctl(fd, IPCLAB_IOC_VERSION, &v) < 0) {
		fprintf(stderr, "ipclab: version of %s: %s\n", DEVICE,
			strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("ipclab ABI %u.%u (this program: %u.%u)\n", v.major, v.minor,
	       IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR);
	return v.major == IPCLAB_ABI_MAJOR ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version"))
		return cmd_version();
	fprintf(stderr, "ipclab: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
