package pes

// French labels of the codes the élu sees, from the enumerations of the PES
// V2 XSDs (CommunDepense.xsd, CommunRecette.xsd).
var (
	typBordDepense = map[string]string{"01": "Ordinaire", "02": "Annulation/réduction", "03": "Ordres de paiement"}
	typBordRecette = map[string]string{"01": "Ordinaire", "02": "Annulation/réduction", "03": "Ordres de recette", "06": "Ordres de recette multi créanciers (ORMC)"}
	typPceDepense  = map[string]string{
		"01": "Mandat ordinaire", "02": "Mandat correctif", "03": "Mandat d'ordre budgétaire",
		"04": "Mandat d'ordre mixte", "05": "Mandat émis après paiement", "06": "Mandat global",
		"07": "Mandat d'admission en non valeurs", "08": "Mandat collectif", "09": "Mandat sur marché",
		"10": "Mandat de rattachement", "11": "Ordre de paiement", "13": "Charges constatées d'avance",
	}
	typPceRecette = map[string]string{
		"01": "Titre ordinaire", "02": "Titre correctif", "03": "Titre d'ordre budgétaire",
		"04": "Titre d'ordre mixte", "05": "Titre émis après paiement", "06": "Titre récapitulatif avec rôle",
		"07": "Titre récapitulatif sans rôle", "09": "Titre de majoration", "10": "Titre en plusieurs années",
		"11": "Titre de rattachement", "12": "Ordre de recette ordonnateur", "14": "Produits constatés d'avance",
		"15": "Titre ORMC",
	}
)

// LibelleTypBord returns the French label of the bordereau type, or
// "type <code>" for a code without a label.
func (b Bordereau) LibelleTypBord() string {
	m := typBordDepense
	if b.Domaine == Recette {
		m = typBordRecette
	}
	return libelle(m, b.TypBord)
}

// LibelleTypPce returns the French label of the pièce type within domain d
// ("Mandat ordinaire", "Titre ordinaire"…).
func (p Piece) LibelleTypPce(d Domaine) string {
	m := typPceDepense
	if d == Recette {
		m = typPceRecette
	}
	return libelle(m, p.TypPce)
}

func libelle(m map[string]string, code string) string {
	if s, ok := m[code]; ok {
		return s
	}
	return "type " + code
}
