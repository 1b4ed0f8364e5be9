# SPDX-License-Identifier: GPL-2.0
# Shared helpers for ipclab's scripts: where the cache lives and which
# Debian kernel each target name means.  Sourced, never executed.

IPCLAB_CACHE=${IPCLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipclab}
IPCLAB_KERNELS_ALL="6.1 6.12 6.12-rt debug"

# Where the lab VMs' second consoles are (scripts/ipclab-vm): one socket
# per running VM, PID-KERNEL.sock after its ipclab-vm, in a directory of
# the user's own.
vm_rundir() {
	if [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ]; then
		echo "$XDG_RUNTIME_DIR/ipclab-vm"
	else
		echo "/tmp/ipclab-vm-$(id -u)"
	fi
}

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# The Debian meta package whose dependency names the current ABI.
meta_headers() {
	case $1 in
	6.1)	echo linux-headers-amd64 ;;
	6.12)	echo linux-headers-6.12-amd64 ;;
	6.12-rt) echo linux-headers-6.12-rt-amd64 ;;
	*)	die "unknown kernel '$1' (choose from: $IPCLAB_KERNELS_ALL)" ;;
	esac
}

# Resolve "6.12" to an ABI string such as "6.12.117+deb12-amd64" from apt
# metadata, so that a Debian point release needs no change here.  One
# apt-cache call answers for every kernel; resolve_abis caches the answers
# in the calling shell (call it again after apt-get update).
resolve_abis() {
	IPCLAB_ABIS=$(apt-cache depends linux-headers-amd64 linux-headers-6.12-amd64 \
		linux-headers-6.12-rt-amd64 2>/dev/null |
		awk '/^[^ ]/ { meta = $1 } /Depends: linux-headers-/ {
			sub(/.*Depends: linux-headers-/, ""); if (!(meta in seen)) print meta, $0; seen[meta] }')
}

kernel_abi() {
	meta=$(meta_headers "$1")
	[ -n "${IPCLAB_ABIS:-}" ] || resolve_abis
	abi=$(awk -v m="$meta" '$1 == m { print $2 }' <<<"$IPCLAB_ABIS")
	[ -n "$abi" ] || die "cannot resolve $meta from apt metadata (run apt-get update)"
	echo "$abi"
}

# Version of the linux-source-6.12 package the debug kernel is built from.
debug_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
		die "linux-source-6.12 is not installed (run scripts/deps)"
}

# Cache directory of the debug kernel build: keyed by the source version and
# the config fragments, so editing a fragment gives a fresh build.
debug_build_dir() {
	frag_sum=$(cat "$IPCLAB_TOP"/scripts/kconfig/*.config | sha256sum | cut -c1-12)
	echo "$IPCLAB_CACHE/debug-$(debug_source_version)-$frag_sum"
}

# Directory to build modules against for a target kernel.
kernel_kdir() {
	case $1 in
	debug)	echo "$(debug_build_dir)/build" ;;
	*)	echo "/usr/src/linux-headers-$(kernel_abi "$1")" ;;
	esac
}

# The bootable image of a target kernel.
kernel_image() {
	case $1 in
	debug)	echo "$(debug_build_dir)/build/arch/x86/boot/bzImage" ;;
	*)	echo "$IPCLAB_CACHE/kernels/$(kernel_abi "$1")/vmlinuz" ;;
	esac
}

# Files extracted from linux-source-6.12: the kselftest harness headers
# (tools/testing/selftests/) and checkpatch (scripts/).
source_tools_dir() {
	echo "$IPCLAB_CACHE/src-$(debug_source_version)"
}

kselftest_dir() {
	echo "$(source_tools_dir)/tools/testing/selftests"
}

checkpatch() {
	echo "$(source_tools_dir)/scripts/checkpatch.pl"
}

kernel_doc() {
	echo "$(source_tools_dir)/scripts/kernel-doc"
}
