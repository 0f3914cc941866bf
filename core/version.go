package core

// Version is the library's version.
const Version = "1.0.0"

// ABIVersion is the C ABI's version (TRL_ABI_VERSION).
const ABIVersion = 1
