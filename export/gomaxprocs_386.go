//go:build 386

package main

import (
	"os"
	"runtime"
)

// A 32-bit host has 2 GiB of address space, and each thread the Go runtime
// starts takes a stack of the host executable's default reserve (1 MiB for
// Delphi, 2 MiB for MinGW; Wine commits it whole). The runtime keeps about
// GOMAXPROCS threads running plus those parked, so on an 8-core PC the
// library would hold twice the stacks of a 2-core one. Its work is waiting on
// the network: two are enough, and the cost is then the same on every PC
// (docs/windows.md#32-bit-x86-is-run). A host that sets GOMAXPROCS keeps its choice.
func init() {
	if os.Getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) > 2 {
		runtime.GOMAXPROCS(2)
	}
}
