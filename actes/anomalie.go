package actes

import (
	"fmt"
	"regexp"
	"strings"
)

// The ministry's anomaly codes are listed only in its cahier des charges;
// its Detail text is French already ("PREF-VERIF-02 : Votre numéro de SIREN
// n'est pas encore enregistré…"). So the explanation leads with what we know
// from the code, quotes the préfecture's own words, and says what to do.

// detailPrefixRe strips the technical head of a detail:
// "SLO-EACT--210703385--20170612-2.tar.gz -> PREF-VERIF-02 : ".
var detailPrefixRe = regexp.MustCompile(`^\s*(?:\S+\.tar\.gz\s*->\s*)?(?:[A-Z]+(?:-[A-Z0-9]+)+\s*:\s*)?`)

// DetailLisible returns the préfecture's detail without its technical head.
func DetailLisible(detail string) string {
	d := strings.TrimSpace(detailPrefixRe.ReplaceAllString(detail, ""))
	return strings.Join(strings.Fields(d), " ")
}

var causesActe = map[int]struct{ cause, conseil string }{
	NatureRefusSchema:      {"le message de l'acte n'est pas conforme au format @CTES", "Contactez le support de la SPL : l'acte sera renvoyé une fois corrigé."},
	NatureRefusNature:      {"la nature de l'acte n'est pas reconnue", "Vérifiez la nature de l'acte, puis renvoyez-le."},
	NatureRefusMatiere:     {"la matière (classification) n'est pas reconnue ou n'est plus à jour", "Mettez à jour la classification, choisissez de nouveau la matière, puis renvoyez l'acte."},
	NatureRefusTypologie:   {"un type de pièce n'est pas permis pour cette nature d'acte", "Choisissez les types de pièces dans la liste de la préfecture, puis renvoyez l'acte."},
	NatureRefusDocument:    {"un document n'est pas dans un format accepté", "Déposez l'acte en PDF (annexes en PDF, XML, PNG ou JPEG), puis renvoyez-le."},
	NatureRefusDoublon:     {"un acte portant le même numéro a déjà été transmis", "Donnez un autre numéro à l'acte, puis renvoyez-le ; s'il s'agit d'un rectificatif, annulez d'abord le premier envoi."},
	NatureRefusAnnulation:  {"l'acte visé est inconnu de la préfecture", "Vérifiez l'identifiant de l'acte ; si cela persiste, contactez la préfecture."},
	NatureRefusDateInvalid: {"la date de décision n'est pas valide", "Corrigez la date de décision, puis renvoyez l'acte."},
}

var causesEnveloppe = map[int]struct{ cause, conseil string }{
	NatureRefusArchive:   {"l'archive reçue est illisible ou trop volumineuse", "Réduisez la taille des documents (150 Mo au plus), puis renvoyez l'acte."},
	NatureRefusEnveloppe: {"l'enveloppe de l'envoi n'est pas conforme", "Contactez le support de la SPL : l'envoi sera refait."},
	NatureRefusFichiers:  {"des fichiers de l'envoi manquent ou sont mal nommés", "Contactez le support de la SPL : l'envoi sera refait."},
	NatureRefusEmetteur:  {"la commune n'est pas encore enregistrée dans @CTES (SIREN inconnu de la préfecture)", "Vérifiez avec la préfecture que la convention de télétransmission est signée et enregistrée, puis renvoyez l'acte."},
}

// Explication returns, in plain French for the secretary, what a message
// from the préfecture means and, when something must be done, what.
func Explication(m Message) string {
	switch v := m.(type) {
	case *ARActe:
		return fmt.Sprintf("Reçu en préfecture le %s sous l'identifiant %s.", v.DateReception.Format("02/01/2006"), v.IDActe)
	case *AnomalieActe:
		c, ok := causesActe[v.Nature]
		if !ok {
			c = struct{ cause, conseil string }{"la préfecture a relevé une anomalie", "Lisez le motif ci-dessus ; si vous ne savez pas quoi corriger, contactez la préfecture."}
		}
		return phrase(fmt.Sprintf("La préfecture a refusé l'acte n° %s : %s", v.ActeRecu.NumeroInterne, c.cause), v.Detail, c.conseil)
	case *AnomalieEnveloppe:
		c, ok := causesEnveloppe[v.Nature]
		if !ok {
			c = struct{ cause, conseil string }{"la préfecture a refusé l'envoi", "Lisez le motif ci-dessus ; si cela persiste, contactez le support de la SPL."}
		}
		return phrase("La préfecture a refusé l'envoi : "+c.cause, v.Detail, c.conseil)
	case *CourrierSimple:
		return fmt.Sprintf("La préfecture vous a adressé un courrier le %s au sujet de l'acte %s : lisez-le ; vous pouvez y répondre.", v.DateCourrierPref.Format("02/01/2006"), v.IDActe)
	case *DemandePieceComplementaire:
		return phrase(fmt.Sprintf("La préfecture demande, par courrier du %s, des pièces complémentaires pour l'acte %s", v.DateCourrierPref.Format("02/01/2006"), v.IDActe),
			v.DescriptionPieces, "Envoyez les pièces demandées, ou refusez par un courrier motivé.")
	case *LettreObservations:
		return phrase(fmt.Sprintf("Le préfet a adressé, le %s, une lettre d'observations sur l'acte %s", v.DateCourrierPref.Format("02/01/2006"), v.IDActe),
			v.Motif, "Prévenez le maire : répondez à la lettre, en retirant ou en modifiant l'acte s'il y a lieu, ou refusez par un courrier motivé.")
	case *DefereTA:
		return phrase(fmt.Sprintf("Le préfet a déféré l'acte %s au tribunal administratif le %s", v.IDActe, v.DateDepot.Format("02/01/2006")),
			v.NatureIllegalite, "Prévenez le maire sans attendre : la commune doit préparer sa défense devant le tribunal.")
	case *ARAnnulation:
		return fmt.Sprintf("La préfecture a enregistré l'annulation de l'acte %s le %s.", v.IDActe, v.DateReception.Format("02/01/2006"))
	case *ARPieceComplementaire:
		return fmt.Sprintf("La préfecture a reçu le %s votre réponse à sa demande de pièces pour l'acte %s.", v.DateReception.Format("02/01/2006"), v.InfosCourrierPref.IDActe)
	case *ARReponseRejetLettreObservations:
		return fmt.Sprintf("La préfecture a reçu le %s votre réponse à la lettre d'observations sur l'acte %s.", v.DateReception.Format("02/01/2006"), v.InfosCourrierPref.IDActe)
	case *RetourClassification:
		return fmt.Sprintf("La préfecture a envoyé sa classification du %s : elle remplace la précédente.", v.DateClassification.Format("02/01/2006"))
	case *ReponseClassificationSansChangement:
		return fmt.Sprintf("La classification du %s est toujours celle de la préfecture.", v.DateClassification.Format("02/01/2006"))
	}
	if c := m.Code(); c != "" {
		return c.Libelle() + "."
	}
	return "Message de la préfecture."
}

// phrase joins a statement, the préfecture's own words and advice.
func phrase(tete, detail, conseil string) string {
	s := tete + "."
	if d := DetailLisible(detail); d != "" {
		s += " Motif donné par la préfecture : « " + strings.TrimSuffix(d, ".") + " »."
	}
	return s + " " + conseil
}
