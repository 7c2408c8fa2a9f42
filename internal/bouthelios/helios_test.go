package bouthelios

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/bordereaux"
	"xdemat/agent/localapi"
	"xdemat/agent/program"
	"xdemat/agent/surveillance"
	"xdemat/central"
	"xdemat/central/server"
	dgfip "xdemat/helios"
	"xdemat/helios/simulateur"
	"xdemat/internal/banc"
	"xdemat/internal/fixtures"
	"xdemat/pkcs11/jetontest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jetontest.Nettoyer()
	os.Exit(code)
}

func attendre(t *testing.T, quoi string, delai time.Duration, cond func() (bool, string)) {
	t.Helper()
	fin := time.Now().Add(delai)
	dernier := ""
	for time.Now().Before(fin) {
		ok, etat := cond()
		if ok {
			return
		}
		dernier = etat
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s : toujours pas au bout de %v (%s)", quoi, delai, dernier)
}

// mairie is central with the simulated DGFiP trusting the token's CA, and
// the enrolled agent of the mairie's PC watching one export folder.
type mairie struct {
	central    *server.Main
	sim        *simulateur.Simulateur
	agent      *program.Main
	export     string
	secretaire *localapi.Client
	maire      *localapi.Client
	anne       *xdemat.Utilisateur
	jeton      *jetontest.Jeton
	cle        crypto.Signer // one session on the token for the whole test
}

func demarrer(t *testing.T) *mairie { return demarrerPostes(t, false) }

// lancerAgent starts and enrolls the agent of one PC of the commune.
func lancerAgent(t *testing.T, dir string, c *server.Main, st central.Store, commune *xdemat.Commune) *program.Main {
	t.Helper()
	m := program.NewMain()
	m.DataDir = dir
	m.RetryMax, m.EnrollPoll = 200*time.Millisecond, 50*time.Millisecond
	m.Logger = slog.New(slog.DiscardHandler)
	m.Bordereaux = &bordereaux.Service{Periode: 200 * time.Millisecond, Surveillance: surveillance.Config{
		Attente: 50 * time.Millisecond, Stabilite: 200 * time.Millisecond, Abandon: time.Second, Reessai: 200 * time.Millisecond, Rescan: 300 * time.Millisecond}}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	banc.Enroler(t, c, st, commune, m)
	return m
}

// demarrerPostes starts central and the mairie's PC; with portable, the
// maire signs on his own laptop, another poste of the commune.
func demarrerPostes(t *testing.T, portable bool) *mairie {
	t.Helper()
	jeton := jetontest.Nouveau(t) // skips without SoftHSM2
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "xdh") // Unix socket paths stay short
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c, st, commune := banc.Central(t, dir, "-helios-racines", jeton.PEMAC(t, dir))
	sim := c.SimulateurHelios()
	if sim == nil {
		t.Fatal("central n'a pas démarré le simulateur Hélios")
	}
	anne := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Anne", Nom: "Lefèvre", Role: xdemat.RoleSecretaire, Actif: true}
	jacques := &xdemat.Utilisateur{CommuneID: commune.ID, Prenom: "Jacques", Nom: "Bertin", Role: xdemat.RoleMaire, Actif: true}
	for _, u := range []*xdemat.Utilisateur{anne, jacques} {
		if err := st.SaveUtilisateur(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	m := lancerAgent(t, filepath.Join(dir, "agent"), c, st, commune)
	pm := m
	if portable {
		pm = lancerAgent(t, filepath.Join(dir, "portable"), c, st, commune)
	}
	export := filepath.Join(dir, "exports JVS")
	if err := os.MkdirAll(export, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Store.SaveConfigExports(ctx, &agent.ConfigExports{Dossiers: []agent.DossierExport{{Logiciel: "jvs", Chemin: export}}}, "technicien", time.Now()); err != nil {
		t.Fatal(err)
	}
	session := func(m *program.Main, u *xdemat.Utilisateur) *localapi.Client {
		cl, err := localapi.Dial(m.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		attendre(t, "les profils de la commune arrivent de central", 30*time.Second, func() (bool, string) {
			ps, err := cl.Utilisateurs(ctx)
			return err == nil && len(ps) == 2, fmt.Sprint(len(ps), err)
		})
		if _, err := cl.OuvrirSession(ctx, u.ID, ""); err != nil {
			t.Fatal(err)
		}
		return cl
	}
	return &mairie{central: c, sim: sim, agent: m, export: export, secretaire: session(m, anne), maire: session(pm, jacques), anne: anne, jeton: jeton}
}

// deposer writes a file in the export folder as the accounting software
// does: under a temporary name, then renamed.
func (b *mairie) deposer(t *testing.T, nom string, contenu []byte) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(b.export), nom+".part")
	if err := os.WriteFile(tmp, contenu, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(b.export, nom)); err != nil {
		t.Fatal(err)
	}
}

func (b *mairie) transmission(t *testing.T, nomFic string) *xdemat.TransmissionPES {
	t.Helper()
	ts, err := b.secretaire.TransmissionsPES(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		if tr.NomFic == nomFic {
			return tr
		}
	}
	return nil
}

// signer waits for the PES's dossier in the maire's parapheur and signs it
// with the token's RSA key, through the agent's two-step signature.
func (b *mairie) signer(t *testing.T, nomFic string) *xdemat.TransmissionPES {
	t.Helper()
	ctx := context.Background()
	var tr *xdemat.TransmissionPES
	attendre(t, "le PES "+nomFic+" attend la signature du maire", 30*time.Second, func() (bool, string) {
		tr = b.transmission(t, nomFic)
		if tr == nil {
			return false, "pas importé"
		}
		l, err := b.maire.ATraiter(ctx)
		for _, d := range l {
			if d.Dossier.ID == tr.DossierID && d.Dossier.Type == xdemat.DossierBordereau {
				// On another poste the dossier can arrive before its
				// documents: the maire waits for them as the app would.
				for _, h := range d.Dossier.Documents {
					rc, err := b.maire.LireDocument(ctx, h)
					if err != nil {
						return false, "document " + h + " : " + err.Error()
					}
					rc.Close()
				}
				return true, ""
			}
		}
		return false, fmt.Sprint(len(l), err)
	})
	if b.cle == nil {
		b.cle = b.jeton.Signataire(t, b.jeton.RSA)
	}
	rep, err := b.maire.SignerLot(ctx, []string{tr.DossierID}, b.jeton.RSA.Cert, b.cle, nil)
	if err != nil || len(rep.Signes) != 1 {
		t.Fatalf("signature du PES : %+v, %v", rep, err)
	}
	return tr
}

// attendreReponse waits until the trésorerie's answer reaches the poste.
func (b *mairie) attendreReponse(t *testing.T, nomFic string) *xdemat.TransmissionPES {
	t.Helper()
	var tr *xdemat.TransmissionPES
	attendre(t, "la réponse de la trésorerie arrive sur le poste", 60*time.Second, func() (bool, string) {
		b.central.ReveillerHelios()
		tr = b.transmission(t, nomFic)
		if tr == nil {
			return false, "inconnu"
		}
		return tr.Statut.Final(), string(tr.Statut)
	})
	return tr
}

func (b *mairie) notification(t *testing.T, typ string) *xdemat.Notification {
	t.Helper()
	var out *xdemat.Notification
	attendre(t, "la secrétaire est prévenue ("+typ+")", 30*time.Second, func() (bool, string) {
		ns, err := b.secretaire.Notifications(context.Background(), agent.FiltreNotifications{Service: xdemat.ServiceHelios})
		for _, n := range ns {
			if n.Type == typ && n.Destinataire == b.anne.ID {
				out = n
				return true, ""
			}
		}
		return false, fmt.Sprint(len(ns), err)
	})
	return out
}

// autrePES gives the fixture another NomFic: Hélios takes each once.
func autrePES(pes []byte, nomFic string) []byte {
	return bytes.Replace(pes, []byte(`<NomFic V="SICOVAL201512104"/>`), []byte(`<NomFic V="`+nomFic+`"/>`), 1)
}

func TestPESDuDossierDExportAcquitteParLaTresorerie(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central, agent et jeton SoftHSM2")
	}
	pes := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	b := demarrer(t)

	debut := time.Now()
	b.deposer(t, "PESALR2_24310063300011_150924_001.xml", pes)
	tr := b.signer(t, "SICOVAL201512104")
	if tr.Statut != xdemat.HeliosASigner || len(tr.Bordereaux) != 1 || tr.Bordereaux[0].Numero != "2372" {
		t.Fatalf("PES importé : %+v", tr)
	}
	fin := b.attendreReponse(t, "SICOVAL201512104")
	t.Logf("dépôt dans le dossier d'export → acquit sur le poste : %v", time.Since(debut).Round(time.Millisecond))
	if fin.Statut != xdemat.HeliosAcquitte || fin.Bordereaux[0].Statut != xdemat.HeliosAcquitte || fin.Document == "" || fin.Document == fin.Original {
		t.Fatalf("PES acquitté : %+v", fin)
	}
	if !strings.HasPrefix(fin.NomTransport, "PESALR2_24310063300011_") {
		t.Fatalf("nom de transport %q", fin.NomTransport)
	}
	b.notification(t, xdemat.NotificationHeliosAcquitte)
	if _, err := os.Stat(filepath.Join(b.export, surveillance.DossierTraites, "PESALR2_24310063300011_150924_001.xml")); err != nil {
		t.Fatalf("le fichier n'est pas rangé dans « traités » : %v", err)
	}

	// The Trésorerie's PES_Retour: mandat 6623 rejected for lack of credits;
	// the poste shows the pièce's state and the secretary is told why.
	noms, err := b.sim.ProduireRetours(simulateur.DemandeRetour{Rejets: map[string]string{"6623": "03"}, Commentaire: "crédits épuisés au chapitre 011"})
	if err != nil || len(noms) != 1 {
		t.Fatalf("retours produits : %v, %v", noms, err)
	}
	var piece xdemat.PiecePES
	attendre(t, "le retour de la trésorerie arrive sur le poste", 30*time.Second, func() (bool, string) {
		b.central.ReveillerHelios()
		tr := b.transmission(t, "SICOVAL201512104")
		if tr == nil || len(tr.Bordereaux) != 1 || len(tr.Bordereaux[0].Pieces) != 1 {
			return false, fmt.Sprintf("%+v", tr)
		}
		piece = tr.Bordereaux[0].Pieces[0]
		return true, ""
	})
	if piece.Numero != "6623" || piece.Statut != xdemat.PieceRejetee || !strings.Contains(piece.Phrase, "crédits épuisés") {
		t.Fatalf("pièce après le retour : %+v", piece)
	}
	rejet := b.notification(t, xdemat.NotificationHeliosPieceRejetee)
	if !strings.Contains(rejet.Texte, "6623") || !strings.Contains(rejet.Texte, "Corrigez la pièce") || rejet.Objet.ID != fin.DossierID {
		t.Fatalf("notification du rejet : %+v", rejet)
	}
	if n := len(b.sim.Reponses()); n != 0 {
		t.Fatalf("%d fichiers laissés sur le serveur Hélios après la relève du retour", n)
	}

	// Refused by the trésorerie: the reason reaches the secretary in French.
	b.sim.Regler(simulateur.Comportement{RejetForce: dgfip.CodeAnomalie("ERREUR_AUTRE"), LibelleRejet: "1971 - Compte fonction présent à tort"})
	b.deposer(t, "PESALR2_24310063300011_150924_002.xml", autrePES(pes, "SICOVAL201512105"))
	b.signer(t, "SICOVAL201512105")
	ko := b.attendreReponse(t, "SICOVAL201512105")
	if ko.Statut != xdemat.HeliosRefuse || ko.Bordereaux[0].Statut != xdemat.HeliosRefuse || !strings.Contains(strings.Join(ko.Bordereaux[0].Explications, " "), "1971") {
		t.Fatalf("PES refusé : %+v", ko)
	}
	n := b.notification(t, xdemat.NotificationHeliosRefuse)
	if !strings.Contains(n.Texte, "1971") || !strings.Contains(n.Texte, "Corrigez") {
		t.Fatalf("notification du refus : %q", n.Texte)
	}
	b.sim.Regler(simulateur.Comportement{})

	// Bad input: refused with a French .txt, nothing sent.
	envoyes := len(b.sim.Reponses())
	mauvais := []struct {
		nom, contenu, motif string
	}{
		{"PES tronqué.xml", string(pes[:len(pes)/2]), ""},
		{"pas un PES.xml", `<?xml version="1.0"?><Facture><Montant>12</Montant></Facture>`, "PES"},
		{"copie du premier.xml", string(pes) + "\n", "déjà été importé"},
	}
	for _, m := range mauvais {
		b.deposer(t, m.nom, []byte(m.contenu))
	}
	for _, m := range mauvais {
		txt := filepath.Join(b.export, surveillance.DossierRefuses, m.nom+".txt")
		attendre(t, "« "+m.nom+" » refusé", 30*time.Second, func() (bool, string) {
			_, err := os.Stat(txt)
			return err == nil, fmt.Sprint(err)
		})
		motif, _ := os.ReadFile(txt)
		if !strings.Contains(string(motif), m.motif) {
			t.Errorf("motif du refus de « %s » : %s", m.nom, motif)
		}
	}
	if ts, _ := b.secretaire.TransmissionsPES(context.Background()); len(ts) != 2 {
		t.Fatalf("%d transmissions après les mauvais fichiers, 2 attendues", len(ts))
	}
	b.central.ReveillerHelios()
	time.Sleep(300 * time.Millisecond)
	if n := len(b.sim.Reponses()); n != envoyes {
		t.Fatalf("un mauvais fichier a été envoyé à la DGFiP (%d réponses, %d avant)", n, envoyes)
	}
}

// The maire signs on his laptop, another poste: the mairie's PC, which
// imported the PES, learns it is signed, fetches the signed file and hands
// it over once.
func TestPESSigneSurUnAutrePoste(t *testing.T) {
	if testing.Short() {
		t.Skip("bout en bout : central, deux agents et jeton SoftHSM2")
	}
	pes := fixtures.Lire(t, "protocols", "helios", "PES_ex.xml")
	b := demarrerPostes(t, true)
	b.deposer(t, "PESALR2_24310063300011_150924_001.xml", pes)
	b.signer(t, "SICOVAL201512104")
	fin := b.attendreReponse(t, "SICOVAL201512104")
	if fin.Statut != xdemat.HeliosAcquitte || fin.Document == "" || fin.Document == fin.Original {
		t.Fatalf("PES signé sur le portable : %+v", fin)
	}
	b.notification(t, xdemat.NotificationHeliosAcquitte)
	if n := len(b.sim.Reponses()); n != 0 {
		t.Fatalf("%d réponses laissées sur le serveur Hélios", n)
	}
}
