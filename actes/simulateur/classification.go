package simulateur

import (
	"time"

	"xdemat"
	"xdemat/actes"
)

// ClassificationDemo returns the classification the simulator uses when it
// is given none: the six natures with their usual typologies and the nine
// matières of the national nomenclature with a few sub-matières. A real
// préfecture's file is richer (see the 7-2 sample in the fixtures).
func ClassificationDemo() *actes.RetourClassification {
	c := &actes.RetourClassification{DateClassification: actes.Jour(time.Date(2025, 1, 1, 12, 0, 0, 0, xdemat.Paris))}
	autres := map[xdemat.NatureActe][]actes.TypePiece{
		xdemat.NatureDeliberation:       {{CodeTypePJ: "70_DE", Libelle: "Délibération"}, {CodeTypePJ: "21_PA", Libelle: "Projet d'aménagement et de développement durable"}, {CodeTypePJ: "22_PN", Libelle: "Plans"}},
		xdemat.NatureActeReglementaire:  {{CodeTypePJ: "22_PN", Libelle: "Plans"}},
		xdemat.NatureActeIndividuel:     {{CodeTypePJ: "22_PN", Libelle: "Plans"}, {CodeTypePJ: "41_AT", Libelle: "Attestation"}},
		xdemat.NatureContrat:            {{CodeTypePJ: "11_AE", Libelle: "Acte d'engagement"}, {CodeTypePJ: "11_AP", Libelle: "Cahier des clauses administratives particulières"}},
		xdemat.NatureDocumentBudgetaire: {{CodeTypePJ: "70_DE", Libelle: "Délibération"}},
	}
	for _, n := range xdemat.NaturesActes() {
		na := actes.NatureActe{CodeNatureActe: int(n), Libelle: n.Libelle(), TypeAbrege: n.Abrege(),
			TypesPJ: []actes.TypePiece{{CodeTypePJ: n.TypePieceParDefaut(), Libelle: n.Libelle()}}}
		if n != xdemat.NatureAutre {
			na.TypesPJ = append(na.TypesPJ, actes.TypePiece{CodeTypePJ: xdemat.TypeAnnexeParDefaut, Libelle: "Autre document"})
		}
		na.TypesPJ = append(na.TypesPJ, autres[n]...)
		na.TypesPJ = append(na.TypesPJ, actes.TypePiece{CodeTypePJ: "99_SE", Libelle: "Fichier de signature électronique"})
		c.NaturesActes = append(c.NaturesActes, na)
	}
	m := func(code int, libelle string, sous ...actes.Matiere) actes.Matiere {
		return actes.Matiere{CodeMatiere: code, Libelle: libelle, Matiere2: sous}
	}
	// Third levels go in Matiere3, as the file nests them.
	n3 := func(code int, libelle string) actes.Matiere {
		return actes.Matiere{CodeMatiere: code, Libelle: libelle}
	}
	finances := m(7, "Finances locales",
		m(1, "Décisions budgétaires"),
		m(2, "Fiscalité"),
		m(3, "Emprunts"),
		m(5, "Subventions"),
		m(10, "Divers"))
	finances.Matiere2[0].Matiere3 = []actes.Matiere{n3(1, "Budget primitif"), n3(2, "Décision modificative"), n3(3, "Compte administratif")}
	finances.Matiere2[1].Matiere3 = []actes.Matiere{n3(1, "Vote des taux des contributions directes"), n3(2, "Vote des taxes et redevances")}
	c.Matieres = []actes.Matiere{
		m(1, "Commande publique", m(1, "Marchés publics"), m(2, "Délégation de service public"), m(7, "Actes spéciaux et divers")),
		m(2, "Urbanisme", m(1, "Documents d'urbanisme"), m(2, "Actes relatifs au droit d'occupation ou d'utilisation des sols"), m(3, "Droit de préemption urbain")),
		m(3, "Domaine et patrimoine", m(1, "Acquisitions"), m(2, "Aliénations"), m(3, "Locations"), m(5, "Autres actes de gestion du domaine public")),
		m(4, "Fonction publique", m(1, "Personnel titulaire et stagiaire de la FPT"), m(2, "Personnel contractuel"), m(5, "Régime indemnitaire")),
		m(5, "Institutions et vie politique", m(2, "Fonctionnement des assemblées"), m(3, "Désignation de représentants"), m(7, "Intercommunalité")),
		m(6, "Libertés publiques et pouvoirs de police", m(1, "Police municipale"), m(4, "Autres actes réglementaires")),
		finances,
		m(8, "Domaines de compétences par thèmes", m(1, "Enseignement"), m(3, "Voirie"), m(8, "Environnement"), m(9, "Culture")),
		m(9, "Autres domaines de compétences", m(1, "Autres domaines de compétences des communes"), m(4, "Vœux et motions")),
	}
	return c
}
