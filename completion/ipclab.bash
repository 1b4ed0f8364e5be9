# SPDX-License-Identifier: GPL-2.0
# bash completion for ipclab(1): its commands, their options, the types,
# and the ids and keys of the objects "ipclab ls" lists now.
# Installed as .../bash-completion/completions/ipclab; from a source tree,
# ". completion/ipclab.bash".  Needs nothing of bash-completion itself.

# The ids (column 3) or keys (column 2) that "ipclab ls [-t TYPE]" lists.
_ipclab_objects()
{
	local column=$1 type=$2
	"$_ipclab_cmd" ls ${type:+-t "$type"} 2>/dev/null |
		awk -v c="$column" 'NR > 1 && $c ~ /^(0x[0-9a-f]+|[0-9]+)$/ && $c != "0x00000000" { print $c }'
}

_ipclab()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd=${COMP_WORDS[1]} type= i
	local _ipclab_cmd=${COMP_WORDS[0]}
	COMPREPLY=()

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "ls show watch rm limits deadlock graph step run-to trace
			version help --version --help -h" -- "$cur"))
		return
	fi
	# A type given earlier on the line narrows the ids and keys.
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-t|--type) type=${COMP_WORDS[i + 1]} ;;
		esac
	done
	case $prev in
	-t|--type)
		COMPREPLY=($(compgen -W "sem mutex mbox shbuf set msg shm" -- "$cur"))
		return ;;
	-k|--key)
		COMPREPLY=($(compgen -W "$(_ipclab_objects 2 "$type")" -- "$cur"))
		return ;;
	--matrices|--png)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	esac
	case $cmd in
	ls)
		COMPREPLY=($(compgen -W "-t --type -m -q -s -a --json -h --help" -- "$cur")) ;;
	show)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_ipclab_objects 3)" -- "$cur"))
		fi ;;
	watch)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-h --help" -- "$cur"))
		elif [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$(_ipclab_objects 3)" -- "$cur"))
		fi ;;
	rm)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-k --key -t --type -a --all -m -q -s -M -Q -S -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_ipclab_objects 3 "$type")" -- "$cur"))
		fi ;;
	limits)
		COMPREPLY=($(compgen -W "--json -h --help" -- "$cur")) ;;
	deadlock)
		COMPREPLY=($(compgen -W "--json --all --matrices -h --help" -- "$cur")) ;;
	graph)
		COMPREPLY=($(compgen -W "--png --all --matrices -h --help" -- "$cur")) ;;
	version|--version)
		COMPREPLY=($(compgen -W "-h --help" -- "$cur")) ;;
	esac
}
complete -F _ipclab ipclab
