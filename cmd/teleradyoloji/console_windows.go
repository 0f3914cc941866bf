package main

import "syscall"

// consoleUTF8 makes the Windows console show the report's Turkish letters:
// the report is UTF-8, and a console keeps the OEM code page (857 in
// Turkey) unless told otherwise. Redirected output is not affected.
func consoleUTF8() {
	const cpUTF8 = 65001
	proc := syscall.NewLazyDLL("kernel32.dll").NewProc("SetConsoleOutputCP")
	if proc.Find() == nil {
		proc.Call(cpUTF8)
	}
}
