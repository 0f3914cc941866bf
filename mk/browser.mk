# Web HIS in a browser (examples/web): test-browser, demo-web.
# test-browser drives Debian's headless Chromium through both buttons of the
# example page against the sandbox. The driver, tests/browser/cdp.py, speaks
# the DevTools protocol over --remote-debugging-pipe with Python's standard
# library: no npm, no Playwright cache to keep offline, no tool that could
# fetch a browser, no debugging port. Screenshots go to build/browser/.
CHROMIUM ?= /usr/bin/chromium
PYTHON ?= /usr/bin/python3
BROWSER_OUT := $(BUILD)/browser
WEB_PORT ?= 8765

LANG_TESTS += test-browser
.PHONY: test-browser demo-web

test-browser: $(LIB) $(SANDBOX)
	@$(NEED) chromium $(CHROMIUM)
	@$(NEED) python3 $(PYTHON)
	@rm -rf $(BROWSER_OUT) && mkdir -p $(BROWSER_OUT)
	TRL_CHROMIUM=$(CHROMIUM) TRL_BROWSER_OUT=$(abspath $(BROWSER_OUT)) \
	  $(WITH_SANDBOX) $(PYTHON) tests/browser/run.py -v

# The sandbox and the example backend; open the printed address, Ctrl-C stops both.
demo-web: build
	@$(NEED) python3 $(PYTHON)
	$(WITH_SANDBOX) $(PYTHON) examples/web/server.py --port $(WEB_PORT)
