# The WAN benchmark (not part of `make test`: it takes about a minute):
#   make bench-wan           the Linux .so, RTT_MS=100 by default (e.g. RTT_MS=40)
#   make bench-wan-windows   the same rows with the x64 DLL under wine64
# Knobs (environment): RTT_MS, KEEPALIVE_S (75), KEEPALIVE_SHORT_S (5),
# WAN_REPS (5), WAN_SLOW_SAMPLES (2), WAN_CLOSED_SAMPLES (3), WAN_IDLE_S (35),
# WAN_PREWARM_WAIT_MS (1000), WAN_VERBOSE=1. See docs/benchmarks.md#wan-benchmark.
.PHONY: bench-wan bench-wan-windows

WAN_DIR := $(BUILD)/wan

$(WAN_DIR)/delayproxy: $(wildcard tests/wan/delayproxy/*.go) go.mod
	@mkdir -p $(@D)
	$(GO) build -trimpath -o $@ ./tests/wan/delayproxy

$(WAN_DIR)/wan_bench: tests/wan/wan_bench.c include/teleradyoloji.h $(LIB)
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -Iinclude -o $@ $< $(LINK_LIB)

bench-wan: build $(WAN_DIR)/delayproxy $(WAN_DIR)/wan_bench
	tests/wan/run.sh

# The exe sits beside the DLL it imports; the Wine prefix (with the
# bcryptprimitives shim) is windows.mk's.
$(BUILD)/windows-amd64/wan_bench.exe: tests/wan/wan_bench.c include/teleradyoloji.h $(BUILD)/windows-amd64/teleradyoloji.dll
	x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -O2 -D_WIN32_WINNT=0x0A00 -Iinclude -o $@ $< \
	  $(@D)/teleradyoloji.lib -lws2_32 -static

bench-wan-windows: build windows-tools $(WAN_DIR)/delayproxy $(BUILD)/windows-amd64/wan_bench.exe $(CURDIR)/$(BUILD)/wine/prefix/.ready
	WINEPREFIX=$(CURDIR)/$(BUILD)/wine/prefix WINEDEBUG=-all tests/wan/run.sh $(WINE) $(BUILD)/windows-amd64/wan_bench.exe
