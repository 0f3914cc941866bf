# Release files: LICENSE, NOTICE (every linked module), CHANGELOG, SECURITY.
.PHONY: test-release-files
test-release-files:
	scripts/check-release-files.sh
LANG_TESTS += test-release-files
