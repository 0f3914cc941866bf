package main

/*
#include <stdint.h>
#include <stddef.h>
#include "logq.h"
*/
import "C"

import (
	"unsafe"

	"github.com/teleradyoloji/teleradyoloji/core"
)

// pushEvent is logx's sink: each event is copied into logq.c's queue (no
// lock, no wait), and the shim's delivery thread hands it to the host.
func pushEvent(level int32, event []byte) {
	if len(event) == 0 {
		return
	}
	C.logq_push(C.int32_t(level), (*C.char)(unsafe.Pointer(&event[0])), C.size_t(len(event)))
}

// trlgo_set_log turns Go's events on (up to maxLevel) or off; the shim has
// installed (or will remove) the host's function.
//
//export trlgo_set_log
func trlgo_set_log(on, maxLevel C.int32_t) (status C.int32_t) {
	defer guard(&status, nil)
	if on == 0 {
		core.SetLog(nil, 0)
		return 0
	}
	if maxLevel < C.int32_t(core.LogError) || maxLevel > C.int32_t(core.LogDebug) {
		return C.int32_t(core.InvalidArgument)
	}
	core.SetLog(pushEvent, int32(maxLevel))
	return 0
}

// trlgo_diagnose runs the connection doctor for a client's configuration.
//
//export trlgo_diagnose
func trlgo_diagnose(h C.uintptr_t, report **C.char, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut, report)
	c, err := client(h)
	if err == nil && report == nil {
		err = invalid("report_json must not be NULL")
	}
	if err != nil {
		return fail(errOut, err)
	}
	*report = cBytes(c.Diagnose().JSON())
	return 0
}
