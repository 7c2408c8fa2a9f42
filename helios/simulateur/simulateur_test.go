package simulateur

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"xdemat/helios"
	"xdemat/internal/pkitest"
	"xdemat/signature"
	"xdemat/signature/xades"
)

// bord describes one bordereau of a synthetic PES_Aller.
type bord struct {
	recette bool
	num     string
	pieces  []string // IdPce
	nbrPce  int      // NbrPce declared; len(pieces) when 0
}

// pesAller writes a small PES_Aller in ISO-8859-1, as the accounting
// software does.
func pesAller(nomFic string, pj []string, bords ...bord) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n")
	b.WriteString(`<n:PES_Aller xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller">`)
	fmt.Fprintf(&b, `<Enveloppe><Parametres><Version V="2"/><TypFic V="PESALR2"/><NomFic V="%s"/></Parametres><Emetteur><Sigle V="JVS"/><Adresse V="Horizon"/></Emetteur></Enveloppe>`, nomFic)
	b.WriteString(`<EnTetePES><DteStr V="2026-03-02"/><IdPost V="051000"/><IdColl V="21510108000019"/><CodCol V="108"/><CodBud V="01"/><LibelleColBud V="Commune d'` + "\xC9" + `cury-sur-Coole"/></EnTetePES>`)
	bloc := func(recette bool) {
		var sel []bord
		for _, x := range bords {
			if x.recette == recette {
				sel = append(sel, x)
			}
		}
		if len(sel) == 0 {
			return
		}
		tag, entete := "PES_DepenseAller", "EnTeteDepense"
		if recette {
			tag, entete = "PES_RecetteAller", "EnTeteRecette"
		}
		fmt.Fprintf(&b, `<%s><%s><IdVer V="2"/><InfoDematerialisee V="1"/></%s>`, tag, entete, entete)
		for _, x := range sel {
			n := x.nbrPce
			if n == 0 {
				n = len(x.pieces)
			}
			fmt.Fprintf(&b, `<Bordereau><BlocBordereau><Exer V="2026"/><IdBord V="%s"/><DteBordEm V="2026-03-02"/><TypBord V="01"/><NbrPce V="%d"/><MtCumulAnnuel V="100.00"/><MtBordHT V="%d.00"/></BlocBordereau>`, x.num, n, 100*len(x.pieces))
			for _, p := range x.pieces {
				if recette {
					fmt.Fprintf(&b, `<Piece><BlocPiece><InfoPce><IdPce V="%s"/><TypPce V="01"/><NatPce V="01"/><ObjPce V="Cantine"/></InfoPce></BlocPiece><LigneDePiece><BlocLignePiece><InfoLignePiece><IdLigne V="1"/><ObjLignePce V="Repas"/><Nature V="7067"/><MtHT V="100.00"/></InfoLignePiece></BlocLignePiece></LigneDePiece></Piece>`, p)
				} else {
					fmt.Fprintf(&b, `<Piece><BlocPiece><InfoPce><IdPce V="%s"/><TypPce V="01"/><NatPce V="01"/><Obj V="Fournitures d'entretien"/></InfoPce></BlocPiece><LigneDePiece><BlocLignePiece><InfoLignePce><IdLigne V="1"/><Nature V="60632"/><LibVir1 V="Facture"/><MtHT V="100.00"/><MtTVA V="20.00"/></InfoLignePce></BlocLignePiece></LigneDePiece></Piece>`, p)
				}
			}
			b.WriteString(`</Bordereau>`)
		}
		fmt.Fprintf(&b, `</%s>`, tag)
	}
	bloc(false)
	bloc(true)
	if len(pj) > 0 {
		b.WriteString(`<PES_PJ><EnTetePES_PJ><IdVer V="1"/></EnTetePES_PJ>`)
		for _, id := range pj {
			fmt.Fprintf(&b, `<PJ><Contenu><Fichier MIMEType="application/pdf">H4sIAAAAAAAA/wMAAAAAAAAAAAA=</Fichier></Contenu><IdUnique V="%s"/><NomPJ V="facture.pdf"/><TypePJ V="003"/><Description V="Facture"/></PJ>`, id)
		}
		b.WriteString(`</PES_PJ>`)
	}
	b.WriteString(`</n:PES_Aller>`)
	return []byte(b.String())
}

type signataire struct {
	ac   *pkitest.AC
	cle  crypto.Signer
	cert *x509.Certificate
}

func nouveauSignataire(t testing.TB, s pkitest.Signataire) signataire {
	t.Helper()
	ac := pkitest.NouvelleAC(t)
	k := pkitest.CleRSA(t)
	return signataire{ac: ac, cle: k, cert: ac.Emettre(t, k.Public(), s)}
}

// signer signs in two steps as the agent and the app do.
func signer(t testing.TB, s signataire, pes []byte, p xades.Parametres) []byte {
	t.Helper()
	prep, emps, err := xades.Preparer(pes, s.cert, nil, p)
	if err != nil {
		t.Fatal(err)
	}
	valeurs := make([][]byte, len(emps))
	for i, e := range emps {
		if valeurs[i], err = signature.Signer(s.cle, e); err != nil {
			t.Fatal(err)
		}
	}
	signe, err := prep.Assembler(valeurs)
	if err != nil {
		t.Fatal(err)
	}
	return signe
}

var maire = xades.Parametres{Role: "Maire", Lieu: xades.Lieu{Ville: "Écury-sur-Coole", CodePostal: "51240", Pays: "France"}}

// banc is a simulator behind httptest with a client speaking its transport.
type banc struct {
	t   *testing.T
	sim *Simulateur
	srv *httptest.Server
}

func nouveauBanc(t *testing.T, o Options) *banc {
	s := Nouveau(o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &banc{t: t, sim: s, srv: srv}
}

var enteteTest = helios.EnTetePES{IdPost: "051000", IdColl: "21510108000019", CodCol: "108", CodBud: "01"}

// deposer uploads contenu with the parameters of enteteTest.
func (b *banc) deposer(nom string, contenu []byte) (int, ResultatDepot, string) {
	b.t.Helper()
	return b.deposerAvec(helios.NouveauDepot(nom, "VHPCE21", enteteTest), contenu)
}

func (b *banc) deposerAvec(d helios.Depot, contenu []byte) (int, ResultatDepot, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, b.srv.URL+"/depots/"+d.NomFichier, bytes.NewReader(contenu))
	req.Header.Set(EnTetePDest, d.PDest)
	req.Header.Set(EnTetePAppli, d.PAppli)
	req.Header.Set(EnTetePMsg, d.PMsg)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	corps, _ := io.ReadAll(resp.Body)
	var res ResultatDepot
	_ = json.Unmarshal(corps, &res)
	return resp.StatusCode, res, string(corps)
}

// reponse fetches a reply and reads it.
func (b *banc) reponse(nom string) (*helios.Message, []byte) {
	b.t.Helper()
	resp, err := http.Get(b.srv.URL + "/reponses/" + nom)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	corps, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s : %d %s", nom, resp.StatusCode, corps)
	}
	m, err := helios.LireMessage(corps)
	if err != nil {
		b.t.Fatalf("réponse illisible : %v\n%s", err, corps)
	}
	return m, corps
}

func dossierFixtures() string {
	if d := os.Getenv("XDEMAT_FIXTURES"); d != "" {
		return d
	}
	_, f, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(f), "..", "..", "..", "shared", "fixtures")
}

// validerXSD checks a reply against the fixtures' XSD with xmllint when both
// are there.
func validerXSD(t *testing.T, doc []byte, xsd string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Log("xmllint absent : validation XSD non faite")
		return
	}
	chemin := filepath.Join(dossierFixtures(), "protocols", "helios", "xsd", "PES_V2", xsd)
	if _, err := os.Stat(chemin); err != nil {
		t.Log("XSD absente des fixtures : validation non faite")
		return
	}
	f := filepath.Join(t.TempDir(), "reponse.xml")
	if err := os.WriteFile(f, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", chemin, f).CombinedOutput(); err != nil {
		t.Fatalf("réponse non conforme à %s : %s", xsd, out)
	}
}

func TestAcquitsSelonLeFichierRecu(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{Nom: "Marie Lefèvre"})
	autreAC := pkitest.NouvelleAC(t)
	expire := nouveauSignataire(t, pkitest.Signataire{NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)})
	deuxBordereaux := pesAller("PES_DEUX", []string{"PJ0001"}, bord{num: "12", pieces: []string{"121", "122"}}, bord{recette: true, num: "3", pieces: []string{"31"}})

	type attendu struct {
		domaine helios.Domaine
		accepte bool
		code    helios.CodeAnomalie
	}
	cas := []struct {
		nom      string
		racines  []*x509.Certificate
		contenu  func(t *testing.T) []byte
		elements []attendu
	}{
		{"signé par bordereau : tout accepté", []*x509.Certificate{sig.ac.Cert},
			func(t *testing.T) []byte { return signer(t, sig, deuxBordereaux, maire) },
			[]attendu{{helios.DomaineDepense, true, ""}, {helios.DomaineRecette, true, ""}, {helios.DomainePJ, true, ""}}},
		{"signature globale : tout accepté", nil,
			func(t *testing.T) []byte {
				p := maire
				p.Global = true
				return signer(t, sig, deuxBordereaux, p)
			},
			[]attendu{{helios.DomaineDepense, true, ""}, {helios.DomaineRecette, true, ""}, {helios.DomainePJ, true, ""}}},
		{"non signé : signature du bordereau incomplète", nil,
			func(t *testing.T) []byte { return deuxBordereaux },
			[]attendu{{helios.DomaineSignatureBordereau, false, helios.AnomalieSignatureBordereauIncomplete}, {helios.DomaineSignatureBordereau, false, helios.AnomalieSignatureBordereauIncomplete}, {helios.DomainePJ, true, ""}}},
		{"modifié après signature : signature invalide", nil,
			func(t *testing.T) []byte {
				return bytes.Replace(signer(t, sig, deuxBordereaux, maire), []byte(`<IdPce V="122"/>`), []byte(`<IdPce V="123"/>`), 1)
			},
			[]attendu{{helios.DomaineSignatureBordereau, false, helios.AnomalieSignatureBordereauInvalide}, {helios.DomaineRecette, true, ""}, {helios.DomainePJ, true, ""}}},
		{"autorité inconnue : certificat refusé", []*x509.Certificate{autreAC.Cert},
			func(t *testing.T) []byte { return signer(t, sig, deuxBordereaux, maire) },
			[]attendu{{helios.DomaineSignatureBordereau, false, helios.AnomalieCertificat}, {helios.DomaineSignatureBordereau, false, helios.AnomalieCertificat}, {helios.DomainePJ, true, ""}}},
		{"certificat expiré à la signature", nil,
			func(t *testing.T) []byte { return signer(t, expire, deuxBordereaux, maire) },
			[]attendu{{helios.DomaineSignatureBordereau, false, helios.AnomalieCertificat}, {helios.DomaineSignatureBordereau, false, helios.AnomalieCertificat}, {helios.DomainePJ, true, ""}}},
		{"NbrPce faux", nil,
			func(t *testing.T) []byte {
				return signer(t, sig, pesAller("PES_NBR", nil, bord{num: "12", pieces: []string{"121"}, nbrPce: 2}), maire)
			},
			[]attendu{{helios.DomaineDepense, false, helios.AnomalieAutre}}},
		{"flux vide", nil,
			func(t *testing.T) []byte { return pesAller("PES_VIDE", nil) },
			[]attendu{{helios.DomaineTechnique, false, helios.AnomalieFluxVide}}},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			b := nouveauBanc(t, Options{Racines: c.racines})
			statut, res, corps := b.deposer("PESALR2_21510108000019_260302_001.xml", c.contenu(t))
			if statut != http.StatusCreated || res.DejaRecu || res.Reponse == "" {
				t.Fatalf("%d %s", statut, corps)
			}
			m, brut := b.reponse(res.Reponse)
			if m.Type != helios.MessageAcquit {
				t.Fatalf("%s au lieu d'un acquit : %+v", m.Type, m.NonAcquit)
			}
			a := m.Acquit
			if len(a.Elements) != len(c.elements) {
				t.Fatalf("%d éléments : %+v", len(a.Elements), a.Elements)
			}
			for i, e := range c.elements {
				g := a.Elements[i]
				code := helios.CodeAnomalie("")
				if len(g.Erreurs) > 0 {
					code = g.Erreurs[0].Code
				}
				if g.Domaine != e.domaine || g.Accepte != e.accepte || code != e.code {
					t.Errorf("élément %d : %s accepté=%v %s %v", i, g.Domaine, g.Accepte, code, g.Erreurs)
				}
			}
			for _, an := range a.Anomalies() {
				t.Logf("pour la secrétaire : %s", an)
			}
			validerXSD(t, brut, "Rev0/PES_V2_Acquit_Autonome_V2.xsd")
		})
	}
}

func TestRenvoiIdempotentEtUnicite(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{})
	b := nouveauBanc(t, Options{})
	pes := signer(t, sig, pesAller("PES_A", []string{"PJ0001"}, bord{num: "12", pieces: []string{"121"}}), maire)
	statut, premier, _ := b.deposer("PESALR2_21510108000019_260302_001.xml", pes)
	if statut != http.StatusCreated {
		t.Fatal(statut)
	}
	// The same file again (a retry after a lost answer): same acquit, nothing new.
	statut, second, _ := b.deposer("PESALR2_21510108000019_260302_001.xml", pes)
	if statut != http.StatusOK || !second.DejaRecu || second.Reponse != premier.Reponse || len(b.sim.Reponses()) != 1 {
		t.Fatalf("renvoi : %d %+v, %d réponses", statut, second, len(b.sim.Reponses()))
	}
	// Same NomFic, other content: refused as a whole.
	autre := signer(t, sig, pesAller("PES_A", nil, bord{num: "13", pieces: []string{"131"}}), maire)
	_, res, _ := b.deposer("PESALR2_21510108000019_260302_002.xml", autre)
	m, brut := b.reponse(res.Reponse)
	if m.Type != helios.MessageNonAcquit || !strings.Contains(m.NonAcquit.Motif, "NomFic doit être unique") || m.NomFic() != "PES_A" {
		t.Fatalf("%+v %s", m, brut)
	}
	// A new file bringing the same bordereau and PJ: doublons.
	encore := signer(t, sig, pesAller("PES_B", []string{"PJ0001", "PJ0002"}, bord{num: "12", pieces: []string{"121"}}, bord{num: "14", pieces: []string{"141"}}), maire)
	_, res, _ = b.deposer("PESALR2_21510108000019_260302_003.xml", encore)
	m, _ = b.reponse(res.Reponse)
	codes := []string{}
	for _, e := range m.Acquit.Elements {
		c := "OK"
		if !e.Accepte {
			c = string(e.Erreurs[0].Code)
		}
		codes = append(codes, c)
	}
	if got := strings.Join(codes, " "); got != "ERREUR_DOUBLON_BORDEREAU OK ERREUR_DOUBLON_PJ OK" {
		t.Errorf("doublons : %s", got)
	}
}

func TestRefusDuTransport(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{})
	pes := signer(t, sig, pesAller("PES_T", nil, bord{num: "12", pieces: []string{"121"}}), maire)
	b := nouveauBanc(t, Options{TailleMax: int64(len(pes) - 1)})
	if statut, _, corps := b.deposer("PESALR2_21510108000019_260302_001.xml", pes); statut != http.StatusRequestEntityTooLarge || !strings.Contains(corps, "découpez") {
		t.Errorf("trop gros : %d %s", statut, corps)
	}
	b = nouveauBanc(t, Options{})
	d := helios.NouveauDepot("PESALR2_21510108000019_260302_001.xml", "VHPCE21", enteteTest)
	d.PMsg = "PES#108#051999#01"
	if statut, _, corps := b.deposerAvec(d, pes); statut != http.StatusBadRequest || !strings.Contains(corps, "mauvaise Trésorerie") {
		t.Errorf("P_MSG faux : %d %s", statut, corps)
	}
	d.PAppli = "FTP"
	if statut, _, _ := b.deposerAvec(d, []byte("rien")); statut != http.StatusBadRequest {
		t.Errorf("P_APPLI faux : %d", statut)
	}
	if len(b.sim.Reponses()) != 0 {
		t.Error("un refus du transport ne produit aucune réponse")
	}
}

func TestFichiersIllisiblesNonAcquittes(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{})
	pes := signer(t, sig, pesAller("PES_I", nil, bord{num: "12", pieces: []string{"121"}}), maire)
	cas := []struct {
		nom     string
		contenu []byte
	}{
		{"tronqué", pes[:len(pes)/2]},
		{"pas un PES", []byte("%PDF-1.7\n")},
		{"un acquit renvoyé par erreur", []byte(`<n:PES_ACQUIT xmlns:n="` + helios.NamespaceAcquit + `"/>`)},
		{"vide", nil},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			b := nouveauBanc(t, Options{})
			statut, res, corps := b.deposer("PESALR2_21510108000019_260302_001.xml", c.contenu)
			if statut != http.StatusCreated {
				t.Fatalf("%d %s", statut, corps)
			}
			m, _ := b.reponse(res.Reponse)
			if m.Type != helios.MessageNonAcquit || !strings.HasPrefix(m.NonAcquit.Motif, "Fichier illisible") {
				t.Fatalf("%+v", m)
			}
			t.Logf("motif : %s", m.NonAcquit.Motif)
		})
	}
}

func TestComportementsImposes(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{})
	pes := signer(t, sig, pesAller("PES_C", nil, bord{num: "12", pieces: []string{"121"}}), maire)
	b := nouveauBanc(t, Options{})

	admin := func(c Comportement) {
		corps, _ := json.Marshal(c)
		req, _ := http.NewRequest(http.MethodPut, b.srv.URL+"/admin/comportement", bytes.NewReader(corps))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("admin : %v %v", err, resp)
		}
		resp.Body.Close()
	}

	admin(Comportement{Panne: true})
	if statut, _, corps := b.deposer("PESALR2_21510108000019_260302_001.xml", pes); statut != http.StatusServiceUnavailable || !strings.Contains(corps, "retenté") {
		t.Errorf("panne : %d %s", statut, corps)
	}

	admin(Comportement{LatenceMs: 60_000})
	client := http.Client{Timeout: 50 * time.Millisecond}
	if _, err := client.Get(b.srv.URL + "/reponses"); err == nil {
		t.Error("un serveur lent ne doit pas répondre avant le délai du client")
	}

	admin(Comportement{RejetForce: helios.AnomalieCodique, LibelleRejet: "0001 - Codique inconnu"})
	_, res, _ := b.deposer("PESALR2_21510108000019_260302_001.xml", pes)
	m, _ := b.reponse(res.Reponse)
	if a := m.Acquit; a == nil || a.Accepte() || a.Elements[0].Erreurs[0].Code != helios.AnomalieCodique || a.Elements[0].Erreurs[0].Libelle != "0001 - Codique inconnu" {
		t.Errorf("rejet imposé : %+v", m)
	}

	admin(Comportement{NonAcquitForce: "Fichier refusé par la DGFiP"})
	_, res, _ = b.deposer("PESALR2_21510108000019_260302_002.xml", pesAller("PES_D", nil, bord{num: "13", pieces: []string{"1"}}))
	if m, _ := b.reponse(res.Reponse); m.Type != helios.MessageNonAcquit || m.NonAcquit.Motif != "Fichier refusé par la DGFiP" {
		t.Errorf("non-acquit imposé : %+v", m)
	}
	admin(Comportement{})
	if b.sim.Comportement() != (Comportement{}) {
		t.Error("retour à la normale")
	}
}

func TestReponsesRecupereesPuisSupprimees(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{})
	b := nouveauBanc(t, Options{})
	_, res, _ := b.deposer("PESALR2_21510108000019_260302_001.xml", signer(t, sig, pesAller("PES_R", nil, bord{num: "12", pieces: []string{"121"}}), maire))
	resp, err := http.Get(b.srv.URL + "/reponses")
	if err != nil {
		t.Fatal(err)
	}
	var liste []Reponse
	_ = json.NewDecoder(resp.Body).Decode(&liste)
	resp.Body.Close()
	if len(liste) != 1 || liste[0].Nom != "ACQUIT_PES_R" || liste[0].Nom != res.Reponse || !liste[0].Accepte || liste[0].Type != helios.MessageAcquit {
		t.Fatalf("%+v", liste)
	}
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodDelete, b.srv.URL+"/reponses/"+res.Reponse, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("suppression %d : %v %v", i, err, resp)
		}
		resp.Body.Close()
	}
	if resp, _ := http.Get(b.srv.URL + "/reponses/" + res.Reponse); resp.StatusCode != http.StatusNotFound {
		t.Errorf("après suppression : %d", resp.StatusCode)
	}
}

func TestRetoursDeLaTresorerie(t *testing.T) {
	sig := nouveauSignataire(t, pkitest.Signataire{})
	jour := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	b := nouveauBanc(t, Options{Maintenant: func() time.Time { return jour }})
	pes := signer(t, sig, pesAller("PES_RET", nil, bord{num: "12", pieces: []string{"121", "122"}}, bord{recette: true, num: "3", pieces: []string{"31"}}), maire)
	b.deposer("PESALR2_21510108000019_260310_001.xml", pes)
	resp, err := http.Post(b.srv.URL+"/admin/retours", "application/json", strings.NewReader(`{"etat":"soldee","rejets":{"122":"03"},"commentaire":"Crédits insuffisants au 60632"}`))
	if err != nil {
		t.Fatal(err)
	}
	var corps struct{ Retours []string }
	_ = json.NewDecoder(resp.Body).Decode(&corps)
	resp.Body.Close()
	if len(corps.Retours) != 1 || corps.Retours[0] != "PESRETOUR_21510108000019_260310_001.xml" {
		t.Fatalf("%+v", corps)
	}
	m, brut := b.reponse(corps.Retours[0])
	r := m.Retour
	if r == nil || r.EnTete.IdColl != "21510108000019" || r.Enveloppe.TypFic != "PESRETOUR" {
		t.Fatalf("%+v", m)
	}
	var phrases []string
	for _, p := range r.Pieces() {
		phrases = append(phrases, string(p.Statut()))
	}
	if got := strings.Join(phrases, " "); got != "soldee rejetee prise_en_charge" {
		t.Errorf("statuts : %s", got)
	}
	p := r.Pieces()[0]
	if p.Lignes[0].Reglements[0].Montant != "120.00" || p.Lignes[0].Reglements[0].Date != "2026-03-10" {
		t.Errorf("paiement : %+v", p.Lignes[0])
	}
	if !strings.Contains(r.Pieces()[1].Phrase(), "insuffisance de crédits budgétaires") {
		t.Errorf("%s", r.Pieces()[1].Phrase())
	}
	validerXSD(t, brut, "RETOUR/Rev0/PES_Retour.xsd")
	// Nothing more to return until new bordereaux are accepted.
	if noms, err := b.sim.ProduireRetours(DemandeRetour{}); err != nil || len(noms) != 0 {
		t.Errorf("%v %v", noms, err)
	}
	if _, err := b.sim.ProduireRetours(DemandeRetour{Etat: "perdu"}); err == nil {
		t.Error("état inconnu")
	}
}

// The real signed PES of the fixtures (Berger-Levrault, STELA) is received as
// the DGFiP would; its altered copy is refused.
func TestFixturesSignees(t *testing.T) {
	dir := filepath.Join(dossierFixtures(), "protocols", "helios", "signed")
	cas := []struct {
		fichier string
		accepte bool
	}{
		{"PESALR2_25060187900027_190328_001.xml", true},
		{"test-alteree.xml", false},
	}
	for _, c := range cas {
		t.Run(c.fichier, func(t *testing.T) {
			contenu, err := os.ReadFile(filepath.Join(dir, c.fichier))
			if os.IsNotExist(err) {
				t.Skipf("fixture %s absente (définissez XDEMAT_FIXTURES vers shared/fixtures)", c.fichier)
			}
			if err != nil {
				t.Fatal(err)
			}
			b := nouveauBanc(t, Options{})
			f, err := lireEnTete(contenu)
			if err != nil {
				t.Fatal(err)
			}
			statut, res, corps := b.deposerAvec(helios.NouveauDepot("PESALR2_25060187900027_190328_001.xml", "VHPCE21", f), contenu)
			if statut != http.StatusCreated {
				t.Fatalf("%d %s", statut, corps)
			}
			m, _ := b.reponse(res.Reponse)
			if m.Acquit == nil {
				t.Fatalf("%+v", m.NonAcquit)
			}
			if m.Acquit.Accepte() != c.accepte {
				t.Errorf("accepté %v : %v", m.Acquit.Accepte(), m.Acquit.Anomalies())
			}
			for _, an := range m.Acquit.Anomalies() {
				t.Logf("%s", an)
			}
		})
	}
}
