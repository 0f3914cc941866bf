# test-version: the Makefile's VERSION is the version of every artifact (tests/version/check.py):
# trl_version() and the .so's name and soname, teleradyoloji.pc, both DLLs' version resources,
# the wheels and the sdist, and the NuGet package (its .csproj's import, evaluated by xbuild;
# the check also proves the .csproj import reads this Makefile).
LANG_TESTS += test-version
.PHONY: test-version

test-version: $(LIB) windows python-wheel dotnet-tools
	@$(NEED) binutils objdump
	@rm -rf $(BUILD)/version && $(MAKE) -s install PREFIX=/usr DESTDIR=$(abspath $(BUILD))/version >/dev/null
	$(PYTHON) tests/version/check.py $(VERSION) $(BUILD) $(PY_DIST) $(BUILD)/version/usr/lib/pkgconfig/teleradyoloji.pc \
	  "$$(xbuild /nologo /v:minimal tests/version/nuget.proj | sed -n 's/^[[:space:]]*nuget-version=//p')"
