package xdemat

import "time"

// LignesTampon returns the lines of the stamp printed on the copy of an
// acte acknowledged by the préfecture, as S²LOW prints them (the stamped
// copy is what the commune publishes and files as proof of transmission):
//
//	Envoyé en préfecture le JJ/MM/AAAA
//	Reçu en préfecture le JJ/MM/AAAA
//	Publié le JJ/MM/AAAA            (only when publieLe is not zero)
//	ID : <identifiant unique>
//
// Dates are civil days in Paris. An acte not (or no longer) acknowledged
// has no stamp: ECONFLICT says why.
func (a *Acte) LignesTampon(publieLe time.Time) ([]string, error) {
	switch {
	case a.Statut == ActeAnnule:
		return nil, Errorf(ECONFLICT, "L'acte %s est annulé : il n'a plus de copie tamponnée.", a.NumeroInterne)
	case a.IdentifiantUnique == "" || a.DateAR.IsZero() || (a.Statut != ActeAcquitte && a.Statut != ActeAnnulationTransmise):
		return nil, Errorf(ECONFLICT, "L'acte %s n'a pas encore reçu l'accusé de réception de la préfecture : la copie tamponnée sera disponible dès son arrivée.", a.NumeroInterne)
	}
	envoye := a.TransmisLe
	if envoye.IsZero() || envoye.After(a.DateAR) {
		// The AR overtook the "transmis" event: the préfecture received it
		// the day it was sent, as far as this poste knows.
		envoye = a.DateAR
	}
	lignes := []string{
		"Envoyé en préfecture le " + envoye.In(Paris).Format("02/01/2006"),
		"Reçu en préfecture le " + a.DateAR.In(Paris).Format("02/01/2006"),
	}
	if !publieLe.IsZero() {
		lignes = append(lignes, "Publié le "+publieLe.In(Paris).Format("02/01/2006"))
	}
	return append(lignes, "ID : "+a.IdentifiantUnique), nil
}
