package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/agent"
)

// maintenantTest is the clock of every test: 25 November 2026, 10:00 UTC.
var maintenantTest = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// fauxAgent is an in-memory agent: what the app sends lands in its fields,
// what it answers is what they hold.
type fauxAgent struct {
	mu            sync.Mutex
	identite      *agent.Identity
	etat          agent.SyncState
	journal       []*xdemat.Journal
	utilisateurs  []xdemat.Utilisateur
	motsDePasse   map[string]string // ID → password in clear (fake only)
	session       string
	sessionPerdue bool // every call answers EUNAUTHORIZED, as after an agent restart
	notifs        []*xdemat.Notification
	prefs         *xdemat.Preferences
	prefsRecues   []*xdemat.Preferences
	appels        []string
	technique     []byte
	sauvegarde    sauvegardeFausse
	certificats   []*xdemat.CertificatSignature
	parapheur     parapheurFaux
	exports       agent.EtatExports
	transmissions []*xdemat.TransmissionPES
	actes         []*xdemat.Acte
}

func newFauxAgent() *fauxAgent {
	return &fauxAgent{
		identite:    &agent.Identity{PosteID: "poste-1", Commune: xdemat.Commune{ID: "c-1", Nom: "Commune de Démonstration", SIREN: "215100009", Departement: "51", Population: 180}, EnrolleLe: maintenantTest.AddDate(0, -1, 0)},
		etat:        agent.SyncState{Enrole: true, EnLigne: true, DernierSucces: maintenantTest.Add(-time.Minute)},
		motsDePasse: map[string]string{},
		technique:   []byte("time=… level=INFO msg=démarré\n"),
	}
}

// avecUtilisateur adds a user; mdp "" means no password.
func (f *fauxAgent) avecUtilisateur(id, prenom, nom, mdp string) *fauxAgent {
	f.utilisateurs = append(f.utilisateurs, xdemat.Utilisateur{ID: id, CommuneID: "c-1", Prenom: prenom, Nom: nom, Role: xdemat.RoleSecretaire, Actif: true})
	if mdp != "" {
		f.motsDePasse[id] = mdp
	}
	return f
}

func (f *fauxAgent) avecNotification(n xdemat.Notification) *fauxAgent {
	if n.CreeLe.IsZero() {
		n.CreeLe = maintenantTest.Add(-time.Hour)
	}
	f.notifs = append(f.notifs, &n)
	return f
}

func (f *fauxAgent) note(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.appels = append(f.appels, s)
	if f.sessionPerdue {
		return xdemat.Errorf(xdemat.EUNAUTHORIZED, "Session inconnue : choisissez à nouveau votre profil.")
	}
	return nil
}

func (f *fauxAgent) Etat(ctx context.Context) (*agent.SyncState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.etat
	return &st, nil
}

func (f *fauxAgent) Identite(ctx context.Context) (*agent.Identity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.identite == nil {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Poste non enrôlé.")
	}
	id := *f.identite
	return &id, nil
}

func (f *fauxAgent) Journal(ctx context.Context) ([]*xdemat.Journal, error) {
	if err := f.note("Journal"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.journal), nil
}

func (f *fauxAgent) Flux(ctx context.Context) (<-chan agent.BusEvent, error) {
	return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "pas de flux dans les tests")
}

func (f *fauxAgent) profil(u xdemat.Utilisateur) agent.Profil {
	return agent.Profil{Utilisateur: u, AvecMotDePasse: f.motsDePasse[u.ID] != ""}
}

func (f *fauxAgent) Utilisateurs(ctx context.Context) ([]agent.Profil, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ps []agent.Profil
	for _, u := range f.utilisateurs {
		ps = append(ps, f.profil(u))
	}
	return ps, nil
}

func (f *fauxAgent) EnregistrerUtilisateur(ctx context.Context, u xdemat.Utilisateur, motDePasse string) (*agent.Profil, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.ID == "" {
		u.ID = fmt.Sprintf("u-%d", len(f.utilisateurs)+1)
	}
	u.Actif = u.Actif || !slices.ContainsFunc(f.utilisateurs, func(x xdemat.Utilisateur) bool { return x.ID == u.ID })
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if motDePasse != "" {
		f.motsDePasse[u.ID] = motDePasse
	}
	i := slices.IndexFunc(f.utilisateurs, func(x xdemat.Utilisateur) bool { return x.ID == u.ID })
	if i < 0 {
		f.utilisateurs = append(f.utilisateurs, u)
	} else {
		f.utilisateurs[i] = u
	}
	p := f.profil(u)
	return &p, nil
}

func (f *fauxAgent) RetirerMotDePasse(ctx context.Context, u xdemat.Utilisateur) (*agent.Profil, error) {
	if err := f.note("RetirerMotDePasse " + u.ID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.utilisateurs, func(x xdemat.Utilisateur) bool { return x.ID == u.ID })
	if i < 0 {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Profil inconnu.")
	}
	delete(f.motsDePasse, u.ID)
	f.utilisateurs[i] = u
	p := f.profil(u)
	return &p, nil
}

func (f *fauxAgent) OuvrirSession(ctx context.Context, id, motDePasse string) (*agent.Profil, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.utilisateurs {
		if u.ID == id {
			if f.motsDePasse[id] != "" && f.motsDePasse[id] != motDePasse {
				return nil, xdemat.Errorf(xdemat.EUNAUTHORIZED, "Mot de passe incorrect pour %s : réessayez.", u.NomComplet())
			}
			f.session, f.sessionPerdue = id, false
			p := f.profil(u)
			return &p, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Profil inconnu.")
}

func (f *fauxAgent) FermerSession(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.session = ""
	return nil
}

func (f *fauxAgent) Notifications(ctx context.Context, fl agent.FiltreNotifications) ([]*xdemat.Notification, error) {
	if err := f.note("Notifications"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var ns []*xdemat.Notification
	for _, n := range f.notifs {
		if fl.Pour != "" && n.Destinataire != "" && n.Destinataire != fl.Pour {
			continue
		}
		if fl.Service != "" && n.Service() != fl.Service {
			continue
		}
		if !fl.AvecFaites && n.Faite() {
			continue
		}
		c := *n
		ns = append(ns, &c)
	}
	xdemat.TrierParUrgence(ns, maintenantTest)
	return ns, nil
}

func (f *fauxAgent) LeverNotification(ctx context.Context, n xdemat.Notification) (*xdemat.Notification, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notifs = append(f.notifs, &n)
	return &n, nil
}

func (f *fauxAgent) marquer(id string, faite bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.notifs {
		if n.ID == id {
			if faite && n.FaitLe.IsZero() {
				n.FaitLe = maintenantTest
			}
			if n.LuLe.IsZero() {
				n.LuLe = maintenantTest
			}
			return nil
		}
	}
	return xdemat.Errorf(xdemat.ENOTFOUND, "Notification introuvable.")
}

func (f *fauxAgent) MarquerLue(ctx context.Context, id string) error {
	if err := f.note("MarquerLue " + id); err != nil {
		return err
	}
	return f.marquer(id, false)
}

func (f *fauxAgent) MarquerFaite(ctx context.Context, id string) error {
	if err := f.note("MarquerFaite " + id); err != nil {
		return err
	}
	return f.marquer(id, true)
}

func (f *fauxAgent) Preferences(ctx context.Context) (*xdemat.Preferences, error) {
	if err := f.note("Preferences"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.prefs == nil {
		return &xdemat.Preferences{UtilisateurID: f.session}, nil
	}
	p := *f.prefs
	return &p, nil
}

func (f *fauxAgent) EnregistrerPreferences(ctx context.Context, p *xdemat.Preferences) error {
	if err := f.note("EnregistrerPreferences"); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *p
	f.prefs = &c
	f.prefsRecues = append(f.prefsRecues, &c)
	return nil
}

func (f *fauxAgent) Diagnostic(ctx context.Context) (*agent.Diagnostic, error) {
	if err := f.note("Diagnostic"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return &agent.Diagnostic{
		Version: "1.2.3", DossierDonnees: "/var/lib/xdemat", DemarreLe: maintenantTest.Add(-2 * time.Hour),
		Systeme: "linux/amd64", Identite: f.identite, Etat: f.etat,
		Boucles: map[string]string{"outbox": "", "inbox": "La SPL ne répond pas : les messages arriveront plus tard."},
	}, nil
}

func (f *fauxAgent) JournalTechnique(ctx context.Context) ([]byte, error) {
	if err := f.note("JournalTechnique"); err != nil {
		return nil, err
	}
	return slices.Clone(f.technique), nil
}

func (f *fauxAgent) aAppele(prefixe string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.ContainsFunc(f.appels, func(a string) bool { return strings.HasPrefix(a, prefixe) })
}

func lienNotification(id string) xdemat.Lien { return xdemat.Lien{Ecran: EcranNotification, ID: id} }

// journalDeTest is a short chained journal.
func journalDeTest() []*xdemat.Journal {
	var out []*xdemat.Journal
	var prev *xdemat.Journal
	for i, e := range []struct{ acteur, action, objet string }{
		{"agent", xdemat.EvenementPosteEnrole, "poste-1"},
		{"u-marie", xdemat.OperationUtilisateurEnregistre, "u-marie"},
		{"u-marie", xdemat.OperationNotificationLue, idMessage},
		{"central", xdemat.OperationNotificationCreee, idAlerte},
	} {
		j := &xdemat.Journal{Date: maintenantTest.Add(time.Duration(i-4) * time.Hour), Acteur: e.acteur, Action: e.action, Objet: e.objet}
		j.Chainer(prev)
		prev = j
		out = append(out, j)
	}
	return out
}

func (f *fauxAgent) EnregistrerCertificat(ctx context.Context, der []byte, rgs, qualifie bool) (*xdemat.CertificatSignature, error) {
	if err := f.note("EnregistrerCertificat"); err != nil {
		return nil, err
	}
	c, err := xdemat.LireCertificatSignature(der, f.session)
	if err != nil {
		return nil, err
	}
	c.RGS, c.Qualifie = rgs, qualifie
	f.mu.Lock()
	defer f.mu.Unlock()
	f.certificats = slices.DeleteFunc(f.certificats, func(x *xdemat.CertificatSignature) bool { return x.SHA256 == c.SHA256 })
	f.certificats = append(f.certificats, c)
	return c, nil
}

func (f *fauxAgent) Certificats(ctx context.Context) ([]*xdemat.CertificatSignature, error) {
	if err := f.note("Certificats"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.certificats), nil
}

func (f *fauxAgent) Enroler(ctx context.Context, d agent.DemandeEnrolement) (*agent.Identity, error) {
	if err := f.note("Enroler " + d.Code); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.identite != nil {
		return nil, xdemat.Errorf(xdemat.ECONFLICT, "Ce poste est déjà enrôlé.")
	}
	if d.Code != "ABCD-EFGH-IJKL" {
		return nil, xdemat.Errorf(xdemat.EFORBIDDEN, "Code d'enrôlement inconnu ou déjà utilisé : demandez-en un nouveau à la SPL.")
	}
	f.identite = &agent.Identity{PosteID: "poste-1", Commune: xdemat.Commune{ID: "c-1", Nom: "Commune de Démonstration", SIREN: "215100009"},
		CentralURL: d.Central, CentralCert: "ab12cd34", EnrolleLe: maintenantTest}
	f.etat.Enrole = true
	id := *f.identite
	return &id, nil
}

func (f *fauxAgent) Exports(ctx context.Context) (*agent.EtatExports, error) {
	if err := f.note("Exports"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.exports
	return &e, nil
}

func (f *fauxAgent) ConfigurerExports(ctx context.Context, c agent.ConfigExports) error {
	if err := f.note("ConfigurerExports"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exports.Config = c
	return nil
}
