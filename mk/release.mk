# Release files: LICENSE, NOTICE (every linked module), CHANGELOG, SECURITY.
.PHONY: test-release-files
test-release-files:
	scripts/check-release-files.sh
LANG_TESTS += test-release-files

# ABI guard: the 1.0.0 header's functions, status codes and log levels are kept.
.PHONY: test-abi-guard
test-abi-guard: $(LIB)
	tests/abi/check_abi.sh tests/abi/teleradyoloji-1.0.0.h include/teleradyoloji.h $(LIB)
LANG_TESTS += test-abi-guard
