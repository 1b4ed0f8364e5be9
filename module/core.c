// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab core: the /dev/ipclab misc device, its limits, and the ioctl
 * dispatcher.
 *
 * Every open of /dev/ipclab is a session; all commands are ioctls on it
 * and address objects by id.  A session has no state of its own: what
 * matters is the process using it (proc.c).  When a process closes its
 * last session fd, which exit() does, ->flush tells proc.c that the
 * process has ended.  The object model that the primitives share is
 * described in docs/design.md.
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

/* Limits.  Writable by root at run time; every use reads them once. */
unsigned int ipclab_max_objects = 4096;
module_param_named(max_objects, ipclab_max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects, "Objects in total (at most 32768; ENOSPC)");

unsigned int ipclab_max_objects_per_user = 1024;
module_param_named(max_objects_per_user, ipclab_max_objects_per_user, uint, 0644);
MODULE_PARM_DESC(max_objects_per_user, "Objects created by one uid (ENOSPC)");

unsigned int ipclab_max_sems = 32000;
module_param_named(max_sems, ipclab_max_sems, uint, 0644);
MODULE_PARM_DESC(max_sems, "Semaphores in one set, like SEMMSL (at most 32000; EINVAL)");

unsigned int ipclab_max_ops = 500;
module_param_named(max_ops, ipclab_max_ops, uint, 0644);
MODULE_PARM_DESC(max_ops, "Operations in one IPCLAB_IOC_SEM_OP (E2BIG)");

unsigned int ipclab_max_waiters = 1024;
module_param_named(max_waiters, ipclab_max_waiters, uint, 0644);
MODULE_PARM_DESC(max_waiters, "Waiters in one object's waiting room (ENOSPC)");

unsigned int ipclab_sem_max = 32767;
module_param_named(sem_max, ipclab_sem_max, uint, 0644);
MODULE_PARM_DESC(sem_max, "Largest semaphore value (at most 2^24; ERANGE)");

unsigned int ipclab_mbox_max_msgs = 1024;
module_param_named(mbox_max_msgs, ipclab_mbox_max_msgs, uint, 0644);
MODULE_PARM_DESC(mbox_max_msgs, "Most messages a mailbox may hold (EINVAL)");

unsigned int ipclab_mbox_max_msgsz = 8192;
module_param_named(mbox_max_msgsz, ipclab_mbox_max_msgsz, uint, 0644);
MODULE_PARM_DESC(mbox_max_msgsz, "Largest message, like MSGMAX (EINVAL)");

unsigned int ipclab_mbox_max_bytes = 16384;
module_param_named(mbox_max_bytes, ipclab_mbox_max_bytes, uint, 0644);
MODULE_PARM_DESC(mbox_max_bytes, "Most bytes a mailbox may hold, like MSGMNB (EINVAL)");

unsigned long ipclab_shbuf_max_size = 128UL << 20;
module_param_named(shbuf_max_size, ipclab_shbuf_max_size, ulong, 0644);
MODULE_PARM_DESC(shbuf_max_size, "Largest shared buffer in bytes, like SHMMAX (EINVAL)");

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
	case IPCLAB_IOC_SEM_OP:
		return ipclab_sem_op(argp);
	case IPCLAB_IOC_SEM_CTL:
		return ipclab_sem_ctl(argp);
	case IPCLAB_IOC_MUTEX_LOCK:
		return ipclab_mutex_lock(argp);
	case IPCLAB_IOC_MUTEX_UNLOCK:
		return ipclab_mutex_unlock(argp);
	case IPCLAB_IOC_MUTEX_CONSISTENT:
		return ipclab_mutex_consistent(argp);
	case IPCLAB_IOC_MBOX_SEND:
		return ipclab_mbox_send(argp);
	case IPCLAB_IOC_MBOX_RECV:
		return ipclab_mbox_recv(argp);
	case IPCLAB_IOC_OPEN:
		return ipclab_ioc_open(argp);
	case IPCLAB_IOC_LIST:
		return ipclab_ioc_list(argp);
	case IPCLAB_IOC_SNAPSHOT:
		return ipclab_ioc_snapshot(argp);
	case IPCLAB_IOC_CYCLE:
		return ipclab_ioc_cycle(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ipclab_fops;

static int ipclab_is_session(const void *unused, struct file *file, unsigned int fd)
{
	return file->f_op == &ipclab_fops;
}

/**
 * ipclab_session_left() - does the calling process still hold a session?
 * @files: an fd table to look at besides those of the process's threads
 *         (the one being closed or torn down, which an exiting thread no
 *         longer points to), or NULL
 *
 * Looks at the fd table of every thread of the thread group: a thread that
 * unshared its table and exits does not end the process.
 *
 * Context: may be called under ipclab_procs_lock (takes task and fd-table
 * spinlocks inside it).
 */
bool ipclab_session_left(struct files_struct *files)
{
	struct task_struct *t;
	bool found = files && iterate_fd(files, 0, ipclab_is_session, NULL);

	rcu_read_lock();
	for_each_thread(current, t) {
		if (found)
			break;
		task_lock(t);
		if (t->files && t->files != files)
			found = iterate_fd(t->files, 0, ipclab_is_session, NULL);
		task_unlock(t);
	}
	rcu_read_unlock();
	return found;
}

/*
 * Called on every close of a session fd, with the fd table it was closed
 * from (exit() closes them all).  The fd is already out of the table; if
 * the process has no session fd left anywhere, it is done with ipclab.
 */
static int ipclab_flush(struct file *file, fl_owner_t id)
{
	ipclab_proc_exit(task_tgid(current), id);
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

	ret = ipclab_deadlock_init();
	if (ret)
		return ret;
	ipclab_debugfs_init();
	/* Last: once the device exists, anybody can use it. */
	ret = misc_register(&ipclab_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", IPCLAB_NAME, ret);
		ipclab_debugfs_exit();
		ipclab_deadlock_exit();
		return ret;
	}
	pr_info("ABI %u.%u ready on /dev/%s\n",
		IPCLAB_ABI_MAJOR, IPCLAB_ABI_MINOR, IPCLAB_NAME);
	return 0;
}

static void __exit ipclab_exit(void)
{
	misc_deregister(&ipclab_misc);
	ipclab_debugfs_exit();
	ipclab_table_exit();
	ipclab_procs_exit();
	ipclab_deadlock_exit();
}

module_init(ipclab_init);
module_exit(ipclab_exit);

MODULE_DESCRIPTION("Inspectable IPC primitives for teaching operating systems");
MODULE_AUTHOR("The ipclab developers");
MODULE_LICENSE("GPL");
