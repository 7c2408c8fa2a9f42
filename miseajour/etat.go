package miseajour

import (
	"time"
	"unicode/utf8"

	"xdemat"
)

// Statut is where a poste stands with its updates. Persisted as text.
type Statut string

// Statuses a poste reports.
const (
	AJour       Statut = "a-jour"      // runs the latest release it was offered
	Telechargee Statut = "telechargee" // a newer release is verified and waits for the night
	Installee   Statut = "installee"   // a newer release was installed and started
	Refusee     Statut = "refusee"     // a release failed its checks (signature, hash, version)
	Retablie    Statut = "retablie"    // a release did not start: the previous version runs again
	Erreur      Statut = "erreur"      // the check or download failed (network, disk): retried
)

// Libelle returns the status as the SPL's console shows it.
func (s Statut) Libelle() string {
	switch s {
	case AJour:
		return "à jour"
	case Telechargee:
		return "téléchargée, installation la nuit"
	case Installee:
		return "installée"
	case Refusee:
		return "refusée"
	case Retablie:
		return "échec au démarrage, version précédente rétablie"
	case Erreur:
		return "vérification en échec"
	}
	return "inconnu"
}

// Etat is what a poste reports to central about its updates, and what the
// agent keeps in its data folder.
type Etat struct {
	Version string `json:"version"` // the version running
	Statut  Statut `json:"statut"`
	// Cible is the release the status is about (downloaded, refused, rolled
	// back), when it is not Version.
	Cible   string    `json:"cible,omitempty"`
	Message string    `json:"message,omitempty"` // French reason of a refusal or failure
	Le      time.Time `json:"le"`
}

// Valider checks a report received from a poste.
func (e *Etat) Valider() error {
	switch e.Statut {
	case AJour, Telechargee, Installee, Refusee, Retablie, Erreur:
	default:
		return xdemat.Errorf(xdemat.EINVALID, "État de mise à jour inconnu : mettez l'agent xdemat à jour avec la version fournie par la SPL.")
	}
	if len(e.Version) > 64 || len(e.Cible) > 64 || len(e.Message) > 2000 || !utf8.ValidString(e.Message) || !utf8.ValidString(e.Version+e.Cible) {
		return xdemat.Errorf(xdemat.EINVALID, "État de mise à jour illisible (champs trop longs ou mal codés) : mettez l'agent xdemat à jour.")
	}
	return nil
}
