// Package pes reads a PES V2 "PES_Aller" file (the accounting flow a commune
// sends to the DGFiP's Hélios) into a summary: the header, the bordereaux of
// dépenses (mandats) and recettes (titres), their pièces with lines, tiers
// and referenced pièces justificatives. It is what the élu sees before
// signing, and the entry point for later Hélios work.
//
// Element names follow the PES V2 XSDs (Schemas_PES_v471); values sit in
// the V attribute of each element.
package pes

// NamespaceAller is the namespace of the PES_Aller root element; its children
// are unqualified.
const NamespaceAller = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"

// Fichier is the summary of one PES_Aller file.
type Fichier struct {
	Id       string // root @Id, referenced by a signature of the whole file
	Encodage string // as declared ("ISO-8859-1", "UTF-8"); "" when undeclared (UTF-8)

	// Enveloppe/Parametres and Emetteur.
	Version  string
	TypFic   string // PESALR1, PESALR2…
	NomFic   string // unique per platform; how the acquit is matched back
	Emetteur string // Emetteur/Sigle: usually the financial software

	EnTete EnTete

	Depenses []Bordereau // PES_DepenseAller: bordereaux of mandats
	Recettes []Bordereau // PES_RecetteAller: bordereaux of titres
	PJ       []PJ        // PES_PJ: attachments carried in the file

	SigneGlobal bool     // a ds:Signature of the whole PES_Aller
	AutresBlocs []string // other blocks present (PES_Facture, PES_Marche…), not summarised

	// Anomalies are inconsistencies worth showing to the élu (pièce count or
	// total that does not match the bordereau); Hélios may reject them. They
	// do not stop the reading.
	Anomalies []string
}

// EnTete is EnTetePES.
type EnTete struct {
	DteStr        string // AAAA-MM-JJ, date the file was produced
	IdPost        string // codique of the poste comptable (DGFiP)
	LibellePoste  string
	IdColl        string // SIRET of the collectivité
	CodCol        string
	CodBud        string
	LibelleColBud string // name of the collectivité / budget
}

// Domaine tells dépense from recette.
type Domaine int

const (
	Depense Domaine = iota + 1
	Recette
)

func (d Domaine) String() string {
	switch d {
	case Depense:
		return "dépense"
	case Recette:
		return "recette"
	}
	return "?"
}

// Bordereau is one Bordereau of PES_DepenseAller or PES_RecetteAller.
type Bordereau struct {
	Domaine       Domaine
	Id            string // @Id, what a per-bordereau signature references
	Exer          string // exercice (year)
	IdBord        string // numéro du bordereau
	DteBordEm     string // AAAA-MM-JJ
	TypBord       string // 01 ordinaire, 02 annulation/réduction… (LibelleTypBord)
	NbrPce        int    // number of pièces declared
	MtCumulAnnuel Montant
	MtBordHT      Montant // MtBordHT (dépense) or MtBordHt (recette)
	MtBordTVA     Montant
	Objet         string // recette only
	Signe         bool   // holds its own ds:Signature
	Pieces        []Piece
}

// MtBordTTC is MtBordHT + MtBordTVA.
func (b Bordereau) MtBordTTC() Montant { return b.MtBordHT + b.MtBordTVA }

// Piece is a mandat (dépense) or a titre (recette).
type Piece struct {
	IdPce  string // numéro de la pièce
	TypPce string // LibelleTypPce gives the French label
	NatPce string
	Obj    string // Obj (dépense) or ObjPce (recette): the purpose
	DteEch string // dépense: due date, AAAA-MM-JJ
	PJRef  []RefPJ
	Lignes []Ligne
}

// MtHT is the sum of the lines' MtHT.
func (p Piece) MtHT() Montant {
	var s Montant
	for _, l := range p.Lignes {
		s += l.MtHT
	}
	return s
}

// MtTVA is the sum of the lines' MtTVA.
func (p Piece) MtTVA() Montant {
	var s Montant
	for _, l := range p.Lignes {
		s += l.MtTVA
	}
	return s
}

// MtTTC is MtHT + MtTVA.
func (p Piece) MtTTC() Montant { return p.MtHT() + p.MtTVA() }

// Tiers returns the distinct tiers of the pièce's lines, in order.
func (p Piece) Tiers() []Tiers {
	var out []Tiers
	vus := map[Tiers]bool{}
	for _, l := range p.Lignes {
		for _, t := range l.Tiers {
			if !vus[t] {
				vus[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// Ligne is a LigneDePiece: the budget imputation and its amount.
type Ligne struct {
	IdLigne   string
	Nature    string // compte par nature (imputation)
	Fonction  string // fonction, when the budget is voted by function
	Operation string
	Libelle   string // LibVir1 (dépense) or ObjLignePce (recette)
	MtHT      Montant
	MtTVA     Montant
	PJRef     []RefPJ
	Tiers     []Tiers // dépense: at most one; recette: several debtors possible
}

// Imputation is the line's budget imputation, "nature / fonction".
func (l Ligne) Imputation() string {
	if l.Fonction == "" {
		return l.Nature
	}
	return l.Nature + " / " + l.Fonction
}

// Tiers is the creditor (dépense) or debtor (recette) of a line.
type Tiers struct {
	Civilite string
	Nom      string
	Prenom   string
	ComplNom string
	IdTiers  string // SIRET, etc., per NatIdTiers
	RefTiers string // the commune's own reference
	CP       string
	Ville    string
}

// NomComplet is "Civilité Prénom Nom ComplNom" without empty parts.
func (t Tiers) NomComplet() string {
	s := ""
	for _, p := range []string{t.Civilite, t.Prenom, t.Nom, t.ComplNom} {
		if p != "" {
			if s != "" {
				s += " "
			}
			s += p
		}
	}
	return s
}

// RefPJ is a PJRef: a pièce justificative referenced by a pièce or a line,
// carried in PES_PJ (Support 01) or elsewhere.
type RefPJ struct {
	Support  string
	IdUnique string // matches PJ.IdUnique in PES_PJ
	NomPJ    string
	TypePJ   string
}

// PJ is one attachment of PES_PJ. Its content (gzip then base64) is not
// kept: only its size.
type PJ struct {
	IdUnique    string
	NomPJ       string
	TypePJ      string // 001 budget, 002 recette, 003 dépense…
	Description string
	MIMEType    string
	TailleB64   int64 // size of the base64 content, in bytes
}

// Bordereaux returns the dépense then the recette bordereaux.
func (f *Fichier) Bordereaux() []Bordereau {
	return append(append([]Bordereau(nil), f.Depenses...), f.Recettes...)
}

// Totaux sums one domain.
type Totaux struct {
	NbBordereaux int
	NbPieces     int
	MtHT         Montant // sum of the bordereaux' MtBordHT
	MtTVA        Montant
	MtTTC        Montant
}

// Totaux returns the totals of the dépense or recette bordereaux.
func (f *Fichier) Totaux(d Domaine) Totaux {
	bs := f.Depenses
	if d == Recette {
		bs = f.Recettes
	}
	var t Totaux
	for _, b := range bs {
		t.NbBordereaux++
		t.NbPieces += len(b.Pieces)
		t.MtHT += b.MtBordHT
		t.MtTVA += b.MtBordTVA
	}
	t.MtTTC = t.MtHT + t.MtTVA
	return t
}

// PJParId returns the attachment of PES_PJ with this IdUnique.
func (f *Fichier) PJParId(id string) (PJ, bool) {
	for _, p := range f.PJ {
		if p.IdUnique == id {
			return p, true
		}
	}
	return PJ{}, false
}
