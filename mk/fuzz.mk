# Fuzzing (core/fuzz_test.go): make test-fuzz (short, part of make test), make fuzz (long).
# Go fuzzes one target per invocation; each runs for FUZZTIME with FUZZ_PARALLEL workers.
# Inputs that fail are written to core/testdata/fuzz/<target>/: commit them, they then
# run as ordinary tests in every `go test`. The generated corpus stays in $(go env GOCACHE)/fuzz.
FUZZ_TARGETS := FuzzParseTokenResponse FuzzParseOTACResponse FuzzParseConfig \
                FuzzBuildViewerURL FuzzAPIPath FuzzRedact
FUZZTIME ?= 10m
FUZZ_PARALLEL ?= 2
# make test counts executions, not seconds: Go 1.26's coordinator can fail a timed
# run at its deadline with a bare "context deadline exceeded" on a busy machine
# (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline to race.
TEST_FUZZTIME ?= 20000x

LANG_TESTS += test-fuzz
.PHONY: fuzz test-fuzz

# Every target runs even when one fails; the recipe fails if any did.
define run-fuzz
	@rc=0; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: $$t for $(1)"; \
	  $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(1) -parallel=$(FUZZ_PARALLEL) ./core || rc=1; \
	done; exit $$rc
endef

# Each target for FUZZTIME (default 10m: an hour for the six), e.g. make fuzz FUZZTIME=1h.
fuzz:
	$(call run-fuzz,$(FUZZTIME))

# Each target for TEST_FUZZTIME (20,000 inputs: about a minute for the six).
test-fuzz:
	$(call run-fuzz,$(TEST_FUZZTIME))
