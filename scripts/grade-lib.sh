# SPDX-License-Identifier: GPL-2.0
# Shared by scripts/grade, scripts/grade-all and scripts/exercises-test:
# building a submission of an exercise, and grading many of them in one
# boot of the lab VM.  Sourced after scripts/lib.sh, never executed.

EX_DIR=$IPCLAB_TOP/exercises

# The exercises: every directory of exercises/ with a grader.
ex_list() {
	local d
	for d in "$EX_DIR"/*/; do
		d=${d%/}
		[ -e "$d/check.c" ] && [ -e "$d/Makefile" ] && echo "${d##*/}"
	done
}

ex_known() {
	[ -e "$EX_DIR/$1/check.c" ] ||
		die "no exercise '$1' (there are: $(ex_list | paste -sd' '))"
}

ex_student() {
	make -s --no-print-directory -C "$EX_DIR/$1" print-student
}

# Where exercise $1's files for the student are in the tree: its own
# directory, or module/ for an exercise cut from the module.
ex_student_dir() {
	local d
	d=$(make -s --no-print-directory -C "$EX_DIR/$1" print-student-dir)
	case $d in
	/*) echo "$d" ;;
	*) (cd "$EX_DIR/$1/$d" && pwd) ;;
	esac
}

ex_kernel() {
	make -s --no-print-directory -C "$EX_DIR/$1" print-kernel
}

ex_lib() {
	make -s -C "$IPCLAB_TOP/userspace" lib/libipclab.a lib/libipclab-sysv.a >/dev/null ||
		die "building libipclab failed"
}

# Build exercise $1 with the student's files from directory $2 into $3;
# the compiler's output goes to $3.log.  Status: make's.
ex_build() {
	local ex=$1 sub=$2 out=$3 f
	mkdir -p "$out"
	for f in $(ex_student "$ex"); do
		if ! [ -e "$sub/$f" ]; then
			echo "$sub: no $f (the file exercise $ex's README names)" >"$out.log"
			return 1
		fi
	done
	make -s --no-print-directory -C "$EX_DIR/$ex" SUB="$(cd "$sub" && pwd)" \
		OUT="$out" >"$out.log" 2>&1
}

# Boot kernel $1 once and run the graders of the "LABEL DIR" lines of
# file $2 (each DIR holds an exercise's programs and its check), appending
# the console to the log $3: each grader's output between "=== grade
# LABEL" and "=== end LABEL STATUS".  A kernel exercise's submission
# (DIR/ipclab.ko) is graded with its own module: the one loaded is
# unloaded, the kernel's log and kmemleak's are cleared, and the
# submission's module takes /ipclab/ipclab.ko's place (its grader loads
# it again from there after its kmemleak check).  Returns the boot's
# status (125: the kernel complained).
ex_boot() {
	local kernel=$1 list=$2 log=$3 script label dir adds=() rc
	script=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-grade.XXXXXX")
	{
		echo 'cd /tmp'
		while read -r label dir; do
			echo "echo '=== grade $label'"
			if [ -e "$dir/ipclab.ko" ]; then
				echo "rmmod ipclab 2>/dev/null; dmesg -c >/dev/null"
				echo "echo clear >/sys/kernel/debug/kmemleak 2>/dev/null"
				echo "cp '$dir/ipclab.ko' /ipclab/ipclab.ko"
				echo "if insmod /ipclab/ipclab.ko; then '$dir/check' --bin '$dir'; else" \
				     "echo 'FAIL [0/1] the module loads'; echo 'score: 0/1'; false; fi"
			else
				echo "'$dir/check' --bin '$dir'"
			fi
			echo "echo \"=== end $label \$?\""
		done <"$list"
	} >"$script/run.sh"
	adds+=(--add "$script")
	while read -r label dir; do
		adds+=(--add "$dir")
	done <"$list"
	set +e
	"$IPCLAB_TOP/scripts/ipclab-vm" --kernel "$kernel" \
		--timeout "${IPCLAB_GRADE_TIMEOUT:-1800}" "${adds[@]}" \
		-- sh "$script/run.sh" </dev/null 2>&1 | tr -d '\r' >>"$log"
	rc=${PIPESTATUS[0]}
	set -e
	rm -rf "$script"
	return "$rc"
}

# Grade every "LABEL DIR" line of file $2 on kernel $1 in as few boots as
# can be, into the log $3.  When a submission kills the guest (a kernel
# exercise's panic, say), it scores 0 with the lab VM's verdict, and the
# ones after it are graded in a new boot.  Prints "BOOT STATUS" per boot
# (BOOT: the first label it graded); returns 0 if every boot's was 0.
ex_batch() {
	local kernel=$1 list=$2 log=$3 pending rest label dir rc all=0 first
	: >"$log"
	pending=$(mktemp)
	rest=$(mktemp)
	cp "$list" "$pending"
	while [ -s "$pending" ]; do
		first=$(head -n 1 "$pending" | cut -d' ' -f1)
		rc=0
		ex_boot "$kernel" "$pending" "$log" || rc=$?
		echo "$first $rc"
		[ "$rc" = 0 ] || all=1
		: >"$rest"
		while read -r label dir; do
			grep -q "^=== end $label " "$log" || echo "$label $dir" >>"$rest"
		done <"$pending"
		[ -s "$rest" ] || break
		label=$(head -n 1 "$rest" | cut -d' ' -f1)
		if ! grep -qx "=== grade $label" "$log"; then
			# The boot failed before grading anything: no new boot helps.
			echo "ex_batch: the lab VM on $kernel failed (status $rc) before grading $label" >&2
			break
		fi
		{
			echo "FAIL [0/1] the kernel survived the checks"
			echo "     -> the lab VM died while grading (status $rc): the kernel's messages are above"
			echo "score: 0/1"
			echo "=== end $label 1"
		} >>"$log"
		tail -n +2 "$rest" >"$pending"
	done
	rm -f "$pending" "$rest"
	return "$all"
}

# "LABEL CHECK POINTS MAX" per check, from a batch's log (FAIL'S feedback
# is the line after it); "LABEL score N M" per grader.
ex_scores() {
	awk '
	/^=== grade / { label = $3; next }
	/^=== end / { label = ""; next }
	label != "" && /^(PASS|FAIL) \[[0-9]+\/[0-9]+\] / {
		split(substr($2, 2, length($2) - 2), pm, "/")
		what = $0
		sub(/^(PASS|FAIL) \[[0-9]+\/[0-9]+\] /, "", what)
		print label "\t" pm[1] "\t" pm[2] "\t" what
	}
	label != "" && /^score: [0-9]+\/[0-9]+$/ {
		split($2, pm, "/")
		print label "\tscore\t" pm[1] "\t" pm[2]
	}' "$1"
}
