package xades

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"xdemat/internal/pkitest"
	"xdemat/internal/verificateurs"
	"xdemat/signature"
)

// signataire is a key in memory and its certificate from the test CA.
type signataire struct {
	ac   *pkitest.AC
	cle  crypto.Signer
	cert *x509.Certificate
}

func nouveauSignataire(t testing.TB, ecdsaCle bool) signataire {
	t.Helper()
	ac := pkitest.NouvelleAC(t)
	var k crypto.Signer = pkitest.CleRSA(t)
	if ecdsaCle {
		var err error
		if k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	return signataire{ac: ac, cle: k, cert: ac.Emettre(t, k.Public(), pkitest.Signataire{Nom: "Marie Lefèvre"})}
}

var parametresMaire = Parametres{
	Role: "Adjoint par délégation",
	Lieu: Lieu{Ville: "Écury-sur-Coole", CodePostal: "51240", Pays: "France"},
}

// signer runs the two steps as the agent and the app do, with the
// Preparation going through JSON in between (the agent may restart).
func signer(t testing.TB, s signataire, pes []byte, p Parametres) ([]byte, *Preparation) {
	t.Helper()
	prep, emps, err := Preparer(pes, s.cert, nil, p)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(prep)
	if err != nil {
		t.Fatal(err)
	}
	var relue Preparation
	if err := json.Unmarshal(js, &relue); err != nil {
		t.Fatal(err)
	}
	valeurs := make([][]byte, len(emps))
	for i, e := range emps {
		if valeurs[i], err = signature.Signer(s.cle, e); err != nil {
			t.Fatal(err)
		}
	}
	signe, err := relue.Assembler(valeurs)
	if err != nil {
		t.Fatal(err)
	}
	return signe, prep
}

var (
	reSignature = regexp.MustCompile(`(?s)<ds:Signature .*?</ds:Signature>`)
	reIdAjoute  = regexp.MustCompile(` Id="(BORD|PES)\d+"`)
)

// sansSignatures removes what Preparer added: the signatures and the Ids
// given to bordereaux that had none.
func sansSignatures(b []byte) []byte {
	return reIdAjoute.ReplaceAll(reSignature.ReplaceAll(b, nil), nil)
}

// xmlsec1 checks each signature (selected by its Id) as an independent
// implementation of XML-DSig would.
func xmlsec1(t *testing.T, signe []byte, ids []string, ac *x509.Certificate) error {
	t.Helper()
	for _, id := range ids {
		out, err := verificateurs.Xmlsec1(t, signe, id, ac, "Bordereau", nsPES+":PES_Aller", nsXAdES+":SignedProperties", nsDS+":Signature")
		if err != nil {
			return &erreurOutil{out}
		}
		if !strings.Contains(out, "SignedInfo References (ok/all): 2/2") {
			t.Fatalf("xmlsec1 : %s", out)
		}
	}
	return nil
}

type erreurOutil struct{ sortie string }

func (e *erreurOutil) Error() string { return e.sortie }

// xmllint validates against the PES_Aller XSD of the fixtures.
func xmllint(t *testing.T, signe []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Log("xmllint absent : validation XSD non faite")
		return
	}
	xsd := filepath.Join(dossierFixtures(t), "protocols", "helios", "xsd", "PES_V2", "Rev0", "PES_Aller.xsd")
	if _, err := os.Stat(xsd); err != nil {
		t.Log("XSD PES_Aller absente des fixtures : validation XSD non faite")
		return
	}
	f := filepath.Join(t.TempDir(), "signe.xml")
	if err := os.WriteFile(f, signe, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput(); err != nil {
		t.Fatalf("le PES signé ne respecte pas le schéma PES_Aller : %s", out)
	}
}

func lireTestdata(t testing.TB, nom string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", nom))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pesALR2Nu is the real Berger-Levrault PES with its signature removed.
func pesALR2Nu(t testing.TB) []byte {
	return reSignature.ReplaceAll(lireFixture(t, "signed/PESALR2_25060187900027_190328_001.xml"), nil)
}

func TestSignerEtVerifier(t *testing.T) {
	cas := []struct {
		nom        string
		pes        func(testing.TB) []byte
		global     bool
		ecdsa      bool
		signatures int
	}{
		{"PES synthétique ISO-8859-1, un bordereau sans Id, RSA par bordereau", func(t testing.TB) []byte { return lireTestdata(t, "pes-synthetique-latin1.xml") }, false, false, 2},
		{"PES synthétique, signature globale RSA", func(t testing.TB) []byte { return lireTestdata(t, "pes-synthetique-latin1.xml") }, true, false, 1},
		{"PES synthétique, clé ECDSA par bordereau", func(t testing.TB) []byte { return lireTestdata(t, "pes-synthetique-latin1.xml") }, false, true, 2},
		{"PES_ex des fixtures par bordereau", func(t testing.TB) []byte { return lireFixture(t, "PES_ex.xml") }, false, false, 1},
		{"PESALR2 réel sans sa signature, par bordereau", pesALR2Nu, false, false, 1},
		{"PESALR2 réel sans sa signature, global", pesALR2Nu, true, false, 1},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			pes := c.pes(t)
			s := nouveauSignataire(t, c.ecdsa)
			p := parametresMaire
			p.Global = c.global
			signe, prep := signer(t, s, pes, p)
			if len(prep.Signatures) != c.signatures {
				t.Fatalf("%d signatures, %d attendues", len(prep.Signatures), c.signatures)
			}
			// Everything outside the signatures keeps its bytes (encoding
			// declaration, CRLF, accents in ISO-8859-1, comments).
			if !bytes.Equal(sansSignatures(signe), pes) {
				t.Fatal("le PES signé diffère de l'original hors des signatures")
			}
			res, err := Verifier(signe, OptionsVerification{Racines: []*x509.Certificate{s.ac.Cert}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i, r := range res {
				if !r.Valide || r.Role != "Adjoint par délégation" || r.Lieu.Ville != "Écury-sur-Coole" || r.Signataire != "Marie Lefèvre" || r.Cible != prep.Signatures[i].Cible {
					t.Fatalf("signature %d : %v (%+v)", i, r, r)
				}
				ids = append(ids, r.Id)
			}
			if len(res) != c.signatures {
				t.Fatalf("le vérificateur voit %d signatures", len(res))
			}
			if err := xmlsec1(t, signe, ids, s.ac.Cert); err != nil {
				t.Fatalf("xmlsec1 refuse : %v", err)
			}
			xmllint(t, signe)
		})
	}
}

func TestAlterationDetectee(t *testing.T) {
	pes := lireTestdata(t, "pes-synthetique-latin1.xml")
	for _, global := range []bool{false, true} {
		s := nouveauSignataire(t, false)
		p := parametresMaire
		p.Global = global
		p.DateSignature = time.Now().Add(-time.Minute).Truncate(time.Millisecond)
		signe, _ := signer(t, s, pes, p)
		cas := []struct {
			nom, avant, apres string
			motif             string
		}{
			{"une lettre du bordereau", "Réparation du clocher", "Réparation du clochet", "modifié après la signature"},
			{"le montant", `<MtBordHT V="1250.40"/>`, `<MtBordHT V="9250.40"/>`, "modifié après la signature"},
			{"la date de signature", p.DateSignature.UTC().Format("2006-01-02T15:04:05"), p.DateSignature.UTC().Add(-time.Hour).Format("2006-01-02T15:04:05"), "propriétés signées"},
			{"le rôle", "Adjoint par d", "Maire par d", "propriétés signées"},
		}
		for _, c := range cas {
			t.Run(c.nom, func(t *testing.T) {
				avant := encoder(c.avant, true)
				if !bytes.Contains(signe, avant) {
					t.Fatalf("%q absent du PES signé", c.avant)
				}
				altere := bytes.Replace(signe, avant, encoder(c.apres, true), 1)
				res, err := Verifier(altere, OptionsVerification{})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				invalides := 0
				for _, r := range res {
					ids = append(ids, r.Id)
					if !r.Valide {
						invalides++
						if !strings.Contains(r.Motif, c.motif) {
							t.Errorf("motif %q, attendu %q", r.Motif, c.motif)
						}
					}
				}
				if invalides != 1 {
					t.Fatalf("%d signatures invalides, 1 attendue : %v", invalides, res)
				}
				if err := xmlsec1(t, altere, ids, s.ac.Cert); err == nil {
					t.Fatal("xmlsec1 accepte le PES altéré")
				}
			})
		}
	}
}

func TestAssemblerRefuseUneMauvaiseValeur(t *testing.T) {
	pes := lireTestdata(t, "pes-synthetique-latin1.xml")
	s := nouveauSignataire(t, false)
	autre := pkitest.CleRSA(t)
	prep, emps, err := Preparer(pes, s.cert, nil, parametresMaire)
	if err != nil {
		t.Fatal(err)
	}
	bonnes := make([][]byte, len(emps))
	for i, e := range emps {
		bonnes[i], _ = signature.Signer(s.cle, e)
	}
	mauvaise, _ := signature.Signer(autre, emps[1])
	inversees := [][]byte{bonnes[1], bonnes[0]}
	cas := []struct {
		nom     string
		valeurs [][]byte
	}{
		{"signée par une autre clé", [][]byte{bonnes[0], mauvaise}},
		{"valeurs inversées entre bordereaux", inversees},
		{"une valeur manquante", bonnes[:1]},
		{"valeur tronquée", [][]byte{bonnes[0], bonnes[1][:100]}},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			if _, err := prep.Assembler(c.valeurs); err == nil {
				t.Fatal("Assembler accepte une mauvaise valeur")
			} else {
				t.Log(err)
			}
		})
	}
	// The refused attempts left the preparation usable.
	signe, err := prep.Assembler(bonnes)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := Verifier(signe, OptionsVerification{}); err != nil || !res[0].Valide || !res[1].Valide {
		t.Fatalf("%v %v", res, err)
	}
}

func TestPreparerRefuse(t *testing.T) {
	s := nouveauSignataire(t, false)
	synth := lireTestdata(t, "pes-synthetique-latin1.xml")
	dejaSigne, _ := signer(t, s, synth, parametresMaire)
	cas := []struct {
		nom   string
		pes   []byte
		p     Parametres
		motif string
	}{
		{"bordereaux déjà signés", dejaSigne, parametresMaire, "déjà signé"},
		{"pas un PES_Aller", []byte(`<?xml version="1.0"?><Acte Id="a"><x/></Acte>`), parametresMaire, "pas un PES_Aller"},
		{"XML mal formé", synth[:len(synth)/2], parametresMaire, "XML mal formé"},
		{"rôle manquant", synth, Parametres{}, "rôle du signataire manquant"},
		{"aucun bordereau", []byte(`<n:PES_Aller xmlns:n="` + nsPES + `"><Enveloppe/></n:PES_Aller>`), parametresMaire, "aucun bordereau"},
		{"Id de bordereau en double", bytes.Replace(synth, []byte("<Bordereau>"), []byte(`<Bordereau Id="BORD-A">`), 1), parametresMaire, "plusieurs éléments"},
		{"DTD", []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><n:PES_Aller xmlns:n="` + nsPES + `"/>`), parametresMaire, "DTD"},
		{"encodage inconnu", []byte(`<?xml version="1.0" encoding="EBCDIC"?><n:PES_Aller xmlns:n="` + nsPES + `"/>`), parametresMaire, "encodage"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			_, _, err := Preparer(c.pes, s.cert, nil, c.p)
			if err == nil || !strings.Contains(err.Error(), c.motif) {
				t.Fatalf("erreur %v, attendu %q", err, c.motif)
			}
		})
	}
}

func TestVerifierChaineEtDates(t *testing.T) {
	pes := lireTestdata(t, "pes-synthetique-latin1.xml")
	s := nouveauSignataire(t, false)
	autreAC := pkitest.NouvelleAC(t)
	expire := s.ac.Emettre(t, s.cle.Public(), pkitest.Signataire{NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)})
	cas := []struct {
		nom    string
		cert   *x509.Certificate
		quand  time.Time
		racine *x509.Certificate
		valide bool
		motif  string
	}{
		{"certificat valide, autorité de confiance", s.cert, time.Time{}, s.ac.Cert, true, "signature valide"},
		{"autorité inconnue", s.cert, time.Time{}, autreAC.Cert, false, "autorités de confiance"},
		{"signé avec un certificat expiré", expire, time.Time{}, nil, false, "n'était pas valide à la date de signature"},
		{"signé pendant la validité d'un certificat expiré depuis", expire, time.Now().AddDate(-1, -6, 0), nil, true, "au moment de la signature"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			p := parametresMaire
			p.DateSignature = c.quand
			signe, _ := signer(t, signataire{ac: s.ac, cle: s.cle, cert: c.cert}, pes, p)
			var o OptionsVerification
			if c.racine != nil {
				o.Racines = []*x509.Certificate{c.racine}
			}
			res, err := Verifier(signe, o)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Valide != c.valide || !strings.Contains(r.Motif, c.motif) {
					t.Fatalf("%v, attendu valide=%v motif %q", r, c.valide, c.motif)
				}
			}
		})
	}
}

func TestPreparationJSON(t *testing.T) {
	s := nouveauSignataire(t, false)
	prep, _, err := Preparer(lireTestdata(t, "pes-synthetique-latin1.xml"), s.cert, []*x509.Certificate{s.ac.Cert}, parametresMaire)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(prep)
	if err != nil {
		t.Fatal(err)
	}
	var relue Preparation
	if err := json.Unmarshal(js, &relue); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(relue.Document, prep.Document) || !bytes.Equal(relue.Certificat, prep.Certificat) || len(relue.Signatures) != 2 {
		t.Fatal("la préparation relue diffère")
	}
	for i := range prep.Signatures {
		a, b := prep.Signatures[i], relue.Signatures[i]
		if a.Id != b.Id || a.Cible != b.Cible || a.Position != b.Position || !bytes.Equal(a.Empreinte.Valeur, b.Empreinte.Valeur) || a.Empreinte.Algorithme != b.Empreinte.Algorithme {
			t.Fatalf("signature %d relue %+v, attendue %+v", i, b, a)
		}
	}
	if prep.Signatures[1].Cible != "BORD1" || prep.Signatures[0].Empreinte.Libelle != "Bordereau BORD-A" {
		t.Fatalf("cibles %+v", prep.Signatures)
	}
}
