/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab trace events: what happened, in which order, to whom.  These are
 * the events every primitive shares; each primitive's own events are in
 * its NAME_trace.h, created by NAME.c, all in the one system "ipclab".
 *
 *   trace-cmd record -e ipclab ./program
 *
 * or echo 1 > /sys/kernel/tracing/events/ipclab/enable.  Process and
 * thread ids are the global ones (the init pid namespace), as elsewhere
 * in the trace buffer.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ipclab

#if !defined(_IPCLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IPCLAB_TRACE_H

#include <linux/tracepoint.h>

#include "ipclab.h"

/*
 * An object was created or removed: @type is its IPCLAB_TYPE_* (for
 * filters), @name its primitive's name (printed as type=), after the
 * fixed fields so that they keep their places.
 */
DECLARE_EVENT_CLASS(ipclab_obj_class,
	TP_PROTO(const struct ipclab_obj *obj),
	TP_ARGS(obj),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u32, type)
		__field(s32, key)
		__field(pid_t, pid)
		__string(name, obj->type->name)
	),
	TP_fast_assign(
		__entry->id = obj->id;
		__entry->type = obj->type->nr;
		__entry->key = obj->key;
		__entry->pid = task_tgid_nr(current);
		ipclab_assign_str(name, obj->type->name);
	),
	TP_printk("id=%u type=%s key=%d pid=%d", __entry->id,
		  __get_str(name), __entry->key, __entry->pid)
);

DEFINE_EVENT(ipclab_obj_class, ipclab_create,
	TP_PROTO(const struct ipclab_obj *obj),
	TP_ARGS(obj)
);

DEFINE_EVENT(ipclab_obj_class, ipclab_remove,
	TP_PROTO(const struct ipclab_obj *obj),
	TP_ARGS(obj)
);

/* A waiter: block when it goes to sleep, timeout and signal when it gives up. */
DECLARE_EVENT_CLASS(ipclab_waiter_class,
	TP_PROTO(const struct ipclab_waiter_base *w),
	TP_ARGS(w),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(pid_t, pid)
		__field(pid_t, tid)
		__field(u64, ticket)
	),
	TP_fast_assign(
		__entry->id = w->obj->id;
		__entry->pid = task_tgid_nr(w->task);
		__entry->tid = task_pid_nr(w->task);
		__entry->ticket = w->ticket;
	),
	TP_printk("id=%u pid=%d tid=%d ticket=%llu", __entry->id,
		  __entry->pid, __entry->tid, __entry->ticket)
);

DEFINE_EVENT(ipclab_waiter_class, ipclab_block,
	TP_PROTO(const struct ipclab_waiter_base *w),
	TP_ARGS(w)
);

DEFINE_EVENT(ipclab_waiter_class, ipclab_timeout,
	TP_PROTO(const struct ipclab_waiter_base *w),
	TP_ARGS(w)
);

DEFINE_EVENT(ipclab_waiter_class, ipclab_signal,
	TP_PROTO(const struct ipclab_waiter_base *w),
	TP_ARGS(w)
);

/* The current task decided a waiter's fate: who woke whom, and why. */
TRACE_EVENT(ipclab_wake,
	TP_PROTO(const struct ipclab_waiter_base *w, int status),
	TP_ARGS(w, status),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(pid_t, waker_pid)
		__field(pid_t, waker_tid)
		__field(pid_t, pid)
		__field(pid_t, tid)
		__field(u64, ticket)
		__field(int, status)
	),
	TP_fast_assign(
		__entry->id = w->obj->id;
		__entry->waker_pid = task_tgid_nr(current);
		__entry->waker_tid = task_pid_nr(current);
		__entry->pid = task_tgid_nr(w->task);
		__entry->tid = task_pid_nr(w->task);
		__entry->ticket = w->ticket;
		__entry->status = status;
	),
	TP_printk("id=%u waker=%d/%d pid=%d tid=%d ticket=%llu status=%d",
		  __entry->id, __entry->waker_pid, __entry->waker_tid,
		  __entry->pid, __entry->tid, __entry->ticket, __entry->status)
);

/* A wait was refused with EDEADLK: it would have closed a cycle of @len. */
TRACE_EVENT(ipclab_deadlock,
	TP_PROTO(u32 id, u32 len),
	TP_ARGS(id, len),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u32, len)
		__field(pid_t, pid)
		__field(pid_t, tid)
		__string(comm, current->comm)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->len = len;
		__entry->pid = task_tgid_nr(current);
		__entry->tid = task_pid_nr(current);
		ipclab_assign_str(comm, current->comm);
	),
	TP_printk("id=%u pid=%d tid=%d comm=%s cycle=%u", __entry->id,
		  __entry->pid, __entry->tid, __get_str(comm), __entry->len)
);

/*
 * The world stood still from @start_ns to @end_ns (CLOCK_MONOTONIC) for a
 * snapshot or a deadlock check of a process of @uid; no stop, whoever
 * makes it, starts before @next_ns (the ration of stop_percent).
 */
TRACE_EVENT(ipclab_world_stop,
	TP_PROTO(u32 uid, u64 start_ns, u64 end_ns, u64 next_ns),
	TP_ARGS(uid, start_ns, end_ns, next_ns),
	TP_STRUCT__entry(
		__field(u32, uid)
		__field(pid_t, pid)
		__field(u64, start_ns)
		__field(u64, end_ns)
		__field(u64, next_ns)
	),
	TP_fast_assign(
		__entry->uid = uid;
		__entry->pid = task_tgid_nr(current);
		__entry->start_ns = start_ns;
		__entry->end_ns = end_ns;
		__entry->next_ns = next_ns;
	),
	TP_printk("uid=%u pid=%d start_ns=%llu end_ns=%llu next_ns=%llu",
		  __entry->uid, __entry->pid, __entry->start_ns,
		  __entry->end_ns, __entry->next_ns)
);

#endif /* _IPCLAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
