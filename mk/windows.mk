# Windows DLLs (x64 and x86), cross-built with mingw-w64 on Debian:
#   make windows        build/windows-{amd64,386}/teleradyoloji.{dll,def,lib} and teleradyoloji.exe (the doctor)
#   make test-windows   export/import checks, signing check, the C suite under wine64
#   make sign CERT=cert.pem KEY=key.pem   (or PFX=file.pfx [PASS=...]) signs both DLLs
WIN_ARCHS    := amd64 386
WIN_CC_amd64 := x86_64-w64-mingw32-gcc
WIN_CC_386   := i686-w64-mingw32-gcc
WIN_TOOL_amd64 := x86_64-w64-mingw32
WIN_TOOL_386   := i686-w64-mingw32
WIN_DLLS     := $(foreach a,$(WIN_ARCHS),$(BUILD)/windows-$(a)/teleradyoloji.dll)
WIN_DOCTORS  := $(foreach a,$(WIN_ARCHS),$(BUILD)/windows-$(a)/teleradyoloji.exe)
VERSION      := $(shell sed -n 's/^const Version = "\(.*\)"/\1/p' core/version.go)
ABI          := $(shell sed -n 's/^const ABIVersion = \([0-9]*\)/\1/p' core/version.go)
# Export only the header's trl_* (the shim marks them dllexport); Go's own
# exports file is replaced by --exclude-all-symbols; libgcc is linked in.
WIN_LDFLAGS  := -s -w -extldflags '-static-libgcc -Wl,--export-all-symbols -Wl,--exclude-all-symbols'
WINE         := /usr/lib/wine/wine64
WINEPREFIX_DIR := $(CURDIR)/$(BUILD)/wine/prefix

LANG_TESTS += test-windows
.PHONY: windows windows-tools test-windows sign

windows-tools:
	@$(NEED) gcc-mingw-w64 x86_64-w64-mingw32-gcc i686-w64-mingw32-gcc
	@$(NEED) binutils-mingw-w64 x86_64-w64-mingw32-dlltool
	@$(NEED) osslsigncode osslsigncode
	@$(NEED) openssl openssl

windows: windows-tools $(WIN_DLLS) $(WIN_DOCTORS)

# One DLL per architecture, with its version resource, .def and import library.
$(BUILD)/windows-%/teleradyoloji.dll: $(GO_SOURCES) include/teleradyoloji.h windows/version.rc.in
	@mkdir -p $(@D)
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@VERSION_COMMAS@/$(subst .,$(comma),$(VERSION))/g' \
	    -e 's/@ABI@/$(ABI)/g' -e 's/@ARCH@/windows-$*/g' windows/version.rc.in > $(@D)/version.rc
	$(WIN_TOOL_$*)-windres -O coff -i $(@D)/version.rc -o export/zz_version_windows_$*.syso
	CGO_ENABLED=1 GOOS=windows GOARCH=$* CC=$(WIN_CC_$*) \
	  $(GO) build -trimpath -buildmode=c-shared -ldflags "$(WIN_LDFLAGS)" -o $@ ./export
	@rm -f $(@D)/teleradyoloji.h export/zz_version_windows_$*.syso
	{ echo "LIBRARY teleradyoloji.dll"; echo "EXPORTS"; \
	  grep -oE 'TRL_CALL[[:space:]]+\**[[:space:]]*trl_[a-z_]+[[:space:]]*\(' include/teleradyoloji.h | grep -oE 'trl_[a-z_]+' | sed 's/^/    /'; \
	} > $(@D)/teleradyoloji.def
	$(WIN_TOOL_$*)-dlltool -d $(@D)/teleradyoloji.def -D teleradyoloji.dll -l $(@D)/teleradyoloji.lib

comma := ,

# teleradyoloji.exe (the doctor) beside each DLL: pure Go, no cgo, no DLL of
# its own; a version resource as the DLL's.
$(BUILD)/windows-%/teleradyoloji.exe: $(GO_SOURCES) windows/doctor.rc.in
	@mkdir -p $(@D)
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@VERSION_COMMAS@/$(subst .,$(comma),$(VERSION))/g' \
	    -e 's/@ARCH@/windows-$*/g' windows/doctor.rc.in > $(@D)/doctor.rc
	$(WIN_TOOL_$*)-windres -O coff -i $(@D)/doctor.rc -o cmd/teleradyoloji/zz_version_windows_$*.syso
	CGO_ENABLED=0 GOOS=windows GOARCH=$* $(GO) build -trimpath -ldflags "-s -w" -o $@ ./cmd/teleradyoloji; \
	  rc=$$?; rm -f cmd/teleradyoloji/zz_version_windows_$*.syso; exit $$rc

# The C ABI suite, linked through each import library.
$(BUILD)/windows-%/test_abi.exe: tests/c/test_abi.c tests/c/harness.h $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O1 -D_WIN32_WINNT=0x0A00 -Iinclude -o $@ tests/c/test_abi.c \
	  $(@D)/teleradyoloji.lib -lws2_32 -static -pthread

# The logging and doctor tests (the Win32 branch of export/logq.c).
$(BUILD)/windows-%/test_log.exe: tests/c/test_log.c tests/c/harness.h $(BUILD)/windows-%/teleradyoloji.dll
	$(WIN_CC_$*) -std=c11 -Wall -Wextra -Werror -O1 -D_WIN32_WINNT=0x0A00 -Iinclude -o $@ tests/c/test_log.c \
	  $(@D)/teleradyoloji.lib -lws2_32 -static -pthread

# Wine 8 lacks bcryptprimitives.dll, which the Go runtime needs: a test-only shim.
$(BUILD)/wine/bcryptprimitives.dll: windows/bcryptprimitives.c windows/bcryptprimitives.def
	@mkdir -p $(@D)
	$(WIN_CC_amd64) -shared -O2 -o $@ $^ -ladvapi32

$(WINEPREFIX_DIR)/.ready: $(BUILD)/wine/bcryptprimitives.dll
	@$(NEED) wine64 $(WINE)
	mkdir -p $(WINEPREFIX_DIR)
	WINEPREFIX=$(WINEPREFIX_DIR) WINEDEBUG=-all $(WINE) wineboot -i >/dev/null 2>&1 || true
	cp $< $(WINEPREFIX_DIR)/drive_c/windows/system32/
	touch $@

test-windows: windows-tools $(WIN_DLLS) $(WIN_DOCTORS) $(foreach a,$(WIN_ARCHS),$(BUILD)/windows-$(a)/test_abi.exe $(BUILD)/windows-$(a)/test_log.exe) $(WINEPREFIX_DIR)/.ready
	windows/check_dll.sh x86_64-w64-mingw32-objdump include/teleradyoloji.h $(BUILD)/windows-amd64/teleradyoloji.dll
	windows/check_dll.sh i686-w64-mingw32-objdump include/teleradyoloji.h $(BUILD)/windows-386/teleradyoloji.dll
	windows/test_sign.sh $(WIN_DLLS)
	cd $(BUILD)/windows-amd64 && WINEPREFIX=$(WINEPREFIX_DIR) WINEDEBUG=-all \
	  TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) timeout 600 $(CURDIR)/$(WITH_SANDBOX) $(WINE) ./test_abi.exe
	cd $(BUILD)/windows-amd64 && WINEPREFIX=$(WINEPREFIX_DIR) WINEDEBUG=-all \
	  TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) timeout 600 $(CURDIR)/$(WITH_SANDBOX) $(WINE) ./test_log.exe
	WINEPREFIX=$(WINEPREFIX_DIR) WINEDEBUG=-all TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) WINE=$(WINE) \
	  timeout 300 $(WITH_SANDBOX) windows/test_doctor.sh $(BUILD)/windows-amd64/teleradyoloji.exe
	@echo "test-windows: x86 DLL and teleradyoloji.exe checked statically and linked; not run (no 32-bit Wine here, see README)"

# Signs both DLLs in place with osslsigncode (Authenticode, SHA-256).
sign: windows
	windows/sign.sh $(WIN_DLLS)
