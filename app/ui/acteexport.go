package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
)

// The proofs of transmission of an acknowledged acte, saved from its fiche:
// the stamped copy (the PDF the commune publishes and files, stamped as
// S²LOW stamps it) and the AR file of the préfecture.

// preuveActe reports whether the préfecture acknowledged a, so that its
// stamped copy and AR exist (still true while its cancellation is pending).
func preuveActe(a *xdemat.Acte) bool {
	return a.IdentifiantUnique != "" && (a.Statut == xdemat.ActeAcquitte || a.Statut == xdemat.ActeAnnulationTransmise)
}

// ajouterPreuves adds to the fiche's actions the two buttons that save the
// proofs, enabled once the acte is acknowledged.
func (u *UI) ajouterPreuves(actions *fyne.Container, a *xdemat.Acte) {
	copie := widget.NewButtonWithIcon("Copie tamponnée…", theme.DocumentSaveIcon(), func() {
		u.enregistrerPreuve(a.NumeroInterne+"-tamponne.pdf", "Copie tamponnée enregistrée",
			"C'est l'acte tel que la préfecture l'a reçu, avec sa date de réception et son identifiant : c'est lui qui se publie et se classe.",
			func(ctx context.Context) ([]byte, error) { return u.ag.CopieTamponnee(ctx, a.ID) })
	})
	ar := widget.NewButtonWithIcon("Accusé de réception…", theme.DocumentSaveIcon(), func() {
		u.enregistrerPreuve(a.NumeroInterne+"-accuse-reception.xml", "Accusé de réception enregistré",
			"Ce fichier de la préfecture prouve la date de transmission de l'acte (contrôle de légalité) : gardez-le avec l'acte.",
			func(ctx context.Context) ([]byte, error) { return u.ag.AccuseReception(ctx, a.ID) })
	})
	if !preuveActe(a) {
		copie.Disable()
		ar.Disable()
	}
	actions.Add(copie)
	actions.Add(ar)
}

// enregistrerPreuve gets a file from the agent and asks where to save it.
func (u *UI) enregistrerPreuve(nom, titre, conseil string, lire func(ctx context.Context) ([]byte, error)) {
	appeler(u, lire, func(b []byte) {
		u.enregistrerFichier(nom, b, func(chemin string) {
			dialog.ShowInformation(titre, "Fichier enregistré : "+chemin+".\n\n"+conseil, u.win)
		})
	})
}
