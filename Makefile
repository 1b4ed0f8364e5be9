# SPDX-License-Identifier: GPL-2.0
#
# ipclab top-level Makefile.
#
#   make                 module (against KDIR), userspace programs, selftests
#   make check           the test suite: every selftest on four kernels in QEMU
#   make check KERNELS=6.12   ... on a subset (6.1 6.12 6.12-rt debug)
#   make lint            checkpatch --strict, W=1 and sparse on the module
#   make demo            the guided tour in the lab VM
#   make install         install the module and programs on this machine
#   make clean
#
# The kernel build itself reads ./Kbuild (which descends into module/).

KREL ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KREL)/build
KERNELS ?= 6.1 6.12 6.12-rt debug
PREFIX ?= /usr/local

.PHONY: all module userspace selftests kselftest-headers check lint demo \
	install clean help

all: module userspace selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

# The kselftest harness comes from linux-source-6.12 and is extracted into
# the cache by scripts/deps; it is never committed.
kselftest-headers:
	@scripts/deps -k ""

selftests: kselftest-headers
	$(MAKE) -C selftests KSELFTEST_DIR="$$(scripts/kinfo kselftest)"

check:
	scripts/check $(KERNELS)

lint:
	scripts/lint

demo:
	scripts/demo

install: module userspace
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KREL)
	$(MAKE) -C userspace install PREFIX=$(PREFIX)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		rm -rf module/*.o module/*.ko module/*.mod* module/.*.cmd \
			module/modules.order Module.symvers modules.order .*.cmd
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build

help:
	@sed -n '3,13p' Makefile
