# SPDX-License-Identifier: GPL-2.0
#
# ipclab top-level Makefile.
#
#   make                 module (against KDIR, when its headers are there),
#                        userspace programs, selftests
#   make module          the module alone (fails without the headers)
#   make check           the test suite: every selftest on four kernels in QEMU
#   make check KERNELS=6.12   ... on a subset (6.1 6.12 6.12-rt debug)
#   make fuzz            10 million fuzzer calls on the debug kernel in QEMU
#   make fuzz FUZZ_CALLS=100000 FUZZ_SEED=0x2a FUZZ_KERNEL=6.12   ... smaller
#   make lint            checkpatch --strict, W=1 and sparse on the module,
#                        groff on the manual pages
#   make man-lint        the manual pages through groff's warnings
#   make demo            the guided tour in the lab VM
#   make grade EX=NAME   grade exercise NAME (exercises/NAME) in the lab VM;
#                        SUBMISSION=DIR grades the files in DIR instead
#   make skels           the student tree (skeletons, no solutions) in
#                        build/skels/, and its tarball; EXERCISES="a b"
#                        hands out only those (the default: all but the
#                        ones cut from the module)
#   make bench           ipclab against the kernel's own IPC in the lab VM:
#                        a table, build/bench.json and build/bench.png
#                        (KERNEL=6.12, BENCH_ARGS="--quick")
#   make deb             ipclab-dkms and ipclab-tools, Debian packages
#   make install         the programs, libraries, headers, manual pages and
#                        completion (PREFIX, DESTDIR), and the module
#   make install-dkms    the module's source for DKMS in /usr/src
#   make uninstall       remove what the two installs put
#   make clean
#
# The kernel build itself reads ./Kbuild (which descends into module/).

KREL ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KREL)/build
KERNELS ?= 6.1 6.12 6.12-rt debug
VERSION := $(shell cat VERSION)
# The device's ABI (major.minor of the uapi header), for the manual pages.
ABI := $(shell sed -n 's/^\#define IPCLAB_ABI_M[AI][JN]OR[[:space:]]*//p' \
	uapi/linux/ipclab.h | paste -sd.)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/ipclab
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# DKMS finds module sources in /usr/src whatever PREFIX is.
DKMS_SRCDIR ?= /usr/src/ipclab-$(VERSION)

MAN_PAGES := $(wildcard man/*.[0-9])
# The example programs share ipclab-examples(7): links in man1 name them.
EXAMPLE_PROGS = $(shell $(MAKE) -s --no-print-directory -C userspace/examples print-progs)
EXAMPLE_DOCS := $(addprefix userspace/examples/,README.md example.h \
	06-course.matrices) $(wildcard userspace/examples/[0-9]*.c) \
	userspace/dlmodel.h userspace/dlmodel.c
COMPLETIONS := ipclab ipclab-vm
DKMS_FILES := Kbuild VERSION uapi/linux/ipclab.h module/Kbuild \
	$(filter-out %.mod.c,$(wildcard module/*.c)) $(wildcard module/*.h)

# Without the kernel's build tree (its headers) "make" builds the rest and
# says, in one line, how to get the module; "make module" fails with it.
ifeq ($(wildcard $(KDIR)/Makefile),)
NO_KDIR := ipclab: no kernel headers in $(KDIR) to build the module: install \
	linux-headers-$(KREL), pass KDIR=/path/to/kernel/build, or use the lab \
	VM (scripts/ipclab-vm)
endif

.PHONY: all module userspace selftests kselftest-headers check fuzz lint man-lint \
	demo grade skels bench deb install install-tools install-module install-dkms uninstall \
	clean help

all: $(if $(NO_KDIR),,module) userspace selftests
	$(if $(NO_KDIR),@echo '$(strip $(NO_KDIR))' >&2)

module:
ifdef NO_KDIR
	@echo '$(strip $(NO_KDIR))' >&2; exit 1
else
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
endif

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

# FUZZ_CALLS, FUZZ_SEED, FUZZ_KERNEL, FUZZ_TIMEOUT and FUZZ_ARGS reach
# scripts/fuzz from the command line or the environment.
fuzz:
	FUZZ_CALLS="$(FUZZ_CALLS)" FUZZ_SEED="$(FUZZ_SEED)" \
		FUZZ_KERNEL="$(FUZZ_KERNEL)" FUZZ_TIMEOUT="$(FUZZ_TIMEOUT)" \
		FUZZ_ARGS="$(FUZZ_ARGS)" scripts/fuzz

lint:
	scripts/lint

# Quiet when every page is clean: groff's warnings (all of them, -ww) on
# stderr are the findings.
man-lint:
	@out=$$(for page in $(MAN_PAGES); do \
		groff -ww -z -man "$$page" 2>&1 | sed "s|^|$$page: |"; \
	done); [ -z "$$out" ] || { echo "$$out"; exit 1; }

demo:
	scripts/demo

grade:
	@[ -n "$(EX)" ] || { scripts/grade -h; exit 2; }
	scripts/grade $(EX) $(SUBMISSION)

skels:
	scripts/mkskels $(EXERCISES)

# The lab VM builds what it boots; KERNEL and BENCH_ARGS reach scripts/bench.
bench: userspace
	KERNEL="$(KERNEL)" BENCH_ARGS="$(BENCH_ARGS)" scripts/bench

deb:
	scripts/mkdeb

install: install-tools install-module

install-tools: userspace
	$(MAKE) -C userspace install BINDIR=$(BINDIR) LIBDIR=$(LIBDIR) \
		INCLUDEDIR=$(INCLUDEDIR)
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)/examples \
		$(addprefix $(DESTDIR)$(MANDIR)/man,1 $(sort $(subst .,,$(suffix $(MAN_PAGES)))))
	for page in $(MAN_PAGES); do \
		dst="$(DESTDIR)$(MANDIR)/man$${page##*.}/$${page##*/}"; \
		sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@ABI@/$(ABI)/g' \
			"$$page" >"$$dst" && chmod 0644 "$$dst" || exit 1; \
	done
	for prog in $(EXAMPLE_PROGS); do \
		ln -sf ../man7/ipclab-examples.7 \
			"$(DESTDIR)$(MANDIR)/man1/$$prog.1" || exit 1; \
	done
	for cmd in $(COMPLETIONS); do \
		install -m 0644 "completion/$$cmd.bash" \
			"$(DESTDIR)$(BASHCOMPDIR)/$$cmd" || exit 1; \
	done
	install -m 0644 README.md CHANGELOG.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(EXAMPLE_DOCS) $(DESTDIR)$(DOCDIR)/examples/
	$(if $(DESTDIR),,-ldconfig)

install-module:
ifdef NO_KDIR
	@echo '$(strip $(NO_KDIR))' >&2
else
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=extra modules_install
	$(if $(DESTDIR),,depmod -a $(KREL))
endif

# The tree that DKMS builds: Kbuild and the VERSION it reads, module/ and
# the uapi header; dkms.conf gets the release in place of its placeholder.
install-dkms:
	for f in $(DKMS_FILES); do \
		install -D -m 0644 "$$f" "$(DESTDIR)$(DKMS_SRCDIR)/$$f" || exit 1; \
	done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf \
		>"$(DESTDIR)$(DKMS_SRCDIR)/dkms.conf"
	chmod 0644 "$(DESTDIR)$(DKMS_SRCDIR)/dkms.conf"
	$(if $(DESTDIR),,@echo "ipclab: now 'dkms install ipclab/$(VERSION)' builds and installs the module")

uninstall:
	$(MAKE) -C userspace uninstall BINDIR=$(BINDIR) LIBDIR=$(LIBDIR) \
		INCLUDEDIR=$(INCLUDEDIR)
	rm -f $(foreach page,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(page)))/$(notdir $(page))) \
		$(foreach prog,$(EXAMPLE_PROGS),$(DESTDIR)$(MANDIR)/man1/$(prog).1) \
		$(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(COMPLETIONS)) \
		$(DESTDIR)/lib/modules/$(KREL)/extra/module/ipclab.ko*
	$(if $(DESTDIR),,-command -v dkms >/dev/null && \
		dkms remove ipclab/$(VERSION) --all >/dev/null 2>&1)
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DKMS_SRCDIR)
	$(if $(DESTDIR),,-depmod -a $(KREL))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		rm -rf module/*.o module/*.ko module/*.mod* module/.*.cmd \
			module/modules.order Module.symvers modules.order .*.cmd
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build exercises/*/build

help:
	@sed -n '3,24p' Makefile
