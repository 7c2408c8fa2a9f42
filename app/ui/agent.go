package ui

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"

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

	// Parapheur (Xparaph): what waits for the session's user, the
	// dossiers, actions on them, delegations; SignerLot prepares, has the
	// token sign every empreinte (one PIN for the batch) and finalises.
	ATraiter(ctx context.Context) ([]agent.DossierATraiter, error)
	DossiersParapheur(ctx context.Context, f agent.FiltreDossiers) ([]*xdemat.DossierParapheur, error)
	DossierParapheur(ctx context.Context, id string) (*xdemat.DossierParapheur, error)
	ModeleCircuit(ctx context.Context, t xdemat.TypeDossier) ([]xdemat.Etape, error)
	DeposerDossier(ctx context.Context, req agent.DemandeDepot) (*xdemat.DossierParapheur, error)
	Viser(ctx context.Context, id string, etape int) (*xdemat.DossierParapheur, error)
	Refuser(ctx context.Context, id string, etape int, motif string) (*xdemat.DossierParapheur, error)
	Retirer(ctx context.Context, id, motif string) (*xdemat.DossierParapheur, error)
	Annoter(ctx context.Context, id, texte string) (*xdemat.DossierParapheur, error)
	Delegations(ctx context.Context) ([]*xdemat.Delegation, error)
	EnregistrerDelegation(ctx context.Context, d xdemat.Delegation) (*xdemat.Delegation, error)
	RetirerDelegation(ctx context.Context, id string) (*xdemat.Delegation, error)
	SignerLot(ctx context.Context, dossiers []string, cert *x509.Certificate, cle crypto.Signer, progress func(fait, total int)) (*agent.ReponseFinalisation, error)
	AjouterDocument(ctx context.Context, name, mediaType string, r io.Reader) (*xdemat.Document, error)
	LireDocument(ctx context.Context, sha256 string) (io.ReadCloser, error)

	// Installation: enrollment of the poste (no session), export folders of
	// the accounting software.
	Enroler(ctx context.Context, d agent.DemandeEnrolement) (*agent.Identity, error)
	Exports(ctx context.Context) (*agent.EtatExports, error)
	ConfigurerExports(ctx context.Context, c agent.ConfigExports) error

	// Actes (Xactes): the register's next numéro, creation offline, list,
	// follow-up, sending (through the parapheur or directly), cancellation.
	ProposerNumeroActe(ctx context.Context, nature xdemat.NatureActe, annee int) (string, error)
	CreerActe(ctx context.Context, a *xdemat.Acte) (*xdemat.Acte, error)
	Actes(ctx context.Context, f agent.FiltreActes) ([]*xdemat.Acte, error)
	FicheActe(ctx context.Context, id string) (*agent.FicheActe, error)
	EnvoyerActes(ctx context.Context, req agent.DemandeEnvoiActes) ([]agent.ResultatEnvoiActe, error)
	AnnulerActe(ctx context.Context, id, motif string) (*xdemat.Acte, error)
	// RechercherActes searches the actes (full text and filters);
	// ExporterActesCSV writes their whole list as CSV for Excel.
	RechercherActes(ctx context.Context, r agent.RechercheActes) (*agent.ResultatRecherche, error)
	ExporterActesCSV(ctx context.Context, r agent.RechercheActes, w io.Writer) (int64, error)
	// CopieTamponnee returns the main document of an acknowledged acte with
	// the préfecture's stamp (PDF); AccuseReception its AR file (XML).
	CopieTamponnee(ctx context.Context, id string) ([]byte, error)
	AccuseReception(ctx context.Context, id string) ([]byte, error)
	// Registre prints the register of délibérations (DE) or arrêtés (AR)
	// of a year as PDF, ordre "chronologique" or "matiere".
	Registre(ctx context.Context, nature xdemat.NatureActe, annee int, ordre string) ([]byte, error)

	// TransmissionsPES lists the PES files imported, signed, sent to the
	// DGFiP, with the status of each bordereau.
	TransmissionsPES(ctx context.Context) ([]*xdemat.TransmissionPES, error)

	// Restaurer runs until the files are back; cancelling ctx stops it.
	Restaurer(ctx context.Context, d agent.DemandeRestauration) (*agent.ResultatRestauration, error)
}
