// SPDX-License-Identifier: GPL-2.0
/*
 * Topic 6, deadlock detection with matrices, beyond what examples_test.c
 * checks (the live programs of topics 4, 5 and 6, once each):
 *
 * - userspace/examples/06-course.matrices, the slide's state that
 *   ipclab-ex-detect points to, gives the course's answer when
 *   "ipclab deadlock --matrices" reads it.  The file is built into this
 *   test (.incbin: make runs in selftests/), so that the check runs where
 *   the tree is not, in the lab VM; the test writes it to /tmp and runs
 *   the command from the PATH, as a student would.  It needs only the
 *   command, not the module.
 *
 * - ipclab-ex-detect builds the slide's state from live processes every
 *   time: process 3's request is granted before "ipclab deadlock" looks,
 *   never process 1's (which would fit if a process had not yet taken
 *   what it holds when process 1 asks).  Run five times: the wrong
 *   order was a race, and it leaves the example stuck (the test's
 *   timeout ends it).
 */
#include "kselftest_harness.h"
#include "ipclab_test.h"

extern const char course_matrices[];
asm(".pushsection .rodata\n"
    ".globl course_matrices\n"
    "course_matrices:\n"
    ".incbin \"../userspace/examples/06-course.matrices\"\n"
    ".byte 0\n"
    ".popsection\n");

/*
 * The slide's answer, in the order it must appear: the classes by the
 * file's names, E and A, C and R side by side, the steps 3, 2, 1 and the
 * verdict (arrows and <= as on a console that is not UTF-8 or is).
 */
TEST(course_matrices_file)
{
	static const char *const want[] = {
		"1  tapes              4 instances",
		"4  blu-rays           1 instance",
		"E = (4 2 3 1)",
		"A = (2 1 0 0)",
		"\n1  (0 0 1 0)               (2 0 0 1)\n",
		"\n2  (2 0 0 1)               (1 0 1 0)\n",
		"\n3  (0 1 2 0)               (2 1 0 0)\n",
		"1. process 3 requests (2 1 0 0)",
		"releases (0 1 2 0)",
		"A = (2 2 2 0)\n",
		"2. process 2 requests (1 0 1 0)",
		"releases (2 0 0 1)",
		"A = (4 2 2 1)\n",
		"3. process 1 requests (2 0 0 1)",
		"releases (0 0 1 0)",
		"A = (4 2 3 1)\n",
		"\nNo deadlock: every process can finish, in the order 3, 2, 1.\n",
	};
	static char out[16384];
	char path[] = "/tmp/ipclab-course-XXXXXX";
	const char *p;
	unsigned int i;
	int fd;

	if (run_cmd(out, sizeof(out), "command -v ipclab") != 0)
		SKIP(return, "ipclab is not on the PATH");
	ASSERT_NE(NULL, strstr(course_matrices, "\nE 4 2 3 1\n"));

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(course_matrices),
		  write(fd, course_matrices, strlen(course_matrices)));
	close(fd);
	EXPECT_EQ(0, run_cmd(out, sizeof(out),
			     "ipclab deadlock --matrices %s 2>&1", path))
		TH_LOG("%s", out);
	unlink(path);

	p = out;
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		p = strstr(p, want[i]);
		ASSERT_NE(NULL, p) TH_LOG("no \"%s\" (in order) in:\n%s", want[i], out);
	}
	EXPECT_EQ(NULL, strstr(out, "DEADLOCK")) TH_LOG("%s", out);
}

/* How many ipclab objects exist, or -1. */
static int objects(int fd)
{
	struct ipclab_list l = { .type = 0, .len = 0, .ids = 0 };

	if (ioctl(fd, IPCLAB_IOC_LIST, &l))
		return -1;
	return l.len;
}

FIXTURE(detect) {
	int fd;
};

FIXTURE_SETUP(detect)
{
	static char out[256];

	IPCLAB_OPEN_OR_SKIP(self->fd);
	if (run_cmd(out, sizeof(out), "command -v ipclab-ex-detect") != 0)
		SKIP(return, "the examples are not on the PATH");
}

FIXTURE_TEARDOWN(detect)
{
	close(self->fd);
}

/* Five runs: under a second each on 6.12, a few seconds on the debug kernel. */
TEST_F_TIMEOUT(detect, builds_the_slide, 120)
{
	static const char want[] = "ipclab deadlock --matrices - <<'EOF'\n";
	static char out[65536];
	const char *look, *hint;
	int fd = self->fd, before, i;

	for (i = 1; i <= 5; i++) {
		before = objects(fd);
		ASSERT_LE(0, before);
		ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab-ex-detect 2>&1"))
			TH_LOG("run %d:\n%s", i, out);
		EXPECT_EQ(before, objects(fd)) TH_LOG("objects left behind by run %d", i);

		look = strstr(out, "$ ipclab deadlock\n");
		ASSERT_NE(NULL, look) TH_LOG("run %d:\n%s", i, out);
		EXPECT_NE(NULL, strstr(out, "process 3: got (2 1 0 0)\n")) TH_LOG("%s", out);
		EXPECT_LT(strstr(out, "process 3: got (2 1 0 0)\n"), look) TH_LOG("%s", out);
		EXPECT_LT(look, strstr(out, "process 1: got (2 0 0 1)\n")) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(look, "in the order 3, 2, 1.\n")) TH_LOG("%s", out);

		hint = strstr(out, "ipclab deadlock --matrices ");
		ASSERT_NE(NULL, hint) TH_LOG("%s", out);
		EXPECT_EQ(0, strncmp(hint, want, strlen(want))) TH_LOG("%.80s", hint);
	}
	/* The command it prints works as pasted: the slide's verdict. */
	{
		char cmd[1024], *d = cmd;
		const char *s = hint;

		while (*s && d < cmd + sizeof(cmd) - 1) {
			*d++ = *s;
			if (*s++ != '\n')
				continue;
			if (d - cmd >= 4 && !strncmp(d - 4, "EOF\n", 4))
				break;
			if (!strncmp(s, "  ", 2))
				s += 2;		/* the two blanks of the indent */
		}
		*d = '\0';
		ASSERT_EQ(0, run_cmd(out, sizeof(out), "%s", cmd)) TH_LOG("%s\n%s", cmd, out);
		EXPECT_NE(NULL, strstr(out, "in the order 3, 2, 1.\n")) TH_LOG("%s\n%s", cmd, out);
	}
}

TEST_HARNESS_MAIN
