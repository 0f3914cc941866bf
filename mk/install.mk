# C library install (Linux): make install [PREFIX=/usr/local] [DESTDIR=stage] [LIBDIR=…]
#   $(INCLUDEDIR)/teleradyoloji.h
#   $(LIBDIR)/libteleradyoloji.so.$(VERSION)          the library (soname libteleradyoloji.so.1)
#   $(LIBDIR)/libteleradyoloji.so.1 -> .so.$(VERSION)  what programs load
#   $(LIBDIR)/libteleradyoloji.so   -> .so.1          what -lteleradyoloji links
#   $(LIBDIR)/pkgconfig/teleradyoloji.pc
# The .pc adds -Wl,-rpath,$(LIBDIR) unless LIBDIR is a directory the dynamic
# loader searches anyway (/usr/lib*, /lib*): a program built with
# `pkg-config --libs teleradyoloji` then runs from any prefix. PC_RPATH=no
# leaves it out (and LD_LIBRARY_PATH or ld.so.conf must name LIBDIR).
# Without DESTDIR, as root, ldconfig refreshes the loader's cache.
#   make test-install   installs into a temporary prefix and builds and runs
#                       examples/c/viewer_url.c through pkg-config (and with the
#                       docs/c.md's line) against the sandbox.
PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PC_RPATH   ?= $(if $(filter /usr/lib /usr/lib/% /lib /lib/% /usr/lib64 /lib64,$(LIBDIR)),no,yes)

LANG_TESTS += test-install
.PHONY: install test-install

install: $(LIB)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/teleradyoloji.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 755 $(LIB_FILE) $(DESTDIR)$(LIBDIR)/
	ln -sfn $(notdir $(LIB_FILE)) $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SONAME))
	ln -sfn $(notdir $(LIB_SONAME)) $(DESTDIR)$(LIBDIR)/$(notdir $(LIB))
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' -e 's|@ABI@|$(ABI)|' \
	    -e 's|@RPATH@|$(if $(filter yes,$(PC_RPATH)), -Wl$(comma)-rpath$(comma)$${libdir})|' \
	    mk/teleradyoloji.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/teleradyoloji.pc
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

test-install: $(LIB) $(SANDBOX)
	@$(NEED) pkg-config pkg-config
	@$(NEED) binutils objdump
	tests/install/run.sh $(VERSION)
