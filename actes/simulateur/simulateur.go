// Package simulateur simulates the Ministry's @CTES platform for `make run`
// and the tests: it takes archives as the platform does (HTTPS POST
// multipart/form-data, operator identified by its client certificate),
// checks them as it would (names, sizes, schema rules, SIREN, nature,
// matière, typologie) and answers with messages in the real format
// (ARActe with its identifiant unique, or an anomaly). The real platform
// answers by e-mail; the simulator keeps its answers in a mailbox read over
// HTTP (GET /retours). Tests and the administrator tell it to write to an
// acte (courrier, demande de pièces, lettre d'observations, déféré), to refuse
// the next acte, to be slow or down.
//
// It is idempotent on the archive name: a sender that crashed and sends the
// same archive again gets the same answer, and nothing is received twice.
package simulateur

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"xdemat"
	"xdemat/actes"
)

// Config sets up a simulator.
type Config struct {
	// Trigramme and Quadrigramme the archive names must start with: the
	// operator's codes, given at homologation (Quadrigramme: EACT when empty).
	Trigramme    string
	Quadrigramme string
	// Operateur is the identity the operator presents: the CommonName of its
	// TLS client certificate, or, without TLS, the X-Certificat-Client header.
	// Empty: not checked.
	Operateur string
	// SIRENs registered in @CTES. Empty: every SIREN is.
	SIRENs []string
	// Departement and Arrondissement of the sous-préfecture that answers
	// (arrondissement 0: the préfecture itself).
	Departement    string
	Arrondissement int
	// Classification of the préfecture; ClassificationDemo() when nil.
	Classification *actes.RetourClassification
	// Dossier keeps the state across restarts (etat.json); empty: memory only.
	Dossier string
	// Maintenant is the clock; time.Now when nil.
	Maintenant func() time.Time
}

// Simulateur is the simulated platform. It is an http.Handler.
type Simulateur struct {
	cfg    Config
	sirens map[string]bool

	mu     sync.Mutex
	etat   etat
	panne  bool
	lent   time.Duration
	forcee *Anomalie
}

// Anomalie is a refusal the next acte will receive, whatever it is.
type Anomalie struct {
	Nature int    `json:"nature"`
	Detail string `json:"detail"`
}

// etat is what the simulator remembers (and saves in Dossier).
type etat struct {
	Archives map[string]*Reception `json:"archives"` // by archive name
	Actes    map[string]*Acte      `json:"actes"`    // by identifiant unique
	Retours  []*Retour             `json:"retours"`  // in order of emission
	Serie    int                   `json:"serie"`    // of return enveloppes
}

// Reception is an archive received, with the answer it got.
type Reception struct {
	Nom     string    `json:"nom"`
	SHA256  string    `json:"sha256"`
	RecueLe time.Time `json:"recueLe"`
	Retours []string  `json:"retours"` // names of the return archives it caused
}

// Acte is an acte the platform acknowledged, and what happened to it.
type Acte struct {
	IDActe        string           `json:"idActe"`
	SIREN         string           `json:"siren"`
	Archive       string           `json:"archive"`
	DateReception actes.Date       `json:"dateReception"`
	Annule        bool             `json:"annule"`
	Courriers     []CourrierEnvoye `json:"courriers,omitempty"`
}

// CourrierEnvoye is a letter of the préfecture about an acte, and whether
// the commune answered it.
type CourrierEnvoye struct {
	Code    actes.CodeMessage `json:"code"`
	Date    actes.Date        `json:"date"`
	Repondu bool              `json:"repondu"`
	Reponse actes.CodeMessage `json:"reponse,omitempty"`
}

// Retour is an answer in the mailbox: one archive of the préfecture.
type Retour struct {
	Numero  int                 `json:"numero"`
	Nom     string              `json:"nom"`
	SIREN   string              `json:"siren"`
	Codes   []actes.CodeMessage `json:"codes"`             // of the messages inside; "" for an anomaly of enveloppe
	IDActe  string              `json:"idActe,omitempty"`  // acte concerned
	Archive string              `json:"archive,omitempty"` // archive it answers, if any
	Octets  []byte              `json:"octets"`
}

// New returns a simulator, with its saved state when cfg.Dossier holds one.
func New(cfg Config) (*Simulateur, error) {
	if cfg.Trigramme == "" {
		return nil, errors.New("simulateur: trigramme de l'opérateur obligatoire")
	}
	if cfg.Quadrigramme == "" {
		cfg.Quadrigramme = actes.QuadrigrammeActes
	}
	if cfg.Departement == "" {
		cfg.Departement = "051"
	}
	if cfg.Classification == nil {
		cfg.Classification = ClassificationDemo()
	}
	if cfg.Maintenant == nil {
		cfg.Maintenant = time.Now
	}
	s := &Simulateur{cfg: cfg, sirens: map[string]bool{}, etat: etat{Archives: map[string]*Reception{}, Actes: map[string]*Acte{}}}
	for _, n := range cfg.SIRENs {
		s.sirens[n] = true
	}
	if cfg.Dossier != "" {
		b, err := os.ReadFile(filepath.Join(cfg.Dossier, "etat.json"))
		switch {
		case err == nil:
			if err := json.Unmarshal(b, &s.etat); err != nil {
				return nil, fmt.Errorf("simulateur: état illisible : %w", err)
			}
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	return s, nil
}

// Inscrire registers a SIREN in @CTES (the préfecture's side of the convention).
func (s *Simulateur) Inscrire(siren string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sirens[siren] = true
}

// Panne makes the platform unreachable (HTTP 503) or reachable again.
func (s *Simulateur) Panne(active bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.panne = active
}

// Lenteur makes the platform wait d before answering each request.
func (s *Simulateur) Lenteur(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lent = d
}

// AnomalieProchainActe makes the next acte received be refused (1-3) with
// this nature and detail.
func (s *Simulateur) AnomalieProchainActe(a Anomalie) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forcee = &a
}

// Retours returns the answers emitted after number depuis (0: all), for one
// SIREN or all when siren is empty.
func (s *Simulateur) Retours(depuis int, siren string) []Retour {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Retour
	for _, r := range s.etat.Retours {
		if r.Numero > depuis && (siren == "" || r.SIREN == siren) {
			out = append(out, *r)
		}
	}
	return out
}

// Retour returns an answer by its archive name.
func (s *Simulateur) Retour(nom string) (Retour, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.etat.Retours {
		if r.Nom == nom {
			return *r, true
		}
	}
	return Retour{}, false
}

// Acte returns what the platform knows of an acte.
func (s *Simulateur) Acte(idActe string) (Acte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.etat.Actes[idActe]
	if !ok {
		return Acte{}, false
	}
	c := *a
	c.Courriers = append([]CourrierEnvoye(nil), a.Courriers...)
	return c, true
}

// ErrArchiveDifferente is returned when an archive comes again under a name
// already received but with other content: the platform keys archives by name.
var ErrArchiveDifferente = errors.New("une autre archive a déjà été reçue sous ce nom")

// Recevoir takes an archive as the platform does and returns the names of
// the answers it put in the mailbox. The same archive received again gets
// the same answer and changes nothing.
func (s *Simulateur) Recevoir(nom string, donnees []byte) ([]string, error) {
	h := sha256.Sum256(donnees)
	empreinte := hex.EncodeToString(h[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.etat.Archives[nom]; ok {
		if r.SHA256 != empreinte {
			return nil, ErrArchiveDifferente
		}
		return append([]string(nil), r.Retours...), nil
	}
	rec := &Reception{Nom: nom, SHA256: empreinte, RecueLe: s.cfg.Maintenant()}
	rec.Retours = s.traiter(nom, donnees)
	s.etat.Archives[nom] = rec
	if err := s.sauver(); err != nil {
		return nil, err
	}
	return append([]string(nil), rec.Retours...), nil
}

// sauver writes the state atomically; the caller holds the lock.
func (s *Simulateur) sauver() error {
	if s.cfg.Dossier == "" {
		return nil
	}
	b, err := json.Marshal(&s.etat)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.cfg.Dossier, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(s.cfg.Dossier, "etat.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.cfg.Dossier, "etat.json"))
}

func (s *Simulateur) aujourdhui() actes.Date { return actes.Jour(s.cfg.Maintenant()) }

// traiter checks an archive and writes the answers; the caller holds the lock.
func (s *Simulateur) traiter(nom string, donnees []byte) []string {
	envoi, err := actes.LireEnvoi(nom, donnees)
	if err != nil {
		var r *actes.Refus
		if !errors.As(err, &r) {
			r = &actes.Refus{Enveloppe: true, Nature: actes.NatureRefusAutre, Detail: err.Error()}
		}
		return s.anomalieEnveloppe(nom, donnees, r.Nature, "PREF-VERIF-01", r.Detail)
	}
	if envoi.Nom.Trigramme != s.cfg.Trigramme || envoi.Nom.Quadrigramme != s.cfg.Quadrigramme {
		return s.anomalieEnveloppe(nom, donnees, actes.NatureRefusEmetteur, "PREF-VERIF-03",
			fmt.Sprintf("L'opérateur %s-%s n'est pas homologué sur cette plateforme.", envoi.Nom.Trigramme, envoi.Nom.Quadrigramme))
	}
	siren := envoi.Enveloppe.IDCL.SIREN
	if len(s.sirens) > 0 && !s.sirens[siren] {
		return s.anomalieEnveloppe(nom, donnees, actes.NatureRefusEmetteur, "PREF-VERIF-02",
			"Le SIREN "+siren+" n'est pas enregistré dans l'application ACTES. Vérifiez auprès de votre préfecture que la convention de télétransmission est enregistrée.")
	}
	var reponses []sortant
	for _, t := range envoi.Transactions {
		if r := s.repondre(nom, envoi, t); r != nil {
			reponses = append(reponses, *r)
		}
	}
	if len(reponses) == 0 {
		return []string{} // a 2-2 or an AR of the commune: nothing to answer
	}
	return []string{s.emettre(siren, nom, reponses)}
}

// sortant is a message of the préfecture about to be emitted.
type sortant struct {
	idActe string
	msg    actes.Message
	pieces []actes.Piece
}

func (s *Simulateur) repondre(archive string, envoi *actes.Envoi, t actes.TransactionLue) *sortant {
	idActe := t.Nom.IDActe()
	switch m := t.Message.(type) {
	case *actes.MessageActe:
		return s.repondreActe(archive, envoi, t, m)
	case *actes.Annulation:
		a, ok := s.etat.Actes[m.IDActe]
		if !ok || a.Annule {
			return s.anomalieMessage(idActe, t, "l'acte à annuler est inconnu ou déjà annulé")
		}
		a.Annule = true
		return &sortant{idActe: idActe, msg: &actes.ARAnnulation{IDActe: m.IDActe, DateReception: s.aujourdhui()}}
	case *actes.PieceComplementaire, *actes.RefusPieceComplementaire:
		c := courrierDe(t.Message)
		if !s.marquerRepondu(c, actes.CodeDemandePieceComplementaire, t.Message.Code()) {
			return s.anomalieMessage(idActe, t, "aucune demande de pièces de cette date n'attend de réponse pour cet acte")
		}
		return &sortant{idActe: idActe, msg: &actes.ARPieceComplementaire{ARReponse: actes.ARReponse{DateReception: s.aujourdhui(), InfosCourrierPref: c}}}
	case *actes.ReponseLettreObservations, *actes.RejetLettreObservations:
		c := courrierDe(t.Message)
		if !s.marquerRepondu(c, actes.CodeLettreObservations, t.Message.Code()) {
			return s.anomalieMessage(idActe, t, "aucune lettre d'observations de cette date n'attend de réponse pour cet acte")
		}
		return &sortant{idActe: idActe, msg: &actes.ARReponseRejetLettreObservations{ARReponse: actes.ARReponse{DateReception: s.aujourdhui(), InfosCourrierPref: c}}}
	case *actes.ReponseCourrierSimple:
		s.marquerRepondu(m.CourrierPref, actes.CodeCourrierSimple, m.Code())
		return nil
	case *actes.DemandeClassification:
		d := s.cfg.Classification.DateClassification
		if m.DateClassification != nil && m.DateClassification.Equal(d.Time) {
			return &sortant{msg: &actes.ReponseClassificationSansChangement{DateClassification: d}}
		}
		return &sortant{msg: s.cfg.Classification}
	}
	return nil // ARs of the commune (3-2, 4-2): nothing to answer
}

func courrierDe(m actes.Message) actes.CourrierPref {
	switch v := m.(type) {
	case *actes.PieceComplementaire:
		return v.CourrierPref
	case *actes.RefusPieceComplementaire:
		return v.CourrierPref
	case *actes.ReponseLettreObservations:
		return v.CourrierPref
	case *actes.RejetLettreObservations:
		return v.CourrierPref
	}
	return actes.CourrierPref{}
}

func (s *Simulateur) marquerRepondu(c actes.CourrierPref, attendu, reponse actes.CodeMessage) bool {
	a, ok := s.etat.Actes[c.IDActe]
	if !ok {
		return false
	}
	for i := range a.Courriers {
		k := &a.Courriers[i]
		if k.Code == attendu && k.Date.Equal(c.DateCourrierPref.Time) && !k.Repondu {
			k.Repondu, k.Reponse = true, reponse
			return true
		}
	}
	return false
}

// anomalieMessage answers a message other than an acte that cannot be taken:
// the schema has no anomaly for them but that of the enveloppe.
func (s *Simulateur) anomalieMessage(idActe string, t actes.TransactionLue, detail string) *sortant {
	return &sortant{idActe: idActe, msg: &actes.AnomalieActe{Date: s.aujourdhui(), Nature: actes.NatureRefusAnnulation,
		Detail: t.Fichier + " : " + detail, ActeRecu: acteMinimal(t.Nom),
		ClassificationDateVersionEnCours: s.cfg.Classification.DateClassification}}
}

// acteMinimal describes, from its name only, the acte a message is about, so
// that an AnomalieActe about it is still valid per the schema.
func acteMinimal(n actes.NomMessage) actes.DonneesActe {
	var d actes.Date
	_ = d.UnmarshalText([]byte(n.Date[:4] + "-" + n.Date[4:6] + "-" + n.Date[6:]))
	nature, _ := xdemat.NatureActeAbregee(n.Nature)
	papier := "N"
	return actes.DonneesActe{Date: d, NumeroInterne: n.Numero, CodeNatureActe: int(nature),
		CodeMatiere1: &actes.CodeMatiere{Code: 9}, CodeMatiere2: &actes.CodeMatiere{Code: 1}, Objet: "-",
		ClassificationDateVersion: d, Document: actes.Fichier{NomFichier: "-"}, DocumentPapier: &papier}
}

func (s *Simulateur) repondreActe(archive string, envoi *actes.Envoi, t actes.TransactionLue, m *actes.MessageActe) *sortant {
	idActe := t.Nom.IDActe()
	anomalie := func(nature int, detail string) *sortant {
		return &sortant{idActe: idActe, msg: &actes.AnomalieActe{Date: s.aujourdhui(), Nature: nature, Detail: detail,
			ActeRecu: m.DonneesActe, ClassificationDateVersionEnCours: s.cfg.Classification.DateClassification}}
	}
	if t.Refus != nil {
		return anomalie(t.Refus.Nature, t.Refus.Detail)
	}
	if f := s.forcee; f != nil {
		s.forcee = nil
		return anomalie(f.Nature, f.Detail)
	}
	cl := s.cfg.Classification
	switch {
	case m.Date.After(s.aujourdhui().Time):
		return anomalie(actes.NatureRefusDateInvalid, "la date de décision "+m.Date.String()+" est dans le futur")
	case cl.Nature(m.Nature()) == nil:
		return anomalie(actes.NatureRefusNature, fmt.Sprintf("la nature d'acte %d n'est pas dans la classification", m.CodeNatureActe))
	case !cl.Contient(m.Classification()):
		return anomalie(actes.NatureRefusMatiere, "la matière "+string(m.Classification())+" n'existe pas dans la classification du "+cl.DateClassification.Format("02/01/2006"))
	}
	for _, p := range t.Pieces {
		n, _ := actes.LireNomMessage(p.Nom)
		if !cl.TypePieceAutorise(m.Nature(), n.TypePiece) {
			return anomalie(actes.NatureRefusTypologie, fmt.Sprintf("le type de pièce %s n'est pas permis pour la nature %s", n.TypePiece, m.Nature().Abrege()))
		}
	}
	if a, ok := s.etat.Actes[idActe]; ok && !a.Annule {
		return anomalie(actes.NatureRefusDoublon, "l'acte "+idActe+" a déjà été reçu le "+a.DateReception.Format("02/01/2006"))
	}
	s.etat.Actes[idActe] = &Acte{IDActe: idActe, SIREN: envoi.Enveloppe.IDCL.SIREN, Archive: archive, DateReception: s.aujourdhui()}
	return &sortant{idActe: idActe, msg: &actes.ARActe{IDActe: idActe, DateReception: s.aujourdhui(), ActeRecu: m.DonneesActe,
		ClassificationDateVersionEnCours: cl.DateClassification}}
}

// anomalieEnveloppe answers a refused archive: ANO_<enveloppe>.xml, its
// detail headed by the archive's name and a code, as the platform writes it.
func (s *Simulateur) anomalieEnveloppe(nom string, donnees []byte, nature int, code, detail string) []string {
	nomEnv := strings.TrimSuffix(nom, ".tar.gz") + ".xml"
	var recue actes.DonneesEnveloppe
	siren := "000000000"
	if na, err := actes.LireNomArchive(nom); err == nil {
		nomEnv, siren = na.Enveloppe(), na.SIREN
	}
	// The enveloppe received, as far as it can be read.
	if fichiers, err := actes.LireFichiers(donnees); err == nil {
		for _, f := range fichiers {
			if f.Nom != nomEnv {
				continue
			}
			if m, err := actes.LireMessage(f.Contenu); err == nil {
				if e, ok := m.(*actes.EnveloppeCLMISILL); ok {
					recue = e.DonneesEnveloppe
				}
			}
		}
	}
	if recue.IDCL.SIREN == "" {
		recue.IDCL = actes.IDCL{SIREN: siren, Departement: s.cfg.Departement, Nature: actes.NatureCollectiviteCommune}
	}
	if len(recue.AdressesRetour) == 0 {
		recue.AdressesRetour = []string{"inconnue@invalid.example"}
	}
	if len(recue.Formulaires) == 0 {
		recue.Formulaires = []actes.Fichier{{NomFichier: "-"}}
	}
	ano := &actes.AnomalieEnveloppe{Date: s.aujourdhui(), Nature: nature, Detail: nom + " -> " + code + " : " + detail, EnveloppeRecue: recue}
	fichier := "ANO_" + nomEnv
	a, err := actes.Assembler(strings.TrimSuffix(fichier, ".xml")+".tar.gz", fichier, ano, nil, s.cfg.Maintenant())
	if err != nil {
		return []string{}
	}
	r := s.ajouterRetour(a, recue.IDCL.SIREN, nom, "", []actes.CodeMessage{""})
	return []string{r.Nom}
}

// emettre puts messages of the préfecture into one archive of the mailbox.
func (s *Simulateur) emettre(siren, archive string, msgs []sortant) string {
	s.etat.Serie++
	emetteur := "PREF" + s.cfg.Departement
	env := &actes.EnveloppeMISILLCL{IDPref: &actes.IDServiceEtat{Departement: s.cfg.Departement}}
	if s.cfg.Arrondissement > 0 {
		emetteur = fmt.Sprintf("SPREF%s%d", s.cfg.Departement, s.cfg.Arrondissement)
		env = &actes.EnveloppeMISILLCL{IDSousPref: &actes.IDServiceEtat{Departement: s.cfg.Departement, Arrondissement: fmt.Sprint(s.cfg.Arrondissement)}}
	}
	env.Destinataire.SIREN = siren
	nomEnv := fmt.Sprintf("TACT--%s-%s-%s-%d.xml", emetteur, siren, s.aujourdhui().Format("20060102"), s.etat.Serie)
	var txs []actes.Transaction
	var codes []actes.CodeMessage
	idActe := ""
	for _, m := range msgs {
		base := actes.BaseMessage(m.idActe, m.msg.Code())
		if m.idActe == "" { // classification: no acte
			base = actes.BaseMessage(s.cfg.Departement+"-"+siren+"---", m.msg.Code())
		}
		nomMsg := actes.NomFichier(base, 0, "", "")
		env.Formulaires = append(env.Formulaires, actes.Fichier{NomFichier: nomMsg})
		txs = append(txs, actes.Transaction{Nom: nomMsg, Message: m.msg, Pieces: m.pieces})
		codes = append(codes, m.msg.Code())
		if idActe == "" {
			idActe = m.idActe
		}
	}
	a, err := actes.Assembler(strings.TrimSuffix(nomEnv, ".xml")+".tar.gz", nomEnv, env, txs, s.cfg.Maintenant())
	if err != nil {
		panic("simulateur: " + err.Error()) // our own messages: a bug
	}
	return s.ajouterRetour(a, siren, archive, idActe, codes).Nom
}

func (s *Simulateur) ajouterRetour(a *actes.Archive, siren, archive, idActe string, codes []actes.CodeMessage) *Retour {
	r := &Retour{Numero: len(s.etat.Retours) + 1, Nom: a.Nom, SIREN: siren, Codes: codes, IDActe: idActe, Archive: archive, Octets: a.Octets}
	s.etat.Retours = append(s.etat.Retours, r)
	return r
}

// ErrActeInconnu is returned when a letter is asked for an acte the platform
// never acknowledged.
var ErrActeInconnu = errors.New("acte inconnu de la plateforme")

// ecrireActe emits a letter of the préfecture about an acte, with a PDF.
func (s *Simulateur) ecrireActe(idActe string, code actes.CodeMessage, construire func(c actes.CourrierPref, doc actes.Fichier) actes.Message, lignes ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.etat.Actes[idActe]
	if !ok || a.Annule {
		return "", ErrActeInconnu
	}
	c := actes.CourrierPref{IDActe: idActe, DateCourrierPref: s.aujourdhui()}
	doc := actes.Fichier{NomFichier: actes.NomFichier(actes.BaseMessage(idActe, code), 1, "", "pdf")}
	m := construire(c, doc)
	pdf := lettrePDF(append([]string{"Prefecture - controle de legalite", "Acte " + idActe, "Le " + c.DateCourrierPref.Format("02/01/2006"), ""}, lignes...)...)
	nom := s.emettre(a.SIREN, "", []sortant{{idActe: idActe, msg: m, pieces: []actes.Piece{{Nom: doc.NomFichier, Contenu: pdf}}}})
	if code != actes.CodeDefereTA {
		a.Courriers = append(a.Courriers, CourrierEnvoye{Code: code, Date: c.DateCourrierPref})
	}
	return nom, s.sauver()
}

// Courrier sends a courrier simple (2-1) about an acte.
func (s *Simulateur) Courrier(idActe, texte string) (string, error) {
	return s.ecrireActe(idActe, actes.CodeCourrierSimple, func(c actes.CourrierPref, d actes.Fichier) actes.Message {
		return &actes.CourrierSimple{CourrierPref: c, Document: d}
	}, texte)
}

// DemanderPieces sends a demande de pièces complémentaires (3-1).
func (s *Simulateur) DemanderPieces(idActe, description string) (string, error) {
	return s.ecrireActe(idActe, actes.CodeDemandePieceComplementaire, func(c actes.CourrierPref, d actes.Fichier) actes.Message {
		return &actes.DemandePieceComplementaire{CourrierPref: c, DescriptionPieces: description, Document: d}
	}, "Demande de pieces complementaires :", description)
}

// LettreObservations sends a lettre d'observations (4-1).
func (s *Simulateur) LettreObservations(idActe, motif string) (string, error) {
	return s.ecrireActe(idActe, actes.CodeLettreObservations, func(c actes.CourrierPref, d actes.Fichier) actes.Message {
		return &actes.LettreObservations{CourrierPref: c, Motif: motif, Document: d}
	}, "Lettre d'observations :", motif)
}

// Deferer tells the commune its acte was referred to the tribunal administratif (5-1).
func (s *Simulateur) Deferer(idActe, natureIllegalite string) (string, error) {
	return s.ecrireActe(idActe, actes.CodeDefereTA, func(c actes.CourrierPref, d actes.Fichier) actes.Message {
		return &actes.DefereTA{IDActe: c.IDActe, DateDepot: c.DateCourrierPref, NatureIllegalite: natureIllegalite, PiecesJointes: []actes.Fichier{d}}
	}, "Defere au tribunal administratif :", natureIllegalite)
}

// lettrePDF writes a one-page PDF letter (ASCII text, Helvetica).
func lettrePDF(lignes ...string) []byte {
	var contenu strings.Builder
	contenu.WriteString("BT /F1 12 Tf 72 770 Td 16 TL\n")
	for _, l := range lignes {
		l = strings.Map(func(r rune) rune {
			if r < 32 || r > 126 {
				return '?'
			}
			return r
		}, l)
		l = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
		contenu.WriteString("(" + l + ") Tj T*\n")
	}
	contenu.WriteString("ET\n")
	objets := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", contenu.Len(), contenu.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objets))
	for i, o := range objets {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objets)+1, xref)
	return b.Bytes()
}

// Etat summarises the simulator for the administrator.
type Etat struct {
	Panne    bool          `json:"panne"`
	Lenteur  time.Duration `json:"lenteurNs"`
	Archives int           `json:"archives"`
	Actes    []string      `json:"actes"`
	Retours  int           `json:"retours"`
	Anomalie *Anomalie     `json:"anomalieProchainActe,omitempty"`
}

// EtatCourant returns the summary.
func (s *Simulateur) EtatCourant() Etat {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := Etat{Panne: s.panne, Lenteur: s.lent, Archives: len(s.etat.Archives), Retours: len(s.etat.Retours), Anomalie: s.forcee}
	for id := range s.etat.Actes {
		e.Actes = append(e.Actes, id)
	}
	sort.Strings(e.Actes)
	return e
}
