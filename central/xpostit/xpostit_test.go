package xpostit_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
	"xdemat/central/mail"
	"xdemat/central/mail/smtptest"
	"xdemat/central/sms"
	"xdemat/central/sqlite"
	"xdemat/central/storetest"
	"xdemat/central/xpostit"
)

// env is a store with one commune, an SMTP server and an SMS simulator.
type env struct {
	t       *testing.T
	store   *sqlite.Store
	commune *xdemat.Commune
	smtp    *smtptest.Server
	sms     *sms.Simulateur
	d       *xpostit.Dispatcher
	mu      sync.Mutex
	// offset moves the dispatcher's clock away from the real time, which
	// dates the envois the store creates.
	offset time.Duration
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := &xdemat.Commune{SIREN: storetest.SIREN(), Nom: "Hautvillers", Departement: "51", Population: 720}
	if err := s.CreateCommune(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t)
	cfg, err := mail.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.From = "ne-pas-repondre@central.example"
	mailer, err := mail.NewSMTP(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: s, commune: c, smtp: srv, sms: sms.NewSimulateur()}
	e.d = &xpostit.Dispatcher{Store: s, Mailer: mailer, SMS: e.sms, PublicURL: "https://central.example:8443", Now: e.clock}
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.offset += d
}

// set moves the clock to about t.
func (e *env) set(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.offset = time.Until(t)
}

func (e *env) user(nom, email, tel string) *xdemat.Utilisateur {
	e.t.Helper()
	u := &xdemat.Utilisateur{CommuneID: e.commune.ID, Nom: nom, Prenom: "Claire", Email: email, Telephone: tel, Role: xdemat.RoleSecretaire, Actif: true}
	if err := e.store.SaveUtilisateur(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) raise(typ, titre string, echeance time.Time) *xdemat.Notification {
	e.t.Helper()
	tn, _ := xdemat.TypeNotificationParCode(typ)
	n := &xdemat.Notification{CommuneID: e.commune.ID, Type: typ, Severite: tn.Severite, Titre: titre,
		Texte: "Vérifiez la mise à jour de sécurité du poste.", Echeance: echeance, CreeLe: e.clock()}
	if err := e.store.RaiseNotification(context.Background(), n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) envois() map[string]*central.Envoi {
	e.t.Helper()
	es, err := e.store.ListEnvois(context.Background(), e.commune.ID, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]*central.Envoi{}
	for _, v := range es {
		out[v.Canal+" "+v.Adresse] = v
	}
	return out
}

func (e *env) deliver() {
	e.t.Helper()
	if err := e.d.Deliver(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func TestNotificationParCourrielEtSMS(t *testing.T) {
	e := newEnv(t)
	e.user("Lefèvre", "secretariat@hautvillers.example", "")
	e.user("Bertin", "maire@hautvillers.example", "+33612345678")
	n := e.raise(xdemat.NotificationAlerteSPL, "Mise à jour de sécurité à installer", time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC))
	e.deliver()

	msgs := e.smtp.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d e-mails, want 2", len(msgs))
	}
	for _, m := range msgs {
		if m.Subject != "[xdemat] Mise à jour de sécurité à installer — Hautvillers" {
			t.Errorf("Subject = %q", m.Subject)
		}
		for _, want := range []string{"Mise à jour de sécurité à installer", "Vérifiez la mise à jour de sécurité du poste.",
			"Échéance : 20/03/2026 à 01:00", "Gravité : Critique", "https://central.example:8443/ouvrir/" + n.ID} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("text lacks %q:\n%s", want, m.Text)
			}
		}
		if !strings.Contains(m.HTML, `href="https://central.example:8443/ouvrir/`+n.ID+`"`) {
			t.Errorf("HTML lacks the link:\n%s", m.HTML)
		}
		if !strings.HasSuffix(m.MessageID, "@central.example>") {
			t.Errorf("Message-ID = %q", m.MessageID)
		}
	}
	if to := msgs[0].To[0] + " " + msgs[1].To[0]; !strings.Contains(to, "secretariat@hautvillers.example") || !strings.Contains(to, "maire@hautvillers.example") {
		t.Fatalf("recipients %s", to)
	}
	texts := e.sms.Messages()
	if len(texts) != 1 || texts[0].To != "+33612345678" || texts[0].Text != "xdemat Hautvillers : Mise à jour de sécurité à installer" {
		t.Fatalf("SMS = %+v", texts)
	}

	e.sms.Wait()
	e.d.ApplyReports(context.Background())
	got := e.envois()
	if v := got["email maire@hautvillers.example"]; v.Statut != central.EnvoiEnvoye || v.EnvoyeLe.IsZero() || v.Tentatives != 1 {
		t.Fatalf("e-mail envoi = %+v", v)
	}
	if v := got["sms +33612345678"]; v.Statut != central.EnvoiLivre || !strings.HasPrefix(v.ReferenceFournisseur, "SIM-") {
		t.Fatalf("SMS envoi = %+v", v)
	}

	// Nothing goes twice.
	e.advance(time.Hour)
	e.deliver()
	if n := len(e.smtp.Messages()); n != 2 {
		t.Fatalf("%d e-mails after a second pass, want 2", n)
	}
}

func TestRelanceEtAbandon(t *testing.T) {
	e := newEnv(t)
	e.d.MaxTentatives = 3
	e.user("Lefèvre", "secretariat@hautvillers.example", "")
	e.raise(xdemat.NotificationHorsLigne, "Le poste de la mairie ne joint plus la SPL", time.Time{})

	e.smtp.FailNext(1)
	e.deliver()
	v := e.envois()["email secretariat@hautvillers.example"]
	if v.Statut != central.EnvoiAEnvoyer || v.Tentatives != 1 || !strings.Contains(v.DerniereErreur, "nouvel essai") {
		t.Fatalf("after a temporary refusal: %+v", v)
	}
	if wait := v.ProchainEssai.Sub(v.CreeLe); wait < xpostit.Attente(1) || wait > xpostit.Attente(1)+time.Minute {
		t.Fatalf("next attempt %v after the creation, want %v", wait, xpostit.Attente(1))
	}
	e.deliver() // not yet due
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d e-mails before the next attempt", n)
	}
	e.advance(xpostit.Attente(1))
	e.deliver()
	if v := e.envois()["email secretariat@hautvillers.example"]; v.Statut != central.EnvoiEnvoye || v.Tentatives != 2 || v.DerniereErreur != "" {
		t.Fatalf("after the retry: %+v", v)
	}

	// A server that keeps refusing: given up after MaxTentatives.
	e.raise(xdemat.NotificationHorsLigne, "Toujours hors ligne", time.Time{})
	e.smtp.FailNext(100)
	for range 3 {
		e.deliver()
		e.advance(time.Hour)
	}
	var failed *central.Envoi
	es, _ := e.store.ListEnvois(context.Background(), e.commune.ID, 1)
	failed = es[0]
	if failed.Statut != central.EnvoiEchec || failed.Tentatives != 3 || !strings.HasPrefix(failed.DerniereErreur, "Abandonné après 3 tentatives") {
		t.Fatalf("after 3 refusals: %+v", failed)
	}

	// An address the server refuses for good: failed at once.
	e.smtp.FailNext(0)
	e.smtp.Refuse("secretariat@hautvillers.example")
	e.raise(xdemat.NotificationHorsLigne, "Encore hors ligne", time.Time{})
	e.deliver()
	es, _ = e.store.ListEnvois(context.Background(), e.commune.ID, 1)
	if es[0].Statut != central.EnvoiEchec || es[0].Tentatives != 1 || !strings.Contains(es[0].DerniereErreur, "refusée") {
		t.Fatalf("refused address: %+v", es[0])
	}
}

func TestSMSNumeroInjoignable(t *testing.T) {
	e := newEnv(t)
	e.user("Bertin", "", "+33612345699")
	e.raise(xdemat.NotificationPosteRevoque, "Poste révoqué : « PC-MAIRIE »", time.Time{})
	e.deliver()
	e.sms.Wait()
	e.d.ApplyReports(context.Background())
	v := e.envois()["sms +33612345699"]
	if v == nil || v.Statut != central.EnvoiEchec || v.DerniereErreur != "Numéro injoignable." {
		t.Fatalf("SMS envoi = %+v", v)
	}
}

func TestSansFournisseurDeSMS(t *testing.T) {
	e := newEnv(t)
	e.d.SMS = nil
	e.user("Bertin", "", "+33612345678")
	e.raise(xdemat.NotificationAlerteSPL, "Alerte", time.Time{})
	e.deliver()
	if v := e.envois()["sms +33612345678"]; v.Statut != central.EnvoiEchec || !strings.Contains(v.DerniereErreur, "-sms") {
		t.Fatalf("SMS envoi = %+v", v)
	}
}

// enroll returns a context authenticated as a new poste of the commune.
func (e *env) enroll() context.Context {
	e.t.Helper()
	ctx := context.Background()
	now := time.Now()
	code := &xdemat.CodeEnrolement{Code: "TEST-" + uuid.NewString()[:8], CommuneID: e.commune.ID, CreeLe: now, ExpireLe: now.Add(time.Hour)}
	if err := e.store.CreateCode(ctx, code); err != nil {
		e.t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	p := &xdemat.Poste{Nom: "MAIRIE", ClePublique: pub}
	if err := e.store.Enroll(ctx, code.Code, p, now); err != nil {
		e.t.Fatal(err)
	}
	return xdemat.NewContextWithPoste(ctx, p)
}

func TestResumeQuotidien(t *testing.T) {
	e := newEnv(t)
	u := e.user("Lefèvre", "secretariat@hautvillers.example", "")
	poste := e.enroll()
	prefs, _ := json.Marshal(xdemat.Preferences{UtilisateurID: u.ID, Resume: true,
		ParType: map[string]xdemat.Canaux{xdemat.NotificationMessageSPL: {App: true}}, ModifieLe: time.Now()})
	if _, err := e.store.ApplyOperations(poste, []*xdemat.Operation{{ID: uuid.NewString(), Seq: 1, Type: xdemat.OperationPreferencesEnregistrees, Payload: prefs, CreeLe: time.Now()}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	y, m, d := time.Now().In(paris).AddDate(0, 0, 1).Date()
	demain := time.Date(y, m, d, 6, 30, 0, 0, paris) // after the enrollment
	e.set(demain)
	e.raise(xdemat.NotificationMessageSPL, "Réunion des secrétaires de mairie jeudi", time.Time{})
	e.raise(xdemat.NotificationMessageSPL, "Nouveau modèle de délibération", time.Date(y, m, d+1, 0, 0, 0, 0, paris))
	ctx := context.Background()

	if err := e.d.SendResumes(ctx, e.clock()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d e-mails before 7 h", n)
	}
	e.advance(45 * time.Minute) // 7 h 15
	for range 2 {
		if err := e.d.SendResumes(ctx, e.clock()); err != nil {
			t.Fatal(err)
		}
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d digests, want 1", len(msgs))
	}
	msg := msgs[0]
	if msg.Subject != "[xdemat] Ce qui reste à faire — Hautvillers" || msg.To[0] != "secretariat@hautvillers.example" {
		t.Fatalf("digest %q to %v", msg.Subject, msg.To)
	}
	// The nearest deadline first.
	i, j := strings.Index(msg.Text, "Nouveau modèle de délibération"), strings.Index(msg.Text, "Réunion des secrétaires")
	if i < 0 || j < 0 || i > j || !strings.Contains(msg.Text, "à faire avant le "+demain.AddDate(0, 0, 1).Format("02/01/2006")+")") {
		t.Fatalf("digest text:\n%s", msg.Text)
	}
	// The next day, only what was raised in the last 24 hours.
	e.advance(24 * time.Hour)
	e.raise(xdemat.NotificationMessageSPL, "Permanence de la SPL vendredi", time.Time{})
	e.advance(time.Minute)
	if err := e.d.SendResumes(ctx, e.clock()); err != nil {
		t.Fatal(err)
	}
	msgs = e.smtp.Messages()
	if len(msgs) != 2 || !strings.Contains(msgs[1].Text, "Permanence de la SPL vendredi") || strings.Contains(msgs[1].Text, "Réunion des secrétaires") {
		t.Fatalf("%d digests; the second:\n%s", len(msgs), msgs[len(msgs)-1].Text)
	}
}

func TestReveilDesLaCreation(t *testing.T) {
	e := newEnv(t)
	e.d.Poll = time.Hour // only the wake-up can send in time
	e.d.Now = time.Now
	e.store.OnEnvois(e.d.Wake)
	e.user("Lefèvre", "secretariat@hautvillers.example", "")
	e.d.Start()
	defer e.d.Stop()
	e.smtp.Wait(t, 0, time.Second)
	e.raise(xdemat.NotificationEnvoiRefuse, "Envoi refusé", time.Time{})
	msgs := e.smtp.Wait(t, 1, 20*time.Second)
	if msgs[0].Subject != "[xdemat] Envoi refusé — Hautvillers" {
		t.Fatalf("Subject = %q", msgs[0].Subject)
	}
}

func TestAttente(t *testing.T) {
	for _, tc := range []struct {
		tentative int
		want      time.Duration
	}{{1, time.Minute}, {2, 2 * time.Minute}, {4, 8 * time.Minute}, {7, time.Hour}, {50, time.Hour}} {
		if got := xpostit.Attente(tc.tentative); got != tc.want {
			t.Errorf("Attente(%d) = %v, want %v", tc.tentative, got, tc.want)
		}
	}
}
