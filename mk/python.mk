# Python binding (bindings/python): test-python, python-wheel, bench-python.
# python-wheel needs the Windows DLLs too (mk/windows.mk, mingw-w64).
# PYTHON is Debian's python3, the one python3-setuptools/-wheel/-venv serve;
# any CPython 3.8+ with setuptools, wheel, pip and venv will do.
PYTHON ?= /usr/bin/python3
PY_DIR := bindings/python
PY_STAGE := $(BUILD)/python/stage
PY_DIST := $(BUILD)/python/dist
PY_DEBS := python3 python3-setuptools python3-wheel python3-pip python3-venv
PY_CHECK := $(PYTHON) -c 'import setuptools, wheel, pip, venv, ensurepip' 2>/dev/null

LANG_TESTS += test-python
.PHONY: python-tools python-wheel test-python bench-python

# Installs what the wheel and its venv test need (as root), else says how.
python-tools:
	@scripts/need.sh python3 $(PYTHON)
	@scripts/need.sh gcc cc
	@$(PY_CHECK) || { \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "missing Python build tools: run  sudo apt-get install -y $(PY_DEBS)  and try again" >&2; exit 1; fi; \
	  echo "python.mk: installing $(PY_DEBS)" >&2; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PY_DEBS) >/dev/null 2>&1 || { \
	    apt-get update -qq >/dev/null 2>&1; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PY_DEBS) >/dev/null; }; \
	  $(PY_CHECK) || { echo "python.mk: $(PYTHON) still lacks setuptools/wheel/pip/venv" >&2; exit 1; }; }

# Dev tools for the packaging tests, from PyPI once, kept in a cache outside
# the repository (never a runtime dependency): auditwheel in its own venv, and
# the build backend's wheels, so that the sdist test builds with pip's build
# isolation and --no-index.
PY_TOOLS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/teleradyoloji/python-tools-2
PY_TOOLS_PINS := auditwheel==6.8.2
PY_BUILD_PINS := setuptools==84.2.1 wheel==0.48.0

$(PY_TOOLS)/.ready:
	@scripts/need.sh python3 $(PYTHON)
	rm -rf $(PY_TOOLS) && mkdir -p $(PY_TOOLS)
	$(PYTHON) -m venv $(PY_TOOLS)/venv
	PIP_DISABLE_PIP_VERSION_CHECK=1 $(PY_TOOLS)/venv/bin/pip install -q $(PY_TOOLS_PINS)
	PIP_DISABLE_PIP_VERSION_CHECK=1 $(PY_TOOLS)/venv/bin/pip download -q -d $(PY_TOOLS)/wheels $(PY_BUILD_PINS)
	touch $@

# The wheels (manylinux_2_17_x86_64, win_amd64, win32), each with its native
# library, and the sdist (Go sources, modules vendored); built offline, again
# only when one of their inputs changed.
PY_SOURCES := $(wildcard $(PY_DIR)/teleradyoloji/*.py) $(PY_DIR)/teleradyoloji/py.typed \
  $(addprefix $(PY_DIR)/,setup.py pyproject.toml README.md MANIFEST.in)
PY_DLLS := $(BUILD)/windows-amd64/teleradyoloji.dll $(BUILD)/windows-386/teleradyoloji.dll
PY_CORE_DLLS := $(BUILD)/windows-amd64/teleradyoloji-core.dll $(BUILD)/windows-386/teleradyoloji-core.dll

python-wheel: python-tools windows $(PY_DIST)/.built

$(PY_DIST)/.built: $(LIB) $(PY_DLLS) $(PY_CORE_DLLS) $(PY_SOURCES) $(GO_SOURCES) scripts/python-dist.sh Makefile LICENSE NOTICE
	scripts/python-dist.sh $(PYTHON) $(VERSION) $(PY_STAGE) $(PY_DIST) $(LIB_FILE) $(PY_DLLS)
	touch $@

test-python: $(SANDBOX) python-wheel $(PY_TOOLS)/.ready
	TRL_PYTHON_WHEEL_DIR=$(abspath $(PY_DIST)) TRL_AUDITWHEEL=$(PY_TOOLS)/venv/bin/auditwheel \
	  TRL_PYTHON_BUILD_WHEELS=$(PY_TOOLS)/wheels TRL_VERSION=$(VERSION) \
	  scripts/with-sandbox.sh $(PYTHON) $(PY_DIR)/tests/run.py

bench-python: python-tools
	scripts/with-sandbox.sh $(PYTHON) $(PY_DIR)/bench/bench_viewer_url.py
