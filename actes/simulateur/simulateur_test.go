package simulateur

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/actes"
	"xdemat/internal/pdftest"
)

const sirenDemo = "215100009"

var (
	emetteur = actes.Emetteur{SIREN: sirenDemo, Departement: "051", Arrondissement: 2, NatureCollectivite: actes.NatureCollectiviteCommune,
		AdressesRetour: []string{"actes@spl-xdemat.example.fr"}}
	aujourdhui = time.Date(2025, 3, 20, 10, 0, 0, 0, xdemat.Paris)
)

type banc struct {
	t     *testing.T
	sim   *Simulateur
	srv   *httptest.Server
	docs  map[string][]byte
	serie int
	vus   int // answers already read
}

func nouveauBanc(t *testing.T, cfg Config) *banc {
	t.Helper()
	if cfg.Trigramme == "" {
		cfg.Trigramme = "XDM"
	}
	if cfg.Operateur == "" {
		cfg.Operateur = "spl-xdemat"
	}
	if cfg.SIRENs == nil {
		cfg.SIRENs = []string{sirenDemo}
	}
	cfg.Maintenant = func() time.Time { return aujourdhui }
	sim, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &banc{t: t, sim: sim, srv: srv, docs: map[string][]byte{}}
}

func (b *banc) piece(nom, typ string, contenu []byte) xdemat.PieceActe {
	s := sha256.Sum256(contenu)
	h := hex.EncodeToString(s[:])
	b.docs[h] = contenu
	return xdemat.PieceActe{SHA256: h, Nom: nom, Taille: int64(len(contenu)), TypePiece: typ, TypeMedia: xdemat.TypeMediaDe(nom)}
}

func (b *banc) acte(numero string) *xdemat.Acte {
	return &xdemat.Acte{Nature: xdemat.NatureDeliberation, NumeroInterne: numero,
		DateDecision: time.Date(2025, 3, 14, 0, 0, 0, 0, xdemat.Paris), Objet: "Vote des taux d'imposition 2025",
		Classification: "7.2.1", DateClassification: ClassificationDemo().DateClassification.Time,
		DocumentPrincipal: b.piece("délibération.pdf", "99_DE", pdftest.Minimal("Délibération "+numero)),
		Annexes:           []xdemat.PieceActe{b.piece("état.pdf", "70_DE", pdftest.Minimal("Annexe"))}}
}

func (b *banc) options() actes.Options {
	b.serie++
	return actes.Options{Trigramme: "XDM", Date: aujourdhui, Serie: b.serie}
}

// poster sends an archive as S²LOW does: multipart, the file part named
// after the archive.
func (b *banc) poster(nom string, donnees []byte) (int, string) {
	b.t.Helper()
	var corps bytes.Buffer
	mw := multipart.NewWriter(&corps)
	fw, _ := mw.CreateFormFile(nom, nom)
	_, _ = fw.Write(donnees)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/actesPost", &corps)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set(EnteteOperateur, "spl-xdemat")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	texte, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(texte)
}

func (b *banc) envoyer(ar *actes.Archive) string {
	b.t.Helper()
	code, texte := b.poster(ar.Nom, ar.Octets)
	if code != http.StatusOK || !strings.HasPrefix(texte, "OK\n") {
		b.t.Fatalf("envoi de %s : %d %s", ar.Nom, code, texte)
	}
	return texte
}

// retours reads, over HTTP, the answers not read yet, checks every XML in
// them against the schema, and returns them parsed.
func (b *banc) retours() []*actes.Retour {
	b.t.Helper()
	resp, err := b.get("/retours?siren=" + sirenDemo + "&depuis=" + strconv.Itoa(b.vus))
	if err != nil {
		b.t.Fatal(err)
	}
	var liste []struct {
		Numero int    `json:"numero"`
		Nom    string `json:"nom"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&liste)
	resp.Body.Close()
	var out []*actes.Retour
	for _, l := range liste {
		resp, err := b.get("/retours/" + l.Nom)
		if err != nil {
			b.t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fichiers, err := actes.LireFichiers(data)
		if err != nil {
			b.t.Fatal(err)
		}
		for _, f := range fichiers {
			if strings.HasSuffix(f.Nom, ".xml") {
				validerXSD(b.t, f.Nom, f.Contenu)
			}
		}
		r, err := actes.LireRetour(data)
		if err != nil {
			b.t.Fatal(err)
		}
		out = append(out, r)
		b.vus = l.Numero
	}
	return out
}

// get reads from the platform as the operator.
func (b *banc) get(chemin string) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+chemin, nil)
	req.Header.Set(EnteteOperateur, "spl-xdemat")
	resp, err := http.DefaultClient.Do(req)
	if err == nil && resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, errors.New(chemin + " : " + resp.Status)
	}
	return resp, err
}

func (b *banc) unMessage() actes.Message {
	b.t.Helper()
	rs := b.retours()
	if len(rs) != 1 || len(rs[0].Messages) != 1 {
		b.t.Fatalf("%d retours, attendu un seul message", len(rs))
	}
	return rs[0].Messages[0].Message
}

func dossierFixtures() string {
	if d := os.Getenv("XDEMAT_FIXTURES"); d != "" {
		return d
	}
	_, f, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(f), "..", "..", "..", "shared", "fixtures")
}

// validerXSD checks what the simulator emits against the official schema.
func validerXSD(t *testing.T, nom string, xml []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		return // the parse by LireRetour still checks the messages
	}
	xsd := filepath.Join(dossierFixtures(), "protocols", "actes", "xsd", "actesv1_1.xsd")
	if _, err := os.Stat(xsd); err != nil {
		return
	}
	f := filepath.Join(t.TempDir(), nom)
	_ = os.WriteFile(f, xml, 0o600)
	if out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, f).CombinedOutput(); err != nil {
		t.Fatalf("%s émis par le simulateur ne respecte pas le schéma @CTES : %s\n%s", nom, out, xml)
	}
}

func TestActeAcquitteEtRenvoiIdempotent(t *testing.T) {
	b := nouveauBanc(t, Config{})
	ar, err := actes.ConstruireActe(b.acte("2025_042"), emetteur, b.options(), actes.Contenus(b.docs))
	if err != nil {
		t.Fatal(err)
	}
	premiere := b.envoyer(ar)
	m := b.unMessage()
	arActe, ok := m.(*actes.ARActe)
	if !ok {
		t.Fatalf("réponse %T (%s), attendu un ARActe", m, actes.Explication(m))
	}
	if arActe.IDActe != ar.IDActe || arActe.DateReception.String() != "2025-03-20" || arActe.ActeRecu.NumeroInterne != "2025_042" {
		t.Fatalf("AR %+v", arActe)
	}
	// The sender crashed after sending and sends the same archive again.
	if seconde := b.envoyer(ar); seconde != premiere {
		t.Fatalf("réponse au renvoi %q, attendu %q", seconde, premiere)
	}
	if rs := b.retours(); len(rs) != 0 {
		t.Fatalf("le renvoi a produit %d nouveaux retours", len(rs))
	}
	// Another archive under the same name is refused.
	autre, _ := actes.ConstruireActe(b.acte("2025_043"), emetteur, actes.Options{Trigramme: "XDM", Date: aujourdhui, Serie: 1}, actes.Contenus(b.docs))
	if code, texte := b.poster(autre.Nom, autre.Octets); code != http.StatusConflict || !strings.Contains(texte, "nouveau numéro de série") {
		t.Fatalf("%d %s", code, texte)
	}
	// The same acte in a new archive is a duplicate.
	encore, _ := actes.ConstruireActe(b.acte("2025_042"), emetteur, b.options(), actes.Contenus(b.docs))
	b.envoyer(encore)
	if an, ok := b.unMessage().(*actes.AnomalieActe); !ok || an.Nature != actes.NatureRefusDoublon || !strings.Contains(actes.Explication(an), "même numéro") {
		t.Fatalf("doublon : %+v", an)
	}
}

func TestRefusDeLaPlateforme(t *testing.T) {
	for _, c := range []struct {
		nom       string
		cfg       Config
		preparer  func(b *banc) (*actes.Archive, error)
		enveloppe bool
		nature    int
		dit       string
	}{
		{"SIREN non enregistré", Config{SIRENs: []string{"213500000"}}, func(b *banc) (*actes.Archive, error) {
			return actes.ConstruireActe(b.acte("1"), emetteur, b.options(), actes.Contenus(b.docs))
		}, true, actes.NatureRefusEmetteur, "convention de télétransmission"},
		{"opérateur non homologué", Config{Trigramme: "ABC"}, func(b *banc) (*actes.Archive, error) {
			return actes.ConstruireActe(b.acte("1"), emetteur, b.options(), actes.Contenus(b.docs))
		}, true, actes.NatureRefusEmetteur, "XDM-EACT n'est pas homologué"},
		{"matière inconnue", Config{}, func(b *banc) (*actes.Archive, error) {
			a := b.acte("1")
			a.Classification = "7.9"
			return actes.ConstruireActe(a, emetteur, b.options(), actes.Contenus(b.docs))
		}, false, actes.NatureRefusMatiere, "Mettez à jour la classification"},
		{"typologie non permise pour la nature", Config{}, func(b *banc) (*actes.Archive, error) {
			a := b.acte("1")
			a.Annexes[0].TypePiece = "11_AE"
			return actes.ConstruireActe(a, emetteur, b.options(), actes.Contenus(b.docs))
		}, false, actes.NatureRefusTypologie, "type de pièce"},
		{"acte principal qui n'est pas un PDF", Config{}, func(b *banc) (*actes.Archive, error) {
			ar, err := actes.ConstruireActe(b.acte("1"), emetteur, b.options(), actes.Contenus(b.docs))
			if err != nil {
				return nil, err
			}
			fichiers, _ := actes.LireFichiers(ar.Octets)
			fichiers[2].Contenu = []byte("PK\x03\x04")
			var txs []actes.Transaction
			m, _ := actes.LireMessage(fichiers[1].Contenu)
			txs = append(txs, actes.Transaction{Nom: fichiers[1].Nom, Message: m, Pieces: []actes.Piece{{Nom: fichiers[2].Nom, Contenu: fichiers[2].Contenu}, {Nom: fichiers[3].Nom, Contenu: fichiers[3].Contenu}}})
			env, _ := actes.LireMessage(fichiers[0].Contenu)
			return actes.Assembler(ar.Nom, fichiers[0].Nom, env, txs, aujourdhui)
		}, false, actes.NatureRefusDocument, "Déposez l'acte en PDF"},
		{"refus commandé par l'administrateur", Config{}, func(b *banc) (*actes.Archive, error) {
			b.sim.AnomalieProchainActe(Anomalie{Nature: 42, Detail: "Acte illisible, merci de le renvoyer."})
			return actes.ConstruireActe(b.acte("1"), emetteur, b.options(), actes.Contenus(b.docs))
		}, false, 42, "Acte illisible, merci de le renvoyer"},
	} {
		t.Run(c.nom, func(t *testing.T) {
			b := nouveauBanc(t, c.cfg)
			ar, err := c.preparer(b)
			if err != nil {
				t.Fatal(err)
			}
			b.envoyer(ar)
			rs := b.retours()
			if len(rs) != 1 {
				t.Fatalf("%d retours", len(rs))
			}
			var nature int
			var explication string
			if c.enveloppe {
				an := rs[0].AnomalieEnveloppe
				if an == nil || rs[0].FichierAnomalie != "ANO_"+strings.TrimPrefix(strings.TrimSuffix(ar.Nom, ".tar.gz"), "XDM-")+".xml" {
					t.Fatalf("retour %+v, attendu une anomalie d'enveloppe", rs[0])
				}
				if !strings.HasPrefix(an.Detail, ar.Nom+" -> PREF-VERIF-") {
					t.Errorf("détail %q", an.Detail)
				}
				nature, explication = an.Nature, actes.Explication(an)
			} else {
				an, ok := rs[0].Messages[0].Message.(*actes.AnomalieActe)
				if !ok {
					t.Fatalf("retour %T, attendu une AnomalieActe", rs[0].Messages[0].Message)
				}
				nature, explication = an.Nature, actes.Explication(an)
			}
			if nature != c.nature || !strings.Contains(explication, c.dit) {
				t.Fatalf("nature %d, explication %q ; attendu %d « %s »", nature, explication, c.nature, c.dit)
			}
			if len(b.sim.EtatCourant().Actes) != 0 {
				t.Error("un acte refusé est enregistré comme reçu")
			}
		})
	}
}

// TestCourriersDeLaPrefectureEtReponses: the administrator makes the
// préfecture write about an acte; the commune answers; the platform
// acknowledges; the acte is cancelled at the end.
func TestCourriersDeLaPrefectureEtReponses(t *testing.T) {
	b := nouveauBanc(t, Config{})
	ar, _ := actes.ConstruireActe(b.acte("2025_042"), emetteur, b.options(), actes.Contenus(b.docs))
	b.envoyer(ar)
	b.retours()
	admin := func(route, texte string) *http.Response {
		corps, _ := json.Marshal(map[string]string{"texte": texte})
		resp, err := http.Post(b.srv.URL+"/admin/actes/"+ar.IDActe+"/"+route, "application/json", bytes.NewReader(corps))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	admin("courrier", "Merci de préciser la date d'affichage.")
	cs, ok := b.unMessage().(*actes.CourrierSimple)
	if !ok || cs.IDActe != ar.IDActe {
		t.Fatalf("courrier %+v", cs)
	}

	admin("demande-pieces", "Le plan de situation manque.")
	rs := b.retours()
	dp, ok := rs[0].Messages[0].Message.(*actes.DemandePieceComplementaire)
	if !ok || dp.DescriptionPieces != "Le plan de situation manque." || len(rs[0].Messages[0].Pieces) != 1 ||
		!bytes.HasPrefix(rs[0].Messages[0].Pieces[0].Contenu, []byte("%PDF-")) {
		t.Fatalf("demande de pièces %+v", rs[0].Messages[0])
	}
	if e := actes.Explication(dp); !strings.Contains(e, "Le plan de situation manque") {
		t.Error(e)
	}
	plan := b.piece("plan.pdf", "", pdftest.Minimal("Plan de situation"))
	rep, err := actes.ConstruireReponsePieces(dp.CourrierPref, []xdemat.PieceActe{plan}, emetteur, b.options(), actes.Contenus(b.docs))
	if err != nil {
		t.Fatal(err)
	}
	b.envoyer(rep)
	if arp, ok := b.unMessage().(*actes.ARPieceComplementaire); !ok || arp.InfosCourrierPref != dp.CourrierPref {
		t.Fatalf("AR des pièces %+v", arp)
	}
	// Answering twice the same demande is refused.
	rep2, _ := actes.ConstruireReponsePieces(dp.CourrierPref, []xdemat.PieceActe{plan}, emetteur, b.options(), actes.Contenus(b.docs))
	b.envoyer(rep2)
	if _, ok := b.unMessage().(*actes.AnomalieActe); !ok {
		t.Fatal("seconde réponse à la même demande acceptée")
	}

	admin("lettre-observations", "La délibération n'est pas motivée.")
	lo, ok := b.unMessage().(*actes.LettreObservations)
	if !ok || lo.Motif != "La délibération n'est pas motivée." {
		t.Fatalf("lettre %+v", lo)
	}
	lettre := b.piece("réponse.pdf", "", pdftest.Minimal("Réponse"))
	rep, _ = actes.ConstruireReponseObservations(lo.CourrierPref, lettre, emetteur, b.options(), actes.Contenus(b.docs))
	b.envoyer(rep)
	if _, ok := b.unMessage().(*actes.ARReponseRejetLettreObservations); !ok {
		t.Fatal("pas d'AR de la réponse à la lettre d'observations")
	}

	admin("defere", "Incompétence de l'auteur de l'acte.")
	if d, ok := b.unMessage().(*actes.DefereTA); !ok || d.NatureIllegalite != "Incompétence de l'auteur de l'acte." || len(d.PiecesJointes) != 1 {
		t.Fatalf("déféré %+v", d)
	}

	an, _ := actes.ConstruireAnnulation(ar.IDActe, emetteur, b.options())
	b.envoyer(an)
	if a, ok := b.unMessage().(*actes.ARAnnulation); !ok || a.IDActe != ar.IDActe {
		t.Fatalf("AR d'annulation %+v", a)
	}
	if a, _ := b.sim.Acte(ar.IDActe); !a.Annule || len(a.Courriers) != 3 {
		t.Fatalf("acte %+v", a)
	}
	if resp := admin("courrier", "x"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("courrier sur un acte annulé : %d", resp.StatusCode)
	}
}

func TestDemandeDeClassification(t *testing.T) {
	b := nouveauBanc(t, Config{})
	dem, _ := actes.ConstruireDemandeClassification(time.Time{}, emetteur, b.options())
	b.envoyer(dem)
	c, ok := b.unMessage().(*actes.RetourClassification)
	if !ok || len(c.NaturesActes) != 6 || !c.Contient("7.1.2") {
		t.Fatalf("classification %T", c)
	}
	dem, _ = actes.ConstruireDemandeClassification(c.DateClassification.Time, emetteur, b.options())
	b.envoyer(dem)
	if _, ok := b.unMessage().(*actes.ReponseClassificationSansChangement); !ok {
		t.Fatal("classification à jour : réponse 7-3 attendue")
	}
}

func TestPanneLenteurEtOperateur(t *testing.T) {
	b := nouveauBanc(t, Config{})
	ar, _ := actes.ConstruireActe(b.acte("1"), emetteur, b.options(), actes.Contenus(b.docs))

	put := func(route string, corps string) {
		req, _ := http.NewRequest(http.MethodPut, b.srv.URL+"/admin/"+route, strings.NewReader(corps))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatal(err, resp.Status)
		}
		resp.Body.Close()
	}
	put("panne", `{"active": true}`)
	if code, texte := b.poster(ar.Nom, ar.Octets); code != http.StatusServiceUnavailable || !strings.Contains(texte, "indisponible") {
		t.Fatalf("en panne : %d %s", code, texte)
	}
	put("panne", `{"active": false}`)

	put("lenteur", `{"millisecondes": 5000}`)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.URL+"/retours", nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("plateforme lente : %v, attendu l'abandon du client", err)
	}
	put("lenteur", `{"millisecondes": 0}`)
	if len(b.sim.EtatCourant().Actes) != 0 {
		t.Fatal("rien ne doit avoir été reçu pendant la panne")
	}

	// Without the operator's certificate.
	req, _ = http.NewRequest(http.MethodGet, b.srv.URL+"/retours", nil)
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sans certificat : %d", resp.StatusCode)
	}
	resp.Body.Close()

	b.envoyer(ar)
	if _, ok := b.unMessage().(*actes.ARActe); !ok {
		t.Fatal("après la panne, l'acte est acquitté")
	}
}

// TestEtatConserve: the simulator restarted on its folder answers a re-sent
// archive as before.
func TestEtatConserve(t *testing.T) {
	dossier := t.TempDir()
	b := nouveauBanc(t, Config{Dossier: dossier})
	ar, _ := actes.ConstruireActe(b.acte("1"), emetteur, b.options(), actes.Contenus(b.docs))
	premiere := b.envoyer(ar)

	sim, err := New(Config{Trigramme: "XDM", SIRENs: []string{sirenDemo}, Dossier: dossier, Maintenant: func() time.Time { return aujourdhui }})
	if err != nil {
		t.Fatal(err)
	}
	retours, err := sim.Recevoir(ar.Nom, ar.Octets)
	if err != nil || "OK\n"+strings.Join(retours, "\n")+"\n" != premiere {
		t.Fatalf("après redémarrage : %v %v, attendu %q", retours, err, premiere)
	}
	if len(sim.Retours(0, "")) != 1 {
		t.Fatal("retours perdus au redémarrage")
	}
	if _, ok := sim.Acte(ar.IDActe); !ok {
		t.Fatal("acte perdu au redémarrage")
	}
}
