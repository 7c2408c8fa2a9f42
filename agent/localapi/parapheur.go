package localapi

import (
	"bytes"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/signature"
)

// The parapheur's routes. Every route needs a session: the user of the
// session is the author of every action. Signing takes two calls around the
// token, which the app holds: "preparer" returns, for a batch of dossiers,
// the digests to sign (kept in the database, so a restart in between loses
// nothing); "finaliser" takes the token's values, checks each against the
// certificate, assembles the signed documents, stores them as new
// documents and advances the circuits.

// MaxLotSignature bounds a batch of signatures prepared at once.
const MaxLotSignature = 200

// maxSignatureBody bounds the bodies of the signature routes (values of a
// whole batch).
const maxSignatureBody = 4 << 20

func (s *Server) routesParapheur(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/parapheur/a-traiter", s.avecParapheur(s.aTraiter))
	mux.HandleFunc("GET /v1/parapheur/modeles/{type}", s.avecParapheur(s.modeleCircuit))
	mux.HandleFunc("GET /v1/parapheur/dossiers", s.avecParapheur(s.dossiers))
	mux.HandleFunc("POST /v1/parapheur/dossiers", s.avecParapheur(s.deposer))
	mux.HandleFunc("GET /v1/parapheur/dossiers/{id}", s.avecParapheur(s.dossier))
	mux.HandleFunc("POST /v1/parapheur/dossiers/{id}/viser", s.avecParapheur(s.agir(xdemat.OperationParapheurVise)))
	mux.HandleFunc("POST /v1/parapheur/dossiers/{id}/refuser", s.avecParapheur(s.agir(xdemat.OperationParapheurRefuse)))
	mux.HandleFunc("POST /v1/parapheur/dossiers/{id}/retirer", s.avecParapheur(s.agir(xdemat.OperationParapheurRetire)))
	mux.HandleFunc("POST /v1/parapheur/dossiers/{id}/annoter", s.avecParapheur(s.agir(xdemat.OperationParapheurAnnote)))
	mux.HandleFunc("GET /v1/parapheur/delegations", s.avecParapheur(s.delegations))
	mux.HandleFunc("POST /v1/parapheur/delegations", s.avecParapheur(s.enregistrerDelegation))
	mux.HandleFunc("DELETE /v1/parapheur/delegations/{id}", s.avecParapheur(s.retirerDelegation))
	mux.HandleFunc("POST /v1/parapheur/signatures/preparer", s.avecParapheur(s.preparerSignatures))
	mux.HandleFunc("POST /v1/parapheur/signatures/finaliser", s.avecParapheur(s.finaliserSignatures))
	mux.HandleFunc("GET /v1/documents/{sha256}", s.lireDocument)
}

type parapheurHandler func(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur)

// avecParapheur answers 503 when the parapheur is not served, 401 without a
// session, and otherwise calls h with the session's user.
func (s *Server) avecParapheur(h parapheurHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.Parapheur == nil {
			s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Le parapheur n'est pas disponible sur ce poste : mettez à jour le service xdemat."))
			return
		}
		u := s.mustSession(w, r)
		if u == nil {
			return
		}
		h(w, r, s.Parapheur, u)
	}
}

// changedParapheur tells the app and the outbox that a dossier changed.
func (s *Server) changedParapheur(r *http.Request, id string) {
	s.changed(r.Context(), agent.EvenementParapheur, id)
	s.Bus.Publish(agent.BusEvent{Type: agent.EvenementNotifications})
}

func (s *Server) aTraiter(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur) {
	ds, err := p.DossiersParapheur(r.Context(), agent.FiltreDossiers{Etat: xdemat.DossierEnCours})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dels, err := p.Delegations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	out := []agent.DossierATraiter{}
	for _, d := range ds {
		pour, err := d.Habilitation(u, dels, now)
		if err != nil {
			continue
		}
		out = append(out, agent.DossierATraiter{Dossier: d, Nature: d.Courante().Nature, PourLeCompteDe: pour})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) modeleCircuit(w http.ResponseWriter, r *http.Request, _ agent.ParapheurStore, _ *xdemat.Utilisateur) {
	t := xdemat.TypeDossier(r.PathValue("type"))
	if !t.Valid() {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Type de document inconnu : %q.", t))
		return
	}
	writeJSON(w, http.StatusOK, xdemat.ModeleCircuit(t))
}

func (s *Server) dossiers(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, _ *xdemat.Utilisateur) {
	q := r.URL.Query()
	f := agent.FiltreDossiers{Etat: xdemat.EtatDossier(q.Get("etat")), DeposePar: q.Get("deposePar")}
	if v := q.Get("limite"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Le paramètre « limite » doit être un nombre entier positif : mettez à jour l'application xdemat."))
			return
		}
		f.Limite = n
	}
	ds, err := p.DossiersParapheur(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ds)
}

func (s *Server) dossier(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, _ *xdemat.Utilisateur) {
	d, err := p.FindDossierParapheur(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) deposer(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur) {
	var req agent.DemandeDepot
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	d := &xdemat.DossierParapheur{ID: uuid.NewString(), Titre: strings.TrimSpace(req.Titre), Type: req.Type, Documents: req.Documents,
		Etapes: req.Etapes, DeposePar: u.ID}
	if err := p.DeposerDossier(r.Context(), d, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
	s.changedParapheur(r, d.ID)
}

// agir serves the actions that need no token: viser, refuser, retirer, annoter.
func (s *Server) agir(typ string) parapheurHandler {
	return func(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur) {
		var req agent.DemandeAction
		if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &req); err != nil {
			s.fail(w, r, err)
			return
		}
		a := &xdemat.ActionParapheur{DossierID: r.PathValue("id"), Etape: req.Etape, Par: u.ID, Le: s.now(), Motif: req.Motif, Texte: req.Texte}
		d, err := p.AgirSurDossier(r.Context(), typ, a, s.now())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
		s.changedParapheur(r, d.ID)
	}
}

func (s *Server) delegations(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, _ *xdemat.Utilisateur) {
	ds, err := p.Delegations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ds)
}

func (s *Server) enregistrerDelegation(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur) {
	var d xdemat.Delegation
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSmallBody), &d); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.ID != "" {
		// A change keeps who created it and when.
		old, err := trouverDelegation(r, p, d.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.CreeePar, d.CreeeLe = old.CreeePar, old.CreeeLe
	} else {
		d.CreeePar, d.CreeeLe = u.ID, s.now()
	}
	if err := p.EnregistrerDelegation(r.Context(), &d, u.ID, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &d)
	s.changedParapheur(r, "")
}

func trouverDelegation(r *http.Request, p agent.ParapheurStore, id string) (*xdemat.Delegation, error) {
	ds, err := p.Delegations(r.Context())
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.ID == id {
			return d, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Cette délégation n'existe pas (ou plus) sur ce poste.")
}

func (s *Server) retirerDelegation(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur) {
	d, err := trouverDelegation(r, p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.RetireeLe.IsZero() {
		d.RetireeLe = s.now()
		if err := p.EnregistrerDelegation(r.Context(), d, u.ID, s.now()); err != nil {
			s.fail(w, r, err)
			return
		}
		s.changedParapheur(r, "")
	}
	writeJSON(w, http.StatusOK, d)
}

// refusDe turns err into the refusal of one dossier of a batch.
func refusDe(id string, err error) agent.RefusDossier {
	return agent.RefusDossier{DossierID: id, Code: xdemat.ErrorCode(err), Message: xdemat.ErrorMessage(err)}
}

// lireBlob reads a stored document whole (the formats need all its bytes).
func (s *Server) lireBlob(hash string) ([]byte, error) {
	if s.Blobs == nil || !s.Blobs.Has(hash) {
		return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "Le document n'est pas encore arrivé sur ce poste : attendez la fin de la synchronisation, puis recommencez.")
	}
	f, err := s.Blobs.Open(hash)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (s *Server) preparerSignatures(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur) {
	var req agent.DemandePreparation
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSignatureBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if len(req.Dossiers) == 0 || len(req.Dossiers) > MaxLotSignature {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Choisissez entre 1 et %d documents à signer.", MaxLotSignature))
		return
	}
	cert, err := x509.ParseCertificate(req.Certificat)
	if err != nil {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Le certificat de la clé est illisible : débranchez puis rebranchez la clé, puis recommencez."))
		return
	}
	now := s.now()
	resume := xdemat.ResumeCertificat(cert)
	// A signature is offered only with a certificate valid now (CP-15).
	if err := resume.ValideA(now); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := signature.AlgorithmePour(cert.PublicKey, false); err != nil {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Ce certificat ne peut pas signer : %v.", err))
		return
	}
	dels, err := p.Delegations(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep := agent.ReponsePreparation{Preparations: []agent.PreparationSignature{}, Refus: []agent.RefusDossier{}}
	var ps []*agent.Preparation
	vus := map[string]bool{}
	for _, id := range req.Dossiers {
		if vus[id] {
			continue
		}
		vus[id] = true
		prep, err := s.preparer(r, p, u, dels, cert, id, now)
		if err != nil {
			if ctx.Err() != nil || xdemat.ErrorCode(err) == xdemat.EINTERNAL {
				s.fail(w, r, err)
				return
			}
			rep.Refus = append(rep.Refus, refusDe(id, err))
			continue
		}
		ps = append(ps, prep)
		mention := ""
		if prep.PourLeCompteDe != "" {
			mention = xdemat.MentionDelegation
		}
		d, _ := p.FindDossierParapheur(ctx, id)
		titre := ""
		if d != nil {
			titre = d.Titre
		}
		rep.Preparations = append(rep.Preparations, agent.PreparationSignature{ID: prep.ID, DossierID: id, Titre: titre, Mention: mention, Empreintes: prep.Empreintes})
	}
	if err := p.SavePreparations(ctx, ps); err != nil {
		s.fail(w, r, err)
		return
	}
	s.logger().Info("signatures préparées", "utilisateur", u.ID, "dossiers", len(ps), "refus", len(rep.Refus))
	writeJSON(w, http.StatusOK, rep)
}

// preparer prepares the signature of one dossier by u with cert.
func (s *Server) preparer(r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur, dels []*xdemat.Delegation, cert *x509.Certificate, id string, now time.Time) (*agent.Preparation, error) {
	ctx := r.Context()
	d, err := p.FindDossierParapheur(ctx, id)
	if err != nil {
		return nil, err
	}
	pour, err := d.Habilitation(u, dels, now)
	if err != nil {
		return nil, err
	}
	e := d.Courante()
	if e.Nature != xdemat.EtapeSignature {
		return nil, xdemat.Errorf(xdemat.EINVALID, "« %s » attend un visa, pas une signature : visez-le.", d.Titre)
	}
	doc, err := s.Store.FindDocument(ctx, d.Documents[0])
	if xdemat.ErrorCode(err) == xdemat.ENOTFOUND {
		doc, err = nil, nil
	} else if err != nil {
		return nil, err
	}
	format := agent.FormatPour(d.Type, doc)
	f := s.Formats[format]
	if f == nil && format == agent.FormatPAdES && s.Formats[agent.FormatCAdES] != nil {
		// A detached CAdES signature of the PDF is just as valid (CP-15);
		// only the signature block inside the PDF is missing.
		format, f = agent.FormatCAdES, s.Formats[agent.FormatCAdES]
	}
	if f == nil {
		return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "La signature au format %s n'est pas encore disponible sur ce poste : mettez à jour xdemat.", strings.ToUpper(format))
	}
	contenu, err := s.lireBlob(d.Documents[0])
	if err != nil {
		return nil, err
	}
	mention := ""
	if pour != "" {
		mention = xdemat.MentionDelegation
	}
	etat, emps, err := f.Preparer(contenu, cert, agent.OptionsSignature{Le: now, Libelle: d.Titre, Signataire: cert.Subject.CommonName,
		Qualite: u.Role.Libelle(), Mention: mention})
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "« %s » ne peut pas être préparé pour la signature : %v.", d.Titre, err)
	}
	for i := range emps {
		if emps[i].Libelle == "" {
			emps[i].Libelle = d.Titre
		}
	}
	return &agent.Preparation{ID: uuid.NewString(), DossierID: d.ID, UtilisateurID: u.ID, Etape: d.EtapeCourante + 1, Version: d.Version,
		Document: d.Documents[0], Format: format, Certificat: cert.Raw, Etat: etat, CreeLe: now, PourLeCompteDe: pour, Empreintes: emps}, nil
}

func (s *Server) finaliserSignatures(w http.ResponseWriter, r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur) {
	var req agent.DemandeFinalisation
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, maxSignatureBody), &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Signatures) == 0 || len(req.Signatures) > MaxLotSignature {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "Envoyez entre 1 et %d signatures.", MaxLotSignature))
		return
	}
	rep := agent.ReponseFinalisation{Signes: []*xdemat.DossierParapheur{}, Refus: []agent.RefusDossier{}}
	for _, v := range req.Signatures {
		d, dossierID, err := s.finaliser(r, p, u, v)
		if err != nil {
			if r.Context().Err() != nil || xdemat.ErrorCode(err) == xdemat.EINTERNAL {
				s.fail(w, r, err)
				return
			}
			rep.Refus = append(rep.Refus, refusDe(dossierID, err))
			continue
		}
		rep.Signes = append(rep.Signes, d)
		s.changedParapheur(r, d.ID)
	}
	s.logger().Info("signatures terminées", "utilisateur", u.ID, "signés", len(rep.Signes), "refus", len(rep.Refus))
	writeJSON(w, http.StatusOK, rep)
}

// finaliser checks the token's values of one preparation, assembles and
// stores the signed document, and records the signature.
func (s *Server) finaliser(r *http.Request, p agent.ParapheurStore, u *xdemat.Utilisateur, v agent.ValeursSignature) (*xdemat.DossierParapheur, string, error) {
	ctx := r.Context()
	prep, err := p.FindPreparation(ctx, v.Preparation)
	if err != nil {
		return nil, "", err
	}
	if prep.UtilisateurID != u.ID {
		return nil, prep.DossierID, xdemat.Errorf(xdemat.EFORBIDDEN, "Cette signature a été préparée pour une autre personne : relancez la signature.")
	}
	cert, err := x509.ParseCertificate(prep.Certificat)
	if err != nil {
		return nil, prep.DossierID, err
	}
	if len(v.Valeurs) != len(prep.Empreintes) {
		return nil, prep.DossierID, xdemat.Errorf(xdemat.EINVALID, "%d valeurs de signature reçues pour %d empreintes : relancez la signature.", len(v.Valeurs), len(prep.Empreintes))
	}
	// Checked before anything is assembled: a value from another key or
	// damaged on the way never makes a signed document.
	for i, e := range prep.Empreintes {
		if err := signature.Verifier(cert.PublicKey, e, v.Valeurs[i]); err != nil {
			return nil, prep.DossierID, xdemat.Errorf(xdemat.EINVALID, "« %s » : %v.", e.Libelle, err)
		}
	}
	f := s.Formats[prep.Format]
	if f == nil {
		return nil, prep.DossierID, xdemat.Errorf(xdemat.EUNAVAILABLE, "La signature au format %s n'est plus disponible sur ce poste.", strings.ToUpper(prep.Format))
	}
	contenu, err := s.lireBlob(prep.Document)
	if err != nil {
		return nil, prep.DossierID, err
	}
	signe, err := f.Assembler(contenu, prep.Etat, v.Valeurs)
	if err != nil {
		return nil, prep.DossierID, xdemat.Errorf(xdemat.EINVALID, "Le document signé n'a pas pu être assemblé : %v. Relancez la signature.", err)
	}
	hash, size, err := s.Blobs.Put(bytes.NewReader(signe), s.maxDocument())
	if err != nil {
		return nil, prep.DossierID, err
	}
	nom := "document"
	typeMedia := ""
	if orig, err := s.Store.FindDocument(ctx, prep.Document); err == nil {
		nom = strings.TrimSuffix(orig.NomOriginal, filepath.Ext(orig.NomOriginal))
		if !f.Detachee() {
			typeMedia = orig.TypeMedia
		}
	}
	suffixe := " (signé)"
	if f.Detachee() {
		suffixe = " (signature)"
	}
	doc := &xdemat.Document{SHA256: hash, Taille: size, TypeMedia: typeMedia, NomOriginal: nom + suffixe + f.Extension(), CreeLe: s.now()}
	if err := s.Store.AddDocument(ctx, doc); err != nil {
		return nil, prep.DossierID, err
	}
	a := &xdemat.ActionParapheur{DossierID: prep.DossierID, Etape: prep.Etape, Par: u.ID, Le: prep.CreeLe, Document: hash,
		Detachee: f.Detachee(), Certificat: xdemat.ResumeCertificat(cert)}
	d, err := p.AgirSurDossier(ctx, xdemat.OperationParapheurSigne, a, s.now())
	if err != nil {
		return nil, prep.DossierID, err
	}
	if err := p.DeletePreparation(ctx, prep.ID); err != nil {
		s.logger().Warn("préparation de signature non effacée", "preparation", prep.ID, "err", err)
	}
	return d, prep.DossierID, nil
}

// lireDocument serves a stored document to the app (to read it page by page
// before signing).
func (s *Server) lireDocument(w http.ResponseWriter, r *http.Request) {
	if s.mustSession(w, r) == nil {
		return
	}
	hash := r.PathValue("sha256")
	d, err := s.Store.FindDocument(r.Context(), hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.Blobs == nil || !s.Blobs.Has(hash) {
		s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Le document n'est pas encore arrivé sur ce poste : attendez la fin de la synchronisation."))
		return
	}
	f, err := s.Blobs.Open(hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", d.TypeMedia)
	w.Header().Set("Content-Length", strconv.FormatInt(d.Taille, 10))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(HeaderNom, url.QueryEscape(d.NomOriginal))
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
}
