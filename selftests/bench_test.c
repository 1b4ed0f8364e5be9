// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark (userspace/bench.c, ipclab-bench) as a smoke test: with
 * --quick it runs every case on every variant, exits 0 and writes JSON
 * that parses and names each case.  No timing is asserted: a figure is a
 * measurement, not a verdict.  Its usage errors exit 2.
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

/* Every case, in the order the program runs them. */
static const char *const bench_cases[] = {
	"uncontended", "ping-pong",
	"wait-same-1", "wait-other-1", "wait-same-10", "wait-other-10",
	"wait-same-100", "wait-other-100", "wait-same-1000", "wait-other-1000",
	"mutex-2", "mutex-4", "mutex-8", "mbox-64B", "mbox-4KiB",
};

#define NCASES (sizeof(bench_cases) / sizeof(bench_cases[0]))

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

TEST_F_TIMEOUT(bench, quick_runs_every_case, 600)
{
	static char out[OUT_MAX];
	const char *obj, *name;
	char *json;
	size_t len;
	unsigned int i;

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab-bench --quick --json %s 2>&1",
			     JSON_PATH)) TH_LOG("%s", out);
	for (i = 0; i < NCASES; i++) {
		name = bench_cases[i];
		EXPECT_NE(NULL, strstr(out, name)) TH_LOG("%s not in the table", name);
	}
	EXPECT_NE(NULL, strstr(out, "ratio")) TH_LOG("no header:\n%s", out);

	json = read_all(JSON_PATH);
	ASSERT_NE(NULL, json) TH_LOG("no %s", JSON_PATH);
	EXPECT_TRUE(json_valid(json)) TH_LOG("not JSON:\n%s", json);
	EXPECT_NE(NULL, strstr(json, "\"quick\": true"));
	for (i = 0; i < NCASES; i++) {
		name = bench_cases[i];
		obj = case_object(json, name, &len);
		EXPECT_NE(NULL, obj) TH_LOG("case %s missing from the JSON", name);
		if (!obj)
			continue;
		EXPECT_NE(NULL, memmem(obj, len, "\"median\": ", 10)) TH_LOG("%s", name);
		EXPECT_NE(NULL, memmem(obj, len, "\"ratio\": ", 9)) TH_LOG("%s", name);
		if (!strncmp(name, "mutex-", 6))
			EXPECT_NE(NULL, memmem(obj, len, "\"fairness\": ", 12))
				TH_LOG("%s", name);
	}
	free(json);
}

/* One case alone, by name: the JSON has it and no other. */
TEST_F_TIMEOUT(bench, one_case, 120)
{
	static char out[OUT_MAX];
	char *json;
	size_t len;

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab-bench -q -r 1 -c ping-pong --json %s 2>&1",
			     JSON_PATH)) TH_LOG("%s", out);
	json = read_all(JSON_PATH);
	ASSERT_NE(NULL, json);
	EXPECT_TRUE(json_valid(json)) TH_LOG("not JSON:\n%s", json);
	EXPECT_NE(NULL, case_object(json, "ping-pong", &len));
	EXPECT_EQ(NULL, case_object(json, "uncontended", &len));
	free(json);
}

TEST_F(bench, usage)
{
	static char out[OUT_MAX];
	const char *name;
	unsigned int i;

	ASSERT_EQ(0, run_cmd(out, sizeof(out), "ipclab-bench -h"));
	EXPECT_EQ(0, strncmp(out, "usage: ipclab-bench", 19)) TH_LOG("%s", out);
	for (i = 0; i < NCASES; i++) {
		name = bench_cases[i];
		EXPECT_NE(NULL, strstr(out, name)) TH_LOG("-h does not list %s", name);
	}
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench --no-such-option 2>&1"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench --reps 0 2>&1"));
	EXPECT_NE(NULL, strstr(out, "--reps 0")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench -c no-such-case 2>&1"));
	EXPECT_NE(NULL, strstr(out, "no case no-such-case")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), "ipclab-bench extra-word 2>&1"));
}

TEST_HARNESS_MAIN
