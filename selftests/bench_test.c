// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark (userspace/bench.c, ipclab-bench) as a smoke test: with
 * --quick and one repetition it runs every case on every variant, exits
 * 0 and writes JSON that parses and names each case and each goal, and
 * it puts back the limits it raised and removes the objects it made.  No
 * timing is asserted: a figure is a measurement, not a verdict.  Its
 * usage errors exit 2.
 *
 * One repetition keeps it cheap on the debug kernel (--quick's three
 * took 4 minutes there, before --quick left out wait-*-1000).  That
 * kernel keeps time in jiffies: a figure shorter than a tick reads 0 and
 * has no ratio, so ratios and measured goals are asserted only where the
 * JSON's clock_resolution_ns says the clock resolves a microsecond.
 *
 * The program is run through popen() and the PATH, as a user runs it;
 * when it is not on the PATH every test skips.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>

#include "kselftest_harness.h"
#include "ipclab_test.h"

#define OUT_MAX		65536
#define JSON_PATH	"/tmp/ipclab-bench-test.json"

/* Every case --quick runs, in the order the program runs them. */
static const char *const bench_cases[] = {
	"uncontended", "ping-pong",
	"wait-same-1", "wait-other-1", "wait-same-10", "wait-other-10",
	"wait-same-100", "wait-other-100",
	"mutex-2", "mutex-4", "mutex-8", "mbox-64B", "mbox-4KiB",
	"mbox-64B-4to4", "mbox-4KiB-4to4",
	"shbuf-create", "shbuf-map", "shbuf-touch", "shbuf-memcpy",
	"kmem-sem", "kmem-mbox", "kmem-shbuf-page",
	"scale-create-1", "scale-op-1", "scale-create-100", "scale-op-100",
};

#define NCASES (sizeof(bench_cases) / sizeof(bench_cases[0]))

/* The cases of the measurement that --quick replaces with smaller ones. */
static const char *const full_only_cases[] = {
	"wait-same-1000", "wait-other-1000", "scale-create-1000", "scale-op-1000", "scale-create-10000",
	"scale-op-10000", "scale-create-100000", "scale-op-100000",
};

/* Every goal of --quick, as the table and the JSON name it. */
static const char *const bench_goals[] = {
	"uncontended P+V: ipclab / SysV semop pair",
	"uncontended P+V: ipclab / VERSION x2 floor",
	"V + answer, 100 waiters on it / 1 waiter",
	"P+V, 100 waiters on another / 1 waiter",
	"create with 100 sets / with 1", "P+V with 100 sets / with 1",
	"shbuf-create: ipclab / SysV shmget",
	"mbox-64B: ipclab / POSIX mq", "mbox-64B: ipclab / SysV msg",
	"mbox-4KiB: ipclab / POSIX mq", "mbox-4KiB: ipclab / SysV msg",
	"mbox-64B-4to4: ipclab / POSIX mq", "mbox-64B-4to4: ipclab / SysV msg",
	"mbox-4KiB-4to4: ipclab / POSIX mq", "mbox-4KiB-4to4: ipclab / SysV msg",
	"kmem-sem: ipclab / SysV", "kmem-mbox: ipclab / SysV",
	"kmem-shbuf-page: ipclab / SysV",
};

#define NGOALS (sizeof(bench_goals) / sizeof(bench_goals[0]))

/* The limits the scale and kmem cases raise, and SysV's. */
static const char *const raised_limits[] = {
	IPCLAB_PARAM_DIR "max_objects", IPCLAB_PARAM_DIR "max_objects_per_user",
	IPCLAB_PARAM_DIR "max_sems_total", IPCLAB_PARAM_DIR "max_sems_per_user",
	IPCLAB_PARAM_DIR "max_shbuf_pages", IPCLAB_PARAM_DIR "max_shbuf_pages_per_user",
	"/proc/sys/kernel/sem", "/proc/sys/kernel/msgmni",
};

#define NLIMITS (sizeof(raised_limits) / sizeof(raised_limits[0]))

static bool on_path(const char *name)
{
	char out[256];

	return run_cmd(out, sizeof(out), "command -v %s", name) == 0 && out[0];
}

FIXTURE(bench) {
	int fd;
};

FIXTURE_SETUP(bench)
{
	IPCLAB_OPEN_OR_SKIP(self->fd);
	if (!on_path("ipclab-bench"))
		SKIP(return, "ipclab-bench is not on the PATH");
}

FIXTURE_TEARDOWN(bench)
{
	if (self->fd >= 0)
		close(self->fd);
	unlink(JSON_PATH);
}

/* The JSON object of case name in json, up to the next case; NULL if none. */
static const char *case_object(const char *json, const char *name, size_t *len)
{
	char needle[64];
	const char *p, *next;

	snprintf(needle, sizeof(needle), "{\"name\": \"%s\", \"unit\"", name);
	p = strstr(json, needle);
	if (!p)
		return NULL;
	/* Only cases have a unit: the next one ends this one. */
	next = strstr(p + strlen(needle), "\"unit\": ");
	*len = next ? (size_t)(next - p) : strlen(p);
	return p;
}

/*
 * Run ipclab-bench with args and --json: its JSON, checked to parse (a
 * new buffer), or NULL with the failure recorded; out gets the table.
 */
static char *bench_json(struct __test_metadata *_metadata, char *out,
			size_t len, const char *args)
{
	char *json;
	int st;

	st = run_cmd(out, len, "ipclab-bench %s --json %s 2>&1", args, JSON_PATH);
	EXPECT_EQ(0, st) TH_LOG("ipclab-bench %s:\n%s", args, out);
	if (st)
		return NULL;
	json = read_all(JSON_PATH);
	EXPECT_NE(NULL, json) TH_LOG("no %s", JSON_PATH);
	if (json && !json_valid(json)) {
		EXPECT_TRUE(false) TH_LOG("not JSON:\n%s", json);
		free(json);
		json = NULL;
	}
	return json;
}

/* The objects of the machine now (IPCLAB_IOC_INFO), or -1. */
static long objects_in_use(void)
{
	struct ipclab_info info = { 0 };
	int fd = open("/dev/ipclab", O_RDWR | O_CLOEXEC);
	long n = -1;

	if (fd < 0)
		return -1;
	if (!ioctl(fd, IPCLAB_IOC_INFO, &info))
		n = info.total.objects;
	close(fd);
	return n;
}

TEST_F_TIMEOUT(bench, quick_runs_every_case, 600)
{
	static char out[OUT_MAX];
	char *json, *before[NLIMITS], *after;
	const char *obj, *name;
	long objects, res;
	bool fine;
	size_t len;
	unsigned int i;

	for (i = 0; i < NLIMITS; i++)
		before[i] = read_all(raised_limits[i]);
	objects = objects_in_use();
	json = bench_json(_metadata, out, sizeof(out), "--quick -r 1");
	ASSERT_NE(NULL, json);
	for (i = 0; i < NCASES; i++) {
		name = bench_cases[i];
		EXPECT_NE(NULL, strstr(out, name)) TH_LOG("%s not in the table", name);
	}
	EXPECT_NE(NULL, strstr(out, "ratio")) TH_LOG("no header:\n%s", out);
	EXPECT_EQ(NULL, strstr(out, "skipped")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\ngoals (")) TH_LOG("no goals:\n%s", out);
	for (i = 0; i < NGOALS; i++) {
		name = bench_goals[i];
		EXPECT_NE(NULL, strstr(out, name)) TH_LOG("goal \"%s\" not in the output", name);
	}

	/* What the scale and kmem cases raised and made is gone again. */
	for (i = 0; i < NLIMITS; i++) {
		after = read_all(raised_limits[i]);
		if (before[i] && after)
			EXPECT_STREQ(before[i], after) TH_LOG("%s", raised_limits[i]);
		free(before[i]);
		free(after);
	}
	EXPECT_EQ(objects, objects_in_use());

	EXPECT_NE(NULL, strstr(json, "\"quick\": true"));
	EXPECT_NE(NULL, strstr(json, "\"reps\": 1,"));
	obj = strstr(json, "\"clock_resolution_ns\": ");
	ASSERT_NE(NULL, obj) TH_LOG("no clock_resolution_ns");
	res = strtol(obj + strlen("\"clock_resolution_ns\": "), NULL, 10);
	EXPECT_LT(0, res);
	fine = res <= 1000;
	if (fine)
		EXPECT_NE(NULL, strstr(out, ", 0 not measured")) TH_LOG("%s", out);
	for (i = 0; i < NCASES; i++) {
		name = bench_cases[i];
		obj = case_object(json, name, &len);
		EXPECT_NE(NULL, obj) TH_LOG("case %s missing from the JSON", name);
		if (!obj)
			continue;
		EXPECT_NE(NULL, memmem(obj, len, "\"median\": ", 10)) TH_LOG("%s", name);
		if (fine)
			EXPECT_NE(NULL, memmem(obj, len, "\"ratio\": ", 9)) TH_LOG("%s", name);
		if (!strncmp(name, "mutex-", 6))
			EXPECT_NE(NULL, memmem(obj, len, "\"fairness\": ", 12))
				TH_LOG("%s", name);
	}
	obj = strstr(json, "\"goals\": [");
	ASSERT_NE(NULL, obj) TH_LOG("no goals in the JSON");
	for (i = 0; i < NGOALS; i++) {
		name = bench_goals[i];
		EXPECT_NE(NULL, strstr(obj, name)) TH_LOG("goal \"%s\" not in the JSON", name);
	}
	if (fine) {
		EXPECT_EQ(NULL, strstr(obj, "\"value\": null")) TH_LOG("%s", obj);
		EXPECT_EQ(NULL, strstr(obj, "not measured")) TH_LOG("%s", obj);
	}
	free(json);
}

/*
 * Some cases, by name: the JSON has them and no other.  A case's own name
 * picks it alone, even when others begin with it; a NAME that is no
 * case's picks the cases NAME-*, here all the scale ones.  A goal of
 * cases that did not run is not measured.
 */
TEST_F_TIMEOUT(bench, some_cases, 120)
{
	static char out[OUT_MAX];
	char *json;
	size_t len;

	json = bench_json(_metadata, out, sizeof(out),
			  "-q -r 1 -c ping-pong -c scale -c mbox-64B");
	ASSERT_NE(NULL, json);
	EXPECT_NE(NULL, case_object(json, "ping-pong", &len));
	EXPECT_NE(NULL, case_object(json, "scale-create-1", &len));
	EXPECT_NE(NULL, case_object(json, "scale-op-100", &len));
	EXPECT_NE(NULL, case_object(json, "mbox-64B", &len));
	EXPECT_EQ(NULL, case_object(json, "mbox-64B-4to4", &len));
	EXPECT_EQ(NULL, case_object(json, "uncontended", &len));
	EXPECT_NE(NULL, strstr(out, "P+V with 100 sets / with 1")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "not measured (uncontended did not run)"))
		TH_LOG("%s", out);
	free(json);
}

TEST_F(bench, usage)
{
	static char out[OUT_MAX];
	const char *name;
	unsigned int i;

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab-bench -h"));
	EXPECT_EQ(0, strncmp(out, "usage: ipclab-bench", 19)) TH_LOG("%s", out);
	/* -h lists the measurement's cases; --quick's own are said in words. */
	for (i = 0; i < NCASES; i++) {
		name = bench_cases[i];
		if (!strcmp(name, "scale-create-100") || !strcmp(name, "scale-op-100"))
			continue;
		EXPECT_NE(NULL, strstr(out, name)) TH_LOG("-h does not list %s", name);
	}
	for (i = 0; i < sizeof(full_only_cases) / sizeof(full_only_cases[0]); i++) {
		name = full_only_cases[i];
		EXPECT_NE(NULL, strstr(out, name)) TH_LOG("-h does not list %s", name);
	}
	EXPECT_NE(NULL, strstr(out, "scale-*-100")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench --no-such-option 2>&1"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench --reps 0 2>&1"));
	EXPECT_NE(NULL, strstr(out, "--reps 0")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench -c no-such-case 2>&1"));
	EXPECT_NE(NULL, strstr(out, "no case no-such-case")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench --quick -c scale-op-1000 2>&1"));
	EXPECT_NE(NULL, strstr(out, "no case scale-op-1000 with --quick")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench extra-word 2>&1"));
}

TEST_HARNESS_MAIN
