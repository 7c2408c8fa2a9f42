package helios

import (
	"fmt"
	"strings"
)

// Retour is a PES_Retour: what the Trésorerie did with the mandats (dépense)
// and titres (recette) of the collectivité — taken in charge, rejected, paid…
// It is attributed to the collectivité by EnTete.IdColl (SIRET).
type Retour struct {
	Enveloppe Enveloppe      `json:"enveloppe"` // TypFic e.g. PESRETOUR_DEP
	EnTete    EnTetePES      `json:"en_tete"`
	Depense   *DomaineRetour `json:"depense,omitempty"`
	Recette   *DomaineRetour `json:"recette,omitempty"`
	// Client says a PES_ClientRetour block was present; its content (the
	// tiers file) is not read.
	Client bool `json:"client,omitempty"`
}

// DomaineRetour is PES_DepenseRetour or PES_RecetteRetour.
type DomaineRetour struct {
	TypRestit  string            `json:"typ_restit"` // 01 rejet, 02 périodique, 03 stock (samples also carry other values)
	IdVer      string            `json:"id_ver"`
	NatInf     string            `json:"nat_inf"`
	Bordereaux []BordereauRetour `json:"bordereaux"`
}

// BordereauRetour is one bordereau as the Trésorerie sees it.
type BordereauRetour struct {
	Domaine Domaine       `json:"domaine"` // DomaineDepense or DomaineRecette
	Exer    string        `json:"exer"`
	IdBord  string        `json:"id_bord"`
	TypBord string        `json:"typ_bord"`
	Pieces  []PieceRetour `json:"pieces"`
}

// PieceRetour is a mandat or a titre and its state at the Trésorerie.
type PieceRetour struct {
	Domaine     Domaine       `json:"domaine"`
	CodServ     string        `json:"cod_serv,omitempty"`
	IdPce       string        `json:"id_pce"`
	TypPce      string        `json:"typ_pce"`
	NatPce      string        `json:"nat_pce"`
	Obj         string        `json:"obj,omitempty"`
	DtePcePec   string        `json:"dte_pce_pec,omitempty"`  // taken in charge
	EtatPce     string        `json:"etat_pce"`               // code, see Statut
	ObsEtat     string        `json:"obs_etat,omitempty"`     // why (code or text)
	Commentaire string        `json:"commentaire,omitempty"`  // the comptable's comment
	DtePceRej   string        `json:"dte_pce_rej,omitempty"`  // rejected
	DtePceInst  string        `json:"dte_pce_inst,omitempty"` // put on hold
	Lignes      []LigneRetour `json:"lignes"`
}

// LigneRetour is a ligne de pièce with what was paid or collected on it.
type LigneRetour struct {
	IdLigne     string `json:"id_ligne"`
	EtatLigPce  string `json:"etat_lig_pce"`
	ObsEtat     string `json:"obs_etat,omitempty"`
	Commentaire string `json:"commentaire,omitempty"`
	LibVir1     string `json:"lib_vir1,omitempty"`
	LibVir2     string `json:"lib_vir2,omitempty"`
	MtHT        string `json:"mt_ht"`
	MtTVA       string `json:"mt_tva,omitempty"`
	// NbrReglements and MtReglements are InfoPaiement (dépense: NbrPay,
	// MtPayTot) or InfoRecouvrement (recette: NbrReco, MtRecoTot).
	NbrReglements string      `json:"nbr_reglements,omitempty"`
	MtReglements  string      `json:"mt_reglements,omitempty"`
	Reglements    []Reglement `json:"reglements,omitempty"`
}

// Reglement is a PaiementEmargement (dépense) or EncaissementEmargement
// (recette): one payment or collection matched against the ligne.
type Reglement struct {
	OrgEma  string `json:"org_ema"` // origin code
	Date    string `json:"date"`
	Montant string `json:"montant"`
}

// StatutPiece is the state of a mandat or titre, from EtatPce.
type StatutPiece string

const (
	PieceEnInstance             StatutPiece = "en_instance"
	PiecePriseEnCharge          StatutPiece = "prise_en_charge"
	PiecePriseEnChargePartielle StatutPiece = "prise_en_charge_partielle"
	PieceRejetee                StatutPiece = "rejetee"
	PieceSoldee                 StatutPiece = "soldee" // dépense: paid
	PieceAnnulee                StatutPiece = "annulee"
	PieceEtatInconnu            StatutPiece = "inconnu"
)

// Statut maps EtatPce (CommunDepense_Retour.xsd / CommunRecette_Retour.xsd).
func (p PieceRetour) Statut() StatutPiece {
	switch strings.TrimSpace(p.EtatPce) {
	case "01":
		return PieceEnInstance
	case "02":
		return PiecePriseEnCharge
	case "03":
		if p.Domaine == DomaineRecette {
			return PiecePriseEnChargePartielle
		}
	case "04":
		return PieceRejetee
	case "05":
		if p.Domaine == DomaineRecette {
			return PieceAnnulee
		}
		return PieceSoldee
	}
	return PieceEtatInconnu
}

// Nature is "mandat" or "titre".
func (p PieceRetour) Nature() string {
	if p.Domaine == DomaineRecette {
		return "titre"
	}
	return "mandat"
}

// Motif is ObsEtat in words: the schema's label for a known code, else the
// text as given.
func (p PieceRetour) Motif() string { return motifObservation(p.Domaine, p.ObsEtat) }

// Phrase says in French what happened to the pièce and, when it was
// rejected, what to do.
func (p PieceRetour) Phrase() string {
	s := fmt.Sprintf("%s n° %s", strings.ToUpper(p.Nature()[:1])+p.Nature()[1:], p.IdPce)
	if p.Obj != "" {
		s += " (« " + p.Obj + " »)"
	}
	switch p.Statut() {
	case PieceEnInstance:
		s += " : mis en instance par la Trésorerie, qui attend un complément."
	case PiecePriseEnCharge:
		s += " : pris en charge par la Trésorerie."
	case PiecePriseEnChargePartielle:
		s += " : pris en charge en partie par la Trésorerie."
	case PieceRejetee:
		s += " : rejeté par la Trésorerie."
	case PieceSoldee:
		s += " : payé (soldé)."
	case PieceAnnulee:
		s += " : annulé."
	default:
		s += " : état « " + p.EtatPce + " » inconnu de xdemat."
	}
	if m := p.Motif(); m != "" {
		s += " Motif : " + m + "."
	}
	if p.Commentaire != "" {
		s += " Commentaire du comptable : « " + p.Commentaire + " »."
	}
	switch p.Statut() {
	case PieceRejetee:
		s += " Corrigez la pièce dans le logiciel de comptabilité et émettez-la de nouveau ; en cas de doute, appelez la Trésorerie."
	case PieceEnInstance:
		s += " Appelez la Trésorerie pour savoir ce qui manque."
	}
	return s
}

// LibelleEtatLigne gives the schema's label of EtatLigPce.
func (l LigneRetour) LibelleEtatLigne(d Domaine) string {
	t := etatsLigneDepense
	if d == DomaineRecette {
		t = etatsLigneRecette
	}
	if s, ok := t[strings.TrimSpace(l.EtatLigPce)]; ok {
		return s
	}
	return l.EtatLigPce
}

var etatsLigneDepense = map[string]string{
	"01": "prise en charge", "02": "rejetée", "03": "pré-visée, prise en charge sans anomalie",
	"04": "pré-visée, prise en charge avec anomalie", "05": "pré-visée, rejet forçable",
	"06": "pré-visée, rejet non forçable", "07": "prise en charge avec anomalies",
	"08": "prise en charge sans anomalie", "09": "rejetée", "10": "rejetée (rejet non forçable)",
	"15": "prise en charge avec forçage", "16": "mise en instance",
}

var etatsLigneRecette = map[string]string{
	"01": "rejetée", "02": "annulée", "03": "mise en instance", "04": "non soldée", "05": "soldée",
	"06": "soldée en non-valeur",
}

var observationsDepense = map[string]string{
	"01": "absence totale ou invalidité des pièces justificatives", "02": "insuffisance des pièces justificatives",
	"03": "insuffisance de crédits budgétaires", "04": "liquidation erronée",
	"05": "absence de certification du service fait ou du caractère exécutoire", "06": "autre motif",
	"07": "double paiement", "09": "domiciliation bancaire absente ou erronée",
	"10": "récupération d'avance non effectuée", "11": "incompétence du donneur d'ordre",
	"13": "prescription et déchéance", "16": "mandat non établi au nom du véritable créancier",
	"23": "erreur d'imputation comptable et budgétaire", "24": "rejet technique",
}

var observationsRecette = map[string]string{
	"01": "absence de caractère exécutoire", "02": "absence d'indication de la créance",
	"03": "absence d'indication du débiteur", "04": "imputation budgétaire erronée", "05": "prescription",
	"06": "autres", "07": "absence de référence à la pièce d'origine", "08": "type de bordereau de titre inexistant",
	"09": "exercice du bordereau non ouvert", "10": "bordereau sans date d'émission",
	"11": "montant du bordereau incohérent", "12": "absence de signature sur le bordereau",
	"13": "absence de TVA pour une collectivité assujettie", "14": "incompétence du donneur d'ordre",
	"15": "insuffisance des pièces justificatives", "16": "absence ou invalidité des pièces justificatives",
	"17": "domiciliation bancaire absente ou erronée", "18": "numéro de bordereau en doublon",
	"19": "complément d'information nécessaire", "20": "attente du titre récapitulatif", "21": "titre incomplet",
}

func motifObservation(d Domaine, obs string) string {
	obs = strings.TrimSpace(obs)
	t := observationsDepense
	if d == DomaineRecette {
		t = observationsRecette
	}
	if s, ok := t[obs]; ok {
		return s
	}
	return obs
}

// Pieces lists every pièce of the retour, dépense first.
func (r *Retour) Pieces() []PieceRetour {
	var out []PieceRetour
	for _, d := range []*DomaineRetour{r.Depense, r.Recette} {
		if d == nil {
			continue
		}
		for _, b := range d.Bordereaux {
			out = append(out, b.Pieces...)
		}
	}
	return out
}

type xmlLigneRetour struct {
	BlocLignePiece struct {
		Info struct {
			IdLigne     v `xml:"IdLigne"`
			EtatLigPce  v `xml:"EtatLigPce"`
			ObsEtat     v `xml:"ObsEtat"`
			Commentaire v `xml:"Commentaire"`
			LibVir1     v `xml:"LibVir1"`
			LibVir2     v `xml:"LibVir2"`
			MtHT        v `xml:"MtHT"`
			MtTVA       v `xml:"MtTVA"`
		} `xml:"InfoLignePiece"`
		NbrPay    v `xml:"InfoPaiement>NbrPay"`
		MtPayTot  v `xml:"InfoPaiement>MtPayTot"`
		NbrReco   v `xml:"InfoRecouvrement>NbrReco"`
		MtRecoTot v `xml:"InfoRecouvrement>MtRecoTot"`
	} `xml:"BlocLignePiece"`
	Paiements []struct {
		OrgEma v `xml:"OrgEma"`
		DtePay v `xml:"DtePay"`
		MtPay  v `xml:"MtPay"`
	} `xml:"PaiementEmargement"`
	Encaissements []struct {
		OrgEma  v `xml:"OrgEma"`
		DteReco v `xml:"DteReco"`
		MtReco  v `xml:"MtReco"`
	} `xml:"EncaissementEmargement"`
}

type xmlInfoPiece struct {
	CodServ     v `xml:"CodServ"`
	IdPce       v `xml:"IdPce"`
	TypPce      v `xml:"TypPce"`
	NatPce      v `xml:"NatPce"`
	Obj         v `xml:"Obj"`
	DtePcePec   v `xml:"DtePcePec"`
	EtatPce     v `xml:"EtatPce"`
	ObsEtat     v `xml:"ObsEtat"`
	Commentaire v `xml:"Commentaire"`
	DtePceRej   v `xml:"DtePceRej"`
	DtePceInst  v `xml:"DtePceInst"`
}

type xmlDomaineRetour struct {
	TypRestit  v `xml:"EnTeteDepense>TypRestit"`
	IdVer      v `xml:"EnTeteDepense>IdVer"`
	NatInf     v `xml:"EnTeteDepense>NatInf"`
	TypRestitR v `xml:"EnTeteRecette>TypRestit"`
	IdVerR     v `xml:"EnTeteRecette>IdVer"`
	NatInfR    v `xml:"EnTeteRecette>NatInf"`
	Bordereaux []struct {
		Exer    v `xml:"BlocBordereau>Exer"`
		IdBord  v `xml:"BlocBordereau>IdBord"`
		TypBord v `xml:"BlocBordereau>TypBord"`
		Pieces  []struct {
			InfoPiece *xmlInfoPiece    `xml:"InfoPiece"`
			BlocPiece *xmlInfoPiece    `xml:"BlocPiece"`
			Lignes    []xmlLigneRetour `xml:"LigneDePiece"`
		} `xml:"Piece"`
	} `xml:"Bordereau"`
}

type xmlRetour struct {
	Enveloppe xmlEnveloppe      `xml:"Enveloppe"`
	EnTete    xmlEnTete         `xml:"EnTetePES"`
	Depense   *xmlDomaineRetour `xml:"PES_DepenseRetour"`
	Recette   *xmlDomaineRetour `xml:"PES_RecetteRetour"`
	Client    *struct{}         `xml:"PES_ClientRetour"`
}

func (x *xmlDomaineRetour) valeur(d Domaine) *DomaineRetour {
	if x == nil {
		return nil
	}
	out := &DomaineRetour{TypRestit: x.TypRestit.V + x.TypRestitR.V, IdVer: x.IdVer.V + x.IdVerR.V, NatInf: x.NatInf.V + x.NatInfR.V}
	for _, xb := range x.Bordereaux {
		b := BordereauRetour{Domaine: d, Exer: xb.Exer.V, IdBord: xb.IdBord.V, TypBord: xb.TypBord.V}
		for _, xp := range xb.Pieces {
			info := xp.InfoPiece
			if info == nil {
				info = xp.BlocPiece
			}
			if info == nil {
				info = &xmlInfoPiece{}
			}
			p := PieceRetour{
				Domaine: d, CodServ: info.CodServ.V, IdPce: info.IdPce.V, TypPce: info.TypPce.V, NatPce: info.NatPce.V,
				Obj: info.Obj.V, DtePcePec: info.DtePcePec.V, EtatPce: info.EtatPce.V, ObsEtat: info.ObsEtat.V,
				Commentaire: info.Commentaire.V, DtePceRej: info.DtePceRej.V, DtePceInst: info.DtePceInst.V,
			}
			for _, xl := range xp.Lignes {
				i := xl.BlocLignePiece.Info
				l := LigneRetour{
					IdLigne: i.IdLigne.V, EtatLigPce: i.EtatLigPce.V, ObsEtat: i.ObsEtat.V, Commentaire: i.Commentaire.V,
					LibVir1: i.LibVir1.V, LibVir2: i.LibVir2.V, MtHT: i.MtHT.V, MtTVA: i.MtTVA.V,
					NbrReglements: xl.BlocLignePiece.NbrPay.V + xl.BlocLignePiece.NbrReco.V,
					MtReglements:  xl.BlocLignePiece.MtPayTot.V + xl.BlocLignePiece.MtRecoTot.V,
				}
				for _, r := range xl.Paiements {
					l.Reglements = append(l.Reglements, Reglement{OrgEma: r.OrgEma.V, Date: r.DtePay.V, Montant: r.MtPay.V})
				}
				for _, r := range xl.Encaissements {
					l.Reglements = append(l.Reglements, Reglement{OrgEma: r.OrgEma.V, Date: r.DteReco.V, Montant: r.MtReco.V})
				}
				p.Lignes = append(p.Lignes, l)
			}
			b.Pieces = append(b.Pieces, p)
		}
		out.Bordereaux = append(out.Bordereaux, b)
	}
	return out
}

// LireRetour reads a PES_Retour (ISO-8859-1 or UTF-8).
func LireRetour(b []byte) (*Retour, error) {
	var x xmlRetour
	if err := lireRacine(b, MessageRetour, "fichier PES_Retour", &x); err != nil {
		return nil, err
	}
	r := &Retour{
		Enveloppe: x.Enveloppe.valeur(), EnTete: x.EnTete.valeur(),
		Depense: x.Depense.valeur(DomaineDepense), Recette: x.Recette.valeur(DomaineRecette),
		Client: x.Client != nil,
	}
	if r.EnTete.IdColl == "" {
		return nil, erreur(ErrStructure, nil, "Le PES_Retour ne dit pas à quelle collectivité il s'adresse (SIRET IdColl absent) : il ne peut pas être attribué. Prévenez le support de la SPL.")
	}
	return r, nil
}

// EcrireRetour writes r in the real format (ISO-8859-1, namespace
// …/Rev0/retour, RETOUR/Rev0/PES_Retour.xsd). Every bordereau needs at least
// one pièce and every pièce at least one ligne, as the schema requires.
func EcrireRetour(r *Retour) ([]byte, error) {
	if r.EnTete.IdColl == "" {
		return nil, erreur(ErrStructure, nil, "Un PES_Retour doit nommer la collectivité (IdColl).")
	}
	const racine = "PES_Retour"
	w := nouvelEcrivain(racine, NamespaceRetour)
	env := r.Enveloppe
	if env.Version == "" {
		env.Version = "2"
	}
	ecrireEnveloppe(w, env, false)
	ecrireEnTete(w, r.EnTete, true)
	for _, c := range []struct {
		d                     *DomaineRetour
		bloc, entete, piece   string
		info, nbr, mt         string
		emargement, date, mtR string
		domaine               Domaine
	}{
		{r.Depense, "PES_DepenseRetour", "EnTeteDepense", "InfoPiece", "InfoPaiement", "NbrPay", "MtPayTot", "PaiementEmargement", "DtePay", "MtPay", DomaineDepense},
		{r.Recette, "PES_RecetteRetour", "EnTeteRecette", "BlocPiece", "InfoRecouvrement", "NbrReco", "MtRecoTot", "EncaissementEmargement", "DteReco", "MtReco", DomaineRecette},
	} {
		if c.d == nil {
			continue
		}
		w.ouvrir(c.bloc)
		w.ouvrir(c.entete)
		w.valeur("TypRestit", c.d.TypRestit)
		w.valeur("IdVer", defaut(c.d.IdVer, "2"))
		w.valeur("NatInf", defaut(c.d.NatInf, "2"))
		w.fermer(c.entete)
		for _, b := range c.d.Bordereaux {
			if len(b.Pieces) == 0 {
				return nil, erreur(ErrStructure, nil, fmt.Sprintf("Le bordereau %s d'un PES_Retour doit contenir au moins une pièce.", b.IdBord))
			}
			w.ouvrir("Bordereau")
			w.ouvrir("BlocBordereau")
			w.valeur("Exer", b.Exer)
			w.valeur("IdBord", b.IdBord)
			w.valeur("TypBord", b.TypBord)
			w.fermer("BlocBordereau")
			for _, p := range b.Pieces {
				if len(p.Lignes) == 0 {
					return nil, erreur(ErrStructure, nil, fmt.Sprintf("La pièce %s d'un PES_Retour doit contenir au moins une ligne.", p.IdPce))
				}
				w.ouvrir("Piece")
				w.ouvrir(c.piece)
				w.valeurOption("CodServ", p.CodServ)
				w.valeur("IdPce", p.IdPce)
				w.valeur("TypPce", p.TypPce)
				w.valeur("NatPce", p.NatPce)
				w.valeurOption("Obj", p.Obj)
				w.valeurOption("DtePcePec", p.DtePcePec)
				w.valeur("EtatPce", p.EtatPce)
				w.valeurOption("ObsEtat", p.ObsEtat)
				w.valeurOption("Commentaire", p.Commentaire)
				w.valeurOption("DtePceRej", p.DtePceRej)
				w.valeurOption("DtePceInst", p.DtePceInst)
				w.fermer(c.piece)
				for _, l := range p.Lignes {
					w.ouvrir("LigneDePiece")
					w.ouvrir("BlocLignePiece")
					w.ouvrir("InfoLignePiece")
					w.valeur("IdLigne", l.IdLigne)
					w.valeur("EtatLigPce", l.EtatLigPce)
					w.valeurOption("ObsEtat", l.ObsEtat)
					w.valeurOption("Commentaire", l.Commentaire)
					if c.domaine == DomaineDepense {
						w.valeurOption("LibVir1", l.LibVir1)
						w.valeurOption("LibVir2", l.LibVir2)
					}
					w.valeur("MtHT", l.MtHT)
					w.valeurOption("MtTVA", l.MtTVA)
					w.fermer("InfoLignePiece")
					if l.NbrReglements != "" {
						w.ouvrir(c.info)
						w.valeur(c.nbr, l.NbrReglements)
						w.valeur(c.mt, l.MtReglements)
						w.fermer(c.info)
					}
					w.fermer("BlocLignePiece")
					for _, rg := range l.Reglements {
						w.ouvrir(c.emargement)
						w.valeur("OrgEma", rg.OrgEma)
						w.valeur(c.date, rg.Date)
						w.valeur(c.mtR, rg.Montant)
						w.fermer(c.emargement)
					}
					w.fermer("LigneDePiece")
				}
				w.fermer("Piece")
			}
			w.fermer("Bordereau")
		}
		w.fermer(c.bloc)
	}
	return w.terminer(racine), nil
}

func defaut(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
