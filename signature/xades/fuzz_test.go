package xades

import (
	"testing"

	"xdemat/signature"
)

// FuzzVerifier feeds the verifier (reader, canonicaliser, XAdES checks)
// with mangled PES: it must answer or refuse, never panic nor loop.
func FuzzVerifier(f *testing.F) {
	// ECDSA: an RSA key generated under fuzzing instrumentation takes
	// seconds in every worker.
	s := nouveauSignataire(f, true)
	synth := lireTestdata(f, "pes-synthetique-latin1.xml")
	signe, _ := signer(f, s, synth, parametresMaire)
	f.Add(signe)
	f.Add(synth)
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><a xmlns="u" xmlns:p="v"><p:b Id="x" p:c="&lt;&#233;"><![CDATA[<&>]]><?pi data?></p:b><ds:Signature xmlns:ds="` + nsDS + `"><ds:SignedInfo><ds:Reference URI="#x"/></ds:SignedInfo></ds:Signature></a>`))
	f.Add([]byte("\xef\xbb\xbf<a\r\n b='1\t2'>&amp;\r</a>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Verifier(b, OptionsVerification{})
		if err == nil && len(res) == 0 {
			t.Fatal("ni résultat ni erreur")
		}
	})
}

// FuzzPreparer checks that any accepted input gives a document our own
// verifier reads back with every signature valid.
func FuzzPreparer(f *testing.F) {
	// ECDSA: an RSA key generated under fuzzing instrumentation takes
	// seconds in every worker.
	s := nouveauSignataire(f, true)
	f.Add(lireTestdata(f, "pes-synthetique-latin1.xml"), false)
	f.Add([]byte(`<n:PES_Aller xmlns:n="`+nsPES+`" xmlns="urn:d"><E/><P><Bordereau Id="b"><x xml:lang="fr" a="&quot;"/></Bordereau></P></n:PES_Aller>`), false)
	f.Add([]byte(`<n:PES_Aller xmlns:n="`+nsPES+`"><E/><!-- c --><P><Bordereau>t&#xD;</Bordereau></P></n:PES_Aller>`), true)
	f.Fuzz(func(t *testing.T, b []byte, global bool) {
		p := parametresMaire
		p.Global = global
		prep, emps, err := Preparer(b, s.cert, nil, p)
		if err != nil {
			return
		}
		vals := make([][]byte, len(emps))
		for i, e := range emps {
			if vals[i], err = signature.Signer(s.cle, e); err != nil {
				t.Fatal(err)
			}
		}
		signe, err := prep.Assembler(vals)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Verifier(signe, OptionsVerification{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if !r.Valide {
				t.Fatalf("signature préparée puis vérifiée invalide : %v", r)
			}
		}
	})
}
