# SPDX-License-Identifier: GPL-2.0
# scripts/lint: every function a module file defines for the others (not
# static) has a kernel-doc comment right above it.
FNR == 1 { incomment = 0; kdoc = 0; last = "" }
/^\/\*\*/ { incomment = 1; kdoc = 1 }
incomment && /\*\// { incomment = 0; last = "kdoc"; next }
incomment { next }
/^[a-z_][a-z0-9_ *]*[ *]([a-z0-9_]+)\(/ && !/^static/ && !/;[ \t]*$/ && !/^(module_|MODULE_|DEFINE_|DECLARE_|EXPORT_)/ {
	if (last != "kdoc") {
		name = $0; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
		printf "%s:%d: %s() has no kernel-doc\n", FILENAME, FNR, name
	}
}
/^[ \t]*$/ { next }
{ last = "" }
