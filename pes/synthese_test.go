package pes

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// synthese describes a PES_Aller made up by the tests (the Hélios samples
// hold one dépense bordereau each: no recette, no size).
type synthese struct {
	encodage       string // "UTF-8" or "ISO-8859-1"
	bordDepense    int
	piecesParBord  int
	bordRecette    int
	pjs            int
	octetsParPJ    int
	mtLigneCentime int64 // amount of each dépense line
}

// ecrire writes the PES. Each dépense pièce has one line of mtLigneCentime
// HT plus 20 % TVA and one tiers; each recette bordereau has two titres of
// two lines (10.50 and 0.25, no TVA), the first with two debtors.
func (s synthese) ecrire(t testing.TB, w io.Writer) {
	t.Helper()
	var sortie io.Writer = w
	var enc io.WriteCloser
	if s.encodage == "ISO-8859-1" {
		enc = transform.NewWriter(w, charmap.ISO8859_1.NewEncoder())
		sortie = enc
	}
	bw := bufio.NewWriterSize(sortie, 64<<10)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p(`<?xml version="1.0" encoding="%s"?>`+"\n", s.encodage)
	p(`<n:PES_Aller xmlns:n="%s" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="PESSYNTH">`, NamespaceAller)
	p(`<Enveloppe><Parametres><Version V="2"/><TypFic V="PESALR2"/><NomFic V="SYNTHESE-%s"/></Parametres><Emetteur><Sigle V="Logiciel financier d'essai"/></Emetteur></Enveloppe>`, s.encodage)
	p(`<EnTetePES><DteStr V="2026-11-20"/><IdPost V="051000"/><LibellePoste V="SGC de Châlons"/><IdColl V="21510001200019"/><CodCol V="001"/><CodBud V="00"/><LibelleColBud V="Commune de Démonstration"/></EnTetePES>`)
	famille := "LŒUVRE" // Œ is not in ISO-8859-1
	if s.encodage == "ISO-8859-1" {
		famille = "LOEUVRE"
	}
	mt := Montant(s.mtLigneCentime)
	tva := Montant(s.mtLigneCentime / 5)
	if s.bordDepense > 0 {
		p(`<PES_DepenseAller><EnTeteDepense><IdVer V="2"/><InfoDematerialisee V="1"/></EnTeteDepense>`)
		for b := 1; b <= s.bordDepense; b++ {
			p(`<Bordereau Id="BD%d"><BlocBordereau><Exer V="2026"/><IdBord V="%d"/><DteBordEm V="2026-11-19"/><TypBord V="01"/><NbrPce V="%d"/><MtCumulAnnuel V="123456.78"/><MtBordHT V="%s"/><MtBordTVA V="%s"/></BlocBordereau>`,
				b, b, s.piecesParBord, (mt * Montant(s.piecesParBord)).PES(), (tva * Montant(s.piecesParBord)).PES())
			for i := 1; i <= s.piecesParBord; i++ {
				p(`<Piece><BlocPiece><InfoPce><IdPce V="%d"/><TypPce V="01"/><NatPce V="01"/><Obj V="Entretien de la chaussée, lot n° %d"/>`, b*1000+i, i)
				p(`<PJRef><Support V="01"/><IdUnique V="PJ-%d-%d"/><NomPJ V="facture-%d.pdf"/></PJRef></InfoPce>`, b, i, i)
				p(`<DGP><Dgp V="0"/><DteDebDgp V="2026-11-01"/><DteFinDgp V="2026-12-01"/><DureeDgp V="30"/></DGP></BlocPiece>`)
				p(`<LigneDePiece><BlocLignePiece><InfoLignePce><IdLigne V="1"/><Nature V="615231"/><Fonction V="822"/><LibVir1 V="Facture %d du 12/11/2026"/><ModRegl V="03"/><TVAIntraCom V="0"/><MtHT V="%s"/><MtTVA V="%s"/></InfoLignePce></BlocLignePiece>`, i, mt.PES(), tva.PES())
				p(`<Tiers><InfoTiers><IdTiers V="38012986600047"/><NatIdTiers V="01"/><RefTiers V="T%d"/><CatTiers V="50"/><NatJur V="03"/><Nom V="TRAVAUX PUBLICS DE LA MARNE"/></InfoTiers>`, i)
				p(`<Adresse><TypAdr V="1"/><Adr2 V="12 rue de l'Église"/><CP V="51000"/><Ville V="Châlons-en-Champagne"/><CodRes V="0"/></Adresse>`)
				p(`<CpteBancaire><BIC V="AGRIFRPP810"/><IBAN V="FR7610206000000000000000000"/><TitCpte V="TP MARNE"/></CpteBancaire></Tiers></LigneDePiece></Piece>`)
			}
			p(`<ds:Signature Id="SIG%d"><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></Bordereau>`, b)
		}
		p(`</PES_DepenseAller>`)
	}
	if s.bordRecette > 0 {
		p(`<PES_RecetteAller><EnTeteRecette><IdVer V="2"/></EnTeteRecette>`)
		for b := 1; b <= s.bordRecette; b++ {
			p(`<Bordereau Id="BR%d"><BlocBordereau><Exer V="2026"/><IdBord V="%d"/><DteBordEm V="2026-11-18"/><TypBord V="01"/><NbrPce V="2"/><MtBordHt V="21.50"/><Objet V="Cantine de novembre"/></BlocBordereau>`, b, 500+b)
			for i := 1; i <= 2; i++ {
				p(`<Piece><BlocPiece><IdPce V="%d"/><TypPce V="01"/><NatPce V="01"/><ObjPce V="Cantine scolaire : élève %d"/><PJRef><Support V="01"/><IdUnique V="PJR-%d"/><NomPJ V="etat.pdf"/></PJRef></BlocPiece>`, b*100+i, i, i)
				p(`<LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V="1"/><ObjLignePce V="Repas"/><CodProdLoc V="0001"/><Nature V="7067"/><Majo V="0"/><TvaIntraCom V="0"/><MtHT V="10.50"/></InfoLignePiece></BlocLignePiece>`)
				p(`<Tiers><InfoTiers><CatTiers V="01"/><NatJur V="01"/><TypTiers V="01"/><Civilite V="Mme"/><Nom V="%s"/><Prenom V="Françoise"/></InfoTiers><Adresse><TypAdr V="1"/><CP V="51100"/><Ville V="Reims"/></Adresse></Tiers>`, famille)
				if i == 1 {
					p(`<Tiers><InfoTiers><CatTiers V="01"/><NatJur V="01"/><TypTiers V="01"/><Civilite V="M."/><Nom V="%s"/><Prenom V="Jérôme"/></InfoTiers><Adresse><TypAdr V="1"/><CP V="51100"/><Ville V="Reims"/></Adresse></Tiers>`, famille)
				}
				p(`</LigneDePiece>`)
				p(`<LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V="2"/><ObjLignePce V="Goûter"/><CodProdLoc V="0002"/><Nature V="7067"/><Majo V="0"/><TvaIntraCom V="0"/><MtHT V="0.25"/></InfoLignePiece></BlocLignePiece></LigneDePiece></Piece>`)
			}
			p(`</Bordereau>`)
		}
		p(`</PES_RecetteAller>`)
	}
	if s.pjs > 0 {
		p(`<PES_PJ><EnTetePES_PJ><IdVer V="1"/></EnTetePES_PJ>`)
		ligne := strings.Repeat("QUJDRA", 12) + "\n"
		for j := 1; j <= s.pjs; j++ {
			p(`<PJ><Contenu><Fichier MIMEType="application/pdf">`)
			for n := 0; n < s.octetsParPJ; n += len(ligne) - 1 {
				bw.WriteString(ligne)
			}
			p(`</Fichier></Contenu><IdUnique V="PJ-1-%d"/><NomPJ V="facture-%d.pdf"/><TypePJ V="003"/><Description V="Facture n° %d"/></PJ>`, j, j, j)
		}
		p(`</PES_PJ>`)
	}
	p(`</n:PES_Aller>`)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func (s synthese) octets(t testing.TB) []byte {
	var buf bytes.Buffer
	s.ecrire(t, &buf)
	return buf.Bytes()
}
