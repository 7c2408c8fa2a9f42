//go:build windows

package sauvegarde

import (
	"bytes"
	"unsafe"

	"golang.org/x/sys/windows"
)

// proteger encrypts with DPAPI for the account running the agent (the
// service's): a copy of the file on another PC or account is useless.
func proteger(b []byte) ([]byte, error) {
	return dpapi(b, true)
}

func deproteger(b []byte) ([]byte, error) {
	return dpapi(b, false)
}

func dpapi(b []byte, chiffrer bool) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	in := windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
	var out windows.DataBlob
	var err error
	if chiffrer {
		err = windows.CryptProtectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out)
	} else {
		err = windows.CryptUnprotectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out)
	}
	if err != nil {
		return nil, err
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return bytes.Clone(unsafe.Slice(out.Data, out.Size)), nil
}
