# Windows DLLs (x64 and x86), cross-built with mingw-w64 on Debian:
#   make windows        build/windows-{amd64,386}/teleradyoloji.{dll,def,lib} and teleradyoloji.exe (the doctor)
#   make test-windows   export/import checks, signing check, the C suite under wine64,
#                       the front DLL on a Wine without ProcessPrng, the x86 static proof
#   make sign CERT=cert.pem KEY=key.pem   (or PFX=file.pfx [PASS=...]) signs both DLLs
WIN_ARCHS    := amd64 386
WIN_CC_amd64 := x86_64-w64-mingw32-gcc
WIN_CC_386   := i686-w64-mingw32-gcc
WIN_TOOL_amd64 := x86_64-w64-mingw32
WIN_TOOL_386   := i686-w64-mingw32
WIN_DLLS     := $(foreach a,$(WIN_ARCHS),$(BUILD)/windows-$(a)/teleradyoloji.dll $(BUILD)/windows-$(a)/teleradyoloji-core.dll)
WIN_DOCTORS  := $(foreach a,$(WIN_ARCHS),$(BUILD)/windows-$(a)/teleradyoloji.exe)
ABI          := $(shell sed -n 's/^const ABIVersion = \([0-9]*\)/\1/p' core/version.go)
# Export only the header's trl_* (the shim marks them dllexport); Go's own
# exports file is replaced by --exclude-all-symbols; libgcc is linked in.
# No build ID, no link time (Go's link already writes a zero PE time; the
# front's gcc link is told to): the same bytes at any path and time.
WIN_LDFLAGS  := -s -w -buildid= $(GO_VERSION_X) -extldflags '-static-libgcc -Wl,--export-all-symbols -Wl,--exclude-all-symbols'
WINE         := /usr/lib/wine/wine64
WINEPREFIX_DIR := $(CURDIR)/$(BUILD)/wine/prefix
# 32-bit Wine (Debian's wine32:i386 through multiarch) runs the x86 programs
# in a win32 prefix of its own (scripts/wine32.sh installs it).
WINE32       := /usr/lib/wine/wine
WINEPREFIX32_DIR := $(CURDIR)/$(BUILD)/wine/prefix32
# wine_env ARCH: the environment for ARCH's programs (its prefix); wine_bin ARCH: its Wine.
wine_env = WINEPREFIX=$(if $(filter 386,$(1)),$(WINEPREFIX32_DIR),$(WINEPREFIX_DIR)) WINEDEBUG=-all
wine_bin = $(if $(filter 386,$(1)),$(WINE32),$(WINE))

LANG_TESTS += test-windows
.PHONY: windows windows-tools test-windows test-windows-front test-windows-proxy test-windows-proxy-defaults test-x86-static sign

windows-tools:
	@$(NEED) gcc-mingw-w64 x86_64-w64-mingw32-gcc i686-w64-mingw32-gcc
	@$(NEED) binutils-mingw-w64 x86_64-w64-mingw32-dlltool
	@$(NEED) osslsigncode osslsigncode
	@$(NEED) openssl openssl

windows: windows-tools $(WIN_DLLS) $(WIN_DOCTORS)

# Two DLLs per architecture (docs/windows.md): teleradyoloji.dll, a small C
# front (windows/front.c) that owns the name and the ABI, checks the platform
# and forwards every call to teleradyoloji-core.dll, the Go library beside it.
# Both carry a version resource; the front's .def and import library come
# from the header. The x86 core is built without Go's 32 MiB FIPS scratch
# buffer in its .bss (windows/overlay386.sh): 32-bit address space is scarce.
$(BUILD)/windows-%/teleradyoloji-core.dll: $(GO_SOURCES) include/teleradyoloji.h windows/version.rc.in windows/overlay386.sh Makefile
	@mkdir -p $(@D)
	$(call win_rc,$*,teleradyoloji-core.dll,$(@D)/core-version.rc)
	$(WIN_TOOL_$*)-windres -O coff -i $(@D)/core-version.rc -o export/zz_version_windows_$*.syso
	$(if $(filter 386,$*),windows/overlay386.sh $(@D)/_overlay)
	CGO_ENABLED=1 GOOS=windows GOARCH=$* CC=$(WIN_CC_$*) \
	  $(GO) build -trimpath -buildmode=c-shared -ldflags "$(WIN_LDFLAGS)" \
	  $(if $(filter 386,$*),-overlay $(@D)/_overlay/overlay.json) -o $@ ./export
	@rm -f $(@D)/teleradyoloji-core.h export/zz_version_windows_$*.syso

$(BUILD)/windows-%/teleradyoloji.dll: windows/front.c include/teleradyoloji.h windows/version.rc.in Makefile \
    $(BUILD)/windows-%/teleradyoloji-core.dll
	$(call win_rc,$*,teleradyoloji.dll,$(@D)/version.rc)
	$(WIN_TOOL_$*)-windres -O coff -i $(@D)/version.rc -o $(@D)/front-version.o
	$(call win_def,include/teleradyoloji.h) > $(@D)/teleradyoloji.def
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O2 -shared -s -D_WIN32_WINNT=0x0601 \
	  -DTRL_FRONT_VERSION='"$(VERSION)"' -o $@ windows/front.c $(@D)/front-version.o $(@D)/teleradyoloji.def \
	  -static-libgcc -Wl,--no-insert-timestamp
	$(WIN_TOOL_$*)-dlltool -d $(@D)/teleradyoloji.def -D teleradyoloji.dll -l $(@D)/teleradyoloji.lib

# win_def HEADER: the .def of teleradyoloji.dll exporting HEADER's functions.
win_def = { echo "LIBRARY teleradyoloji.dll"; echo "EXPORTS"; \
	  grep -oE 'TRL_CALL[[:space:]]+\**[[:space:]]*trl_[a-z_]+[[:space:]]*\(' $(1) | grep -oE 'trl_[a-z_]+' | sed 's/^/    /'; }

# win_rc ARCH FILE OUT: the version resource of FILE.
win_rc = sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@VERSION_COMMAS@/$(subst .,$(comma),$(VERSION))/g' \
	    -e 's/@ABI@/$(ABI)/g' -e 's/@ARCH@/windows-$(1)/g' -e 's/@FILE@/$(2)/g' windows/version.rc.in > $(3)

comma := ,

# teleradyoloji.exe (the doctor) beside each DLL: pure Go, no cgo, no DLL of
# its own; a version resource as the DLL's.
$(BUILD)/windows-%/teleradyoloji.exe: $(GO_SOURCES) windows/doctor.rc.in
	@mkdir -p $(@D)
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@VERSION_COMMAS@/$(subst .,$(comma),$(VERSION))/g' \
	    -e 's/@ARCH@/windows-$*/g' windows/doctor.rc.in > $(@D)/doctor.rc
	$(WIN_TOOL_$*)-windres -O coff -i $(@D)/doctor.rc -o cmd/teleradyoloji/zz_version_windows_$*.syso
	CGO_ENABLED=0 GOOS=windows GOARCH=$* $(GO) build -trimpath -ldflags "-s -w $(GO_VERSION_X)" -o $@ ./cmd/teleradyoloji; \
	  rc=$$?; rm -f cmd/teleradyoloji/zz_version_windows_$*.syso; exit $$rc

# The C ABI suite, linked through each import library (so through the front).
$(BUILD)/windows-%/test_abi.exe: tests/c/test_abi.c tests/c/harness.h $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O1 -D_WIN32_WINNT=0x0A00 -Iinclude -o $@ tests/c/test_abi.c \
	  $(@D)/teleradyoloji.lib -lws2_32 -static -pthread

# The ABI guard's program (mk/release.mk), built against the 1.0.0 header and
# an import library made from it, so it loads only if the DLL still exports
# every 1.0.0 function; run against the sandbox under each Wine.
$(BUILD)/windows-%/abi_v1_0_0.exe: tests/abi/abi_v1_0_0.c tests/c/harness.h $(ABI_OLD)/teleradyoloji.h $(BUILD)/windows-%/teleradyoloji.dll
	$(call win_def,$(ABI_OLD)/teleradyoloji.h) > $(@D)/teleradyoloji-1.0.0.def
	$(WIN_TOOL_$*)-dlltool -d $(@D)/teleradyoloji-1.0.0.def -D teleradyoloji.dll -l $(@D)/teleradyoloji-1.0.0.lib
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O1 -D_WIN32_WINNT=0x0A00 -I$(ABI_OLD) -o $@ $< \
	  $(@D)/teleradyoloji-1.0.0.lib -lws2_32 -static -pthread

.PRECIOUS: $(BUILD)/windows-%/abi_v1_0_0.exe
.PHONY: test-abi-guard-windows
test-abi-guard-windows: test-abi-guard-windows-amd64 test-abi-guard-windows-386
test-abi-guard-windows-%: windows-tools $(SANDBOX) $(BUILD)/windows-%/teleradyoloji.dll $(BUILD)/windows-%/abi_v1_0_0.exe \
    $(WINEPREFIX_DIR)/.ready $(WINEPREFIX32_DIR)/.ready
	cd $(BUILD)/windows-$* && $(call wine_env,$*) TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) timeout 300 \
	  $(CURDIR)/$(WITH_SANDBOX) $(call wine_bin,$*) ./abi_v1_0_0.exe

# The front DLL when the core cannot be used (a static import, as Delphi's).
$(BUILD)/windows-%/test_front.exe: tests/c/test_front.c $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O1 -Iinclude -o $@ $< $(@D)/teleradyoloji.lib -static

# The logging and doctor tests (the Win32 branch of export/logq.c).
$(BUILD)/windows-%/test_log.exe: tests/c/test_log.c tests/c/harness.h $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O1 -D_WIN32_WINNT=0x0A00 -Iinclude -o $@ tests/c/test_log.c \
	  $(@D)/teleradyoloji.lib -lws2_32 -static -pthread

# The caller's FPU state and (x86) misaligned stacks across every export.
$(BUILD)/windows-%/test_fpu.exe: tests/c/test_fpu.c tests/c/harness.h $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=gnu11 -Wall -Wextra -Werror -O1 -D_WIN32_WINNT=0x0A00 -Iinclude -o $@ tests/c/test_fpu.c \
	  $(@D)/teleradyoloji.lib -lws2_32 -static -pthread

# What the x86 pair costs a 32-bit process's address space (docs/windows.md#32-bit-x86-is-run).
$(BUILD)/windows-%/test_addrspace.exe: tests/c/test_addrspace.c tests/c/harness.h $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=gnu11 -Wall -Wextra -Werror -O1 -D_WIN32_WINNT=0x0A00 -Iinclude -o $@ tests/c/test_addrspace.c \
	  $(@D)/teleradyoloji.lib -lws2_32 -static -pthread -Wl,--stack,$(ADDRSPACE_STACK)
# The threads the Go runtime starts get the executable's default stack: 1 MiB
# in a Delphi program ({$MAXSTACKSIZE}), the 32-bit host this test stands for.
ADDRSPACE_STACK ?= 1048576

# Wine 8 lacks bcryptprimitives.dll, which the Go runtime needs: a test-only shim.
$(BUILD)/wine/bcryptprimitives.dll: windows/bcryptprimitives.c windows/bcryptprimitives.def
	@mkdir -p $(@D)
	$(WIN_CC_amd64) -shared -O2 -o $@ $^ -ladvapi32
# The 32-bit one exports the undecorated name (ProcessPrng, not ProcessPrng@8).
$(BUILD)/wine/bcryptprimitives32.dll: windows/bcryptprimitives.c windows/bcryptprimitives.def
	@mkdir -p $(@D)
	$(WIN_CC_386) -shared -O2 -Wl,--kill-at -Wl,--enable-stdcall-fixup -o $@ $^ -ladvapi32

$(WINEPREFIX_DIR)/.ready: $(BUILD)/wine/bcryptprimitives.dll
	@$(NEED) wine64 $(WINE)
	mkdir -p $(WINEPREFIX_DIR)
	WINEPREFIX=$(WINEPREFIX_DIR) WINEDEBUG=-all $(WINE) wineboot -i >/dev/null 2>&1 || true
	cp $< $(WINEPREFIX_DIR)/drive_c/windows/system32/
	touch $@

$(WINEPREFIX32_DIR)/.ready: $(BUILD)/wine/bcryptprimitives32.dll
	scripts/wine32.sh
	mkdir -p $(WINEPREFIX32_DIR)
	WINEARCH=win32 WINEPREFIX=$(WINEPREFIX32_DIR) WINEDEBUG=-all $(WINE32) wineboot -i >/dev/null 2>&1 || true
	cp $< $(WINEPREFIX32_DIR)/drive_c/windows/system32/bcryptprimitives.dll
	touch $@

# A prefix without the shim: no ProcessPrng, like Windows 7/8/8.1 (one per bitness).
WINEPREFIX_OLD := $(CURDIR)/$(BUILD)/wine/prefix-old
$(WINEPREFIX_OLD)/.ready:
	@$(NEED) wine64 $(WINE)
	mkdir -p $(@D)
	WINEPREFIX=$(@D) WINEDEBUG=-all $(WINE) wineboot -i >/dev/null 2>&1 || true
	test ! -e $(@D)/drive_c/windows/system32/bcryptprimitives.dll
	touch $@
WINEPREFIX_OLD32 := $(CURDIR)/$(BUILD)/wine/prefix-old32
$(WINEPREFIX_OLD32)/.ready:
	scripts/wine32.sh
	mkdir -p $(@D)
	WINEARCH=win32 WINEPREFIX=$(@D) WINEDEBUG=-all $(WINE32) wineboot -i >/dev/null 2>&1 || true
	test ! -e $(@D)/drive_c/windows/system32/bcryptprimitives.dll
	touch $@

# The front DLL on an old Windows and without its core, per architecture.
test-windows-front: test-windows-front-amd64 test-windows-front-386
test-windows-front-%: windows-tools $(WIN_DLLS) $(BUILD)/windows-%/test_front.exe \
    $(WINEPREFIX_DIR)/.ready $(WINEPREFIX32_DIR)/.ready $(WINEPREFIX_OLD)/.ready $(WINEPREFIX_OLD32)/.ready
	@echo "-- windows-$*, old Windows (no ProcessPrng): loading the Go core directly ends the process ..."
	cd $(BUILD)/windows-$* && if $(call wine_old,$*) timeout 120 $(call wine_bin,$*) ./test_front.exe direct \
	    >$(CURDIR)/$(BUILD)/wine/direct-$*.out 2>&1; then cat $(CURDIR)/$(BUILD)/wine/direct-$*.out; \
	    echo "expected the Go core to end the process without ProcessPrng" >&2; exit 1; fi
	grep -i bcryptprimitives $(BUILD)/wine/direct-$*.out
	@echo "-- ... while a static import of the front DLL starts, gets the clean failure and lives"
	cd $(BUILD)/windows-$* && $(call wine_old,$*) timeout 120 $(call wine_bin,$*) ./test_front.exe old
	@echo "-- windows-$*: teleradyoloji-core.dll missing beside the front"
	rm -rf $(BUILD)/windows-$*/front-test && mkdir -p $(BUILD)/windows-$*/front-test
	cp $(BUILD)/windows-$*/teleradyoloji.dll $(BUILD)/windows-$*/test_front.exe $(BUILD)/windows-$*/front-test/
	cd $(BUILD)/windows-$*/front-test && $(call wine_env,$*) timeout 120 $(call wine_bin,$*) ./test_front.exe nocore
	@echo "-- windows-$*: a stale error code in the thread's last error before the first call"
	cd $(BUILD)/windows-$* && $(call wine_env,$*) timeout 120 $(call wine_bin,$*) ./test_front.exe stale
# wine_old ARCH: the environment of ARCH's prefix without the ProcessPrng shim.
wine_old = WINEPREFIX=$(if $(filter 386,$(1)),$(WINEPREFIX_OLD32),$(WINEPREFIX_OLD)) WINEDEBUG=-all

# The C suites and the doctor, run: x64 under wine64, x86 under 32-bit Wine.
test-windows-run-%: $(SANDBOX) $(BUILD)/windows-%/teleradyoloji.dll $(BUILD)/windows-%/teleradyoloji.exe \
    $(BUILD)/windows-%/test_abi.exe $(BUILD)/windows-%/test_log.exe $(BUILD)/windows-%/test_fpu.exe \
    $(BUILD)/windows-386/test_addrspace.exe \
    $(WINEPREFIX_DIR)/.ready $(WINEPREFIX32_DIR)/.ready
	@echo "-- windows-$*: the C suites under $(if $(filter 386,$*),32-bit Wine,wine64)"
	set -e; cd $(BUILD)/windows-$*; for t in test_abi test_log test_fpu; do \
	  $(call wine_env,$*) TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) timeout 600 $(CURDIR)/$(WITH_SANDBOX) \
	    $(call wine_bin,$*) ./$$t.exe; done
	$(call wine_env,$*) TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) WINE=$(call wine_bin,$*) \
	  timeout 300 $(WITH_SANDBOX) windows/test_doctor.sh $(BUILD)/windows-$*/teleradyoloji.exe
	$(if $(filter 386,$*),cd $(BUILD)/windows-386 && $(call wine_env,386) TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) \
	  timeout 600 $(CURDIR)/$(WITH_SANDBOX) $(WINE32) ./test_addrspace.exe)

test-windows: windows-tools $(SANDBOX) $(WIN_DLLS) $(WIN_DOCTORS) test-x86-static test-windows-run-amd64 test-windows-run-386 \
    test-windows-front test-windows-proxy
	set -e; for a in amd64:x86_64 386:i686; do for f in teleradyoloji teleradyoloji-core; do \
	  windows/check_dll.sh $${a#*:}-w64-mingw32-objdump include/teleradyoloji.h $(BUILD)/windows-$${a%%:*}/$$f.dll; done; done
	windows/test_sign.sh $(WIN_DLLS)
	@echo "test-windows: x64 run under wine64 and x86 run under 32-bit Wine (C suites, FPU state, misaligned stacks, logging, the doctor, the front DLL, the system proxy); x86 also checked statically"

# "proxy": "system" under wine64: core's TestSystemProxyFromUserSettings writes
# the Wine user's proxy settings (reg add), starts a CONNECT proxy and a PAC
# server, and checks on the proxy's counter that calls went through it.
$(BUILD)/windows-%/core_test.exe: $(GO_SOURCES) $(wildcard core/*_test.go core/internal/*/*_test.go)
	@mkdir -p $(@D)
	GOOS=windows GOARCH=$* CGO_ENABLED=0 $(GO) test -c -o $@ ./core
$(BUILD)/windows-%/sysproxy_test.exe: $(GO_SOURCES)
	@mkdir -p $(@D)
	GOOS=windows GOARCH=$* CGO_ENABLED=0 $(GO) test -c -o $@ ./core/internal/sysproxy

test-windows-proxy: test-windows-proxy-amd64 test-windows-proxy-386 test-windows-proxy-defaults
test-windows-proxy-%: $(BUILD)/windows-%/core_test.exe $(BUILD)/windows-%/sysproxy_test.exe \
    $(WINEPREFIX_DIR)/.ready $(WINEPREFIX32_DIR)/.ready
	cd $(BUILD)/windows-$* && $(call wine_env,$*) TRL_SYSTEM_PROXY_TEST=1 \
	  timeout 300 $(call wine_bin,$*) ./core_test.exe -test.run 'TestSystemProxyFromUserSettings' -test.v -test.count=1
	cd $(BUILD)/windows-$* && $(call wine_env,$*) TRL_SYSTEM_PROXY_TEST=1 \
	  timeout 300 $(call wine_bin,$*) ./sysproxy_test.exe -test.v -test.count=1

# The defaults users get (windows/test_proxy_defaults.sh): no "proxy" key,
# the Wine user's settings naming a real squid, the x64 doctor and 5 clicks
# through the DLL, to names only squid resolves.
$(BUILD)/windows-%/proxy_click.exe: tests/proxy/click.c $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O1 -Iinclude -o $@ $< $(@D)/teleradyoloji.lib -static

test-windows-proxy-defaults: $(WINEPREFIX_DIR)/.ready squid-tools $(SANDBOX) $(BUILD)/windows-amd64/teleradyoloji.exe \
    $(BUILD)/windows-amd64/proxy_click.exe
	$(call wine_env,amd64) WINE=$(call wine_bin,amd64) timeout 600 tests/proxy/pinned-dns.sh windows/test_proxy_defaults.sh $(BUILD)

# 32-bit by static proof (docs/windows.md#32-bit-x86-is-run), the fast first check before the x86
# pair runs under 32-bit Wine: the 386 build is vetted, checked for 64-bit
# atomics that 386 may not align, and its DLLs and import library checked for cdecl.
ATOMICALIGN := $(BUILD)/tools/atomicalign
$(ATOMICALIGN): scripts/atomicalign/main.go scripts/atomicalign/go.mod scripts/atomicalign/go.sum
	cd scripts/atomicalign && $(GO) build -o $(CURDIR)/$@ .

test-x86-static: windows-tools $(ATOMICALIGN) $(WIN_DLLS) $(BUILD)/windows-386/test_abi.exe $(BUILD)/windows-386/test_front.exe
	GOARCH=386 $(GO) vet ./...
	GOOS=windows GOARCH=386 CGO_ENABLED=1 CC=$(WIN_CC_386) $(GO) vet ./...
	GOARCH=386 $(ATOMICALIGN) ./...
	GOOS=windows GOARCH=386 CGO_ENABLED=1 CC=$(WIN_CC_386) $(ATOMICALIGN) ./...
	@# atomicalign sees only &value.field: the code keeps 64-bit atomics in
	@# atomic.Int64/Uint64 (aligned by the compiler on 386) and calls no
	@# atomic.*Int64/*Uint64 function on a plain field.
	@if grep -rnE 'atomic\.(Add|Load|Store|Swap|CompareAndSwap)(Int64|Uint64)\(' --include=*.go core export sandbox cmd tests; then \
	  echo "use atomic.Int64/atomic.Uint64 (aligned on 386) instead of these calls" >&2; exit 1; fi
	windows/check_x86.sh $(BUILD)/windows-386
	@echo "test-x86-static: go vet (386, windows/386), atomicalign, cdecl exports/imports: ok"

# Signs both DLLs in place with osslsigncode (Authenticode, SHA-256).
sign: windows
	windows/sign.sh $(WIN_DLLS)
