//go:build !windows

package main

// consoleUTF8: terminals outside Windows take UTF-8 as it is.
func consoleUTF8() {}
