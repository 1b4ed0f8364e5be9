// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab types: the table of primitives, and the questions the generic
 * code asks all of them at once.
 *
 * The table is built from the registry (types.h), one line per
 * primitive; an IPCLAB_TYPE_* beyond IPCLAB_NTYPES fails to compile.
 * The table never changes after the module is built, so it is read
 * without a lock.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/nospec.h>

#include "ipclab.h"

#define IPCLAB_PRIMITIVE(type_nr, type)					\
	[type_nr] = &(type),

const struct ipclab_type *const ipclab_types[IPCLAB_NTYPES] = {
#include "types.h"
};

#undef IPCLAB_PRIMITIVE

/**
 * ipclab_type_get() - the primitive of an IPCLAB_TYPE_* from userspace
 * @type: the number, not yet checked
 *
 * Return: the primitive, or NULL if no primitive has that number.
 */
const struct ipclab_type *ipclab_type_get(u32 type)
{
	if (type >= IPCLAB_NTYPES)
		return NULL;
	return ipclab_types[array_index_nospec(type, IPCLAB_NTYPES)];
}

/**
 * ipclab_type_ioctl() - run a command that belongs to a primitive
 * @cmd:  the ioctl's command
 * @argp: its argument
 *
 * Each primitive lists its commands in its struct ipclab_type; a few
 * entries each, looked through in turn.
 *
 * Return: what the command returns, or -ENOTTY if no primitive has it.
 */
long ipclab_type_ioctl(unsigned int cmd, void __user *argp)
{
	const struct ipclab_ioctl *ioc;
	unsigned int t;

	for (t = 0; t < IPCLAB_NTYPES; t++) {
		if (!ipclab_types[t] || !ipclab_types[t]->ioctls)
			continue;
		for (ioc = ipclab_types[t]->ioctls; ioc->cmd; ioc++)
			if (ioc->cmd == cmd)
				return ioc->fn(argp);
	}
	return -ENOTTY;
}

/**
 * ipclab_types_proc_exit() - a process ended: every primitive lets go
 * @proc: the process
 *
 * Context: process context, no ipclab lock held.
 */
void ipclab_types_proc_exit(struct ipclab_proc *proc)
{
	unsigned int t;

	for (t = 0; t < IPCLAB_NTYPES; t++)
		if (ipclab_types[t] && ipclab_types[t]->proc_exit)
			ipclab_types[t]->proc_exit(proc);
}

/**
 * ipclab_types_limits() - every primitive's limits, for IPCLAB_IOC_INFO
 * @l: the answer being filled
 */
void ipclab_types_limits(struct ipclab_limits *l)
{
	unsigned int t;

	for (t = 0; t < IPCLAB_NTYPES; t++)
		if (ipclab_types[t] && ipclab_types[t]->limits)
			ipclab_types[t]->limits(l);
}

/**
 * ipclab_types_usage() - every primitive's usage, for IPCLAB_IOC_INFO
 * @u:    the usage being filled
 * @used: a user's counters, or the whole machine's
 */
void ipclab_types_usage(struct ipclab_usage *u, const atomic_long_t *used)
{
	unsigned int t;

	for (t = 0; t < IPCLAB_NTYPES; t++)
		if (ipclab_types[t] && ipclab_types[t]->usage)
			ipclab_types[t]->usage(u, used);
}
