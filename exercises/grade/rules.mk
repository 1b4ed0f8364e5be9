# SPDX-License-Identifier: GPL-2.0
# How an exercise builds: its Makefile names the programs (PROGS), each
# one's sources (SRCS_prog) and the files the student writes (STUDENT),
# and includes this file.
#
#   make                  the programs and the grader, into OUT
#   make SUB=DIR          ... with the student's files taken from DIR
#                         (default: STUDENT_DIR, where they are in the tree)
#
# OUT is where the programs and "check" (the grader) go: build/ in the
# exercise's directory unless told otherwise.  The programs are linked
# with libipclab.a, so that the lab VM runs them as they are.  The
# exercise is graded on KERNEL (a lab VM kernel: 6.12 unless it says).

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
GRADE := $(TOP)/exercises/grade
SUB ?= $(STUDENT_DIR)
OUT ?= build
CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. -I$(GRADE) \
	-I$(TOP)/userspace/lib -I$(TOP)/uapi
LIB := $(TOP)/userspace/lib/libipclab.a
KERNEL ?= 6.12

# A source from the submission when the student writes it.
src = $(if $(filter $(1),$(STUDENT)),$(SUB)/$(1),$(1))
# Where the student's files are in the tree: the exercise's directory,
# or module/ for an exercise cut from the module.
STUDENT_DIR ?= .

.PHONY: all clean print-student print-student-dir print-kernel
all: $(addprefix $(OUT)/,$(PROGS)) $(OUT)/check

# A kernel exercise builds ipclab.ko too: the project's module with the
# student's files in it.  MODULE_STUDENT names the student's files that
# go into module/ (from the submission), MODULE_FILES the exercise's own
# that go with them, EXTRA an extra primitive (IPCLAB_EXTRA, module/Kbuild).
# The compiler's warnings are shown; the lab VM loads the result.
#
# Every submission for a kernel is built in one tree,
# build/exercise-module/KERNEL, whose files are made the project's and
# the submission's again each time only where they differ: Kbuild then
# compiles the files that changed, not the whole module, for each of the
# many submissions a class or the check grades.  A lock keeps two
# builds out of it at once.
ifneq ($(MODULE_STUDENT),)
KDIR := $(shell $(TOP)/scripts/kinfo kdir $(KERNEL))
TREE := $(TOP)/build/exercise-module/$(KERNEL)
all: $(OUT)/ipclab.ko
$(OUT)/ipclab.ko: $(addprefix $(SUB)/,$(MODULE_STUDENT)) $(MODULE_FILES) \
		$(wildcard $(TOP)/module/*.[ch] $(TOP)/uapi/linux/*.h) | $(OUT)
	mkdir -p $(TREE)
	flock $(TREE).lock $(GRADE)/module-tree $(TOP) $(TREE) \
		$(MODULE_FILES) $(addprefix $(SUB)/,$(MODULE_STUDENT))
	flock $(TREE).lock $(MAKE) -s -C $(KDIR) M=$(TREE) \
		$(if $(EXTRA),IPCLAB_EXTRA=$(EXTRA)) modules
	cp $(TREE)/module/ipclab.ko $@
endif

$(OUT):
	mkdir -p $@

$(LIB):
	$(MAKE) -C $(TOP)/userspace lib/libipclab.a

define prog_rule
$(OUT)/$(1): $(foreach s,$(SRCS_$(1)),$(call src,$(s))) $(wildcard *.h) $(GRADE)/exercise.h $(LIB) | $(OUT)
	$(CC) $(CFLAGS) -o $$@ $(foreach s,$(SRCS_$(1)),$(call src,$(s))) $(LIB) $(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(OUT)/check: check.c $(GRADE)/grade.c $(GRADE)/grade.h | $(OUT)
	$(CC) $(CFLAGS) -o $@ check.c $(GRADE)/grade.c

clean:
	rm -rf build

print-student:
	@echo $(STUDENT) $(MODULE_STUDENT)
print-student-dir:
	@echo $(STUDENT_DIR)
print-kernel:
	@echo $(KERNEL)
