package surveillance

import (
	"bytes"
	"testing"
)

// FuzzXMLIncomplet: whatever lands in the folder, the completeness check
// answers without panicking, and a whole document stays whole.
func FuzzXMLIncomplet(f *testing.F) {
	f.Add(pes("A"))
	f.Add(pes("A")[:40])
	f.Add([]byte("\xEF\xBB\xBF<a/>"))
	f.Add([]byte(`<?xml version="1.0" encoding="EBCDIC"?><a/>`))
	f.Add([]byte("%PDF-1.7"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if xmlIncomplet(bytes.NewReader(b)) == "" && xmlIncomplet(bytes.NewReader(append(b, "<"...))) == "" {
			t.Fatal("un document suivi d'une balise ouverte ne peut pas être complet")
		}
	})
}
