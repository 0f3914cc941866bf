# Signal handlers of the host vs. small alternate signal stacks (issue 15, DESIGN.md pitfall 10):
#   make test-signals     a C host with a SIGRTMIN handler needing 48 KiB (registered before
#                         the library is dlopen'd), 16 calling threads and 4 that never call
#                         with 16 KiB or no alternate stacks, a signal storm; 8 runs of 1.5 s
#                         and 3,000 threads freeing their stacks as CoreCLR (issue 19), each
#                         in a child
#   make sigstack-mem     resident memory and address space per calling thread (not a test)
# Not under valgrind: it runs threads one at a time and delivers signals on its own stacks,
# so it could not reproduce the overflow; the valgrind run of test_abi covers the shim's
# install/free path (its threads get and free library stacks).
LANG_TESTS += test-signals

.PHONY: test-signals sigstack-mem

$(BUILD)/tests/test_sigaltstack: tests/c/test_sigaltstack.c include/teleradyoloji.h
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS_TEST) -o $@ tests/c/test_sigaltstack.c -ldl

test-signals: $(BUILD)/tests/test_sigaltstack $(LIB)
	$(BUILD)/tests/test_sigaltstack $(abspath $(LIB))

sigstack-mem: $(BUILD)/tests/test_sigaltstack $(LIB)
	TELERADYOLOJI_SIGNAL_STACK_KIB=0 $(BUILD)/tests/test_sigaltstack $(abspath $(LIB)) --measure 128
	$(BUILD)/tests/test_sigaltstack $(abspath $(LIB)) --measure 128
	MEASURE_SIGNAL=1 $(BUILD)/tests/test_sigaltstack $(abspath $(LIB)) --measure 128
