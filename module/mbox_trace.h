/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab trace events of the mailboxes (mbox.c creates them); the events every
 * primitive shares (create, remove, block, wake, ...) are in trace.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ipclab

#if !defined(_IPCLAB_MBOX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IPCLAB_MBOX_TRACE_H

#include <linux/tracepoint.h>

/* A message entered or left a mailbox; @pid sent or received it. */
DECLARE_EVENT_CLASS(ipclab_msg_class,
	TP_PROTO(u32 id, s64 type, u64 size, pid_t pid),
	TP_ARGS(id, type, size, pid),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(s64, type)
		__field(u64, size)
		__field(pid_t, pid)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->type = type;
		__entry->size = size;
		__entry->pid = pid;
	),
	TP_printk("id=%u type=%lld size=%llu pid=%d", __entry->id,
		  __entry->type, __entry->size, __entry->pid)
);

DEFINE_EVENT(ipclab_msg_class, ipclab_send,
	TP_PROTO(u32 id, s64 type, u64 size, pid_t pid),
	TP_ARGS(id, type, size, pid)
);

DEFINE_EVENT(ipclab_msg_class, ipclab_receive,
	TP_PROTO(u32 id, s64 type, u64 size, pid_t pid),
	TP_ARGS(id, type, size, pid)
);

#endif /* _IPCLAB_MBOX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE mbox_trace
#include <trace/define_trace.h>
