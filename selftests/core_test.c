// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/ipclab device itself: opening, the version ioctl, and how the
 * dispatcher treats commands and pointers it does not like.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	IPCLAB_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
}

TEST_F(dev, version)
{
	struct ipclab_version v;

	POISON(v);
	ASSERT_EQ(0, ioctl(self->fd, IPCLAB_IOC_VERSION, &v));
	EXPECT_EQ(IPCLAB_ABI_MAJOR, v.major);
	EXPECT_EQ(IPCLAB_ABI_MINOR, v.minor);
	EXPECT_EQ(0, v.pad);
}

TEST_F(dev, version_bad_pointer)
{
	EXPECT_EQ(-1, ioctl(self->fd, IPCLAB_IOC_VERSION, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, IPCLAB_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, unknown_ioctl)
{
	struct ipclab_version v;

	/* Another magic, another number, another size, no argument. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR('x', 0x00, struct ipclab_version), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(IPCLAB_IOC_MAGIC, 0x7f, struct ipclab_version), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(IPCLAB_IOC_MAGIC, 0x00, __u32), &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(IPCLAB_IOC_MAGIC, 0x00)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, not_seekable)
{
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

TEST(open_close_many)
{
	int fds[256];
	int fd, i;

	IPCLAB_OPEN_OR_SKIP(fd);
	close(fd);

	for (i = 0; i < 256; i++) {
		fds[i] = open(IPCLAB_DEVICE, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[i]) TH_LOG("open #%d: %s", i, strerror(errno));
	}
	for (i = 0; i < 256; i++)
		ASSERT_EQ(0, close(fds[i]));
}

/*
 * Many processes opening, querying and closing at once: nothing may fail,
 * and the kernel side must stay consistent (the debug kernel watches).
 */
TEST(concurrent_opens)
{
	const int nproc = 8, rounds = 500;
	int fd, i, status;

	IPCLAB_OPEN_OR_SKIP(fd);
	close(fd);

	for (i = 0; i < nproc; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct ipclab_version v;
			int r;

			for (r = 0; r < rounds; r++) {
				int f = open(IPCLAB_DEVICE, O_RDWR);

				if (f < 0 || ioctl(f, IPCLAB_IOC_VERSION, &v) ||
				    v.major != IPCLAB_ABI_MAJOR || close(f))
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < nproc; i++) {
		ASSERT_LT(0, wait(&status));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
}

/* A read-only open is a session too; the device is 0666 for everybody. */
TEST(open_readonly)
{
	struct ipclab_version v;
	int fd = open(IPCLAB_DEVICE, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		SKIP(return, IPCLAB_DEVICE " is missing");
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, IPCLAB_IOC_VERSION, &v));
	EXPECT_EQ(0, close(fd));
}

TEST_HARNESS_MAIN
