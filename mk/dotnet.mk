# .NET binding (bindings/dotnet): test-dotnet. No .NET SDK here: the sources are compiled
# with Debian Mono's mcs (C# 6, as the .csproj's LangVersion) and tested under mono against
# $(LIB) and the sandbox. bindings/dotnet/Teleradyoloji/Teleradyoloji.csproj packs the NuGet
# package where a .NET SDK exists; mk/nuget.mk packs it here with Mono's nuget.
DOTNET_DIR := bindings/dotnet
DOTNET_OUT := $(BUILD)/dotnet
DOTNET_MCS := mcs -langversion:6 -warnaserror+
LANG_TESTS += test-dotnet

.PHONY: dotnet-tools dotnet-build test-dotnet

# mcs and mono; gdb for the thread dump of a hung test; xbuild to drive the package's targets.
dotnet-tools:
	@scripts/need.sh "mono-mcs mono-runtime" mcs mono
	@scripts/need.sh gdb gdb
	@scripts/need.sh mono-xbuild xbuild

# The library is compiled with its XML documentation (-doc:, what the .csproj packs for
# IntelliSense) and warnings as errors: a public member without a /// comment is error CS1591.
dotnet-build: dotnet-tools
	@mkdir -p $(DOTNET_OUT)
	$(DOTNET_MCS) -target:library -doc:$(DOTNET_OUT)/Teleradyoloji.Net.xml \
	  -out:$(DOTNET_OUT)/Teleradyoloji.Net.dll $(DOTNET_DIR)/Teleradyoloji/*.cs
	$(DOTNET_MCS) -out:$(DOTNET_OUT)/LoaderTests.exe $(DOTNET_DIR)/Teleradyoloji/*.cs $(DOTNET_DIR)/tests/loader/*.cs
	$(DOTNET_MCS) -r:$(DOTNET_OUT)/Teleradyoloji.Net.dll -out:$(DOTNET_OUT)/TestRunner.exe \
	  $(DOTNET_DIR)/tests/*.cs $(DOTNET_DIR)/Teleradyoloji/MiniJson.cs
	$(DOTNET_MCS) -r:$(DOTNET_OUT)/Teleradyoloji.Net.dll -out:$(DOTNET_OUT)/OpenStudy.exe examples/dotnet/OpenStudy.cs

# Mono maps DllImport("teleradyoloji") to libteleradyoloji.so and finds it on LD_LIBRARY_PATH.
# tests/loader.sh: the library beside the binding, and the loader's reasons when it cannot load.
test-dotnet: dotnet-build
	@test -f $(LIB) || { echo "test-dotnet: $(LIB) is missing: run make build first" >&2; exit 1; }
	LD_LIBRARY_PATH=$(abspath $(BUILD))$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} \
	  scripts/with-sandbox.sh $(DOTNET_DIR)/tests/run.sh $(DOTNET_OUT)
	scripts/with-sandbox.sh $(DOTNET_DIR)/tests/loader.sh $(DOTNET_OUT) $(abspath $(LIB_FILE))
