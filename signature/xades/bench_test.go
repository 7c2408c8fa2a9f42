package xades

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"xdemat/signature"
)

// pesGeant writes a synthetic PES_Aller of about taille bytes (ISO-8859-1,
// accents, one Id per bordereau), with bordereaux of piecesParBord pieces.
func pesGeant(taille, piecesParBord int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n" + `<n:PES_Aller xmlns:n="` + nsPES + `"><Enveloppe><Parametres><Version V="2"/><TypFic V="PESALR2"/><NomFic V="BENCH"/></Parametres></Enveloppe><EnTetePES><DteStr V="2026-03-02"/><IdPost V="051000"/><IdColl V="21510108000019"/><CodCol V="108"/><CodBud V="00"/></EnTetePES><PES_DepenseAller><EnTeteDepense><IdVer V="2"/><InfoDematerialisee V="1"/></EnTeteDepense>` + "\n")
	for n := 1; b.Len() < taille; n++ {
		fmt.Fprintf(&b, "\t\t<Bordereau Id=\"B%d\">\n\t\t\t<BlocBordereau><Exer V=\"2026\"/><IdBord V=\"%d\"/><DteBordEm V=\"2026-03-02\"/><TypBord V=\"01\"/><NbrPce V=\"%d\"/><MtCumulAnnuel V=\"1.00\"/><MtBordHT V=\"1.00\"/></BlocBordereau>\n", n, n, piecesParBord)
		for p := 1; p <= piecesParBord; p++ {
			fmt.Fprintf(&b, "\t\t\t<Piece>\n\t\t\t\t<BlocPiece><InfoPce><IdPce V=\"%d\"/><TypPce V=\"01\"/><NatPce V=\"01\"/><Obj V=\"R\xe9paration du clocher de l'\xe9glise n\xb0%d\"/></InfoPce></BlocPiece>\n", p, p)
			b.WriteString("\t\t\t\t<LigneDePiece><BlocLignePiece><InfoLignePce><IdLigne V=\"1\"/><Nature V=\"60632\"/><LibVir1 V=\"Fournitures &amp; entretien\"/><ModRegl V=\"03\"/><TVAIntraCom V=\"0\"/><MtHT V=\"1250.40\"/></InfoLignePce></BlocLignePiece>\n")
			b.WriteString("\t\t\t\t\t<Tiers><InfoTiers><RefTiers V=\"0042\"/><CatTiers V=\"50\"/><NatJur V=\"03\"/><Nom V=\"B\xe2timent R\xe9unis\"/></InfoTiers><Adresse><TypAdr V=\"1\"/><Adr2 V=\"3 rue de l'\xc9glise\"/><CP V=\"51000\"/><Ville V=\"CH\xc2LONS-EN-CHAMPAGNE\"/><CodRes V=\"0\"/></Adresse></Tiers></LigneDePiece>\n\t\t\t</Piece>\n")
		}
		b.WriteString("\t\t</Bordereau>\n")
	}
	b.WriteString("\t</PES_DepenseAller>\n</n:PES_Aller>\n")
	return b.Bytes()
}

// BenchmarkXAdES20Mo signs a 20 MB PES (Preparer, signing each digest with
// an in-memory key, Assembler) and, in the same iteration, has xmlsec1
// --sign the same file with the same key from a template of the same
// structure (our prepared global document: it recomputes both digests and
// the value). The ratio ours/xmlsec1 is reported; the target is ≤ 1.
func BenchmarkXAdES20Mo(b *testing.B) {
	xmlsec, err := exec.LookPath("xmlsec1")
	if err != nil {
		b.Skip("xmlsec1 absent : installez le paquet xmlsec1 pour la comparaison")
	}
	s := nouveauSignataire(b, false)
	dir := b.TempDir()
	pes := pesGeant(20<<20, 100)
	if err := os.WriteFile(filepath.Join(dir, "pes.xml"), pes, 0o644); err != nil {
		b.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(s.cle)
	if err != nil {
		b.Fatal(err)
	}
	cle := filepath.Join(dir, "cle.pem")
	if err := os.WriteFile(cle, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		b.Fatal(err)
	}
	p := parametresMaire
	p.Global = true
	gab, _, err := Preparer(pes, s.cert, nil, p)
	if err != nil {
		b.Fatal(err)
	}
	modele := filepath.Join(dir, "modele.xml")
	if err := os.WriteFile(modele, gab.Document, 0o644); err != nil {
		b.Fatal(err)
	}

	for _, global := range []bool{true, false} {
		nom := "par-bordereau"
		if global {
			nom = "global"
		}
		b.Run(nom, func(b *testing.B) {
			p := parametresMaire
			p.Global = global
			var nous, eux time.Duration
			var nbSig int
			b.SetBytes(int64(len(pes)))
			for b.Loop() {
				t0 := time.Now()
				prep, emps, err := Preparer(pes, s.cert, nil, p)
				if err != nil {
					b.Fatal(err)
				}
				vals := make([][]byte, len(emps))
				for i, e := range emps {
					if vals[i], err = signature.Signer(s.cle, e); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := prep.Assembler(vals); err != nil {
					b.Fatal(err)
				}
				nous += time.Since(t0)
				nbSig = len(emps)

				t0 = time.Now()
				out, err := exec.Command(xmlsec, "--sign", "--privkey-pem", cle,
					"--id-attr:Id", nsPES+":PES_Aller",
					"--id-attr:Id", nsXAdES+":SignedProperties",
					"--output", filepath.Join(dir, "xmlsec.xml"), modele).CombinedOutput()
				if err != nil {
					b.Fatalf("xmlsec1 --sign : %v %s", err, out)
				}
				eux += time.Since(t0)
			}
			n := float64(b.N)
			ratio := nous.Seconds() / eux.Seconds()
			b.ReportMetric(nous.Seconds()*1000/n, "ms-xdemat/op")
			b.ReportMetric(eux.Seconds()*1000/n, "ms-xmlsec1/op")
			b.ReportMetric(ratio, "ratio")
			b.Logf("XAdES %s sur %.1f Mo, %d signature(s) : xdemat %.0f ms, xmlsec1 --sign %.0f ms, ratio %.2f (cible ≤ 1,0)",
				nom, float64(len(pes))/(1<<20), nbSig, nous.Seconds()*1000/n, eux.Seconds()*1000/n, ratio)
		})
	}
}
