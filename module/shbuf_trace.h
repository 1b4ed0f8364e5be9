/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipclab trace events of the shared buffers (shbuf.c creates them); the events every
 * primitive shares (create, remove, block, wake, ...) are in trace.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ipclab

#if !defined(_IPCLAB_SHBUF_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IPCLAB_SHBUF_TRACE_H

#include <linux/tracepoint.h>

/* A mapping of a shared buffer came or went. */
DECLARE_EVENT_CLASS(ipclab_shbuf_class,
	TP_PROTO(u32 id, u32 nattch),
	TP_ARGS(id, nattch),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(u32, nattch)
		__field(pid_t, pid)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->nattch = nattch;
		__entry->pid = task_tgid_nr(current);
	),
	TP_printk("id=%u nattch=%u pid=%d", __entry->id, __entry->nattch,
		  __entry->pid)
);

DEFINE_EVENT(ipclab_shbuf_class, ipclab_attach,
	TP_PROTO(u32 id, u32 nattch),
	TP_ARGS(id, nattch)
);

DEFINE_EVENT(ipclab_shbuf_class, ipclab_detach,
	TP_PROTO(u32 id, u32 nattch),
	TP_ARGS(id, nattch)
);

#endif /* _IPCLAB_SHBUF_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE shbuf_trace
#include <trace/define_trace.h>
