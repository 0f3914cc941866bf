// Command atomicalign runs golang.org/x/tools' atomicalign analyzer: a 64-bit
// sync/atomic call on a field that a 32-bit platform (386, the x86 Windows
// DLL) may not align to 8 bytes.  Its own module, so the library's go.mod
// does not need x/tools; mk/windows.mk builds it into build/tools.
package main

import (
	"golang.org/x/tools/go/analysis/passes/atomicalign"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() { singlechecker.Main(atomicalign.Analyzer) }
