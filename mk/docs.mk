# test-docs: every relative link and anchor in README.md and docs/**/*.md
# resolves, every "<!-- alıntı: FILE -->" code block is still a verbatim
# excerpt of FILE, and every docs path, Markdown anchor and quoted README
# section named in other files still exists (tests/docs/check_docs.py,
# standard library Python); the README's C example compiles against the header.
LANG_TESTS += test-docs
.PHONY: test-docs

test-docs:
	@$(NEED) python3 python3
	python3 tests/docs/test_check_docs.py -q
	python3 tests/docs/check_docs.py .
	@mkdir -p $(BUILD)/docs
	awk '/^```c$$/ {on = 1; next} on && /^```$$/ {exit} on' README.md > $(BUILD)/docs/readme_example.c
	$(CC) -std=c11 -Wall -Wextra -Werror -Iinclude -c -o $(BUILD)/docs/readme_example.o $(BUILD)/docs/readme_example.c
