// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab deadlock, ipclab graph: the course's deadlock detection, on the
 * machine's real resource-allocation state or on matrices from a file.
 *
 * Each command reads the model (dlsnapshot.c: the live state, through
 * IPCLAB_IOC_SNAPSHOT; dlmatrices.c: a matrices file), runs the algorithm
 * (dlmodel.c) and prints what it found (dlprint.c: text or JSON;
 * dlgraph.c: the resource-allocation graph in DOT).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct dl_opts {
	bool json, all;
	const char *matrices, *png;
};

static int parse_opts(const struct command *cmd, int argc, char **argv,
		      struct dl_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "matrices", required_argument, NULL, 'm' },
		{ "png", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool graph = cmd == &graph_command;
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "ham:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (graph)
				goto bad;
			o->json = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'm':
			o->matrices = optarg;
			break;
		case 'p':
			if (!graph)
				goto bad;
			o->png = optarg;
			break;
		case 'h':
			command_usage(cmd, stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ipclab: unexpected argument '%s'\n", argv[optind]);
		goto bad;
	}
	if (o->matrices && o->all) {
		fprintf(stderr, "ipclab: --all is about the live state, not --matrices\n");
		goto bad;
	}
	return -1;	/* go on */
bad:
	return command_misuse(cmd);
}

static int load(struct dl *m, const struct dl_opts *o)
{
	int ret;

	memset(m, 0, sizeof(*m));
	ret = o->matrices ? dl_read_matrices(m, o->matrices) : dl_read_live(m, o->all);
	if (!ret)
		dl_detect(m);
	return ret;
}

static int cmd_deadlock(const struct command *cmd, int argc, char **argv)
{
	struct dl_opts o;
	struct dl m;
	int ret;

	ret = parse_opts(cmd, argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = load(&m, &o);
	if (ret) {
		dl_free(&m);
		return ret;
	}
	if (o.json)
		dl_print_json(stdout, &m);
	else
		dl_print_text(stdout, &m);
	ret = dl_deadlocked(&m) ? IPCLAB_EXIT_DEADLOCK : 0;
	dl_free(&m);
	if (fflush(stdout))
		return fail("writing the output");
	return ret;
}

static int cmd_graph(const struct command *cmd, int argc, char **argv)
{
	struct dl_opts o;
	struct dl m;
	int ret;

	ret = parse_opts(cmd, argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = load(&m, &o);
	if (!ret && o.png)
		ret = dl_render_png(&m, o.png);
	else if (!ret && dl_print_dot(stdout, &m))
		ret = fail("drawing the graph");
	dl_free(&m);
	if (!ret && fflush(stdout))
		return fail("writing the output");
	return ret;
}

const struct command deadlock_command = {
	.name = "deadlock",
	.run = cmd_deadlock,
	.synopsis = "deadlock [--json] [--all]\ndeadlock --matrices FILE [--json]",
	.summary = "E, A, C, R and the course's detection, step by step",
	.help =
		"Print E (existing), A (available), C (current allocation) and R\n"
		"(requests) of ipclab's semaphores and mutexes, run the course's\n"
		"detection algorithm step by step, and say whether there is a deadlock\n"
		"and which processes and resources are in it.\n"
		"\n"
		"  --json            machine-readable E, A, C, R, processes, steps, verdict\n"
		"  --all             every resource, not only those held or requested\n"
		"                    (and the other semaphores of their sets)\n"
		"  --matrices FILE   the same on E, A, C and R from FILE ('-': stdin):\n"
		"                      E 4 2 3 1     existing instances of each class\n"
		"                      A 2 1 0 0     available (optional: E - sums of C)\n"
		"                      C 0 0 1 0     one C line per process, in order\n"
		"                      R 2 0 0 1     one R line per process, in order\n"
		"                      names a b c d optional: the classes' names\n"
		"                    '#' starts a comment.\n"
		"\n"
		"Exit status: 0 no deadlock, " IPCLAB_STR(IPCLAB_EXIT_DEADLOCK)
		" deadlock found, 1 error, 2 usage error.\n",
};

const struct command graph_command = {
	.name = "graph",
	.run = cmd_graph,
	.synopsis = "graph [--png FILE] [--all] [--matrices FILE]",
	.summary = "the resource-allocation graph in Graphviz DOT",
	.help =
		"Write the resource-allocation graph in Graphviz DOT: processes are\n"
		"circles, resources boxes with a dot per instance, an arrow from a\n"
		"resource to a process that holds it and from a process to a resource\n"
		"it waits for.  Nodes and arrows on a cycle are red; deadlocked\n"
		"processes are filled.\n"
		"\n"
		"  --png FILE        render it to FILE with Graphviz's dot instead\n"
		"  --all             every resource, not only those held or requested\n"
		"  --matrices FILE   the graph of E, A, C and R from FILE (see\n"
		"                    \"ipclab deadlock -h\")\n"
		"\n"
		"Exit status: 0 drawn (deadlock or not), 1 error, 2 usage error.\n",
};
