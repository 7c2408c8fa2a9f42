package helios

import (
	"testing"
)

func TestEncodagesLus(t *testing.T) {
	modele := func(decl string, poste []byte) []byte {
		b := []byte(`<?xml version="1.0" encoding="` + decl + `"?>` + "\n" + `<n:PES_Retour xmlns:n="` + NamespaceRetour + `"><EnTetePES><IdColl V="21510108000019"/><LibellePoste V="`)
		b = append(b, poste...)
		return append(b, []byte(`"/></EnTetePES></n:PES_Retour>`)...)
	}
	cas := []struct {
		nom     string
		doc     []byte
		attendu string
	}{
		{"ISO-8859-1", modele("ISO-8859-1", []byte("Tr\xE9sorerie d'\xC9pernay")), "Trésorerie d'Épernay"},
		{"latin1 en minuscules", modele("latin1", []byte("\xE0 \xE7")), "à ç"},
		{"UTF-8", modele("UTF-8", []byte("Trésorerie d'Épernay")), "Trésorerie d'Épernay"},
		{"UTF-8 avec BOM", append([]byte("\xEF\xBB\xBF"), modele("UTF-8", []byte("Œuvre"))...), "Œuvre"},
		{"Windows-1252", modele("windows-1252", []byte("\x80 \x9C\x92")), "€ œ’"},
		{"ISO-8859-15", modele("ISO-8859-15", []byte("\xA4 \xBD")), "€ œ"},
		{"référence numérique", modele("ISO-8859-1", []byte("&#x20AC;")), "€"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			r, err := LireRetour(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			if r.EnTete.LibellePoste != c.attendu {
				t.Errorf("%q, attendu %q", r.EnTete.LibellePoste, c.attendu)
			}
		})
	}
}

func TestEcritureLatin1(t *testing.T) {
	a := &Acquit{Enveloppe: Enveloppe{NomFic: "f", EmetteurSigle: "x\x01y\tz"}, Elements: []ElementAcquit{{Accepte: true, IdUnique: "A"}}}
	b, err := EcrireAcquit(a)
	if err != nil {
		t.Fatal(err)
	}
	relu, err := LireAcquit(b)
	if err != nil {
		t.Fatal(err)
	}
	// A control character cannot be written in XML 1.0; the tab survives as a reference.
	if relu.Enveloppe.EmetteurSigle != "x y\tz" {
		t.Errorf("%q", relu.Enveloppe.EmetteurSigle)
	}
}
