// Package simulateur is a stand-in for the DGFiP's Hélios reception, for
// `make run` and tests: it receives PES_Aller files, checks them as the DGFiP
// would (readable PES_Aller, transport parameters, NomFic and CodCol unique,
// size, XAdES signature present and valid on each bordereau or on the whole
// file, bordereaux and pièces justificatives not already integrated), and
// answers in the real formats: PES_Acquit (OK or KO, per bordereau and PJ),
// PES_NonAcquit, and later PES_Retour files.
//
// The real transport is FTP with site commands (helios.Depot). This
// simulator speaks the closest HTTP form of it:
//
//	PUT    /depots/{nom}     upload; headers X-Helios-P-Dest, X-Helios-P-Appli, X-Helios-P-Msg
//	GET    /reponses         list of the files waiting to be fetched (JSON)
//	GET    /reponses/{nom}   one acquit, non-acquit or retour (ISO-8859-1 XML)
//	DELETE /reponses/{nom}   fetched: remove it, as a TdT deletes after an FTP get
//
// and, for tests and the administrator:
//
//	GET|PUT /admin/comportement   Comportement (down, slow, forced refusals)
//	POST    /admin/retours        produce PES_Retour files (DemandeRetour)
//
// Made with Nouveau, the state is kept in memory: a restart forgets what it
// received. Made with Ouvrir, it is kept in a folder (etat.json, replaced
// atomically after every change): what was received and the replies not
// fetched yet survive a restart, and the same file sent again gets the same
// acquit, as from the DGFiP's server.
package simulateur

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"xdemat/helios"
	"xdemat/pes"
	"xdemat/signature/xades"
)

// Options configure the simulator.
type Options struct {
	// TailleMax is the largest file accepted; helios.TailleMaxDepot when 0.
	TailleMax int64
	// Racines are the certification authorities trusted for the signatures;
	// when empty the chain is not checked (the signature itself still is).
	Racines []*x509.Certificate
	// SansSignature accepts unsigned bordereaux (InfoDematerialisee 0), as
	// for a collectivité still sending paper.
	SansSignature bool
	// ValiderSchema, when set, checks the PES against the XSD (central may
	// run xmllint); an error gives ERREUR_SCHEMA_INCOMPLET.
	ValiderSchema func(pes []byte) error
	// Dossier is where Ouvrir keeps the state; ignored by Nouveau.
	Dossier string
	// Maintenant is the clock (dates in acquits and retours); time.Now when nil.
	Maintenant func() time.Time
}

// Comportement is what tests and the administrator can impose.
type Comportement struct {
	// Panne makes every transport request fail with 503, as a DGFiP server
	// that does not answer.
	Panne bool `json:"panne"`
	// LatenceMs delays every transport request.
	LatenceMs int `json:"latence_ms"`
	// RejetForce refuses every bordereau of the next files with this code
	// (and LibelleRejet as the DGFiP's text), whatever their content.
	RejetForce   helios.CodeAnomalie `json:"rejet_force,omitempty"`
	LibelleRejet string              `json:"libelle_rejet,omitempty"`
	// NonAcquitForce refuses the next files as a whole with this motive.
	NonAcquitForce string `json:"non_acquit_force,omitempty"`
}

// Simulateur is an http.Handler; make one with Nouveau.
type Simulateur struct {
	opts Options

	mu           sync.Mutex
	comportement Comportement
	depots       map[string]*depot   // key: NomFic + CodCol
	reponses     map[string]*Reponse // key: file name
	ordre        []string            // reply names in production order
	bordereaux   map[string]bool     // accepted bordereaux (doublon check)
	pj           map[string]bool     // integrated PJ (IdColl + IdUnique)
	enAttente    []bordereauAccepte  // accepted, no PES_Retour yet
	compteurs    map[string]int      // PES_Retour numbering per IdColl and day
}

type depot struct {
	empreinte string
	// reponse is the acquit or non-acquit given, kept after it is fetched
	// so that the same file sent again is answered the same.
	reponse *Reponse
}

type bordereauAccepte struct {
	entete  pes.EnTete
	domaine pes.Domaine
	b       pes.Bordereau
}

// Reponse is a file the simulator produced for the collectivité to fetch.
type Reponse struct {
	Nom     string             `json:"nom"`
	Type    helios.TypeMessage `json:"type"`
	NomFic  string             `json:"nom_fic"` // PES_Aller answered (acquit, non-acquit) or own NomFic (retour)
	IdColl  string             `json:"id_coll,omitempty"`
	Accepte bool               `json:"accepte"` // acquit entirely accepted
	Taille  int                `json:"taille"`
	contenu []byte
}

// Ouvrir makes a simulator whose state is kept in o.Dossier (created if
// needed) and reloaded from it.
func Ouvrir(o Options) (*Simulateur, error) {
	if o.Dossier == "" {
		return nil, fmt.Errorf("simulateur Hélios : aucun dossier d'état")
	}
	if err := os.MkdirAll(o.Dossier, 0o700); err != nil {
		return nil, fmt.Errorf("simulateur Hélios : dossier d'état impossible à créer : %w", err)
	}
	s := nouveau(o)
	if err := s.charger(); err != nil {
		return nil, err
	}
	return s, nil
}

// Nouveau makes a simulator that keeps its state in memory only.
func Nouveau(o Options) *Simulateur {
	o.Dossier = ""
	return nouveau(o)
}

func nouveau(o Options) *Simulateur {
	if o.TailleMax <= 0 {
		o.TailleMax = helios.TailleMaxDepot
	}
	if o.Maintenant == nil {
		o.Maintenant = time.Now
	}
	return &Simulateur{
		opts: o, depots: map[string]*depot{}, reponses: map[string]*Reponse{},
		bordereaux: map[string]bool{}, pj: map[string]bool{}, compteurs: map[string]int{},
	}
}

// Regler imposes c from now on.
func (s *Simulateur) Regler(c Comportement) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.comportement = c
}

// Comportement is what is imposed now.
func (s *Simulateur) Comportement() Comportement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.comportement
}

// Reponses lists the files waiting to be fetched, oldest first.
func (s *Simulateur) Reponses() []Reponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Reponse, 0, len(s.ordre))
	for _, n := range s.ordre {
		if r, ok := s.reponses[n]; ok {
			out = append(out, *r)
		}
	}
	return out
}

// Contenu is the content of the reply nom.
func (s *Simulateur) Contenu(nom string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reponses[nom]
	if !ok {
		return nil, false
	}
	return bytes.Clone(r.contenu), true
}

// Supprimer removes a fetched reply; false when there was none.
func (s *Simulateur) Supprimer(nom string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.reponses[nom]; !ok {
		return false
	}
	delete(s.reponses, nom)
	for i, n := range s.ordre {
		if n == nom {
			s.ordre = append(s.ordre[:i], s.ordre[i+1:]...)
			break
		}
	}
	// A state not saved only brings the reply back after a restart: the
	// client applies it again with no effect and deletes it again.
	_ = s.sauver()
	return true
}

// ResultatDepot is what the transport answers to an upload.
type ResultatDepot struct {
	Nom       string `json:"nom"`
	Empreinte string `json:"empreinte"` // SHA-256 of the file, hex
	// DejaRecu is true when the very same file (NomFic, CodCol and content)
	// had already been received: nothing new is produced.
	DejaRecu bool `json:"deja_recu"`
	// Reponse is the name of the acquit or non-acquit to fetch.
	Reponse string `json:"reponse"`
}

// Deposer receives one file as the DGFiP does. The error is a refusal by the
// transport itself (parameters that do not match the file); everything the
// DGFiP would refuse after receiving it becomes a non-acquit or a KO acquit.
func (s *Simulateur) Deposer(d helios.Depot, contenu []byte) (ResultatDepot, error) {
	somme := sha256.Sum256(contenu)
	res := ResultatDepot{Nom: d.NomFichier, Empreinte: hex.EncodeToString(somme[:])}
	if int64(len(contenu)) > s.opts.TailleMax {
		return res, &ErreurTransport{Statut: 413, Message: fmt.Sprintf("Le fichier fait %d Mo, au-delà des %d Mo admis par Hélios : découpez l'envoi en plusieurs fichiers dans le logiciel de comptabilité.", len(contenu)>>20, s.opts.TailleMax>>20)}
	}
	if d.PAppli != helios.AppliHelios {
		return res, &ErreurTransport{Statut: 400, Message: fmt.Sprintf("L'application destinataire (P_APPLI) doit être %s, pas « %s ».", helios.AppliHelios, d.PAppli)}
	}
	// An unreadable file reaches Hélios, which refuses it with a non-acquit;
	// a readable one must be routed where its EnTetePES says.
	f, errLecture := pes.Lire(bytes.NewReader(contenu))
	if errLecture == nil {
		if err := d.Verifier(enTete(f.EnTete), f.TypFic); err != nil {
			return res, &ErreurTransport{Statut: 400, Message: err.Error()}
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.comportement
	if errLecture != nil {
		res.Reponse = s.nonAcquit(d.NomFichier, "", "Fichier illisible : "+errLecture.Error())
		return res, s.sauver()
	}
	if strings.TrimSpace(f.NomFic) == "" {
		res.Reponse = s.nonAcquit(d.NomFichier, f.TypFic, "Le fichier ne porte pas de nom (Enveloppe/Parametres/NomFic absent) : il ne pourrait pas être rattaché à son acquit.")
		return res, s.sauver()
	}
	cle := f.NomFic + "\x00" + f.EnTete.CodCol
	if prec, ok := s.depots[cle]; ok {
		if prec.empreinte == res.Empreinte {
			// The same file again (a client that never saw the answer):
			// the same acquit, offered again if it was already fetched.
			res.DejaRecu, res.Reponse = true, prec.reponse.Nom
			if _, attend := s.reponses[prec.reponse.Nom]; !attend {
				s.reponses[prec.reponse.Nom] = prec.reponse
				s.ordre = append(s.ordre, prec.reponse.Nom)
				return res, s.sauver()
			}
			return res, nil
		}
		res.Reponse = s.nonAcquit(f.NomFic, f.TypFic, fmt.Sprintf("Le nom de fichier %s a déjà été reçu pour la collectivité %s avec un autre contenu (NomFic doit être unique).", f.NomFic, f.EnTete.CodCol))
		return res, s.sauver()
	}
	if c.NonAcquitForce != "" {
		res.Reponse = s.nonAcquit(f.NomFic, f.TypFic, c.NonAcquitForce)
	} else {
		res.Reponse = s.acquitter(f, contenu, c)
	}
	s.depots[cle] = &depot{empreinte: res.Empreinte, reponse: s.reponses[res.Reponse]}
	return res, s.sauver()
}

// ErreurTransport is a refusal by the transport, with the HTTP status the
// simulator answers.
type ErreurTransport struct {
	Statut  int
	Message string
}

func (e *ErreurTransport) Error() string { return e.Message }

func enTete(e pes.EnTete) helios.EnTetePES {
	return helios.EnTetePES{DteStr: e.DteStr, IdPost: e.IdPost, LibellePoste: e.LibellePoste, IdColl: e.IdColl, CodCol: e.CodCol, CodBud: e.CodBud, LibelleColBud: e.LibelleColBud}
}

func (s *Simulateur) date() string { return s.opts.Maintenant().Format("2006-01-02") }

// ajouter stores a reply under a name not used yet (mu held).
func (s *Simulateur) ajouter(r *Reponse) string {
	nom := r.Nom
	for i := 2; ; i++ {
		if _, pris := s.reponses[nom]; !pris {
			break
		}
		nom = fmt.Sprintf("%s_%d.xml", strings.TrimSuffix(r.Nom, ".xml"), i)
	}
	r.Nom, r.Taille = nom, len(r.contenu)
	s.reponses[nom] = r
	s.ordre = append(s.ordre, nom)
	return nom
}

func (s *Simulateur) nonAcquit(nomFic, typFic, motif string) string {
	if nomFic == "" {
		nomFic = "INCONNU"
	}
	n := &helios.NonAcquit{
		Enveloppe: helios.Enveloppe{TypFic: defaut(typFic, "PESALR2"), NomFic: nomFic, EmetteurSigle: "HELIOS", EmetteurAdresse: "Simulateur xdemat"},
		NomFic:    nomFic, Motif: motif,
	}
	b, err := helios.EcrireNonAcquit(n)
	if err != nil {
		panic(err) // NomFic is never empty here
	}
	return s.ajouter(&Reponse{Nom: helios.NomNonAcquit(nomFic), Type: helios.MessageNonAcquit, NomFic: nomFic, contenu: b})
}

func defaut(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Anomalies the simulator writes in LibelleAnoAck. Hélios' own texts are
// numbered ("1971 - …"); ours say they come from the simulator.
const prefixeLibelle = "Simulateur : "

// acquitter checks f and writes its acquit (mu held).
func (s *Simulateur) acquitter(f *pes.Fichier, contenu []byte, c Comportement) string {
	a := &helios.Acquit{
		Enveloppe: helios.Enveloppe{Version: "2", TypFic: f.TypFic, NomFic: f.NomFic, EmetteurSigle: defaut(tronquer(f.Emetteur, 32), "INCONNU"), EmetteurAdresse: "PES_Aller", RecepteurSigle: "HELIOS", RecepteurAdresse: "Simulateur xdemat"},
		EnTete:    enTete(f.EnTete),
		Detail:    true,
		IdVer:     "2",
	}
	a.EnTete.DteStr = s.date()
	refus := func(d helios.Domaine, code helios.CodeAnomalie, libelle string) {
		a.Elements = append(a.Elements, helios.ElementAcquit{Domaine: d, Erreurs: []helios.ErreurAck{{Code: code, Libelle: prefixeLibelle + libelle}}})
	}
	bordereaux := f.Bordereaux()
	switch {
	case len(bordereaux) == 0 && len(f.PJ) == 0:
		refus(helios.DomaineTechnique, helios.AnomalieFluxVide, "le fichier ne contient ni bordereau ni pièce justificative.")
	case s.opts.ValiderSchema != nil:
		if err := s.opts.ValiderSchema(contenu); err != nil {
			refus(helios.DomaineTechnique, helios.AnomalieSchemaIncomplet, tronquer("fichier non conforme au schéma PES_Aller : "+err.Error(), 400))
		}
	}
	if len(a.Elements) > 0 {
		return s.ajouterAcquit(a)
	}

	sig := s.signatures(f, contenu)
	if f.SigneGlobal && sig.globale != nil && !sig.globale.Valide {
		refus(helios.DomaineSignatureGlobale, codeSignature(*sig.globale, helios.AnomalieSignatureInvalide), sig.globale.Motif)
	}
	integres := map[string]bool{}
	for _, b := range bordereaux {
		dom := helios.DomaineDepense
		if b.Domaine == pes.Recette {
			dom = helios.DomaineRecette
		}
		el := helios.ElementAcquit{Domaine: dom, NumBord: b.IdBord, ExerciceBord: b.Exer}
		cle := strings.Join([]string{f.EnTete.IdColl, f.EnTete.CodCol, f.EnTete.CodBud, b.Domaine.String(), b.Exer, strings.TrimLeft(b.IdBord, "0")}, "|")
		var r *xades.ResultatSignature
		if f.SigneGlobal {
			r = sig.globale
		} else if b.Signe {
			r = sig.parCible[b.Id]
		}
		switch {
		case c.RejetForce != "":
			el.Erreurs = []helios.ErreurAck{{Code: c.RejetForce, Libelle: defaut(c.LibelleRejet, prefixeLibelle+"rejet demandé par l'administrateur.")}}
		case r == nil && !s.opts.SansSignature:
			el.Domaine = helios.DomaineSignatureBordereau
			el.Erreurs = []helios.ErreurAck{{Code: helios.AnomalieSignatureBordereauIncomplete, Libelle: prefixeLibelle + "bordereau non signé."}}
		case r != nil && !r.Valide && f.SigneGlobal:
			el.Erreurs = []helios.ErreurAck{{Code: helios.AnomaliePESSignature, Libelle: prefixeLibelle + "la signature globale du fichier n'est pas valide."}}
		case r != nil && !r.Valide:
			el.Domaine = helios.DomaineSignatureBordereau
			el.Erreurs = []helios.ErreurAck{{Code: codeSignature(*r, helios.AnomalieSignatureBordereauInvalide), Libelle: tronquer(prefixeLibelle+r.Motif, 500)}}
		case s.bordereaux[cle] || integres[cle]:
			el.Erreurs = []helios.ErreurAck{{Code: helios.AnomalieDoublonBordereau, Libelle: prefixeLibelle + "ce bordereau a déjà été intégré dans Hélios."}}
		case b.NbrPce != len(b.Pieces):
			el.Erreurs = []helios.ErreurAck{{Code: helios.AnomalieAutre, Libelle: fmt.Sprintf("%sle bordereau annonce %d pièce(s) (NbrPce) et en contient %d.", prefixeLibelle, b.NbrPce, len(b.Pieces))}}
		default:
			el.Accepte = true
			integres[cle] = true
		}
		a.Elements = append(a.Elements, el)
	}
	pjVues := map[string]bool{}
	for _, p := range f.PJ {
		el := helios.ElementAcquit{Domaine: helios.DomainePJ, IdUnique: p.IdUnique, Accepte: true}
		cle := f.EnTete.IdColl + "|" + p.IdUnique
		if s.pj[cle] || pjVues[cle] {
			el.Accepte = false
			el.Erreurs = []helios.ErreurAck{{Code: helios.AnomalieDoublonPJ, Libelle: prefixeLibelle + "l'identifiant unique de la PJ a déjà été intégré dans Hélios."}}
		}
		pjVues[cle] = true
		a.Elements = append(a.Elements, el)
	}
	// What was accepted is integrated: a second file cannot bring it again,
	// and the Trésorerie will send a PES_Retour for it.
	for k := range integres {
		s.bordereaux[k] = true
	}
	for k := range pjVues {
		s.pj[k] = true
	}
	for _, b := range bordereaux {
		for _, el := range a.Elements {
			if el.Accepte && el.NumBord == b.IdBord && el.ExerciceBord == b.Exer && (el.Domaine == helios.DomaineDepense) == (b.Domaine == pes.Depense) {
				s.enAttente = append(s.enAttente, bordereauAccepte{entete: f.EnTete, domaine: b.Domaine, b: b})
				break
			}
		}
	}
	return s.ajouterAcquit(a)
}

func (s *Simulateur) ajouterAcquit(a *helios.Acquit) string {
	b, err := helios.EcrireAcquit(a)
	if err != nil {
		panic(err) // NomFic and elements are always set here
	}
	return s.ajouter(&Reponse{Nom: helios.NomAcquit(a.Enveloppe.NomFic), Type: helios.MessageAcquit, NomFic: a.Enveloppe.NomFic, IdColl: a.EnTete.IdColl, Accepte: a.Accepte(), contenu: b})
}

type verdicts struct {
	globale  *xades.ResultatSignature
	parCible map[string]*xades.ResultatSignature
}

// signatures runs our XAdES verifier once over the file.
func (s *Simulateur) signatures(f *pes.Fichier, contenu []byte) verdicts {
	v := verdicts{parCible: map[string]*xades.ResultatSignature{}}
	res, err := xades.Verifier(contenu, xades.OptionsVerification{Racines: s.opts.Racines, Maintenant: s.opts.Maintenant()})
	if err != nil {
		return v
	}
	ids := map[string]bool{}
	for _, b := range f.Bordereaux() {
		ids[b.Id] = true
	}
	// A signature that failed early (content altered, reference lost) has
	// no Cible; signatures and bordereaux are both in document order, so
	// such orphans go to the signed bordereaux left without a verdict.
	var orphelins []*xades.ResultatSignature
	for i := range res {
		r := &res[i]
		switch {
		case f.SigneGlobal && (r.Cible == f.Id || f.Id == "" || !ids[r.Cible]):
			if v.globale == nil || v.globale.Valide {
				v.globale = r
			}
		case r.Cible == "" || !ids[r.Cible]:
			orphelins = append(orphelins, r)
		default:
			// Several signatures on one bordereau: one invalid is enough to refuse.
			if prec, ok := v.parCible[r.Cible]; !ok || prec.Valide {
				v.parCible[r.Cible] = r
			}
		}
	}
	for _, b := range f.Bordereaux() {
		if len(orphelins) == 0 {
			break
		}
		if _, ok := v.parCible[b.Id]; b.Signe && !ok {
			v.parCible[b.Id], orphelins = orphelins[0], orphelins[1:]
		}
	}
	return v
}

// codeSignature tells a certificate problem from a broken signature.
func codeSignature(r xades.ResultatSignature, sinon helios.CodeAnomalie) helios.CodeAnomalie {
	if c := r.Certificat; c != nil && !r.DateSignature.IsZero() && (r.DateSignature.Before(c.NotBefore) || r.DateSignature.After(c.NotAfter)) {
		return helios.AnomalieCertificat
	}
	m := strings.ToLower(r.Motif)
	if strings.Contains(m, "autorité") || strings.Contains(m, "usage de clé") {
		return helios.AnomalieCertificat
	}
	return sinon
}

func tronquer(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
