# The NuGet package, packed and consumed here (no .NET SDK: Debian's nuget 2.8 and xbuild, Mono):
#   make nupkg       $(NUPKG): the layout Teleradyoloji.csproj describes (bindings/dotnet/nuspec.py
#                    writes the .nuspec from it), the assembly built by mcs (below)
#   make test-nuget  tests/nuget/run.sh: installs it from a folder feed into a packages.config
#                    project, builds that for x86 and x64 with xbuild, checks the DLL pair beside
#                    the program (PE machine types; loaded under the matching Wine) and opens a
#                    study against the sandbox under Mono with the package's linux-x64 .so
NUGET_OUT := $(BUILD)/nuget
NUPKG     := $(NUGET_OUT)/Teleradyoloji.$(VERSION).nupkg
NUGET_CSPROJ := $(DOTNET_DIR)/Teleradyoloji/Teleradyoloji.csproj
# lib/netstandard2.0: Mono has no netstandard 2.0 reference assembly, only netstandard.dll as a
# facade of type forwarders. So mcs compiles against .NET Framework 4.7.1's reference assemblies
# (the first .NET Framework with netstandard 2.0 built in) plus that facade, and test-nuget checks
# that every type the assembly uses is one netstandard.dll forwards. The assembly then references
# mscorlib, System and System.Core 4.0.0.0, which .NET Framework 4.7.1+, .NET Core 2.0+/.NET 5+
# and Mono all have (not .NET Framework 4.6.1-4.7: it lacks RuntimeInformation in mscorlib).
NUGET_API := /usr/lib/mono/4.7.1-api
NUGET_LIB := $(NUGET_OUT)/lib/Teleradyoloji.Net.dll
LANG_TESTS += test-nuget

.PHONY: nuget-tools nupkg test-nuget

nuget-tools: dotnet-tools windows-tools
	@$(NEED) nuget nuget
	@$(NEED) mono-devel ikdasm
	@$(NEED) unzip unzip
	@$(NEED) util-linux unshare

# The folder too: a removed source file changes it.
$(NUGET_LIB): $(wildcard $(DOTNET_DIR)/Teleradyoloji/*.cs) $(DOTNET_DIR)/Teleradyoloji | nuget-tools
	@mkdir -p $(@D)
	$(DOTNET_MCS) -target:library -optimize+ -nostdlib -noconfig -lib:$(NUGET_API) -lib:$(NUGET_API)/Facades \
	  -r:mscorlib.dll -r:System.dll -r:System.Core.dll -r:netstandard.dll \
	  -doc:$(@:.dll=.xml) -out:$@ $(DOTNET_DIR)/Teleradyoloji/*.cs

# windows (mk/windows.mk, read after this file: its variables are not set yet here) makes the
# DLL pairs when they are out of date, so the package is packed again on each make (a second).
$(NUPKG): $(NUGET_LIB) $(LIB) windows $(NUGET_CSPROJ) $(DOTNET_DIR)/nuspec.py $(DOTNET_DIR)/README.md \
    $(wildcard $(DOTNET_DIR)/Teleradyoloji/build*/*.targets) LICENSE NOTICE | nuget-tools
	$(PYTHON) $(DOTNET_DIR)/nuspec.py $(NUGET_CSPROJ) $(VERSION) $(BUILD) $(NUGET_OUT)/lib > $(NUGET_OUT)/Teleradyoloji.nuspec
	rm -f $@
	nuget pack $(NUGET_OUT)/Teleradyoloji.nuspec -BasePath . -OutputDirectory $(NUGET_OUT) -NoPackageAnalysis -NonInteractive

nupkg: $(NUPKG)

# The Wine prefixes are those of make test-windows (made here if missing).
test-nuget: $(NUPKG) $(SANDBOX)
	$(MAKE) --no-print-directory $(WINEPREFIX_DIR)/.ready $(WINEPREFIX32_DIR)/.ready
	VERSION=$(VERSION) WINE64=$(WINE) WINE32=$(WINE32) WINEPREFIX64=$(WINEPREFIX_DIR) WINEPREFIX32=$(WINEPREFIX32_DIR) \
	  PYTHON=$(PYTHON) $(WITH_SANDBOX) tests/nuget/run.sh $(NUPKG) $(NUGET_CSPROJ) $(NUGET_API)/Facades/netstandard.dll $(NUGET_OUT)/test
