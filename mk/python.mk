# Python binding (bindings/python): test-python, python-wheel, bench-python.
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

# A py3-none-<platform> wheel with the library bundled, built offline.
python-wheel: python-tools
	@test -f $(LIB) || { echo "python-wheel: $(LIB) is missing: run make build first" >&2; exit 1; }
	@rm -rf $(PY_STAGE) $(PY_DIST) && mkdir -p $(PY_STAGE) $(PY_DIST)
	@cp -R $(PY_DIR)/pyproject.toml $(PY_DIR)/setup.py $(PY_DIR)/README.md $(PY_DIR)/teleradyoloji $(PY_STAGE)/
	@rm -rf $(PY_STAGE)/teleradyoloji/__pycache__ && cp $(LIB) $(PY_STAGE)/teleradyoloji/
	cd $(PY_STAGE) && PIP_DISABLE_PIP_VERSION_CHECK=1 $(PYTHON) -m pip wheel -q \
	  --no-build-isolation --no-deps --no-index -w $(abspath $(PY_DIST)) .
	@ls $(PY_DIST)/*.whl

test-python: python-wheel
	TRL_PYTHON_WHEEL_DIR=$(abspath $(PY_DIST)) scripts/with-sandbox.sh $(PYTHON) $(PY_DIR)/tests/run.py

bench-python: python-tools
	scripts/with-sandbox.sh $(PYTHON) $(PY_DIR)/bench/bench_viewer_url.py
