# teleradyoloji -- make build | make test | make demo | make bench | make install | make clean

# The one version number: stamped into trl_version(), the .so's file name and
# soname (major), teleradyoloji.pc, the DLLs' version resource, the Python
# wheels and sdist, and the NuGet package (its .csproj reads this line).
VERSION  := 1.0.0
SOVERSION := $(firstword $(subst ., ,$(VERSION)))

GO       ?= go
CC       ?= gcc
BUILD    := build
# build/libteleradyoloji.so -> .so.1 (the soname) -> .so.$(VERSION) (the file).
LIB      := $(BUILD)/libteleradyoloji.so
LIB_SONAME := $(LIB).$(SOVERSION)
LIB_FILE := $(LIB).$(VERSION)
FLOOR    := scripts/floor.sh
SANDBOX  := $(BUILD)/teleradyoloji-sandbox
DOCTOR   := $(BUILD)/teleradyoloji
NEED     := scripts/need.sh
WITH_SANDBOX := scripts/with-sandbox.sh

GO_SOURCES := go.mod go.sum $(shell find core export sandbox cmd -type f \( -name '*.go' -o -name '*.c' -o -name '*.map' \) 2>/dev/null)
GO_VERSION_X := -X github.com/teleradyoloji/teleradyoloji/core.Version=$(VERSION)
# -buildid=: Go's build ID would hash these flags, $(CURDIR) with them (make test-reproducible).
LDFLAGS_SO := -s -w -buildid= $(GO_VERSION_X) -extldflags '-Wl,--version-script=$(CURDIR)/export/exports.map -Wl,-soname,libteleradyoloji.so.$(SOVERSION)'
CFLAGS_TEST := -std=c11 -Wall -Wextra -Werror -O1 -g -Iinclude -pthread
LINK_LIB := -L$(BUILD) -lteleradyoloji -Wl,-rpath,'$$ORIGIN/..' -Wl,-rpath,$(CURDIR)/$(BUILD)

# Suites added by the language bindings (each mk/<lang>.mk defines test-<lang>).
LANG_TESTS :=
-include mk/*.mk

.PHONY: build test demo bench clean test-go test-c test-abi-exports print-version

build: $(LIB) $(SANDBOX) $(DOCTOR)

print-version:
	@echo $(VERSION)

# Built inside a Debian 11 tree (scripts/floor.sh; made once, kept outside the
# repository) so that the library needs nothing newer than GLIBC_2.17: it
# loads on RHEL/CentOS 7+, Debian 10+, Ubuntu 18.04+ (DESIGN.md pitfall 12).
# The modules come from the host's module cache: the tree has no network for Go.
$(LIB): $(GO_SOURCES) include/teleradyoloji.h Makefile scripts/floor.sh
	@mkdir -p $(BUILD)
	$(GO) mod download
	$(FLOOR) run go build -trimpath -buildmode=c-shared -ldflags "$(LDFLAGS_SO)" -o $(LIB_FILE) ./export
	@rm -f $(BUILD)/libteleradyoloji*.h  # cgo's generated header: include/ holds the real one
	ln -sfn $(notdir $(LIB_FILE)) $(LIB_SONAME)
	ln -sfn $(notdir $(LIB_SONAME)) $@

$(SANDBOX): $(GO_SOURCES)
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -o $@ ./cmd/teleradyoloji-sandbox

# The support tool (teleradyoloji doctor): pure Go, static, needs no other file.
$(DOCTOR): $(GO_SOURCES)
	@mkdir -p $(BUILD)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(GO_VERSION_X)" -o $@ ./cmd/teleradyoloji

# Every suite, in order; the library is built once, first.
test: build test-go test-c $(LANG_TESTS)
	@echo "make test: all suites passed"

test-go:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

test-abi-exports: $(LIB)
	@$(NEED) binutils nm
	tests/c/check_exports.sh include/teleradyoloji.h $(LIB)

$(BUILD)/tests/%: tests/c/%.c tests/c/harness.h include/teleradyoloji.h $(LIB)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS_TEST) -o $@ $< $(LINK_LIB)

# The ABI suite, the host-behaviour tests (fork, thread exit, cancel) and the
# logging/doctor tests and the FPU-state test, in both thread modes; all but
# fork and FPU also under valgrind.
test-c: $(SANDBOX) $(BUILD)/tests/test_abi $(BUILD)/tests/test_fork $(BUILD)/tests/test_host_threads $(BUILD)/tests/test_log $(BUILD)/tests/test_fpu test-abi-exports
	@$(NEED) valgrind valgrind
	$(WITH_SANDBOX) $(BUILD)/tests/test_abi
	TELERADYOLOJI_THREAD_HANDOFF=1 $(WITH_SANDBOX) $(BUILD)/tests/test_abi
	$(WITH_SANDBOX) tests/c/valgrind.sh $(BUILD)/tests/test_abi
	$(WITH_SANDBOX) $(BUILD)/tests/test_fork
	TELERADYOLOJI_THREAD_HANDOFF=1 $(WITH_SANDBOX) $(BUILD)/tests/test_fork
	$(WITH_SANDBOX) $(BUILD)/tests/test_host_threads
	TELERADYOLOJI_THREAD_HANDOFF=1 $(WITH_SANDBOX) $(BUILD)/tests/test_host_threads
	TELERADYOLOJI_THREAD_HANDOFF=1 $(WITH_SANDBOX) tests/c/valgrind.sh $(BUILD)/tests/test_host_threads
	$(WITH_SANDBOX) $(BUILD)/tests/test_log
	TELERADYOLOJI_THREAD_HANDOFF=1 $(WITH_SANDBOX) $(BUILD)/tests/test_log
	$(WITH_SANDBOX) tests/c/valgrind.sh $(BUILD)/tests/test_log
	$(WITH_SANDBOX) $(BUILD)/tests/test_fpu
	TELERADYOLOJI_THREAD_HANDOFF=1 $(WITH_SANDBOX) $(BUILD)/tests/test_fpu

$(BUILD)/examples/viewer_url: examples/c/viewer_url.c include/teleradyoloji.h $(LIB)
	@mkdir -p $(BUILD)/examples
	$(CC) -std=c11 -Wall -Wextra -O2 -Iinclude -o $@ $< $(LINK_LIB)

# Starts the sandbox, opens a study's viewer URL through the library, stops it.
demo: build $(BUILD)/examples/viewer_url
	$(WITH_SANDBOX) sh -c '$(BUILD)/examples/viewer_url "$$TRL_SANDBOX_URL" ACC-2026-0001 12345678901'

bench: build
	tests/bench/run.sh

clean:
	rm -rf $(BUILD)
	$(GO) clean -testcache
