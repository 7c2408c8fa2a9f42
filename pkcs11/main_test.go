package pkcs11_test

import (
	"os"
	"testing"

	"xdemat/pkcs11/jetontest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jetontest.Nettoyer()
	os.Exit(code)
}
