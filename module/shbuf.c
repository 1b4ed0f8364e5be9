// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab shared buffers: pages that unrelated processes map with mmap().
 *
 * The pages live in a shmem file, as SysV shm's do: created empty (the
 * buffer costs nothing until it is touched), allocated at the first touch
 * of each page, and swappable like any tmpfs page.  Unlike SysV's, whose
 * pages go to the memory cgroup of whoever touches them first, every
 * page is charged to the memory cgroup of the buffer's creator (the one
 * it was in at the creation, held by the buffer): a user cannot make
 * the buffer another group's memory by having someone else touch it.
 * At that group's memory.max the touch fails with SIGBUS, as a full
 * tmpfs's does, after reclaim in that group and without its OOM killer;
 * so a process that maps another user's buffer must be ready for
 * SIGBUS, as with a memfd.  (The toucher's page tables are still its
 * own group's.)  The buffer holds the group until it is freed, even
 * once the group is removed.  What a
 * user may create is limited by size (pages, per user and for the
 * machine, like SHMALL), charged before the shmem file is made.
 *
 * A mapping is made through an object fd and gets a file of its own
 * (shbuf_vma_file()), as ipc/shm.c gives each attachment: it shares the
 * shmem inode, so the kernel files the VMA among the shmem pages'
 * mappings (reclaim can find and unmap them) and shmem's fault handler
 * fills it, but its mmap() is ipclab's, so a remap_file_pages() or any
 * other re-mmap comes back here.  Our vm_ops wrap shmem's to count
 * attachments.  The mapping's file holds the buffer (and the module): the
 * pages live as long as anybody maps them, whatever happens to the
 * buffer's name.
 *
 * nattch counts mappings (VMAs), as SysV's shm_nattch does: mmap, fork
 * and a split by partial munmap or mprotect each add one; each unmap
 * takes one away.
 *
 * Removal while mapped is SysV's IPC_RMID on an attached segment: the key
 * is free at once, the buffer is marked for removal, and it stays
 * visible by id (as ipcs shows "dest") until the last mapping goes; then
 * it leaves the table, and the last reference frees the pages.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "ipclab.h"
#include "trace.h"
#define CREATE_TRACE_POINTS
#include "shbuf_trace.h"

static unsigned long ipclab_shbuf_max_size = 128UL << 20;
static struct ipclab_ulong_param ipclab_shbuf_max_size_param = {
	.var = &ipclab_shbuf_max_size, .lo = PAGE_SIZE, .hi = 1UL << 40,
};
module_param_cb(shbuf_max_size, &ipclab_ulong_param_ops, &ipclab_shbuf_max_size_param, 0644);
MODULE_PARM_DESC(shbuf_max_size, "Largest shared buffer in bytes, like SHMMAX (EINVAL)");

static unsigned long ipclab_max_shbuf_pages = 1UL << 22;
static struct ipclab_ulong_param ipclab_max_shbuf_pages_param = {
	.var = &ipclab_max_shbuf_pages, .lo = 0, .hi = 1UL << 40,
};
module_param_cb(max_shbuf_pages, &ipclab_ulong_param_ops, &ipclab_max_shbuf_pages_param, 0644);
MODULE_PARM_DESC(max_shbuf_pages, "Pages of all shared buffers, like SHMALL (ENOSPC)");

static unsigned long ipclab_max_shbuf_pages_per_user = 1UL << 18;
static struct ipclab_ulong_param ipclab_max_shbuf_pages_per_user_param = {
	.var = &ipclab_max_shbuf_pages_per_user, .lo = 0, .hi = 1UL << 40,
};
module_param_cb(max_shbuf_pages_per_user, &ipclab_ulong_param_ops,
		&ipclab_max_shbuf_pages_per_user_param, 0644);
MODULE_PARM_DESC(max_shbuf_pages_per_user, "Pages of the shared buffers one uid created (ENOSPC)");

/*
 * Each buffer holds a shmem file, about 1.5 KiB of kernel memory before
 * any page: SHMMNI's 4096 per user, not max_objects_per_user's 32768.
 */
static unsigned int ipclab_max_shbufs_per_user = 4096;
static struct ipclab_uint_param ipclab_max_shbufs_per_user_param = {
	.var = &ipclab_max_shbufs_per_user, .lo = 0, .hi = IPCLAB_SLOTS,
};
module_param_cb(max_shbufs_per_user, &ipclab_uint_param_ops,
		&ipclab_max_shbufs_per_user_param, 0644);
MODULE_PARM_DESC(max_shbufs_per_user, "Shared buffers one uid created, like SHMMNI (ENOSPC)");

struct ipclab_shbuf {
	struct ipclab_obj obj;
	u64 size;			/* as asked for, like shm_segsz */
	pgoff_t npages;			/* size rounded up to whole pages */
	struct file *file;		/* shmem: the pages */
	struct mem_cgroup *memcg;	/* the creator's: charged for the pages */
	/* shmem's vm_ops, which ours wrap; set by the first mmap() */
	const struct vm_operations_struct *shmem_ops;

	/* Protected by obj.lock. */
	u32 nattch;
	bool dest;			/* removed */
	bool unlinked;			/* out of the table (once only) */
	time64_t atime, dtime;		/* last attach, last detach */
	u64 attaches;			/* mappings ever made */
	/* SHM_LOCK: who was charged for npages locked pages, or NULL */
	struct ipclab_user *locker;
};

static inline struct ipclab_shbuf *to_shbuf(struct ipclab_obj *obj)
{
	return container_of(obj, struct ipclab_shbuf, obj);
}

static void shbuf_record(struct ipclab_shbuf *sb, time64_t *when)
{
	struct pid *me = task_tgid(current);

	lockdep_assert_held(&sb->obj.lock);
	*when = ktime_get_real_seconds();
	if (sb->obj.lpid != me) {
		put_pid(sb->obj.lpid);
		sb->obj.lpid = get_pid(me);
	}
}

static void shbuf_attach_locked(struct ipclab_shbuf *sb)
{
	lockdep_assert_held(&sb->obj.lock);
	sb->nattch++;
	sb->attaches++;
	shbuf_record(sb, &sb->atime);
	trace_ipclab_attach(sb->obj.id, sb->nattch);
}

static void shbuf_attach(struct ipclab_shbuf *sb)
{
	ipclab_obj_lock(&sb->obj);
	shbuf_attach_locked(sb);
	ipclab_obj_unlock(&sb->obj);
}

/* A mapping's private data is its buffer (its file holds a reference). */
static struct ipclab_shbuf *vma_shbuf(struct vm_area_struct *vma)
{
	return vma->vm_private_data;
}

static void shbuf_vm_open(struct vm_area_struct *vma)
{
	shbuf_attach(vma_shbuf(vma));
}

static void shbuf_vm_close(struct vm_area_struct *vma)
{
	struct ipclab_shbuf *sb = vma_shbuf(vma);
	bool last;

	ipclab_obj_lock(&sb->obj);
	sb->nattch--;
	shbuf_record(sb, &sb->dtime);
	trace_ipclab_detach(sb->obj.id, sb->nattch);
	last = sb->dest && !sb->nattch && !sb->unlinked;
	if (last)
		sb->unlinked = true;
	ipclab_obj_unlock(&sb->obj);

	/* The last detach of a removed buffer takes it out of the table. */
	if (last)
		ipclab_obj_unlink(&sb->obj);
}

/*
 * Is @memcg, or a group above it, at its memory.max?  Then a page that
 * could not be made was refused by the creator's limit, for good; else
 * the machine was short of memory, and the fault is retried as shmem's
 * own would be.
 */
static bool shbuf_memcg_full(struct mem_cgroup *memcg)
{
#ifdef CONFIG_MEMCG
	for (; memcg; memcg = parent_mem_cgroup(memcg))
		if (page_counter_read(&memcg->memory) >= READ_ONCE(memcg->memory.max))
			return true;
#endif
	return false;
}

/*
 * Make the page at first touch, charged to the creator's memory cgroup.
 * shmem charges a page it makes for a fault to the faulting mm's group,
 * but one it makes for no mm to the active group: so the page is made
 * here, without the mm, and mapped from here.  Without
 * __GFP_RETRY_MAYFAIL a charge past the group's limit would run the OOM
 * killer in the creator's group on the toucher's behalf.
 */
static vm_fault_t shbuf_vm_fault(struct vm_fault *vmf)
{
	struct ipclab_shbuf *sb = vma_shbuf(vmf->vma);
	struct address_space *mapping = sb->file->f_mapping;
	struct mem_cgroup *old;
	struct page *page;

	/* Only a mapping grown by mremap() reaches past the end. */
	if (vmf->pgoff >= sb->npages)
		return VM_FAULT_SIGBUS;

	old = set_active_memcg(sb->memcg);
	page = shmem_read_mapping_page_gfp(mapping, vmf->pgoff,
					   mapping_gfp_mask(mapping) |
					   __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	set_active_memcg(old);
	if (IS_ERR(page)) {
		/*
		 * At the creator's limit, as a full tmpfs: VM_FAULT_OOM would
		 * retry the fault for ever.
		 */
		if (PTR_ERR(page) == -ENOMEM && shbuf_memcg_full(sb->memcg))
			return VM_FAULT_SIGBUS;
		return vmf_error(PTR_ERR(page));
	}
	/*
	 * Map this page, not one shmem's fault handler would look up again:
	 * reclaimed in between, it would come back charged to the toucher.
	 */
	lock_page(page);
	if (page->mapping != mapping) {
		/* Gone from the file meanwhile: the access faults again. */
		unlock_page(page);
		put_page(page);
		return VM_FAULT_NOPAGE;
	}
	vmf->page = page;
	return VM_FAULT_LOCKED;
}

/* Fault-around maps pages shmem already has, within the file. */
static vm_fault_t shbuf_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				     pgoff_t end)
{
	struct ipclab_shbuf *sb = vma_shbuf(vmf->vma);

	if (!sb->shmem_ops->map_pages)
		return 0;
	return sb->shmem_ops->map_pages(vmf, start, end);
}

static const struct vm_operations_struct shbuf_vm_ops = {
	.open		= shbuf_vm_open,
	.close		= shbuf_vm_close,
	.fault		= shbuf_vm_fault,
	.map_pages	= shbuf_vm_map_pages,
};

/*
 * Map @vma of @sb through @file, a mapping's file: count it, or refuse
 * with @gone a buffer that has left the table (removed, and its last
 * mapping gone), which maps no more, as a destroyed SysV segment does
 * not.  The file's mode carries the access of the object fd it was made
 * for: a read-only one gives no VM_MAYWRITE.
 */
static int shbuf_map(struct ipclab_shbuf *sb, struct file *file,
		     struct vm_area_struct *vma, int gone)
{
	unsigned long pages = vma_pages(vma);
	int ret;

	/* A private copy of shared memory would teach the wrong lesson. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= sb->npages || pages > sb->npages - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * shmem's own mmap (our file shares its inode, so its faults work)
	 * first: it sets only vm_ops, which have no ->close, so a refusal
	 * after it leaves nothing to undo.
	 */
	ret = sb->file->f_op->mmap(file, vma);
	if (ret)
		return ret;
	/* The check and the count at once: no last detach in between. */
	ipclab_obj_lock(&sb->obj);
	if (sb->unlinked) {
		ipclab_obj_unlock(&sb->obj);
		return gone;
	}
	shbuf_attach_locked(sb);
	ipclab_obj_unlock(&sb->obj);
	WRITE_ONCE(sb->shmem_ops, vma->vm_ops);
	vma->vm_ops = &shbuf_vm_ops;
	vma->vm_private_data = sb;
	/*
	 * No vm_flags change here (not even VM_DONTDUMP): when ->mmap
	 * changes them, mmap_region() of 6.12 may merge the new VMA into a
	 * neighbour and free it without ->close, and nattch would count a
	 * mapping that is gone.
	 */
	return 0;
}

/*
 * mmap() of a mapping's file: how remap_file_pages() and any other
 * re-mmap of a mapping come back to us.  The kernel unmaps the old range
 * first, so remapping the last mapping of a removed buffer is its last
 * detach; then, as ipc/shm.c's shm_mmap() whose segment's id is gone,
 * the re-mmap fails with EINVAL (and the range stays unmapped).
 */
static int shbuf_vma_mmap(struct file *file, struct vm_area_struct *vma)
{
	return shbuf_map(file->private_data, file, vma, -EINVAL);
}

static int shbuf_vma_release(struct inode *inode, struct file *file)
{
	ipclab_obj_put(file->private_data);
	return 0;
}

/*
 * The file of a mapping, as ipc/shm.c's shm_file_operations: it shares
 * the shmem file's inode and mapping (so the kernel files the mapping
 * among the shmem pages' and reclaim can unmap them), but mmap() goes
 * through ipclab, and the file holds the buffer and the module.
 */
static const struct file_operations shbuf_vma_fops = {
	.owner		= THIS_MODULE,
	.mmap		= shbuf_vma_mmap,
	.release	= shbuf_vma_release,
	.fsync		= noop_fsync,
};

/* A new file for mappings of @sb, with the access of @mode. */
static struct file *shbuf_vma_file(struct ipclab_shbuf *sb, fmode_t mode)
{
	struct inode *inode = file_inode(sb->file);
	struct file *f;

	/*
	 * The file's last fput() drops a module reference (fops_put()), as
	 * for anon_inode_getfile(); the object fd being mapped holds one, so
	 * the module cannot be going.
	 */
	__module_get(THIS_MODULE);
	ihold(inode);
	f = alloc_file_pseudo(inode, sb->file->f_path.mnt, "ipclab",
			      (mode & FMODE_WRITE) ? O_RDWR : O_RDONLY,
			      &shbuf_vma_fops);
	if (IS_ERR(f)) {
		iput(inode);
		module_put(THIS_MODULE);
		return f;
	}
	kref_get(&sb->obj.ref);
	f->private_data = sb;
	return f;
}

/*
 * mmap() of an object fd.  The VFS has already refused PROT_WRITE with
 * MAP_SHARED on an fd opened without IPCLAB_OPEN_WRITE, and taken away
 * VM_MAYWRITE so that mprotect() cannot add it later.  The mapping gets a
 * file of its own (shbuf_vma_file()) with the same access.
 */
static int shbuf_mmap(struct ipclab_obj *obj, struct file *file,
		      struct vm_area_struct *vma)
{
	struct file *vmfile = shbuf_vma_file(to_shbuf(obj), file->f_mode);

	if (IS_ERR(vmfile))
		return PTR_ERR(vmfile);
	vma_set_file(vma, vmfile);
	fput(vmfile);		/* the mapping holds it now */
	return shbuf_map(to_shbuf(obj), vma->vm_file, vma, -EIDRM);
}

/* IPCLAB_IOC_RMID: free the key now, the buffer after the last detach. */
static bool shbuf_linger(struct ipclab_obj *obj)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);

	lockdep_assert_held(&obj->lock);
	sb->dest = true;
	if (sb->nattch || sb->unlinked)
		return true;
	sb->unlinked = true;
	return false;
}

static void shbuf_remove(struct ipclab_obj *obj, struct ipclab_wake *wq)
{
	/* Nobody waits on a buffer; the pages go with the last reference. */
}

/* /proc/sysvipc/shm and SHM_STAT_ANY: all but the attaches ever made. */
static void shbuf_stat_any(struct ipclab_obj *obj, struct ipclab_stat *st)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);

	lockdep_assert_held(&obj->lock);
	st->perm.cpid = pid_vnr(obj->cpid);
	st->perm.lpid = obj->lpid ? pid_vnr(obj->lpid) : 0;
	st->shbuf.size = sb->size;
	st->shbuf.nattch = sb->nattch;
	st->shbuf.flags = (sb->dest ? IPCLAB_SHBUF_DEST : 0) |
			  (sb->locker ? IPCLAB_SHBUF_LOCKED : 0);
	st->shbuf.atime = sb->atime;
	st->shbuf.dtime = sb->dtime;
}

static void shbuf_stat(struct ipclab_obj *obj, struct ipclab_stat *st,
		       struct ipclab_snap *snap)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);

	lockdep_assert_held(&obj->lock);
	shbuf_stat_any(obj, st);
	st->shbuf.attaches = sb->attaches;
}

static void shbuf_show(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);

	seq_printf(m, "  size=%llu nattch=%u attaches=%llu resident=%lu%s\n",
		   sb->size, sb->nattch, sb->attaches,
		   READ_ONCE(sb->file->f_mapping->nrpages),
		   sb->dest ? " dest" : "");
}

/* Give back a lock's charge, once the lock is gone (no lock held). */
static void shbuf_unlock_charge(struct ipclab_shbuf *sb, struct ipclab_user *u)
{
	if (!u)
		return;
	ipclab_uncharge(u, IPCLAB_RES_LOCKED_PAGES, sb->npages);
	ipclab_user_put(u);
}

/*
 * IPCLAB_IOC_SHBUF_CTL: SHM_LOCK and SHM_UNLOCK as shmctl_do_lock() and
 * shmem_lock() do them.  The pages are charged to the locking user
 * against its RLIMIT_MEMLOCK (user_shm_lock() is not exported: ipclab
 * counts its own locked pages, apart from mlock()'s), the mapping is
 * marked unevictable so that reclaim leaves its pages alone, and an
 * unlock puts them back on the evictable lists (shmem_unlock_mapping()).
 */
static long ipclab_shbuf_ctl(void __user *argp)
{
	struct ipclab_user *u = NULL, *old = NULL;
	struct address_space *mapping;
	struct ipclab_shbufctl arg;
	struct folio_batch fbatch;
	struct ipclab_shbuf *sb;
	struct ipclab_obj *obj;
	unsigned long limit;
	pgoff_t index = 0;
	kuid_t euid;
	bool cap;
	int ret;

	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	if ((arg.cmd != IPCLAB_SHBUF_CTL_LOCK &&
	     arg.cmd != IPCLAB_SHBUF_CTL_UNLOCK) || arg.flags || arg.pad ||
	    arg.reserved[0] || arg.reserved[1])
		return -EINVAL;
	obj = ipclab_obj_lookup(arg.id, IPCLAB_TYPE_SHBUF);
	if (!obj)
		return -EINVAL;
	sb = to_shbuf(obj);
	mapping = sb->file->f_mapping;

	cap = ns_capable(current_user_ns(), CAP_IPC_LOCK);
	euid = current_euid();
	ret = -EPERM;
	if (!cap && !uid_eq(euid, READ_ONCE(obj->uid)) && !uid_eq(euid, obj->cuid))
		goto out_put;
	if (!cap && arg.cmd == IPCLAB_SHBUF_CTL_LOCK && !rlimit(RLIMIT_MEMLOCK))
		goto out_put;

	if (arg.cmd == IPCLAB_SHBUF_CTL_LOCK) {
		u = ipclab_user_current();
		if (IS_ERR(u)) {
			ret = PTR_ERR(u);
			goto out_put;
		}
		limit = rlimit(RLIMIT_MEMLOCK);
		limit = cap || limit == RLIM_INFINITY ? ULONG_MAX : limit >> PAGE_SHIFT;
		ret = ipclab_charge(u, IPCLAB_RES_LOCKED_PAGES, sb->npages, limit,
				    ULONG_MAX);
		if (ret) {
			ipclab_user_put(u);
			ret = -ENOMEM;
			goto out_put;
		}
		spin_lock(&obj->lock);
		if (!sb->locker) {
			sb->locker = u;		/* the charge is the buffer's now */
			u = NULL;
			mapping_set_unevictable(mapping);
		}
		spin_unlock(&obj->lock);
		shbuf_unlock_charge(sb, u);	/* locked already: nothing */
	} else {
		spin_lock(&obj->lock);
		old = sb->locker;
		sb->locker = NULL;
		if (old)
			mapping_clear_unevictable(mapping);
		spin_unlock(&obj->lock);
		if (old) {
			shbuf_unlock_charge(sb, old);
			folio_batch_init(&fbatch);
			while (!mapping_unevictable(mapping) &&
			       filemap_get_folios(mapping, &index, ~0UL, &fbatch)) {
				check_move_unevictable_folios(&fbatch);
				folio_batch_release(&fbatch);
				cond_resched();
			}
		}
	}
	ret = 0;
out_put:
	ipclab_obj_put(obj);
	return ret;
}

static const struct ipclab_ioctl shbuf_ioctls[] = {
	{ IPCLAB_IOC_SHBUF_CTL, ipclab_shbuf_ctl },
	{ }
};

static void shbuf_free(struct ipclab_obj *obj)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);

	shbuf_unlock_charge(sb, sb->locker);
	if (sb->file)
		fput(sb->file);
	mem_cgroup_put(sb->memcg);
	ipclab_uncharge(obj->user, IPCLAB_RES_SHBUF_PAGES, sb->npages);
	kfree_rcu(sb, obj.rcu);
}

/* As shmget(): opening may not ask for more than the buffer has. */
static int shbuf_check_open(struct ipclab_obj *obj, const struct ipclab_get *get)
{
	return get->shbuf.size > to_shbuf(obj)->size ? -EINVAL : 0;
}

static struct ipclab_obj *shbuf_create(const struct ipclab_get *get,
				       struct ipclab_user *user)
{
	u64 max = READ_ONCE(ipclab_shbuf_max_size);
	struct ipclab_shbuf *sb;
	struct file *file;
	pgoff_t npages;
	int ret;

	if (!get->shbuf.size || get->shbuf.size > max)
		return ERR_PTR(-EINVAL);
	npages = PAGE_ALIGN(get->shbuf.size) >> PAGE_SHIFT;
	ret = ipclab_charge(user, IPCLAB_RES_SHBUF_PAGES, npages,
			    READ_ONCE(ipclab_max_shbuf_pages_per_user),
			    READ_ONCE(ipclab_max_shbuf_pages));
	if (ret)
		return ERR_PTR(ret);

	ret = -ENOMEM;
	sb = kzalloc(sizeof(*sb), GFP_KERNEL_ACCOUNT);
	if (!sb)
		goto err_uncharge;
	/* As SysV shm: accounted as committed memory, pages made on demand. */
	file = shmem_file_setup("ipclab", get->shbuf.size, 0);
	if (IS_ERR(file)) {
		/*
		 * The internal mount has no size or inode limits: its ENOSPC
		 * means no memory for the inode.  ENOSPC is ipclab's limits'.
		 */
		ret = PTR_ERR(file) == -ENOSPC ? -ENOMEM : PTR_ERR(file);
		kfree(sb);
		goto err_uncharge;
	}
	sb->file = file;
	/* NULL without memory cgroups: the pages are then charged to none. */
	sb->memcg = get_mem_cgroup_from_mm(current->mm);
	sb->size = get->shbuf.size;
	sb->npages = npages;
	ipclab_obj_init(&sb->obj, &ipclab_shbuf_type, get->mode);
	return &sb->obj;

err_uncharge:
	ipclab_uncharge(user, IPCLAB_RES_SHBUF_PAGES, npages);
	return ERR_PTR(ret);
}

/* What SHM_INFO's shm_add_rss_swap() reads of a segment's shmem inode. */
static void shbuf_usage_obj(struct ipclab_obj *obj, struct ipclab_usage *u)
{
	struct file *file = to_shbuf(obj)->file;
	struct inode *inode;

	if (!file)
		return;
	inode = file_inode(file);
	u->shbuf_resident += READ_ONCE(inode->i_mapping->nrpages);
	u->shbuf_swapped += READ_ONCE(SHMEM_I(inode)->swapped);
}

static void shbuf_limits(struct ipclab_limits *l)
{
	l->max_shbufs_per_user = READ_ONCE(ipclab_max_shbufs_per_user);
	l->shbuf_max_size = READ_ONCE(ipclab_shbuf_max_size);
	l->max_shbuf_pages = READ_ONCE(ipclab_max_shbuf_pages);
	l->max_shbuf_pages_per_user = READ_ONCE(ipclab_max_shbuf_pages_per_user);
}

static void shbuf_usage(struct ipclab_usage *u, const atomic_long_t *used)
{
	u->shbufs = atomic_long_read(&used[IPCLAB_RES_OBJECTS + IPCLAB_TYPE_SHBUF]);
	u->shbuf_pages = atomic_long_read(&used[IPCLAB_RES_SHBUF_PAGES]);
}

const struct ipclab_type ipclab_shbuf_type = {
	.name		= "shbuf",
	.nr		= IPCLAB_TYPE_SHBUF,
	.get_size	= sizeof_field(struct ipclab_get, shbuf),
	.create		= shbuf_create,
	.check_open	= shbuf_check_open,
	.limits		= shbuf_limits,
	.max_per_user	= &ipclab_max_shbufs_per_user,
	.ioctls		= shbuf_ioctls,
	.usage_obj	= shbuf_usage_obj,
	.usage		= shbuf_usage,
	.remove		= shbuf_remove,
	.linger		= shbuf_linger,
	.stat		= shbuf_stat,
	.stat_any	= shbuf_stat_any,
	.show		= shbuf_show,
	.mmap		= shbuf_mmap,
	.free		= shbuf_free,
};
