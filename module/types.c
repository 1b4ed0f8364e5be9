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

/* What the generic code takes for granted of one primitive. */
static int ipclab_type_check(unsigned int slot, const struct ipclab_type *t)
{
	const struct ipclab_ioctl *ioc, *other;
	unsigned int u;

	/* Its slot is its number; 0 means "any type" to LIST and lookups. */
	if (!slot || t->nr != slot || !t->name)
		return -EINVAL;
	if (!t->create || !t->remove || !t->stat || !t->show || !t->free)
		return -EINVAL;
	if (t->get_size > sizeof_field(struct ipclab_get, reserved))
		return -EINVAL;
	if (t->create_flags & ~(IPCLAB_REFUSE_DEADLOCK | IPCLAB_NOFIFO |
				IPCLAB_MSG_COUNT_BYTES))
		return -EINVAL;
	/* A resource of the deadlock world has both, and only it refuses. */
	if (!t->snapshot != !t->holders)
		return -EINVAL;
	if ((t->create_flags & IPCLAB_REFUSE_DEADLOCK) && !t->holders)
		return -EINVAL;
	/* Its commands are its own: not the core's, not another type's. */
	for (ioc = t->ioctls; ioc && ioc->cmd; ioc++) {
		if (_IOC_TYPE(ioc->cmd) != IPCLAB_IOC_MAGIC ||
		    _IOC_NR(ioc->cmd) < 0x10 || !ioc->fn)
			return -EINVAL;
		for (u = 0; u < IPCLAB_NTYPES; u++) {
			if (!ipclab_types[u] || !ipclab_types[u]->ioctls)
				continue;
			for (other = ipclab_types[u]->ioctls; other->cmd; other++)
				if ((u != slot || other != ioc) &&
				    other->cmd == ioc->cmd)
					return -EINVAL;
		}
	}
	return 0;
}

/**
 * ipclab_types_check() - refuse to load with a primitive that breaks the rules
 *
 * The rules of struct ipclab_type that the generic code relies on (its
 * number, the callbacks it calls without looking, the size of its GET
 * arguments, the deadlock world's pair of callbacks, commands of its
 * own): a primitive that breaks one is named, and the module does not
 * load, rather than crash later.
 *
 * Return: 0, or -EINVAL.
 */
int ipclab_types_check(void)
{
	unsigned int t;

	for (t = 0; t < IPCLAB_NTYPES; t++) {
		if (!ipclab_types[t])
			continue;
		if (ipclab_type_check(t, ipclab_types[t])) {
			pr_err("primitive %u (%s) breaks the rules of struct ipclab_type\n",
			       t, ipclab_types[t]->name ?: "?");
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * ipclab_types_init() - start every primitive, at module load
 *
 * Each type's init(), in registry order.  On a failure, the exit() of
 * those already started.
 *
 * Return: 0, or the failing init()'s error.
 */
int ipclab_types_init(void)
{
	unsigned int t;
	int ret;

	for (t = 0; t < IPCLAB_NTYPES; t++) {
		if (!ipclab_types[t] || !ipclab_types[t]->init)
			continue;
		ret = ipclab_types[t]->init();
		if (ret) {
			pr_err("primitive %s cannot start: %d\n",
			       ipclab_types[t]->name, ret);
			while (t--)
				if (ipclab_types[t] && ipclab_types[t]->exit)
					ipclab_types[t]->exit();
			return ret;
		}
	}
	return 0;
}

/**
 * ipclab_types_exit() - stop every primitive, at module unload
 *
 * Each type's exit(), in reverse registry order, once no object is left.
 */
void ipclab_types_exit(void)
{
	unsigned int t;

	for (t = IPCLAB_NTYPES; t--; )
		if (ipclab_types[t] && ipclab_types[t]->exit)
			ipclab_types[t]->exit();
}

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
