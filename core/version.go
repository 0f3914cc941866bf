package core

// Version is the library's version. The Makefile's VERSION is stamped in at
// link time (-ldflags -X …/core.Version=…); a build that skips the Makefile,
// such as `go test`, says what it is.
var Version = "0.0.0-dev"

// ABIVersion is the C ABI's version (TRL_ABI_VERSION).
const ABIVersion = 1
