package helios

import "strconv"

// Domaine is DomaineAck: what an acquit element is about (CommunAck.xsd).
type Domaine int

const (
	DomaineTechnique          Domaine = 0
	DomaineSignatureTechnique Domaine = 1
	DomaineSignatureGlobale   Domaine = 2
	DomaineSignatureBordereau Domaine = 3
	DomainePJ                 Domaine = 4
	DomaineDepense            Domaine = 5
	DomaineRecette            Domaine = 6
	DomaineRole               Domaine = 7
	DomaineBudget             Domaine = 8
	DomaineEtatActif          Domaine = 9
	DomaineEtatPassif         Domaine = 10
	DomaineMarche             Domaine = 11
	DomaineFacture            Domaine = 12
	DomaineParametrage        Domaine = 99
)

var libellesDomaine = map[Domaine]string{
	DomaineTechnique:          "contrôle technique du fichier",
	DomaineSignatureTechnique: "signature technique du fichier",
	DomaineSignatureGlobale:   "signature globale du fichier",
	DomaineSignatureBordereau: "signature du bordereau",
	DomainePJ:                 "pièce justificative",
	DomaineDepense:            "bordereau de dépense",
	DomaineRecette:            "bordereau de recette",
	DomaineRole:               "rôle",
	DomaineBudget:             "budget",
	DomaineEtatActif:          "état de l'actif",
	DomaineEtatPassif:         "état du passif",
	DomaineMarche:             "marché public",
	DomaineFacture:            "facture",
	DomaineParametrage:        "paramétrage",
}

// Libelle is the French name of the domain, for sentences.
func (d Domaine) Libelle() string {
	if l, ok := libellesDomaine[d]; ok {
		return l
	}
	return "domaine " + strconv.Itoa(int(d))
}

// Connu says whether the schema defines d.
func (d Domaine) Connu() bool {
	_, ok := libellesDomaine[d]
	return ok
}

func (d Domaine) String() string { return d.Libelle() }
