package bordereaux

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent/sqlite"
	"xdemat/agent/surveillance"
	"xdemat/central/blob"
)

// pesBanc writes a PES_Aller of 5,000 pièces (50 bordereaux of 100), each
// with lignes enough to weigh about taille bytes in all.
func pesBanc(nomFic string, taille int) []byte {
	const bordereaux, pieces = 50, 100
	lignes := max(1, (taille+bordereaux*pieces*380-1)/(bordereaux*pieces*380))
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n" + `<n:PES_Aller xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"><Enveloppe><Parametres><Version V="2"/><TypFic V="PESALR2"/><NomFic V="` + nomFic + `"/></Parametres></Enveloppe><EnTetePES><DteStr V="2026-03-02"/><IdPost V="051000"/><IdColl V="21510108000019"/><CodCol V="108"/><CodBud V="00"/></EnTetePES><PES_DepenseAller><EnTeteDepense><IdVer V="2"/><InfoDematerialisee V="1"/></EnTeteDepense>` + "\n")
	for n := 1; n <= bordereaux; n++ {
		fmt.Fprintf(&b, "<Bordereau Id=\"B%d\"><BlocBordereau><Exer V=\"2026\"/><IdBord V=\"%d\"/><DteBordEm V=\"2026-03-02\"/><TypBord V=\"01\"/><NbrPce V=\"%d\"/><MtCumulAnnuel V=\"1.00\"/><MtBordHT V=\"%d.00\"/></BlocBordereau>\n", n, n, pieces, pieces*lignes)
		for p := 1; p <= pieces; p++ {
			fmt.Fprintf(&b, "<Piece><BlocPiece><InfoPce><IdPce V=\"%d\"/><TypPce V=\"01\"/><NatPce V=\"01\"/><Obj V=\"R\xe9paration du clocher n\xb0%d\"/></InfoPce></BlocPiece>\n", n*1000+p, p)
			for l := 1; l <= lignes; l++ {
				fmt.Fprintf(&b, "<LigneDePiece><BlocLignePiece><InfoLignePce><IdLigne V=\"%d\"/><Nature V=\"60632\"/><LibVir1 V=\"Fournitures &amp; entretien des b\xe2timents communaux\"/><ModRegl V=\"03\"/><TVAIntraCom V=\"0\"/><MtHT V=\"1.00\"/></InfoLignePce></BlocLignePiece><Tiers><InfoTiers><RefTiers V=\"0042\"/><CatTiers V=\"50\"/><NatJur V=\"03\"/><Nom V=\"B\xe2timent R\xe9unis\"/></InfoTiers></Tiers></LigneDePiece>\n", l)
			}
			b.WriteString("</Piece>\n")
		}
		b.WriteString("</Bordereau>\n")
	}
	b.WriteString("</PES_DepenseAller></n:PES_Aller>\n")
	return b.Bytes()
}

// BenchmarkImport20Mo measures what the agent does with a 20 MB PES of
// 5,000 pièces found in an export folder: reading and checking it (pes),
// storing it (blob store), recording its transmission and depositing its
// dossier in the parapheur in one transaction. The signature itself is
// signature/xades's BenchmarkXAdES20Mo (with its ratio to xmlsec1).
func BenchmarkImport20Mo(b *testing.B) {
	dir := b.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "agent.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.Open(filepath.Join(dir, "documents"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	u := &xdemat.Utilisateur{CommuneID: "c-1", Nom: "Lefèvre", Prenom: "Anne", Role: xdemat.RoleSecretaire, Actif: true}
	if err := st.SaveUtilisateur(ctx, u, "technicien", time.Now()); err != nil {
		b.Fatal(err)
	}
	s := &Service{Store: st, Blobs: blobs}
	taille := 0
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		pes := pesBanc(fmt.Sprintf("BANC%04d", i), 20<<20)
		taille = len(pes)
		chemin := filepath.Join(dir, fmt.Sprintf("PES%04d.xml", i))
		if err := os.WriteFile(chemin, pes, 0o644); err != nil {
			b.Fatal(err)
		}
		h := sha256.Sum256(pes)
		f := surveillance.Fichier{Chemin: chemin, Nom: filepath.Base(chemin), Dossier: dir, Empreinte: hex.EncodeToString(h[:]), Taille: int64(len(pes))}
		b.StartTimer()
		if err := s.Importer(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(taille))
	b.ReportMetric(float64(taille)/(1<<20), "Mo")
}
