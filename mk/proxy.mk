# test-proxy: the library and the doctor behind a real squid (Debian's
# squid-openssl) on 127.0.0.1: Basic auth, a wrong password, ssl_bump with
# its own CA; the sandbox reached by names only squid resolves
# (tests/proxy/run.sh, tests/proxy/squid.sh).
LANG_TESTS += test-proxy
.PHONY: test-proxy squid-tools

squid-tools:
	@$(NEED) squid-openssl squid /usr/lib/squid/security_file_certgen
	@$(NEED) openssl openssl
	@$(NEED) curl curl
	@$(NEED) util-linux unshare

$(BUILD)/tests/proxy_click: tests/proxy/click.c include/teleradyoloji.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TEST) -o $@ $< $(LINK_LIB)

test-proxy: squid-tools $(LIB) $(SANDBOX) $(DOCTOR) $(BUILD)/tests/proxy_click
	timeout 600 tests/proxy/pinned-dns.sh tests/proxy/run.sh $(BUILD)
