# The bindings in 32-bit processes (issue 18, point 5): pointer-size and calling-convention
# mistakes (a cdecl callback declared stdcall, an IntPtr read as 8 bytes, an int64_t* out
# parameter) show only there. A GOARCH=386 build of the library, made for this test (it does
# not ship), is put where the bindings' tests look (build/ inside the Debian 12 i386 tree of
# scripts/floor.sh --i386, made once outside the repository); there the i386 python3 runs
# the Python tests and the i386 mono the .NET tests (compiled by the tree's mcs), with their
# log callbacks and the 16-thread + GC stress, against the host's sandbox on 127.0.0.1.
X86_BUILD := $(BUILD)/x86-linux
X86_LIB := $(X86_BUILD)/libteleradyoloji.so
X86_RUN := env TRL_FLOOR_BUILD=$(abspath $(X86_BUILD)) $(FLOOR) --i386 run
# Packaging tests of the x86_64 wheel and sdist have nothing 32-bit, and test_gunicorn
# installs gunicorn with pip: test-python runs them on the host.
X86_PY_EXCLUDE := test_dist,test_wheel,test_gunicorn

LANG_TESTS += test-x86-linux
.PHONY: test-x86-linux

# Inside the tree "build/" is $(X86_BUILD); the tree's gcc is the i386 cgo compiler.
$(X86_LIB): $(GO_SOURCES) include/teleradyoloji.h mk/x86.mk scripts/floor.sh
	@mkdir -p $(X86_BUILD)
	$(GO) mod download
	$(X86_RUN) env GOARCH=386 go build -trimpath -buildmode=c-shared -ldflags "$(LDFLAGS_SO)" \
	  -o build/$(notdir $(LIB_FILE)) ./export
	@rm -f $(X86_BUILD)/libteleradyoloji*.h
	ln -sfn $(notdir $(LIB_FILE)) $(X86_BUILD)/$(notdir $(LIB_SONAME))
	ln -sfn $(notdir $(LIB_SONAME)) $@

test-x86-linux: $(X86_LIB) $(SANDBOX)
	$(X86_RUN) sh -c 'test "$$(od -An -tu1 -j4 -N1 build/$(notdir $(LIB_FILE)) | tr -d " ")" = 1 && \
	  echo "x86 tree: Debian $$(cat /etc/debian_version) $$(dpkg --print-architecture)," \
	  "python3 $$(python3 -c "import platform; print(*platform.architecture()[:1], platform.python_version())")," \
	  "$$(mono --version | head -n1 | cut -d" " -f1,5), library ELFCLASS32"'
	$(WITH_SANDBOX) $(X86_RUN) env TRL_PYTHON_EXCLUDE=$(X86_PY_EXCLUDE) python3 $(PY_DIR)/tests/run.py
	$(X86_RUN) make --no-print-directory dotnet-build
	$(WITH_SANDBOX) $(X86_RUN) env LD_LIBRARY_PATH=$(CURDIR)/build $(DOTNET_DIR)/tests/run.sh build/dotnet
	$(WITH_SANDBOX) $(X86_RUN) $(DOTNET_DIR)/tests/loader.sh build/dotnet $(CURDIR)/build/$(notdir $(LIB_FILE))
