package ui

import (
	"context"

	"xdemat"
	"xdemat/agent"
)

// Agent is what the app asks of the agent of this poste: the local API of
// agent/localapi (*localapi.Client satisfies it), and an in-memory fake in
// tests. The app holds no business rule: every decision is the agent's.
type Agent interface {
	Etat(ctx context.Context) (*agent.SyncState, error)
	Identite(ctx context.Context) (*agent.Identity, error)
	Journal(ctx context.Context) ([]*xdemat.Journal, error)
	// Flux streams the agent's events ("notifications", "utilisateurs",
	// "etat"…) until ctx ends or the agent stops.
	Flux(ctx context.Context) (<-chan agent.BusEvent, error)

	Utilisateurs(ctx context.Context) ([]agent.Profil, error)
	// EnregistrerUtilisateur records u; motDePasse "" keeps the current one.
	EnregistrerUtilisateur(ctx context.Context, u xdemat.Utilisateur, motDePasse string) (*agent.Profil, error)
	// RetirerMotDePasse makes the profile of u open without a password.
	RetirerMotDePasse(ctx context.Context, u xdemat.Utilisateur) (*agent.Profil, error)
	// OuvrirSession names the user at the keyboard in every later journal entry.
	OuvrirSession(ctx context.Context, utilisateurID, motDePasse string) (*agent.Profil, error)
	FermerSession(ctx context.Context) error

	Notifications(ctx context.Context, f agent.FiltreNotifications) ([]*xdemat.Notification, error)
	LeverNotification(ctx context.Context, n xdemat.Notification) (*xdemat.Notification, error)
	MarquerLue(ctx context.Context, id string) error
	MarquerFaite(ctx context.Context, id string) error

	Preferences(ctx context.Context) (*xdemat.Preferences, error)
	EnregistrerPreferences(ctx context.Context, p *xdemat.Preferences) error

	Diagnostic(ctx context.Context) (*agent.Diagnostic, error)
	// JournalTechnique returns the agent's technical log (text).
	JournalTechnique(ctx context.Context) ([]byte, error)

	EtatSauvegarde(ctx context.Context) (*agent.EtatSauvegarde, error)
	ConfigurerSauvegarde(ctx context.Context, c agent.ConfigSauvegarde) error
	// LancerSauvegarde returns at once; the progress comes as Flux events
	// "sauvegarde" (agent.ProgressionSauvegarde), then "sauvegarde.terminee"
	// (xdemat.Sauvegarde).
	LancerSauvegarde(ctx context.Context) error
	AnnulerSauvegarde(ctx context.Context) error
	HistoriqueSauvegardes(ctx context.Context, limite int) ([]*xdemat.Sauvegarde, error)
	Instantanes(ctx context.Context) ([]agent.Instantane, error)
	ContenuInstantane(ctx context.Context, instantane, chemin string) ([]agent.EntreeInstantane, error)
	// EnregistrerCertificat tells the agent about a certificate read on the
	// session user's token; it warns before it expires.
	EnregistrerCertificat(ctx context.Context, der []byte, rgs, qualifie bool) (*xdemat.CertificatSignature, error)
	// Certificats lists the session user's certificates the agent keeps.
	Certificats(ctx context.Context) ([]*xdemat.CertificatSignature, error)

	// Restaurer runs until the files are back; cancelling ctx stops it.
	Restaurer(ctx context.Context, d agent.DemandeRestauration) (*agent.ResultatRestauration, error)
}
