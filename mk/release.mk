# Release files: LICENSE, NOTICE (every linked module), CHANGELOG, SECURITY.
.PHONY: test-release-files
test-release-files:
	scripts/check-release-files.sh
LANG_TESTS += test-release-files

# ABI guard (docs/abi.md): the 1.0.0 header's functions, status codes and log
# levels are kept (check_abi.sh), and a program built against that header
# (tests/abi/abi_v1_0_0.c; tests/abi/1.0.0/ on the include path, not
# include/) runs against the current library: here, and as PE32+/PE32 under
# Wine through an import library made from the 1.0.0 header (mk/windows.mk).
ABI_OLD := tests/abi/1.0.0
.PHONY: test-abi-guard test-abi-header test-abi-guard-linux
test-abi-guard: test-abi-header test-abi-guard-linux test-abi-guard-windows
test-abi-header: $(LIB)
	tests/abi/check_abi.sh $(ABI_OLD)/teleradyoloji.h include/teleradyoloji.h $(LIB)
test-abi-guard-linux: $(SANDBOX) $(BUILD)/tests/abi_v1_0_0
	$(WITH_SANDBOX) $(BUILD)/tests/abi_v1_0_0
LANG_TESTS += test-abi-guard

$(BUILD)/tests/abi_v1_0_0: tests/abi/abi_v1_0_0.c tests/c/harness.h $(ABI_OLD)/teleradyoloji.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(filter-out -Iinclude,$(CFLAGS_TEST)) -I$(ABI_OLD) -o $@ $< $(LINK_LIB)
