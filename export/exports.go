// Command export builds libteleradyoloji (go build -buildmode=c-shared): the
// C ABI v1 of include/teleradyoloji.h over package core. It only translates:
// C strings and handles in, status codes, error JSON and malloc'd strings
// out. The exported trl_* symbols are C functions in shim.c that call the
// trlgo_* functions below.
package main

/*
#cgo linux LDFLAGS: -ldl
// -ldl: dlsym (shim.c) is in libdl before glibc 2.34 (the floor build, DESIGN.md pitfall 12)
#include <stdint.h>
#include <stdlib.h>
*/
import "C"

import (
	"unsafe"

	"github.com/teleradyoloji/teleradyoloji/core"
)

func main() {}

var (
	cVersion     = C.CString(core.Version) // static, never freed
	cStatusNames = func() []*C.char {
		names := make([]*C.char, 0, int(core.LastStatus)+2)
		for s := core.OK; s <= core.LastStatus+1; s++ {
			names = append(names, C.CString(s.Name())) // the last is TRL_E_UNKNOWN
		}
		return names
	}()
)

//export trlgo_abi_version
func trlgo_abi_version() C.int32_t { return core.ABIVersion }

//export trlgo_version
func trlgo_version() *C.char { return cVersion }

//export trlgo_status_name
func trlgo_status_name(status C.int32_t) *C.char {
	if status < 0 || int(status) >= len(cStatusNames)-1 {
		return cStatusNames[len(cStatusNames)-1]
	}
	return cStatusNames[status]
}

//export trlgo_client_new
func trlgo_client_new(configJSON *C.char, out *C.uintptr_t, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut)
	if out != nil {
		*out = 0
	}
	if configJSON == nil || out == nil {
		return fail(errOut, invalid("config_json and out must not be NULL"))
	}
	c, err := core.NewFromJSON([]byte(C.GoString(configJSON)))
	if err != nil {
		return fail(errOut, err)
	}
	*out = C.uintptr_t(register(c))
	return 0
}

//export trlgo_client_close
func trlgo_client_close(h C.uintptr_t) (status C.int32_t) {
	defer guard(&status, nil)
	if h == 0 {
		return 0
	}
	c, ok := unregister(uintptr(h))
	if !ok {
		return C.int32_t(core.BadHandle)
	}
	c.Close()
	return 0
}

//export trlgo_service_token
func trlgo_service_token(h C.uintptr_t, token **C.char, expiresAt *C.int64_t, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut, token)
	clearInt64(expiresAt)
	c, err := client(h)
	if err == nil && token == nil {
		err = invalid("token must not be NULL")
	}
	if err != nil {
		return fail(errOut, err)
	}
	tok, err := c.ServiceToken()
	return tokenResult(tok, err, token, expiresAt, errOut)
}

//export trlgo_viewer_token
func trlgo_viewer_token(h C.uintptr_t, doctorTC, patientTC *C.char, token **C.char, expiresAt *C.int64_t, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut, token)
	clearInt64(expiresAt)
	c, err := client(h)
	if err == nil && token == nil {
		err = invalid("token must not be NULL")
	}
	if err != nil {
		return fail(errOut, err)
	}
	tok, err := c.ViewerToken(goString(doctorTC), goString(patientTC))
	return tokenResult(tok, err, token, expiresAt, errOut)
}

func tokenResult(tok core.Token, err error, token **C.char, expiresAt *C.int64_t, errOut **C.char) C.int32_t {
	if err != nil {
		return fail(errOut, err)
	}
	*token = C.CString(tok.Value)
	if expiresAt != nil {
		*expiresAt = C.int64_t(tok.ExpiresAt.Unix())
	}
	return 0
}

//export trlgo_post_otac
func trlgo_post_otac(h C.uintptr_t, token, accession *C.char, otac **C.char, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut, otac)
	c, err := client(h)
	if err == nil && (token == nil || accession == nil || otac == nil) {
		err = invalid("token, accession and otac must not be NULL")
	}
	if err != nil {
		return fail(errOut, err)
	}
	value, err := c.PostOTAC(C.GoString(token), C.GoString(accession))
	return stringResult(value, err, otac, errOut)
}

//export trlgo_build_viewer_url
func trlgo_build_viewer_url(h C.uintptr_t, otac *C.char, url **C.char, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut, url)
	c, err := client(h)
	if err == nil && (otac == nil || url == nil) {
		err = invalid("otac and url must not be NULL")
	}
	if err != nil {
		return fail(errOut, err)
	}
	value, err := c.BuildViewerURL(C.GoString(otac))
	return stringResult(value, err, url, errOut)
}

//export trlgo_viewer_url
func trlgo_viewer_url(h C.uintptr_t, accession, doctorTC, patientTC *C.char, url **C.char, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut, url)
	c, err := client(h)
	if err == nil && (accession == nil || url == nil) {
		err = invalid("accession and url must not be NULL")
	}
	if err != nil {
		return fail(errOut, err)
	}
	value, err := c.ViewerURL(C.GoString(accession), goString(doctorTC), goString(patientTC))
	return stringResult(value, err, url, errOut)
}

//export trlgo_prefetch_viewer_token
func trlgo_prefetch_viewer_token(h C.uintptr_t, doctorTC, patientTC *C.char, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	clearOut(errOut)
	c, err := client(h)
	if err == nil {
		err = c.PrefetchViewerToken(goString(doctorTC), goString(patientTC))
	}
	if err != nil {
		return fail(errOut, err)
	}
	return 0
}

func stringResult(value string, err error, out **C.char, errOut **C.char) C.int32_t {
	if err != nil {
		return fail(errOut, err)
	}
	*out = C.CString(value)
	return 0
}

//export trlgo_call
func trlgo_call(h C.uintptr_t, method, path, jsonBody *C.char, httpStatus *C.int32_t, response **C.char, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	return call(h, method, path, jsonBody, httpStatus, response, nil, errOut)
}

//export trlgo_call_bytes
func trlgo_call_bytes(h C.uintptr_t, method, path, jsonBody *C.char, httpStatus *C.int32_t, response **C.char, responseLen *C.int64_t, errOut **C.char) (status C.int32_t) {
	defer guard(&status, errOut)
	return call(h, method, path, jsonBody, httpStatus, response, responseLen, errOut)
}

// call is trl_call and trl_call_bytes: the response (and its length) are
// filled on success and on TRL_E_HTTP, the server's answer.
func call(h C.uintptr_t, method, path, jsonBody *C.char, httpStatus *C.int32_t, response **C.char, responseLen *C.int64_t, errOut **C.char) C.int32_t {
	clearOut(errOut, response)
	clearInt64(responseLen)
	if httpStatus != nil {
		*httpStatus = 0
	}
	c, err := client(h)
	if err == nil && (method == nil || path == nil) {
		err = invalid("method and path must not be NULL")
	}
	if err != nil {
		return fail(errOut, err)
	}
	var body []byte
	if jsonBody != nil {
		body = []byte(C.GoString(jsonBody))
	}
	res, err := c.Call(C.GoString(method), C.GoString(path), body)
	if res.HTTPStatus != 0 {
		if httpStatus != nil {
			*httpStatus = C.int32_t(res.HTTPStatus)
		}
		if response != nil {
			*response = cBytes(res.Body)
			if responseLen != nil {
				*responseLen = C.int64_t(len(res.Body))
			}
		}
	}
	if err != nil {
		return fail(errOut, err)
	}
	return 0
}

// cBytes is a malloc'd NUL-terminated copy of b.
func cBytes(b []byte) *C.char {
	p := (*C.char)(C.malloc(C.size_t(len(b) + 1)))
	dst := unsafe.Slice((*byte)(unsafe.Pointer(p)), len(b)+1)
	copy(dst, b)
	dst[len(b)] = 0
	return p
}
