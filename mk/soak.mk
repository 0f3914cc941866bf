# The soak (issue 19): the C, Python and Mono hosts at once, 16 threads each, against one
# sandbox injecting a rotating mix of faults; tests/soak/README.md says what it asserts.
#   make soak              SOAK_MIN minutes (default 30)
#   make test-soak         a 2-minute run, part of make test
SOAK_MIN ?= 30
SOAK_DIR := $(BUILD)/soak
LANG_TESTS += test-soak

.PHONY: soak test-soak

$(SOAK_DIR)/soak_host: tests/soak/host.c include/teleradyoloji.h $(LIB)
	@mkdir -p $(SOAK_DIR)
	$(CC) $(CFLAGS_TEST) -o $@ $< $(LINK_LIB)

$(SOAK_DIR)/SoakHost.exe: tests/soak/Host.cs $(wildcard $(DOTNET_DIR)/Teleradyoloji/*.cs)
	@scripts/need.sh "mono-mcs mono-runtime" mcs mono
	@mkdir -p $(SOAK_DIR)
	$(DOTNET_MCS) -out:$@ $(DOTNET_DIR)/Teleradyoloji/*.cs tests/soak/Host.cs

soak: $(LIB) $(SANDBOX) $(SOAK_DIR)/soak_host $(SOAK_DIR)/SoakHost.exe
	@scripts/need.sh python3 $(PYTHON)
	$(PYTHON) tests/soak/soak.py $(SOAK_MIN) $(BUILD)

test-soak:
	$(MAKE) soak SOAK_MIN=2
