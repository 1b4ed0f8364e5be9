// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab core: the /dev/ipclab misc device, the ioctl dispatcher, and the
 * validation of module parameters.
 *
 * Every open of /dev/ipclab is a session; all commands are ioctls on it
 * and address objects by id.  A session has no state of its own: what
 * matters is the process using it (proc.c).  A process ends for ipclab
 * when it exits (proc.c hooks the exit) or, before that, when it closes
 * its last session fd, which ->flush sees.  The object model that the
 * primitives share is described in docs/design.md.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>

#include "ipclab.h"

static int ipclab_uint_param_set(const char *val, const struct kernel_param *kp)
{
	const struct ipclab_uint_param *p = kp->arg;
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < p->lo || v > p->hi)
		return -EINVAL;
	WRITE_ONCE(*p->var, v);
	return 0;
}

static int ipclab_uint_param_get(char *buf, const struct kernel_param *kp)
{
	const struct ipclab_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->var));
}

/* An unsigned int module parameter within lo..hi (struct ipclab_uint_param). */
const struct kernel_param_ops ipclab_uint_param_ops = {
	.set = ipclab_uint_param_set,
	.get = ipclab_uint_param_get,
};

static int ipclab_ulong_param_set(const char *val, const struct kernel_param *kp)
{
	const struct ipclab_ulong_param *p = kp->arg;
	unsigned long v;

	if (kstrtoul(val, 0, &v) || v < p->lo || v > p->hi)
		return -EINVAL;
	WRITE_ONCE(*p->var, v);
	return 0;
}

static int ipclab_ulong_param_get(char *buf, const struct kernel_param *kp)
{
	const struct ipclab_ulong_param *p = kp->arg;

	return sysfs_emit(buf, "%lu\n", READ_ONCE(*p->var));
}

/* An unsigned long module parameter within lo..hi (struct ipclab_ulong_param). */
const struct kernel_param_ops ipclab_ulong_param_ops = {
	.set = ipclab_ulong_param_set,
	.get = ipclab_ulong_param_get,
};

static long ipclab_get_version(void __user *argp)
{
	struct ipclab_version v = {
		.major = IPCLAB_ABI_MAJOR,
		.minor = IPCLAB_ABI_MINOR,
	};

	if (copy_to_user(argp, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

/*
 * The commands about any object are here; each primitive's own commands
 * are in its struct ipclab_type (ipclab_type_ioctl()).
 */
static long ipclab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case IPCLAB_IOC_VERSION:
		return ipclab_get_version(argp);
	case IPCLAB_IOC_GET:
		return ipclab_ioc_get(argp);
	case IPCLAB_IOC_RMID:
		return ipclab_ioc_rmid(argp);
	case IPCLAB_IOC_SET:
		return ipclab_ioc_set(argp);
	case IPCLAB_IOC_STAT:
		return ipclab_ioc_stat(argp);
	case IPCLAB_IOC_OPEN:
		return ipclab_ioc_open(argp);
	case IPCLAB_IOC_LIST:
		return ipclab_ioc_list(argp);
	case IPCLAB_IOC_SNAPSHOT:
		return ipclab_ioc_snapshot(argp);
	case IPCLAB_IOC_CYCLE:
		return ipclab_ioc_cycle(argp);
	case IPCLAB_IOC_INFO:
		return ipclab_ioc_info(argp);
	case IPCLAB_IOC_NAME:
		return ipclab_ioc_name(argp);
	default:
		return ipclab_type_ioctl(cmd, argp);
	}
}

static const struct file_operations ipclab_fops;

/* Fds looked at between two chances to reschedule. */
#define IPCLAB_FD_BATCH		1024

static int ipclab_is_session(const void *unused, struct file *file, unsigned int fd)
{
	return file->f_op == &ipclab_fops;
}

/*
 * Is there a session fd in @files?  When nobody else uses the table (the
 * caller is its only task, or it is being torn down), nothing can change
 * it meanwhile: it is read under RCU a batch at a time, so a huge table
 * costs its owner time but holds no lock and never keeps the CPU from
 * others.  A table shared with threads or other processes is read in one
 * pass under its own lock, so that a session fd moved by another thread
 * meanwhile is never missed (that pass costs the table's users alone).
 */
static bool ipclab_files_have_session(struct files_struct *files)
{
	unsigned int fd = 0, n;
	struct fdtable *fdt;
	struct file *f;
	bool found = false, end = false;

	if (atomic_read(&files->count) > 1)
		return iterate_fd(files, 0, ipclab_is_session, NULL);

	while (!found && !end) {
		rcu_read_lock();
		fdt = files_fdtable(files);
		for (n = 0; n < IPCLAB_FD_BATCH; n++, fd++) {
			fd = find_next_bit(fdt->open_fds, fdt->max_fds, fd);
			if (fd >= fdt->max_fds) {
				end = true;
				break;
			}
			f = rcu_dereference_raw(fdt->fd[fd]);
			if (f && READ_ONCE(f->f_op) == &ipclab_fops) {
				found = true;
				break;
			}
		}
		rcu_read_unlock();
		cond_resched();
	}
	return found;
}

/**
 * ipclab_session_left() - may the calling process still hold a session?
 * @files: the fd table a session fd was just closed from
 *
 * The process ends for ipclab with its last session fd.  That is decided
 * here only in the plain cases: @files is the calling thread's own table
 * (a close) or the one its exit is tearing down, and no other thread of
 * the process has a table of its own.  Anything else (a thread that
 * unshared its table, a table shared with another process and torn down
 * by it) answers "maybe": such a process ends at its exit, which proc.c
 * sees whatever became of its fds.
 *
 * Context: process context, no lock held; may reschedule.
 *
 * Return: false if the process has certainly no session fd left.
 */
bool ipclab_session_left(struct files_struct *files)
{
	struct files_struct *mine = current->files;
	struct task_struct *t;
	bool other = false;

	if (mine && mine != files)
		return true;
	rcu_read_lock();
	for_each_thread(current, t) {
		if (t == current)
			continue;
		task_lock(t);
		other = t->files && t->files != files;
		task_unlock(t);
		if (other)
			break;
	}
	rcu_read_unlock();
	if (other)
		return true;
	/*
	 * An exit tearing the table down closes every fd in it: none is
	 * left, without looking (and its many fds cost no walk each).
	 */
	if (!mine && (current->flags & PF_EXITING))
		return false;
	return ipclab_files_have_session(files);
}

/*
 * Called on every close of a session fd, with the fd table it was closed
 * from (exit() closes them all).  The fd is already out of the table.
 */
static int ipclab_flush(struct file *file, fl_owner_t id)
{
	ipclab_proc_closed(id);
	return 0;
}

static const struct file_operations ipclab_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.flush		= ipclab_flush,
	.unlocked_ioctl	= ipclab_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice ipclab_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= IPCLAB_NAME,
	.fops		= &ipclab_fops,
	.mode		= 0666,
};

static int __init ipclab_init(void)
{
	int ret;

	ret = ipclab_types_check();
	if (ret)
		return ret;
	ret = ipclab_types_init();
	if (ret)
		return ret;
	ret = ipclab_deadlock_init();
	if (ret)
		goto err_types_exit;
	ipclab_debugfs_init();
	/* Last: once the device exists, anybody can use it. */
	ret = misc_register(&ipclab_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", IPCLAB_NAME, ret);
		goto err_debugfs_exit;
	}
	pr_info("ABI %u.%u ready on /dev/%s\n",
		IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR, IPCLAB_NAME);
	return 0;

err_debugfs_exit:
	ipclab_debugfs_exit();
	ipclab_deadlock_exit();
err_types_exit:
	ipclab_types_exit();
	return ret;
}

/*
 * No session or object fd is open (each holds the module), but objects
 * persist without fds, and so do the records of processes that used
 * ipclab and still live: both are ended here.
 */
static void __exit ipclab_exit(void)
{
	misc_deregister(&ipclab_misc);
	ipclab_debugfs_exit();
	ipclab_table_exit();
	ipclab_procs_exit();
	ipclab_types_exit();
	ipclab_deadlock_exit();
	ipclab_users_exit();
}

module_init(ipclab_init);
module_exit(ipclab_exit);

MODULE_DESCRIPTION("Inspectable IPC primitives for teaching operating systems");
MODULE_AUTHOR("The ipclab developers");
MODULE_LICENSE("GPL");
#ifndef IPCLAB_VERSION
#error "IPCLAB_VERSION is not defined: module/Kbuild found no VERSION file"
#endif
MODULE_VERSION(IPCLAB_VERSION);
