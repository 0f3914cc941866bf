# The Delphi unit as a Windows program: test-delphi-windows. Free Pascal
# cross-compiles bindings/delphi/tests for Win32 and Win64, using the Windows
# units of scripts/fpc-win.sh (made once, outside the repository): Delphi
# mode (AnsiString, as Delphi 7 .. 2007) with the static import and with
# TELERADYOLOJI_DYNAMIC, DelphiUnicode mode (as Delphi 2009+), and for Win64
# once more with Delphi's own Win64 FPU routines (TRL_TEST_FPU_WIN64). Each
# EXE runs under Wine beside its DLL pair (32-bit Wine for the x86 pair),
# against a sandbox and a second one that accepts only the Turkish
# credentials of TestTurkishCredentials. The dynamic builds first load fakes:
# a missing DLL (error 126), the other bitness's teleradyoloji.dll (error
# 193), one without trl_call_bytes, one with ABI 2.
# Wine runs in a Turkish locale (ANSI code page 1254, as on Turkish Windows);
# the Win32 AnsiString build runs its Turkish-credentials test once more in
# code page 1252, where only CreateWithUtf8 keeps the letters.
# (After windows.mk, whose prefixes it uses: mk/*.mk are read in name order.)
DELPHI_WIN_OUT := $(BUILD)/delphi-windows
DELPHI_WIN_TARGET_amd64 := x86_64-win64
DELPHI_WIN_TARGET_386   := i386-win32
DELPHI_WIN_OTHER_amd64  := 386
DELPHI_WIN_OTHER_386    := amd64
DELPHI_WIN_FPC = scripts/fpc-win.sh fpc $(DELPHI_WIN_TARGET_$(1)) -Mdelphi -vew -gl -Fubindings/delphi \
	-FU$(DELPHI_WIN_OUT)/$(1)-$(2) -FE$(BUILD)/windows-$(1)
DELPHI_WIN_SRC := bindings/delphi/Teleradyoloji.pas $(DELPHI_TESTS)
# TestTurkishCredentials' second sandbox (the same credentials as there).
DELPHI_TR_SANDBOX := $(WITH_SANDBOX) --as TRL_SANDBOX_TR_URL \
	--password 'Şifre "İçeri" \ ğüö/ç ış' --application-code 'HBYS "Çağ" \ 1'
# A Turkish locale for Wine, made once into the build folder (no root needed).
DELPHI_WIN_LOCALE := $(BUILD)/locale/tr_TR.UTF-8
DELPHI_WIN_ENV = $(call wine_env,$(1)) LOCPATH=$(CURDIR)/$(BUILD)/locale LC_ALL=tr_TR.UTF-8 \
	TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) TRL_FAKE_LIBS=$(CURDIR)/$(DELPHI_WIN_OUT)/$(1)-fakes

LANG_TESTS += test-delphi-windows
.PHONY: test-delphi-windows delphi-windows-fpc

delphi-windows-fpc:
	@$(NEED) fp-compiler ppcx64
	scripts/fpc-win.sh tree >/dev/null

$(DELPHI_WIN_LOCALE):
	@$(NEED) locales /usr/share/i18n/locales
	mkdir -p $(@D)
	localedef -i tr_TR -f UTF-8 $@

# DELPHI_WIN_EXE ARCH VARIANT: the rule of one test EXE, beside the DLLs.
DELPHI_WIN_FLAGS_static   :=
DELPHI_WIN_FLAGS_dynamic  := -dTELERADYOLOJI_DYNAMIC
DELPHI_WIN_FLAGS_unicode  := -Mdelphiunicode
DELPHI_WIN_FLAGS_win64asm := -dTRL_TEST_FPU_WIN64
define DELPHI_WIN_EXE
$(BUILD)/windows-$(1)/TeleradyolojiTests-$(2).exe: $(DELPHI_WIN_SRC) | delphi-windows-fpc
	@mkdir -p $(DELPHI_WIN_OUT)/$(1)-$(2)
	$$(call DELPHI_WIN_FPC,$(1),$(2)) $(DELPHI_WIN_FLAGS_$(2)) -o$$(@F) $(DELPHI_TESTS)
endef
DELPHI_WIN_VARIANTS_amd64 := static dynamic unicode win64asm
DELPHI_WIN_VARIANTS_386   := static dynamic unicode
$(foreach a,$(WIN_ARCHS),$(foreach v,$(DELPHI_WIN_VARIANTS_$(a)),$(eval $(call DELPHI_WIN_EXE,$(a),$(v)))))

# The fakes of the run-time loading test.
$(DELPHI_WIN_OUT)/%-fakes/.ready: bindings/delphi/tests/fake_library.c $(BUILD)/windows-386/teleradyoloji.dll \
    $(BUILD)/windows-amd64/teleradyoloji.dll
	@mkdir -p $(@D)/other-bitness
	$(WIN_CC_$*) -shared -O1 -DFAKE_ABI=2 -o $(@D)/trl-abi2.dll $<
	$(WIN_CC_$*) -shared -O1 -DFAKE_ABI=1 -DNO_CALL_BYTES -o $(@D)/trl-no-call-bytes.dll $<
	cp $(BUILD)/windows-$(DELPHI_WIN_OTHER_$*)/teleradyoloji.dll $(@D)/other-bitness/
	touch $@

# DELPHI_WIN_RUN ARCH [MORE-ENV]: the command line that runs a test EXE there.
DELPHI_WIN_RUN = cd $(BUILD)/windows-$(1) && $(call DELPHI_WIN_ENV,$(1)) $(2) timeout 600 \
	$(CURDIR)/$(DELPHI_TR_SANDBOX) $(CURDIR)/$(WITH_SANDBOX) $(call wine_bin,$(1))

# One recipe line per EXE.
define DELPHI_WIN_RUN_EXE
	$(call DELPHI_WIN_RUN,$(1)) ./TeleradyolojiTests-$(2).exe

endef

test-delphi-windows: windows-tools $(SANDBOX) $(WIN_DLLS) $(DELPHI_WIN_LOCALE) \
    $(WINEPREFIX_DIR)/.ready $(WINEPREFIX32_DIR)/.ready \
    $(foreach a,$(WIN_ARCHS),$(DELPHI_WIN_OUT)/$(a)-fakes/.ready \
      $(foreach v,$(DELPHI_WIN_VARIANTS_$(a)),$(BUILD)/windows-$(a)/TeleradyolojiTests-$(v).exe))
	$(foreach a,$(WIN_ARCHS),$(foreach v,$(DELPHI_WIN_VARIANTS_$(a)),$(call DELPHI_WIN_RUN_EXE,$(a),$(v))))
	@echo "-- Win32, AnsiString, ANSI code page 1252: only CreateWithUtf8 keeps the Turkish letters"
	$(call DELPHI_WIN_RUN,386,LC_ALL=C.UTF-8 TRL_TEST_ONLY='Turkish credentials') ./TeleradyolojiTests-static.exe -v
