# test-docs: every relative link and anchor in README.md and docs/**/*.md
# resolves, and every "<!-- alıntı: FILE -->" code block is still a verbatim
# excerpt of FILE (tests/docs/check_docs.py, standard library Python).
LANG_TESTS += test-docs
.PHONY: test-docs

test-docs:
	@$(NEED) python3 python3
	python3 tests/docs/test_check_docs.py -q
	python3 tests/docs/check_docs.py .
