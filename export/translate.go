package main

/*
#include <stdint.h>
#include <stdlib.h>
*/
import "C"

import (
	"unsafe"

	"github.com/teleradyoloji/teleradyoloji/core"
)

// client finds the client behind a handle.
func client(h C.uintptr_t) (*core.Client, error) {
	c, ok := lookup(uintptr(h))
	if !ok {
		return nil, &core.Error{Status: core.BadHandle, Message: "invalid, closed or unknown client handle"}
	}
	return c, nil
}

func invalid(msg string) error {
	return &core.Error{Status: core.InvalidArgument, Message: msg}
}

// fail writes err's JSON to *errOut (when wanted) and returns its status.
func fail(errOut **C.char, err error) C.int32_t {
	if errOut != nil {
		*errOut = cBytes(core.ErrorJSON(err))
	}
	return C.int32_t(core.StatusOf(err))
}

// guard turns a panic into TRL_E_INTERNAL; deferred by every export.
func guard(status *C.int32_t, errOut **C.char) {
	if r := recover(); r != nil {
		*status = C.int32_t(core.Internal)
		if errOut != nil {
			if *errOut != nil {
				C.free(unsafe.Pointer(*errOut))
			}
			*errOut = cBytes(core.ErrorJSON(&core.Error{Status: core.Internal, Message: "internal error (recovered panic)"}))
		}
	}
}

// clearOut sets each non-NULL out-pointer to NULL on entry.
func clearOut(outs ...**C.char) {
	for _, p := range outs {
		if p != nil {
			*p = nil
		}
	}
}

func clearInt64(p *C.int64_t) {
	if p != nil {
		*p = 0
	}
}

// goString copies a C string; NULL is "".
func goString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}
