# Delphi binding (bindings/delphi): test-delphi. The unit, its tests and the
# example are compiled with Free Pascal against $(LIB), the tests three
# times: -Mdelphi (AnsiString, as Delphi 7), -Mdelphi with the cwstring unit,
# and -Mdelphiunicode with cwstring (UnicodeString, as Delphi 2009+); each
# runs against its own sandbox in a UTF-8 locale; then twice more with
# -dTELERADYOLOJI_DYNAMIC (run-time loading through dynlibs: -Mdelphi and
# -Mdelphiunicode with cwstring), which first loads fake libraries (missing,
# 32-bit, a function short, ABI 2) from $(DELPHI_OUT)/fakes. The executables
# find the library through an rpath of $ORIGIN/.. (build/delphi/.. = build).
DELPHI_OUT := $(BUILD)/delphi
DELPHI_FPC = fpc -l- -vew -gl -Fubindings/delphi -Fl$(BUILD) '-k-rpath=$$ORIGIN/..' -FE$(DELPHI_OUT)
DELPHI_TESTS := bindings/delphi/tests/TeleradyolojiTests.lpr
DELPHI_RUN := LC_ALL=C.UTF-8 TRL_SANDBOX_BIN=$(CURDIR)/$(SANDBOX) $(WITH_SANDBOX)

LANG_TESTS += test-delphi
.PHONY: test-delphi

test-delphi:
	@$(NEED) "fp-compiler fp-units-fcl" fpc
	@$(NEED) fp-units-fcl /usr/lib/*/fpc/$$(fpc -iV)/units/*/fcl-web
	@test -f $(LIB) || { echo "test-delphi: $(LIB) is missing: run make build first" >&2; exit 1; }
	@mkdir -p $(DELPHI_OUT)/ansi $(DELPHI_OUT)/cwstring $(DELPHI_OUT)/unicode \
		$(DELPHI_OUT)/dyn-ansi $(DELPHI_OUT)/dyn-unicode $(DELPHI_OUT)/fakes
	$(CC) -shared -fPIC -O1 -DFAKE_ABI=2 -o $(DELPHI_OUT)/fakes/libtrl-abi2.so bindings/delphi/tests/fake_library.c
	$(CC) -shared -fPIC -O1 -DFAKE_ABI=1 -DNO_CALL_BYTES -o $(DELPHI_OUT)/fakes/libtrl-no-call-bytes.so \
		bindings/delphi/tests/fake_library.c
	$(CC) -m32 -nostdlib -shared -o $(DELPHI_OUT)/fakes/libtrl-32bit.so bindings/delphi/tests/fake_library.c
	$(DELPHI_FPC) -Mdelphi -FU$(DELPHI_OUT)/ansi examples/delphi/ViewerUrlDemo.dpr
	$(DELPHI_FPC) -Mdelphi -FU$(DELPHI_OUT)/ansi $(DELPHI_TESTS)
	$(DELPHI_FPC) -Mdelphi -dTRL_TEST_CWSTRING -FU$(DELPHI_OUT)/cwstring \
		-oTeleradyolojiTests-cwstring $(DELPHI_TESTS)
	$(DELPHI_FPC) -Mdelphiunicode -dTRL_TEST_CWSTRING -FU$(DELPHI_OUT)/unicode \
		-oTeleradyolojiTests-unicode $(DELPHI_TESTS)
	$(DELPHI_FPC) -Mdelphi -dTELERADYOLOJI_DYNAMIC -FU$(DELPHI_OUT)/dyn-ansi \
		-oTeleradyolojiTests-dynamic $(DELPHI_TESTS)
	$(DELPHI_FPC) -Mdelphiunicode -dTRL_TEST_CWSTRING -dTELERADYOLOJI_DYNAMIC -FU$(DELPHI_OUT)/dyn-unicode \
		-oTeleradyolojiTests-dynamic-unicode $(DELPHI_TESTS)
	$(DELPHI_RUN) sh -c '$(DELPHI_OUT)/ViewerUrlDemo ACC-DEMO >/dev/null'
	$(DELPHI_RUN) $(DELPHI_OUT)/TeleradyolojiTests-unicode
	$(DELPHI_RUN) $(DELPHI_OUT)/TeleradyolojiTests-cwstring
	$(DELPHI_RUN) $(DELPHI_OUT)/TeleradyolojiTests
	TRL_FAKE_LIBS=$(CURDIR)/$(DELPHI_OUT)/fakes $(DELPHI_RUN) $(DELPHI_OUT)/TeleradyolojiTests-dynamic
	TRL_FAKE_LIBS=$(CURDIR)/$(DELPHI_OUT)/fakes $(DELPHI_RUN) $(DELPHI_OUT)/TeleradyolojiTests-dynamic-unicode
