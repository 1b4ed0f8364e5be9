# SPDX-License-Identifier: GPL-2.0
# bash completion for scripts/ipclab-vm (ipclab-vm(1)): its options, the
# kernels it boots (read from its --help, so they are the script's own),
# and after "--" a command and its files.
# Installed as .../bash-completion/completions/ipclab-vm, which bash
# finds for "scripts/ipclab-vm" too; from a source tree,
# ". completion/ipclab-vm.bash".

# "  -k, --kernel K     6.1 | 6.12 | 6.12-rt | debug   (default: 6.12)"
_ipclab_vm_kernels()
{
	local k
	k=$("$1" --help 2>/dev/null |
		sed -n 's/^ *-k, --kernel K *//p' | sed 's/(.*//; s/|/ /g')
	echo "${k:-6.1 6.12 6.12-rt debug}"
}

_ipclab_vm()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} i
	COMPREPLY=()

	# After "--": the command, then its arguments (files).
	for ((i = 1; i < COMP_CWORD; i++)); do
		[ "${COMP_WORDS[i]}" = -- ] || continue
		compopt -o filenames 2>/dev/null
		if [ $((i + 1)) -eq "$COMP_CWORD" ]; then
			COMPREPLY=($(compgen -c -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return
	done
	case $prev in
	-k|--kernel)
		COMPREPLY=($(compgen -W "$(_ipclab_vm_kernels "${COMP_WORDS[0]}")" -- "$cur"))
		return ;;
	-a|--add|-M|--module)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-t|--timeout|-m|--memory|-s|--smp)
		return ;;
	esac
	COMPREPLY=($(compgen -W "-k --kernel -a --add -M --module -A --accel -t --timeout -m --memory
		-s --smp -2 --console2 --no-console2 --attach --show-command --dry-run
		-h --help --" -- "$cur"))
}
complete -F _ipclab_vm ipclab-vm
