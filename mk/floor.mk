# The Linux floor (DESIGN.md pitfall 12): make build links the .so inside a
# Debian 11 tree (scripts/floor.sh). test-floor shows that it loads there:
#   - every GLIBC_ version it needs is 2.17 or older (objdump -T; manylinux2014),
#   - the C ABI suite, compiled by the tree's gcc 10 against its glibc 2.31,
#     passes in both thread modes against a sandbox on the host's 127.0.0.1,
#   - the Python tests pass under the tree's python3 3.9, including the
#     manylinux wheel installed by its pip 20.3 into a fresh venv (test_dist,
#     whose sdist build needs setuptools 61+, and test_gunicorn, which installs
#     gunicorn with pip, run on the host in test-python).
FLOOR_OUT := $(BUILD)/floor
FLOOR_GLIBC_MAX := 2.17

LANG_TESTS += test-floor
.PHONY: test-floor

test-floor: $(LIB) $(SANDBOX) python-wheel
	@$(NEED) binutils objdump
	tests/floor/check_glibc.sh $(LIB_FILE) $(FLOOR_GLIBC_MAX)
	@mkdir -p $(FLOOR_OUT)
	$(FLOOR) run sh -c 'echo "floor tree: $$(head -c 20 /etc/debian_version | sed "s/^/Debian /"), $$(ldd --version | head -n1)"'
	$(FLOOR) run gcc $(CFLAGS_TEST) -o $(FLOOR_OUT)/test_abi tests/c/test_abi.c -L$(BUILD) -lteleradyoloji '-Wl,-rpath,$$ORIGIN/..'
	$(WITH_SANDBOX) $(FLOOR) run $(FLOOR_OUT)/test_abi
	TELERADYOLOJI_THREAD_HANDOFF=1 $(WITH_SANDBOX) $(FLOOR) run $(FLOOR_OUT)/test_abi
	$(WITH_SANDBOX) $(FLOOR) run env TRL_PYTHON_WHEEL_DIR=$(abspath $(PY_DIST)) TRL_PYTHON_EXCLUDE=test_dist,test_gunicorn \
	  python3 $(PY_DIR)/tests/run.py
