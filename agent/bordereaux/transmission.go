package bordereaux

import (
	"fmt"
	"strings"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/pes"
)

// Transmission summarises a PES_Aller as the transmission to record: its
// identifiers for Hélios and its bordereaux. Original and DossierID are set
// by the caller.
func Transmission(f *pes.Fichier) (*xdemat.TransmissionPES, error) {
	if strings.TrimSpace(f.NomFic) == "" {
		return nil, xdemat.Errorf(xdemat.EINVALID, "le PES n'a pas de nom de fichier (NomFic) : Hélios ne pourrait pas rattacher son acquit. Faites-le produire de nouveau par le logiciel de comptabilité.")
	}
	if len(f.Bordereaux()) == 0 {
		return nil, xdemat.Errorf(xdemat.EINVALID, "le PES ne contient aucun bordereau de dépense ni de recette : rien à signer.")
	}
	t := &xdemat.TransmissionPES{
		ID: uuid.NewString(), NomFic: f.NomFic, CodCol: f.EnTete.CodCol, IdPost: f.EnTete.IdPost,
		CodBud: f.EnTete.CodBud, IdColl: f.EnTete.IdColl, TypFic: f.TypFic, Statut: xdemat.HeliosASigner,
	}
	for _, b := range f.Bordereaux() {
		dom := "depense"
		if b.Domaine == pes.Recette {
			dom = "recette"
		}
		t.Bordereaux = append(t.Bordereaux, xdemat.BordereauPES{Domaine: dom, Exercice: b.Exer, Numero: b.IdBord, Type: b.TypBord,
			Montant: int64(b.MtBordTTC()), NbPieces: len(b.Pieces), Statut: xdemat.HeliosASigner})
	}
	return t, nil
}

// Titre names the dossier in the parapheur: the bordereaux it holds.
func Titre(f *pes.Fichier) string {
	var parts []string
	for _, d := range []struct {
		nom string
		bs  []pes.Bordereau
	}{{"mandats", f.Depenses}, {"titres", f.Recettes}} {
		if len(d.bs) == 0 {
			continue
		}
		var nums []string
		var total pes.Montant
		for _, b := range d.bs {
			nums = append(nums, b.IdBord)
			total += b.MtBordTTC()
		}
		parts = append(parts, fmt.Sprintf("%s n° %s (%s)", d.nom, strings.Join(nums, ", "), total))
	}
	t := "Bordereaux PES " + strings.Join(parts, " et ")
	if f.EnTete.LibelleColBud != "" {
		t += " – " + f.EnTete.LibelleColBud
	}
	if len(t) > xdemat.TailleMaxTitre {
		t = strings.ToValidUTF8(t[:xdemat.TailleMaxTitre-3], "") + "…"
	}
	return t
}
