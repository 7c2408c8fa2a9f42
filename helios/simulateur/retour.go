package simulateur

import (
	"fmt"

	"xdemat/helios"
	"xdemat/pes"
)

// DemandeRetour tells what the Trésorerie did with the pièces of the
// bordereaux accepted since the last PES_Retour.
type DemandeRetour struct {
	// Etat applies to every pièce not in Rejets: helios.PieceSoldee (paid
	// mandats, collected titres; the default), PiecePriseEnCharge or
	// PieceEnInstance.
	Etat helios.StatutPiece `json:"etat,omitempty"`
	// Rejets are the pièces rejected, by IdPce, with the ObsEtat code
	// (e.g. "03" insuffisance de crédits for a mandat).
	Rejets      map[string]string `json:"rejets,omitempty"`
	Commentaire string            `json:"commentaire,omitempty"`
}

// ProduireRetours writes one PES_Retour per collectivité and budget for the
// bordereaux accepted and not yet returned, and returns their names.
func (s *Simulateur) ProduireRetours(d DemandeRetour) ([]string, error) {
	if d.Etat == "" {
		d.Etat = helios.PieceSoldee
	}
	switch d.Etat {
	case helios.PieceSoldee, helios.PiecePriseEnCharge, helios.PieceEnInstance, helios.PieceRejetee:
	default:
		return nil, fmt.Errorf("état « %s » non simulé : choisissez soldee, prise_en_charge, en_instance ou rejetee", d.Etat)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	jour := s.opts.Maintenant()
	date := jour.Format("2006-01-02")
	type groupe struct {
		entete pes.EnTete
		r      *helios.Retour
	}
	var ordre []string
	groupes := map[string]*groupe{}
	for _, ba := range s.enAttente {
		cle := ba.entete.IdColl + "|" + ba.entete.CodCol + "|" + ba.entete.CodBud
		g, ok := groupes[cle]
		if !ok {
			g = &groupe{entete: ba.entete, r: &helios.Retour{EnTete: enTete(ba.entete)}}
			g.r.EnTete.DteStr = date
			g.r.EnTete.LibelleColBud = ""
			groupes[cle] = g
			ordre = append(ordre, cle)
		}
		dom := &g.r.Depense
		if ba.domaine == pes.Recette {
			dom = &g.r.Recette
		}
		if *dom == nil {
			*dom = &helios.DomaineRetour{TypRestit: "02", IdVer: "2", NatInf: "2"}
		}
		(*dom).Bordereaux = append((*dom).Bordereaux, bordereauRetour(ba, d, date))
	}
	var noms []string
	for _, cle := range ordre {
		g := groupes[cle]
		typ := "PESRETOUR"
		switch {
		case g.r.Recette == nil:
			typ = "PESRETOUR_DEP"
		case g.r.Depense == nil:
			typ = "PESRETOUR_REC"
		}
		s.compteurs[g.entete.IdColl+jour.Format("060102")]++
		nom := fmt.Sprintf("PESRETOUR_%s_%s_%03d.xml", g.entete.IdColl, jour.Format("060102"), s.compteurs[g.entete.IdColl+jour.Format("060102")])
		g.r.Enveloppe = helios.Enveloppe{Version: "2", TypFic: typ, NomFic: nom, EmetteurSigle: "HELIOS", EmetteurAdresse: "Simulateur xdemat"}
		b, err := helios.EcrireRetour(g.r)
		if err != nil {
			return noms, err
		}
		noms = append(noms, s.ajouter(&Reponse{Nom: nom, Type: helios.MessageRetour, NomFic: nom, IdColl: g.entete.IdColl, contenu: b}))
	}
	s.enAttente = nil
	return noms, s.sauver()
}

// bordereauRetour gives each pièce and ligne the state codes of the
// dépense or recette retour schema.
func bordereauRetour(ba bordereauAccepte, d DemandeRetour, date string) helios.BordereauRetour {
	dom := helios.DomaineDepense
	if ba.domaine == pes.Recette {
		dom = helios.DomaineRecette
	}
	br := helios.BordereauRetour{Domaine: dom, Exer: ba.b.Exer, IdBord: ba.b.IdBord, TypBord: defaut(ba.b.TypBord, "01")}
	for _, p := range ba.b.Pieces {
		etat := d.Etat
		obs, rejet := d.Rejets[p.IdPce]
		if rejet {
			etat = helios.PieceRejetee
		}
		pr := helios.PieceRetour{Domaine: dom, IdPce: p.IdPce, TypPce: defaut(p.TypPce, "01"), NatPce: defaut(p.NatPce, "01"), Obj: tronquer(p.Obj, 100), Commentaire: tronquer(d.Commentaire, 400)}
		var etatLigne string
		regle := false
		switch etat {
		case helios.PieceSoldee:
			pr.DtePcePec = date
			if dom == helios.DomaineDepense {
				pr.EtatPce, etatLigne = "05", "01"
			} else {
				pr.EtatPce, etatLigne = "02", "05"
			}
			regle = true
		case helios.PiecePriseEnCharge:
			pr.DtePcePec, pr.EtatPce, etatLigne = date, "02", map[bool]string{true: "01", false: "04"}[dom == helios.DomaineDepense]
		case helios.PieceEnInstance:
			pr.DtePceInst, pr.EtatPce, etatLigne = date, "01", map[bool]string{true: "16", false: "03"}[dom == helios.DomaineDepense]
		case helios.PieceRejetee:
			pr.DtePceRej, pr.EtatPce, pr.ObsEtat = date, "04", defaut(obs, "06")
			etatLigne = map[bool]string{true: "02", false: "01"}[dom == helios.DomaineDepense]
		}
		lignes := p.Lignes
		if len(lignes) == 0 {
			lignes = []pes.Ligne{{IdLigne: "1"}}
		}
		for _, l := range lignes {
			lr := helios.LigneRetour{IdLigne: defaut(l.IdLigne, "1"), EtatLigPce: etatLigne, MtHT: l.MtHT.PES()}
			if l.MtTVA != 0 {
				lr.MtTVA = l.MtTVA.PES()
			}
			if dom == helios.DomaineDepense {
				lr.LibVir1 = tronquer(l.Libelle, 70)
			}
			if regle {
				ttc := (l.MtHT + l.MtTVA).PES()
				org := "01" // dépense: paiement réel
				if dom == helios.DomaineRecette {
					org = "02" // recette: encaissement sur pièce
				}
				lr.NbrReglements, lr.MtReglements = "1", ttc
				lr.Reglements = []helios.Reglement{{OrgEma: org, Date: date, Montant: ttc}}
			}
			pr.Lignes = append(pr.Lignes, lr)
		}
		br.Pieces = append(br.Pieces, pr)
	}
	return br
}
