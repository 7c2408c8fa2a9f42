package helios

import (
	"fmt"
	"strconv"
	"strings"
)

// Acquit is a PES_ACQUIT: Hélios' answer to one PES_Aller, element by element
// (each bordereau, pièce justificative, marché…), each accepted or refused
// with its anomalies down to the pièce and the ligne.
type Acquit struct {
	Enveloppe Enveloppe `json:"enveloppe"` // echoes the PES_Aller's TypFic and NomFic
	EnTete    EnTetePES `json:"en_tete"`
	// Detail is false when the file has no ACQUIT block, which S2LOW reads
	// as "the whole file accepted".
	Detail   bool            `json:"detail"`
	IdVer    string          `json:"id_ver,omitempty"`
	Elements []ElementAcquit `json:"elements"`
}

// ElementAcquit is one ElementACQUIT: the verdict on a bordereau (NumBord and
// ExerciceBord), a pièce justificative (IdUnique) or a marché (IdMarche).
type ElementAcquit struct {
	Domaine      Domaine       `json:"domaine"`
	Accepte      bool          `json:"accepte"` // EtatAck: 1 accepted, 0 refused
	NumBord      string        `json:"num_bord,omitempty"`
	ExerciceBord string        `json:"exercice_bord,omitempty"`
	IdMarche     string        `json:"id_marche,omitempty"`
	IdUnique     string        `json:"id_unique,omitempty"`
	Erreurs      []ErreurAck   `json:"erreurs,omitempty"`
	Pieces       []DetailPiece `json:"pieces,omitempty"`
}

// ErreurAck is one Erreur: the code and Hélios' own text (e.g. "1971 - Compte
// fonction présent à tort").
type ErreurAck struct {
	Code    CodeAnomalie `json:"code,omitempty"`
	Libelle string       `json:"libelle,omitempty"`
}

// DetailPiece is a pièce (mandat or titre) with anomalies.
type DetailPiece struct {
	NumPiece string        `json:"num_piece"`
	Erreurs  []ErreurAck   `json:"erreurs,omitempty"`
	Lignes   []DetailLigne `json:"lignes,omitempty"`
}

// DetailLigne is a ligne de pièce with anomalies.
type DetailLigne struct {
	NumLigne string      `json:"num_ligne"`
	Erreurs  []ErreurAck `json:"erreurs,omitempty"`
}

type xmlErreur struct {
	NumAnoAck     v `xml:"NumAnoAck"`
	LibelleAnoAck v `xml:"LibelleAnoAck"`
}

type xmlAcquit struct {
	Enveloppe xmlEnveloppe `xml:"Enveloppe"`
	EnTete    xmlEnTete    `xml:"EnTetePES"`
	Acquit    *struct {
		IdVer    v `xml:"EnTeteAcquit>IdVer"`
		Elements []struct {
			DomaineAck   v           `xml:"DomaineAck"`
			EtatAck      v           `xml:"EtatAck"`
			NumBord      v           `xml:"NumBord"`
			ExerciceBord v           `xml:"ExerciceBord"`
			IdMarche     v           `xml:"IdMarche"`
			IdUnique     v           `xml:"IdUnique"`
			Erreurs      []xmlErreur `xml:"Erreur"`
			Pieces       []struct {
				NumPiece v           `xml:"NumPiece"`
				Erreurs  []xmlErreur `xml:"Erreur"`
				Lignes   []struct {
					NumLigne v           `xml:"NumLigne"`
					Erreurs  []xmlErreur `xml:"Erreur"`
				} `xml:"DetailLigne"`
			} `xml:"DetailPiece"`
		} `xml:"ElementACQUIT"`
	} `xml:"ACQUIT"`
}

func erreursAck(x []xmlErreur) []ErreurAck {
	if len(x) == 0 {
		return nil
	}
	out := make([]ErreurAck, len(x))
	for i, e := range x {
		out[i] = ErreurAck{Code: CodeAnomalie(strings.TrimSpace(e.NumAnoAck.V)), Libelle: strings.TrimSpace(e.LibelleAnoAck.V)}
	}
	return out
}

// LireAcquit reads a PES_ACQUIT (ISO-8859-1 or UTF-8).
func LireAcquit(b []byte) (*Acquit, error) {
	var x xmlAcquit
	if err := lireRacine(b, MessageAcquit, "fichier d'acquit", &x); err != nil {
		return nil, err
	}
	a := &Acquit{Enveloppe: x.Enveloppe.valeur(), EnTete: x.EnTete.valeur()}
	if a.Enveloppe.NomFic == "" {
		return nil, erreur(ErrStructure, nil, "L'acquit d'Hélios ne dit pas à quel fichier il répond (NomFic absent) : il ne peut pas être rattaché à un envoi. Prévenez le support de la SPL.")
	}
	if x.Acquit == nil {
		return a, nil
	}
	a.Detail = true
	a.IdVer = x.Acquit.IdVer.V
	for i, xe := range x.Acquit.Elements {
		e := ElementAcquit{
			NumBord: xe.NumBord.V, ExerciceBord: xe.ExerciceBord.V, IdMarche: xe.IdMarche.V, IdUnique: xe.IdUnique.V,
			Erreurs: erreursAck(xe.Erreurs),
		}
		d, err := strconv.Atoi(strings.TrimSpace(xe.DomaineAck.V))
		if err != nil {
			return nil, erreur(ErrStructure, err, fmt.Sprintf("L'élément n° %d de l'acquit d'Hélios a un domaine illisible (« %s ») : l'acquit n'est pas interprété. Prévenez le support de la SPL.", i+1, xe.DomaineAck.V))
		}
		e.Domaine = Domaine(d)
		switch strings.TrimSpace(xe.EtatAck.V) {
		case "1":
			e.Accepte = true
		case "0":
		default:
			return nil, erreur(ErrStructure, nil, fmt.Sprintf("L'élément n° %d de l'acquit d'Hélios ne dit pas s'il est accepté ou refusé (EtatAck « %s ») : l'acquit n'est pas interprété. Prévenez le support de la SPL.", i+1, xe.EtatAck.V))
		}
		for _, xp := range xe.Pieces {
			p := DetailPiece{NumPiece: xp.NumPiece.V, Erreurs: erreursAck(xp.Erreurs)}
			for _, xl := range xp.Lignes {
				p.Lignes = append(p.Lignes, DetailLigne{NumLigne: xl.NumLigne.V, Erreurs: erreursAck(xl.Erreurs)})
			}
			e.Pieces = append(e.Pieces, p)
		}
		a.Elements = append(a.Elements, e)
	}
	return a, nil
}

// Accepte says whether every element was accepted (or the acquit has no
// detail at all).
func (a *Acquit) Accepte() bool {
	for _, e := range a.Elements {
		if !e.Accepte {
			return false
		}
	}
	return true
}

// ElementsBordereau returns the elements about bordereau numero of exercice:
// its dépense or recette verdict and the verdict on its signature.
func (a *Acquit) ElementsBordereau(exercice, numero string) []ElementAcquit {
	var out []ElementAcquit
	for _, e := range a.Elements {
		if e.NumBord != "" && memeNumero(e.NumBord, numero) && (e.ExerciceBord == "" || exercice == "" || e.ExerciceBord == exercice) {
			out = append(out, e)
		}
	}
	return out
}

// memeNumero compares numbers written with or without leading zeros.
func memeNumero(a, b string) bool {
	a, b = strings.TrimLeft(strings.TrimSpace(a), "0"), strings.TrimLeft(strings.TrimSpace(b), "0")
	return a == b
}

// Anomalies lists every anomaly of the acquit, one per Erreur, with where it
// is (bordereau, pièce, ligne). A refused element without any Erreur still
// gives one anomaly, so that nothing refused goes unnoticed.
func (a *Acquit) Anomalies() []Anomalie {
	var out []Anomalie
	for _, e := range a.Elements {
		out = append(out, e.Anomalies()...)
	}
	return out
}

// Anomalies lists the anomalies of one element.
func (e ElementAcquit) Anomalies() []Anomalie {
	base := Anomalie{Domaine: e.Domaine, Bordereau: e.NumBord, Exercice: e.ExerciceBord, IdUnique: e.IdUnique, IdMarche: e.IdMarche}
	var out []Anomalie
	ajouter := func(a Anomalie, erreurs []ErreurAck) {
		for _, er := range erreurs {
			a.Code, a.Libelle = er.Code, er.Libelle
			out = append(out, a)
		}
	}
	ajouter(base, e.Erreurs)
	for _, p := range e.Pieces {
		ap := base
		ap.Piece = p.NumPiece
		ajouter(ap, p.Erreurs)
		for _, l := range p.Lignes {
			al := ap
			al.Ligne = l.NumLigne
			ajouter(al, l.Erreurs)
		}
		if len(p.Erreurs) == 0 && len(p.Lignes) == 0 && !e.Accepte {
			out = append(out, ap)
		}
	}
	if len(out) == 0 && !e.Accepte {
		out = append(out, base)
	}
	return out
}

// Anomalie is one reason for a refusal, located in the PES_Aller.
type Anomalie struct {
	Domaine   Domaine      `json:"domaine"`
	Bordereau string       `json:"bordereau,omitempty"`
	Exercice  string       `json:"exercice,omitempty"`
	IdUnique  string       `json:"id_unique,omitempty"` // pièce justificative
	IdMarche  string       `json:"id_marche,omitempty"`
	Piece     string       `json:"piece,omitempty"`
	Ligne     string       `json:"ligne,omitempty"`
	Code      CodeAnomalie `json:"code,omitempty"`
	Libelle   string       `json:"libelle,omitempty"` // the DGFiP's text
}

// Objet names in French what was refused: "Bordereau de dépense n° 5
// (exercice 2019), mandat n° 20, ligne 1".
func (a Anomalie) Objet() string {
	var s string
	switch {
	case a.IdUnique != "":
		s = "Pièce justificative " + a.IdUnique
	case a.IdMarche != "":
		s = "Marché " + a.IdMarche
	case a.Bordereau != "":
		l := a.Domaine.Libelle()
		if a.Domaine == DomaineSignatureBordereau {
			l = "signature du bordereau"
		}
		s = strings.ToUpper(l[:1]) + l[1:] + " n° " + a.Bordereau
		if a.Exercice != "" {
			s += " (exercice " + a.Exercice + ")"
		}
	default:
		l := a.Domaine.Libelle()
		s = strings.ToUpper(l[:1]) + l[1:]
	}
	if a.Piece != "" {
		switch a.Domaine {
		case DomaineDepense:
			s += ", mandat n° " + a.Piece
		case DomaineRecette:
			s += ", titre n° " + a.Piece
		default:
			s += ", pièce n° " + a.Piece
		}
	}
	if a.Ligne != "" {
		s += ", ligne " + a.Ligne
	}
	return s
}

// Explication says what to do (from the code).
func (a Anomalie) Explication() string { return a.Code.Explication() }

// String is the whole sentence for the secrétaire's notification.
func (a Anomalie) String() string {
	s := a.Objet() + " : refusé par Hélios."
	if a.Libelle != "" {
		s += " Motif donné par la DGFiP : « " + a.Libelle + " »."
	}
	return s + " " + a.Explication()
}

// EcrireAcquit writes a in the real format (ISO-8859-1, namespace
// …/Rev0/retour/v2, PES_V2_Acquit_Autonome_V2.xsd).
func EcrireAcquit(a *Acquit) ([]byte, error) {
	if a.Enveloppe.NomFic == "" {
		return nil, erreur(ErrStructure, nil, "Un acquit doit nommer le fichier auquel il répond (NomFic).")
	}
	if len(a.Elements) == 0 {
		return nil, erreur(ErrStructure, nil, "Un acquit doit contenir au moins un élément (bordereau, pièce justificative…).")
	}
	const racine = "PES_ACQUIT"
	w := nouvelEcrivain(racine, NamespaceAcquit)
	env := a.Enveloppe
	if env.Version == "" {
		env.Version = "2"
	}
	ecrireEnveloppe(w, env, true)
	ecrireEnTete(w, a.EnTete, false)
	w.ouvrir("ACQUIT")
	w.ouvrir("EnTeteAcquit")
	idVer := a.IdVer
	if idVer == "" {
		idVer = "2"
	}
	w.valeur("IdVer", idVer)
	w.fermer("EnTeteAcquit")
	for _, e := range a.Elements {
		w.ouvrir("ElementACQUIT")
		w.valeur("DomaineAck", strconv.Itoa(int(e.Domaine)))
		etat := "0"
		if e.Accepte {
			etat = "1"
		}
		w.valeur("EtatAck", etat)
		switch {
		case e.NumBord != "" || e.ExerciceBord != "":
			w.valeurOption("NumBord", e.NumBord)
			w.valeurOption("ExerciceBord", e.ExerciceBord)
		case e.IdMarche != "":
			w.valeur("IdMarche", e.IdMarche)
		case e.IdUnique != "":
			w.valeur("IdUnique", e.IdUnique)
		}
		ecrireErreurs(w, e.Erreurs)
		for _, p := range e.Pieces {
			w.ouvrir("DetailPiece")
			w.valeur("NumPiece", p.NumPiece)
			ecrireErreurs(w, p.Erreurs)
			for _, l := range p.Lignes {
				w.ouvrir("DetailLigne")
				w.valeur("NumLigne", l.NumLigne)
				ecrireErreurs(w, l.Erreurs)
				w.fermer("DetailLigne")
			}
			w.fermer("DetailPiece")
		}
		w.fermer("ElementACQUIT")
	}
	w.fermer("ACQUIT")
	return w.terminer(racine), nil
}

func ecrireErreurs(w *ecrivain, erreurs []ErreurAck) {
	for _, er := range erreurs {
		w.ouvrir("Erreur")
		w.valeurOption("NumAnoAck", string(er.Code))
		w.valeurOption("LibelleAnoAck", er.Libelle)
		w.fermer("Erreur")
	}
}
