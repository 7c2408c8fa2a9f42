package localapi

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"io"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/agent/formats"
	"xdemat/internal/pdftest"
	"xdemat/internal/pkitest"
	"xdemat/signature/cades"
	"xdemat/signature/pades"
)

// avecFormats serves the parapheur with the formats of this build.
func avecFormats(s *Server) {
	s.Parapheur = s.Store.(agent.ParapheurStore)
	s.Formats = formats.Disponibles()
}

// mairieAPI creates the secretary, the maire and an adjoint, and returns a
// client with a session for each.
func mairieAPI(t testing.TB, h *harness) (sec, maire, adjoint *Client, ids map[string]string) {
	t.Helper()
	enroll(t, h)
	anne, err := h.client.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{Nom: "Lefèvre", Prenom: "Anne", Role: xdemat.RoleSecretaire, Actif: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.OuvrirSession(ctx, anne.ID, ""); err != nil {
		t.Fatal(err)
	}
	ids = map[string]string{"sec": anne.ID}
	for _, u := range []xdemat.Utilisateur{
		{Nom: "Bertin", Prenom: "Jacques", Role: xdemat.RoleMaire, Actif: true},
		{Nom: "Roux", Prenom: "Marie", Role: xdemat.RoleAdjoint, Actif: true},
	} {
		p, err := h.client.EnregistrerUtilisateur(ctx, u, "")
		if err != nil {
			t.Fatal(err)
		}
		ids[string(u.Role)] = p.ID
	}
	maire, adjoint = second(t, h), second(t, h)
	if _, err := maire.OuvrirSession(ctx, ids["maire"], ""); err != nil {
		t.Fatal(err)
	}
	if _, err := adjoint.OuvrirSession(ctx, ids["adjoint"], ""); err != nil {
		t.Fatal(err)
	}
	return h.client, maire, adjoint, ids
}

// deposerAPI adds a text document (signed in detached CAdES) and deposits
// it with the type's circuit.
func deposerAPI(t testing.TB, c *Client, typ xdemat.TypeDossier, titre, contenu string) *xdemat.DossierParapheur {
	t.Helper()
	return deposerFichier(t, c, typ, titre, titre+".txt", "text/plain", []byte(contenu))
}

// deposerFichier adds a document and deposits it with the type's circuit.
func deposerFichier(t testing.TB, c *Client, typ xdemat.TypeDossier, titre, nom, typeMedia string, contenu []byte) *xdemat.DossierParapheur {
	t.Helper()
	doc, err := c.AjouterDocument(ctx, nom, typeMedia, bytes.NewReader(contenu))
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DeposerDossier(ctx, agent.DemandeDepot{Titre: titre, Type: typ, Documents: []string{doc.SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// jeton stands for the élu's USB token: a key that never leaves it, a PIN
// checked at login, and counters of logins and signatures.
type jeton struct {
	cle        crypto.Signer
	cert       *x509.Certificate
	logins     atomic.Int32
	signatures atomic.Int32
}

func (j *jeton) Login(pin string) (crypto.Signer, error) {
	j.logins.Add(1)
	if pin != "1234" {
		return nil, xdemat.Errorf(xdemat.EUNAUTHORIZED, "PIN incorrect.")
	}
	return signerCompte{j}, nil
}

type signerCompte struct{ j *jeton }

func (s signerCompte) Public() crypto.PublicKey { return s.j.cle.Public() }
func (s signerCompte) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	s.j.signatures.Add(1)
	return s.j.cle.Sign(r, d, o)
}

func nouveauJeton(t *testing.T, ac *pkitest.AC, s pkitest.Signataire) *jeton {
	k := pkitest.CleRSA(t)
	return &jeton{cle: k, cert: ac.Emettre(t, k.Public(), s)}
}

func TestCircuitVisaPuisSignatureParLAPI(t *testing.T) {
	h := start(t, avecFormats)
	sec, maire, _, ids := mairieAPI(t, h)
	d := deposerAPI(t, sec, xdemat.DossierArrete, "Arrêté de voirie", "%PDF-1.7 arrêté de voirie")
	if d.DeposePar != ids["sec"] || len(d.Etapes) != 2 || d.Etapes[0].Nature != xdemat.EtapeVisa {
		t.Fatalf("déposé %+v", d)
	}
	// Not yet the maire's turn.
	if l, err := maire.ATraiter(ctx); err != nil || len(l) != 0 {
		t.Fatalf("à traiter du maire avant le visa : %+v, %v", l, err)
	}
	if _, err := maire.Viser(ctx, d.ID, 1); xdemat.ErrorCode(err) != xdemat.EFORBIDDEN {
		t.Fatalf("visa du maire à la place de la secrétaire : %v", err)
	}
	if _, err := sec.Viser(ctx, d.ID, 1); err != nil {
		t.Fatal(err)
	}
	l, err := maire.ATraiter(ctx)
	if err != nil || len(l) != 1 || l[0].Dossier.ID != d.ID || l[0].Nature != xdemat.EtapeSignature || l[0].PourLeCompteDe != "" {
		t.Fatalf("à traiter du maire : %+v, %v", l, err)
	}
	if _, err := maire.Annoter(ctx, d.ID, "Lu, je signe demain."); err != nil {
		t.Fatal(err)
	}
	// The maire signs with his token.
	ac := pkitest.NouvelleAC(t)
	j := nouveauJeton(t, ac, pkitest.Signataire{Nom: "Jacques Bertin"})
	cle, _ := j.Login("1234")
	rep, err := maire.SignerLot(ctx, []string{d.ID}, j.cert, cle, nil)
	if err != nil || len(rep.Signes) != 1 || len(rep.Refus) != 0 {
		t.Fatalf("signature : %+v, %v", rep, err)
	}
	signe := rep.Signes[0]
	if signe.Etat != xdemat.DossierSigne || len(signe.Documents) != 2 || len(signe.Historique) != 4 {
		t.Fatalf("dossier signé %+v", signe)
	}
	// The detached signature verifies against the deposited document.
	p7s := lire(t, maire, signe.Documents[1])
	res, err := cades.Verifier(p7s, strings.NewReader("%PDF-1.7 arrêté de voirie"), nil)
	if err != nil || res.Signataire.Subject.CommonName != "Jacques Bertin" {
		t.Fatalf("vérification CAdES : %v", err)
	}
	if _, err := cades.Verifier(p7s, strings.NewReader("%PDF-1.7 arrêté modifié"), nil); err == nil {
		t.Fatal("la signature vaut pour un autre document")
	}
	detail, err := sec.DossierParapheur(ctx, d.ID)
	if err != nil || detail.Historique[3].Certificat.Sujet == "" || detail.Historique[3].Par != ids["maire"] {
		t.Fatalf("historique %+v", detail.Historique)
	}
	if _, err := sec.Retirer(ctx, d.ID, ""); xdemat.ErrorCode(err) != xdemat.ECONFLICT {
		t.Fatalf("retirer un document signé : %v", err)
	}
}

func lire(t testing.TB, c *Client, h string) []byte {
	t.Helper()
	rc, err := c.LireDocument(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRefusAvecMotifParLAPI(t *testing.T) {
	h := start(t, avecFormats)
	sec, maire, _, ids := mairieAPI(t, h)
	d := deposerAPI(t, sec, xdemat.DossierDeliberation, "Délibération tarifs cantine", "%PDF tarifs")
	if _, err := maire.Refuser(ctx, d.ID, 1, "  "); xdemat.ErrorCode(err) != xdemat.EINVALID {
		t.Fatalf("refus sans motif : %v", err)
	}
	got, err := maire.Refuser(ctx, d.ID, 1, "Le tarif réduit manque.")
	if err != nil || got.Etat != xdemat.DossierRefuse {
		t.Fatalf("refus : %+v, %v", got, err)
	}
	ns, err := sec.Notifications(ctx, agent.FiltreNotifications{Service: xdemat.ServiceParapheur})
	if err != nil {
		t.Fatal(err)
	}
	var vu bool
	for _, n := range ns {
		vu = vu || (n.Type == xdemat.NotificationParapheurRefuse && n.Destinataire == ids["sec"] && strings.Contains(n.Texte, "tarif réduit"))
	}
	if !vu {
		t.Fatalf("la secrétaire n'a pas la notification du refus : %+v", ns)
	}
	j := nouveauJeton(t, pkitest.NouvelleAC(t), pkitest.Signataire{})
	rep, err := maire.PreparerSignatures(ctx, []string{d.ID}, j.cert.Raw)
	if err != nil || len(rep.Preparations) != 0 || len(rep.Refus) != 1 || rep.Refus[0].Code != xdemat.ECONFLICT {
		t.Fatalf("préparer un document refusé : %+v, %v", rep, err)
	}
}

// During the maire's absence, the adjoint signs for him, with the mention;
// before or after the delegation's period he cannot.
func TestDelegationParLAPI(t *testing.T) {
	h := start(t, avecFormats)
	now := time.Now()
	h.srv.Now = func() time.Time { return now }
	sec, maire, adjoint, ids := mairieAPI(t, h)
	pdf := pdftest.Minimal("Courrier au Département de la Marne", "Objet : voirie communale")
	d := deposerFichier(t, sec, xdemat.DossierCourrier, "Courrier au Département", "courrier.pdf", "application/pdf", pdf)
	ac := pkitest.NouvelleAC(t)
	j := nouveauJeton(t, ac, pkitest.Signataire{Nom: "Marie Roux"})
	cle, _ := j.Login("1234")
	if l, _ := adjoint.ATraiter(ctx); len(l) != 0 {
		t.Fatalf("l'adjoint voit %d documents sans délégation", len(l))
	}
	del, err := maire.EnregistrerDelegation(ctx, xdemat.Delegation{Delegant: ids["maire"], Delegataire: ids["adjoint"],
		Du: now.Add(24 * time.Hour), Au: now.Add(8 * 24 * time.Hour), Motif: "Congés d'été"})
	if err != nil {
		t.Fatal(err)
	}
	// Not yet in force.
	if rep, err := adjoint.SignerLot(ctx, []string{d.ID}, j.cert, cle, nil); err != nil || len(rep.Refus) != 1 || rep.Refus[0].Code != xdemat.EFORBIDDEN {
		t.Fatalf("avant la délégation : %+v, %v", rep, err)
	}
	now = now.Add(2 * 24 * time.Hour)
	l, err := adjoint.ATraiter(ctx)
	if err != nil || len(l) != 1 || l[0].PourLeCompteDe != ids["maire"] {
		t.Fatalf("à traiter de l'adjoint pendant l'absence : %+v, %v", l, err)
	}
	rep, err := adjoint.SignerLot(ctx, []string{d.ID}, j.cert, cle, nil)
	if err != nil || len(rep.Signes) != 1 {
		t.Fatalf("signature par délégation : %+v, %v", rep, err)
	}
	h4 := rep.Signes[0].Historique[1]
	if h4.Par != ids["adjoint"] || h4.PourLeCompteDe != ids["maire"] || h4.Mention() != xdemat.MentionDelegation {
		t.Fatalf("entrée %+v", h4)
	}
	// A PDF is signed in PAdES: the signed PDF replaces the document, its
	// visible block carries the mention, and it verifies.
	if len(rep.Signes[0].Documents) != 1 || rep.Signes[0].Documents[0] == d.Documents[0] {
		t.Fatalf("documents après signature PAdES : %v", rep.Signes[0].Documents)
	}
	signe := lire(t, adjoint, rep.Signes[0].Documents[0])
	racines := x509.NewCertPool()
	racines.AddCert(ac.Cert)
	sigs, err := pades.VerifierSignatures(signe, racines)
	if err != nil || len(sigs) != 1 {
		t.Fatalf("PAdES : %d signatures, %v", len(sigs), err)
	}
	if !bytes.HasPrefix(signe, pdf) {
		t.Fatal("la signature PAdES n'est pas une mise à jour incrémentale du PDF déposé")
	}
	if outil, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command(outil, "-", "-")
		cmd.Stdin = bytes.NewReader(signe)
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), "délégation") {
			t.Errorf("le bloc de signature visible ne porte pas la mention : %q", out)
		}
	}
	if got, err := maire.RetirerDelegation(ctx, del.ID); err != nil || got.RetireeLe.IsZero() {
		t.Fatalf("retrait de la délégation : %+v, %v", got, err)
	}
	d2 := deposerAPI(t, sec, xdemat.DossierCourrier, "Second courrier", "%PDF second")
	if rep, _ := adjoint.PreparerSignatures(ctx, []string{d2.ID}, j.cert.Raw); len(rep.Refus) != 1 {
		t.Fatalf("délégation retirée mais encore utilisée : %+v", rep)
	}
}

// Twenty documents are signed with one login to the token and twenty
// signatures; the prepared state survives a restart of the agent between
// the two steps.
func TestLotDeVingtSignesAvecUnSeulCodePIN(t *testing.T) {
	h := start(t, avecFormats)
	sec, maire, _, ids := mairieAPI(t, h)
	var lot []string
	contenus := map[string]string{}
	for i := range 20 {
		c := "%PDF mandat n°" + string(rune('A'+i))
		d := deposerAPI(t, sec, xdemat.DossierDeliberation, "Délibération "+string(rune('A'+i)), c)
		lot = append(lot, d.ID)
		contenus[d.ID] = c
	}
	ac := pkitest.NouvelleAC(t)
	j := nouveauJeton(t, ac, pkitest.Signataire{Nom: "Jacques Bertin"})
	if _, err := j.Login("0000"); err == nil {
		t.Fatal("mauvais PIN accepté")
	}
	j.logins.Store(0)

	prep, err := maire.PreparerSignatures(ctx, lot, j.cert.Raw)
	if err != nil || len(prep.Preparations) != 20 {
		t.Fatalf("préparation : %d, %v", len(prep.Preparations), err)
	}
	// The agent restarts while the maire types his PIN.
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	old := h.srv
	h.srv = &Server{Store: old.Store, Blobs: old.Blobs, Bus: agent.NewBus(), Logger: old.Logger}
	avecFormats(h.srv)
	h.stop = h.serve(t)
	if _, err := maire.OuvrirSession(ctx, ids["maire"], ""); err != nil {
		t.Fatal(err)
	}

	cle, err := j.Login("1234")
	if err != nil {
		t.Fatal(err)
	}
	var valeurs []agent.ValeursSignature
	for _, p := range prep.Preparations {
		v := agent.ValeursSignature{Preparation: p.ID}
		for _, e := range p.Empreintes {
			sig, err := cle.Sign(nil, e.Valeur, e.Algorithme.Options())
			if err != nil {
				t.Fatal(err)
			}
			v.Valeurs = append(v.Valeurs, sig)
		}
		valeurs = append(valeurs, v)
	}
	rep, err := maire.FinaliserSignatures(ctx, valeurs)
	if err != nil || len(rep.Signes) != 20 || len(rep.Refus) != 0 {
		t.Fatalf("finalisation : %d signés, refus %+v, %v", len(rep.Signes), rep.Refus, err)
	}
	if n, s := j.logins.Load(), j.signatures.Load(); n != 1 || s != 20 {
		t.Fatalf("%d connexions au jeton et %d signatures ; attendu 1 et 20", n, s)
	}
	for _, d := range rep.Signes {
		p7s := lire(t, maire, d.Documents[len(d.Documents)-1])
		if _, err := cades.Verifier(p7s, strings.NewReader(contenus[d.ID]), nil); err != nil {
			t.Fatalf("« %s » : %v", d.Titre, err)
		}
	}
	// Finalising again changes nothing: the preparations are spent.
	rep, err = maire.FinaliserSignatures(ctx, valeurs[:1])
	if err != nil || len(rep.Refus) != 1 || rep.Refus[0].Code != xdemat.ENOTFOUND {
		t.Fatalf("seconde finalisation : %+v, %v", rep, err)
	}
}

func TestSignatureRefuseeAvantAssemblage(t *testing.T) {
	h := start(t, avecFormats)
	sec, maire, _, _ := mairieAPI(t, h)
	d := deposerAPI(t, sec, xdemat.DossierDeliberation, "Délibération budget", "%PDF budget")
	ac := pkitest.NouvelleAC(t)

	expire := nouveauJeton(t, ac, pkitest.Signataire{NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().Add(-time.Hour)})
	_, err := maire.PreparerSignatures(ctx, []string{d.ID}, expire.cert.Raw)
	if xdemat.ErrorCode(err) != xdemat.EFORBIDDEN || !strings.Contains(xdemat.ErrorMessage(err), "a expiré") {
		t.Fatalf("certificat expiré : %v", err)
	}

	j := nouveauJeton(t, ac, pkitest.Signataire{})
	autre := pkitest.CleRSA(t)
	prep, err := maire.PreparerSignatures(ctx, []string{d.ID}, j.cert.Raw)
	if err != nil || len(prep.Preparations) != 1 {
		t.Fatalf("%+v, %v", prep, err)
	}
	e := prep.Preparations[0].Empreintes[0]
	faux, _ := autre.Sign(nil, e.Valeur, e.Algorithme.Options())
	rep, err := maire.FinaliserSignatures(ctx, []agent.ValeursSignature{{Preparation: prep.Preparations[0].ID, Valeurs: [][]byte{faux}}})
	if err != nil || len(rep.Refus) != 1 || rep.Refus[0].Code != xdemat.EINVALID {
		t.Fatalf("valeur d'une autre clé : %+v, %v", rep, err)
	}
	got, _ := maire.DossierParapheur(ctx, d.ID)
	if got.Etat != xdemat.DossierEnCours || len(got.Documents) != 1 {
		t.Fatalf("une signature fausse a changé le dossier : %+v", got)
	}
	// The secretary cannot finish the maire's preparation.
	bon, _ := j.cle.Sign(nil, e.Valeur, e.Algorithme.Options())
	rep, err = sec.FinaliserSignatures(ctx, []agent.ValeursSignature{{Preparation: prep.Preparations[0].ID, Valeurs: [][]byte{bon}}})
	if err != nil || len(rep.Refus) != 1 || rep.Refus[0].Code != xdemat.EFORBIDDEN {
		t.Fatalf("finalisation par une autre personne : %+v, %v", rep, err)
	}
	if !bytes.Contains([]byte(h.logs.String()), []byte("signatures préparées")) {
		t.Fatal("la préparation n'est pas journalisée")
	}
}

func TestParapheurSansSession(t *testing.T) {
	h := start(t, avecFormats)
	enroll(t, h)
	_, err := h.client.ATraiter(ctx)
	wantCode(t, err, xdemat.EUNAUTHORIZED)
	h2 := start(t)
	_, err = h2.client.ATraiter(ctx)
	wantCode(t, err, xdemat.EUNAVAILABLE)
}
