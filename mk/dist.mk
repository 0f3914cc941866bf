# Release artifacts (scripts/dist.sh lists them):
#   make dist               dist/: the Windows zip, the Linux tarball, the wheels and
#                           sdist, the nupkg, the SBOM, SHA256SUMS
#   make test-dist          the layout of each artifact (tests/dist/check.py); in make test
#   make test-reproducible  two make dist from clean clones of HEAD, at other paths,
#                           times, TZ, umask and Go cache, compared byte for byte
#                           (tests/dist/reproducible.sh; not in make test: ~6 minutes, the
#                           second run builds with an empty Go cache)
DIST := dist
# Archive member times: the commit's time (reproducible-builds.org's
# SOURCE_DATE_EPOCH), given to the scripts only: the builds need no time.
DIST_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null))
# The SBOM tool, installed once with go install (pinned) into a cache outside
# the repository; it runs offline after that.
SBOM_TOOL_VERSION := v1.10.0
SBOM_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/teleradyoloji/cyclonedx-gomod-$(SBOM_TOOL_VERSION)
SBOM_TOOL := $(SBOM_DIR)/cyclonedx-gomod
DIST_WIN_SANDBOXES := $(BUILD)/windows-amd64/teleradyoloji-sandbox.exe $(BUILD)/windows-386/teleradyoloji-sandbox.exe

LANG_TESTS += test-dist
.PHONY: dist test-dist test-reproducible

$(SBOM_TOOL):
	GOBIN=$(SBOM_DIR) GOFLAGS= $(GO) install github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$(SBOM_TOOL_VERSION)

# The sandbox for Windows, so that the zip alone opens a study: pure Go.
$(BUILD)/windows-%/teleradyoloji-sandbox.exe: $(GO_SOURCES)
	@mkdir -p $(@D)
	CGO_ENABLED=0 GOOS=windows GOARCH=$* $(GO) build -trimpath -ldflags "-s -w -buildid=" -o $@ ./cmd/teleradyoloji-sandbox

# NUPKG and the nupkg target come from mk/nuget.mk (branch nuget).
# TODO(merge): if mk/nuget.mk names them otherwise, set NUPKG to the .nupkg's
# path and make it with the target that packs it; until then dist has no nupkg.
dist: build windows python-wheel $(DIST_WIN_SANDBOXES) $(SBOM_TOOL)
	@test -n "$(DIST_EPOCH)" || { echo "make dist: no commit time (not a git checkout?): set SOURCE_DATE_EPOCH" >&2; exit 1; }
	$(if $(wildcard mk/nuget.mk),$(if $(NUPKG),$(MAKE) --no-print-directory nupkg,$(error mk/nuget.mk defines no NUPKG)))
	rm -rf $(BUILD)/dist-root
	$(MAKE) --no-print-directory -s install PREFIX=/usr/local DESTDIR=$(abspath $(BUILD))/dist-root >/dev/null
	SOURCE_DATE_EPOCH=$(DIST_EPOCH) VERSION=$(VERSION) BUILD=$(BUILD) LINUX_ROOT=$(BUILD)/dist-root PY_DIST=$(PY_DIST) NUPKG=$(NUPKG) \
	  SBOM_TOOL=$(SBOM_TOOL) PYTHON=$(PYTHON) scripts/dist.sh $(DIST)

test-dist: dist
	@$(MAKE) --no-print-directory -s $(PY_TOOLS)/.ready $(WINEPREFIX_DIR)/.ready
	@$(NEED) binutils-mingw-w64 x86_64-w64-mingw32-objdump i686-w64-mingw32-objdump
	SOURCE_DATE_EPOCH=$(DIST_EPOCH) TRL_AUDITWHEEL=$(PY_TOOLS)/venv/bin/auditwheel NUPKG=$(NUPKG) TRL_WINE=$(WINE) $(call wine_env,amd64) \
	  $(PYTHON) tests/dist/check.py $(VERSION) $(DIST)

test-reproducible:
	tests/dist/reproducible.sh
