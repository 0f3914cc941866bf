# teleradyoloji -- make build | make test | make demo | make bench | make clean
GO       ?= go
CC       ?= gcc
BUILD    := build
LIB      := $(BUILD)/libteleradyoloji.so
SANDBOX  := $(BUILD)/teleradyoloji-sandbox
DOCTOR   := $(BUILD)/teleradyoloji
NEED     := scripts/need.sh
WITH_SANDBOX := scripts/with-sandbox.sh

GO_SOURCES := go.mod go.sum $(shell find core export sandbox cmd -type f \( -name '*.go' -o -name '*.c' -o -name '*.map' \) 2>/dev/null)
LDFLAGS_SO := -s -w -extldflags '-Wl,--version-script=$(CURDIR)/export/exports.map -Wl,-soname,libteleradyoloji.so'
CFLAGS_TEST := -std=c11 -Wall -Wextra -Werror -O1 -g -Iinclude -pthread
LINK_LIB := -L$(BUILD) -lteleradyoloji -Wl,-rpath,'$$ORIGIN/..' -Wl,-rpath,$(CURDIR)/$(BUILD)

# Suites added by the language bindings (each mk/<lang>.mk defines test-<lang>).
LANG_TESTS :=
-include mk/*.mk

.PHONY: build test demo bench clean test-go test-c test-abi-exports

build: $(LIB) $(SANDBOX) $(DOCTOR)

$(LIB): $(GO_SOURCES) include/teleradyoloji.h
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -buildmode=c-shared -ldflags "$(LDFLAGS_SO)" -o $@ ./export
	@rm -f $(BUILD)/libteleradyoloji.h  # cgo's generated header: include/ holds the real one

$(SANDBOX): $(GO_SOURCES)
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -o $@ ./cmd/teleradyoloji-sandbox

# The support tool (teleradyoloji doctor): pure Go, static, needs no other file.
$(DOCTOR): $(GO_SOURCES)
	@mkdir -p $(BUILD)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $@ ./cmd/teleradyoloji

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
# logging/doctor tests, in both thread modes; all but fork also under valgrind.
test-c: $(BUILD)/tests/test_abi $(BUILD)/tests/test_fork $(BUILD)/tests/test_host_threads $(BUILD)/tests/test_log test-abi-exports
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
