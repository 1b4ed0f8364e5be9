// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab debugfs: /sys/kernel/debug/ipclab/objects, every object and its
 * waiting rooms as text, like the files of /proc/sysvipc, for people and for
 * scripts that cannot use ioctl.  Each object is printed under its lock,
 * so each one is a consistent snapshot (the list as a whole is not); the
 * line every object has is written here, the rest by its type's show().
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "ipclab.h"

/**
 * ipclab_show_waiter() - the part of a waiter's line that every type shares
 * @m:      the seq_file
 * @w:      the waiter (its object's lock is held)
 * @now_ns: the time of the listing
 *
 * The type's show() ends the line with what the waiter waits for.
 */
void ipclab_show_waiter(struct seq_file *m, const struct ipclab_waiter_base *w,
			u64 now_ns)
{
	u64 waited_us = div_u64(now_ns - w->start_ns, NSEC_PER_USEC);

	seq_printf(m, "  waiter ticket=%llu pid=%d tid=%d comm=%s waited_us=%llu",
		   w->ticket, task_tgid_vnr(w->task), task_pid_vnr(w->task),
		   w->comm, waited_us);
}

/*
 * One object per step of the seq_file, each printed under its lock with a
 * reference held between the steps: a big table costs many small reads,
 * never one huge buffer.  *pos is 0 for the header line, then the slot
 * of the object shown, plus one: seq_file starts again from *pos after
 * each read() and whenever an object did not fit its buffer, and must
 * find that same object.  Past the end, IPCLAB_SLOTS + 1.
 */
static void *ipclab_objects_from(loff_t *pos)
{
	unsigned long slot = *pos - 1;
	struct ipclab_obj *obj = NULL;

	if (slot < IPCLAB_SLOTS)
		obj = ipclab_obj_next(&slot);	/* slot: the one after obj's */
	*pos = obj ? slot : IPCLAB_SLOTS + 1;
	return obj;
}

static void *ipclab_objects_start(struct seq_file *m, loff_t *pos)
{
	return *pos ? ipclab_objects_from(pos) : SEQ_START_TOKEN;
}

static void *ipclab_objects_next(struct seq_file *m, void *v, loff_t *pos)
{
	if (v != SEQ_START_TOKEN)
		ipclab_obj_put(v);
	++*pos;
	return ipclab_objects_from(pos);
}

static void ipclab_objects_stop(struct seq_file *m, void *v)
{
	if (v && v != SEQ_START_TOKEN)
		ipclab_obj_put(v);
}

static int ipclab_objects_show(struct seq_file *m, void *v)
{
	struct user_namespace *ns = seq_user_ns(m);
	struct ipclab_obj *obj = v;

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# type key id mode uid gid cpid lpid waiters\n");
		return 0;
	}
	spin_lock(&obj->lock);
	seq_printf(m, "%s %d %u %03o %u %u %d %d %u\n",
		   obj->type->name, obj->key, obj->id,
		   obj->mode, from_kuid_munged(ns, obj->uid),
		   from_kgid_munged(ns, obj->gid), pid_vnr(obj->cpid),
		   obj->lpid ? pid_vnr(obj->lpid) : 0, obj->nwaiters);
	obj->type->show(obj, m, ktime_get_ns());
	spin_unlock(&obj->lock);
	return 0;
}

static const struct seq_operations ipclab_objects_sops = {
	.start	= ipclab_objects_start,
	.next	= ipclab_objects_next,
	.stop	= ipclab_objects_stop,
	.show	= ipclab_objects_show,
};
DEFINE_SEQ_ATTRIBUTE(ipclab_objects);

static struct dentry *ipclab_debugfs;

/**
 * ipclab_debugfs_init() - create /sys/kernel/debug/ipclab
 *
 * A debugfs that cannot be created is no error: the module works without.
 */
void ipclab_debugfs_init(void)
{
	ipclab_debugfs = debugfs_create_dir(IPCLAB_NAME, NULL);
	debugfs_create_file("objects", 0444, ipclab_debugfs, NULL,
			    &ipclab_objects_fops);
}

/**
 * ipclab_debugfs_exit() - remove /sys/kernel/debug/ipclab
 */
void ipclab_debugfs_exit(void)
{
	debugfs_remove_recursive(ipclab_debugfs);
}
