// SPDX-License-Identifier: GPL-2.0
/*
 * ipclab shared buffers: pages that unrelated processes map with mmap().
 *
 * A buffer is an array of zeroed pages, charged to its creator's memory
 * cgroup, mapped on demand by a fault handler (no reserved pages, no
 * remapping tricks).  A mapping is made through an object fd and holds
 * that fd's file, which holds the object: the pages live as long as
 * anybody maps them, whatever happens to the buffer's name.
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
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "ipclab.h"
#include "trace.h"

struct ipclab_shbuf {
	struct ipclab_obj obj;
	u64 size;			/* as asked for, like shm_segsz */
	pgoff_t npages;			/* size rounded up to whole pages */
	struct page **pages;

	/* Protected by obj.lock. */
	u32 nattch;
	bool dest;			/* removed */
	bool unlinked;			/* out of the table (once only) */
	time64_t atime, dtime;		/* last attach, last detach */
	u64 attaches;			/* mappings ever made */
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

static void shbuf_attach(struct ipclab_shbuf *sb)
{
	spin_lock(&sb->obj.lock);
	sb->nattch++;
	sb->attaches++;
	shbuf_record(sb, &sb->atime);
	trace_ipclab_attach(sb->obj.id, sb->nattch);
	spin_unlock(&sb->obj.lock);
}

static void shbuf_vm_open(struct vm_area_struct *vma)
{
	shbuf_attach(to_shbuf(vma->vm_private_data));
}

static void shbuf_vm_close(struct vm_area_struct *vma)
{
	struct ipclab_shbuf *sb = to_shbuf(vma->vm_private_data);
	bool last;

	spin_lock(&sb->obj.lock);
	sb->nattch--;
	shbuf_record(sb, &sb->dtime);
	trace_ipclab_detach(sb->obj.id, sb->nattch);
	last = sb->dest && !sb->nattch && !sb->unlinked;
	if (last)
		sb->unlinked = true;
	spin_unlock(&sb->obj.lock);

	/* The last detach of a removed buffer takes it out of the table. */
	if (last)
		ipclab_obj_unlink(&sb->obj);
}

static vm_fault_t shbuf_vm_fault(struct vm_fault *vmf)
{
	struct ipclab_shbuf *sb = to_shbuf(vmf->vma->vm_private_data);

	/* Only a mapping grown by mremap() reaches past the end. */
	if (vmf->pgoff >= sb->npages)
		return VM_FAULT_SIGBUS;
	vmf->page = sb->pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct shbuf_vm_ops = {
	.open	= shbuf_vm_open,
	.close	= shbuf_vm_close,
	.fault	= shbuf_vm_fault,
};

/*
 * mmap() of an object fd.  The VFS has already refused PROT_WRITE with
 * MAP_SHARED on an fd opened without IPCLAB_OPEN_WRITE, and taken away
 * VM_MAYWRITE so that mprotect() cannot add it later.
 */
static int shbuf_mmap(struct ipclab_obj *obj, struct file *file,
		      struct vm_area_struct *vma)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);
	unsigned long pages = vma_pages(vma);

	/* A private copy of shared memory would teach the wrong lesson. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= sb->npages || pages > sb->npages - vma->vm_pgoff)
		return -EINVAL;

	vma->vm_ops = &shbuf_vm_ops;
	vma->vm_private_data = obj;
	vm_flags_set(vma, VM_DONTDUMP);
	shbuf_attach(sb);
	return 0;
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

static void shbuf_stat(struct ipclab_obj *obj, struct ipclab_stat *st,
		       struct ipclab_snap *snap)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);

	lockdep_assert_held(&obj->lock);
	st->shbuf.size = sb->size;
	st->shbuf.nattch = sb->nattch;
	st->shbuf.flags = sb->dest ? IPCLAB_SHBUF_DEST : 0;
	st->shbuf.atime = sb->atime;
	st->shbuf.dtime = sb->dtime;
	st->shbuf.attaches = sb->attaches;
}

static void shbuf_show(struct ipclab_obj *obj, struct seq_file *m, u64 now_ns)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);

	seq_printf(m, "  size=%llu nattch=%u attaches=%llu%s\n", sb->size,
		   sb->nattch, sb->attaches, sb->dest ? " dest" : "");
}

static void shbuf_free(struct ipclab_obj *obj)
{
	struct ipclab_shbuf *sb = to_shbuf(obj);
	pgoff_t i;

	for (i = 0; sb->pages && i < sb->npages; i++)
		if (sb->pages[i])
			__free_page(sb->pages[i]);
	kvfree(sb->pages);
	kfree_rcu(sb, obj.rcu);
}

/* As shmget(): opening may not ask for more than the buffer has. */
int ipclab_shbuf_check_open(struct ipclab_obj *obj, const struct ipclab_get *get)
{
	return get->size > to_shbuf(obj)->size ? -EINVAL : 0;
}

const struct ipclab_type_ops ipclab_shbuf_ops = {
	.name	= "shbuf",
	.remove	= shbuf_remove,
	.linger	= shbuf_linger,
	.stat	= shbuf_stat,
	.show	= shbuf_show,
	.mmap	= shbuf_mmap,
	.free	= shbuf_free,
};

struct ipclab_obj *ipclab_shbuf_create(const struct ipclab_get *get)
{
	u64 max = READ_ONCE(ipclab_shbuf_max_size);
	struct ipclab_shbuf *sb;
	pgoff_t i;

	if (!get->size || get->size > max)
		return ERR_PTR(-EINVAL);

	sb = kzalloc(sizeof(*sb), GFP_KERNEL_ACCOUNT);
	if (!sb)
		return ERR_PTR(-ENOMEM);
	sb->size = get->size;
	sb->npages = PAGE_ALIGN(get->size) >> PAGE_SHIFT;
	ipclab_obj_init(&sb->obj, &ipclab_shbuf_ops, IPCLAB_TYPE_SHBUF, get->mode);

	/* From here on, the object's release frees whatever was allocated. */
	sb->pages = kvcalloc(sb->npages, sizeof(*sb->pages), GFP_KERNEL_ACCOUNT);
	if (!sb->pages)
		goto err_put;
	for (i = 0; i < sb->npages; i++) {
		sb->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!sb->pages[i])
			goto err_put;
		cond_resched();
	}
	return &sb->obj;

err_put:
	ipclab_obj_put(&sb->obj);
	return ERR_PTR(-ENOMEM);
}
