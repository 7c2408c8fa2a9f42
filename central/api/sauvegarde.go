package api

import (
	"net/http"
	"strings"

	"xdemat"
	"xdemat/central/backuprepo"
	"xdemat/central/protocol"
)

// Sauvegarde is what the sync API needs to give the postes access to their
// commune's backup repository.
type Sauvegarde struct {
	Depot     *backuprepo.Server
	Jetons    *backuprepo.Jetons
	Sequestre *backuprepo.Sequestre
	// URL is central's public address (https://host:port), for restic.
	URL string
	// CertificatPEM is central's TLS certificate, for restic's --cacert.
	CertificatPEM string
}

// accesDepot checks restic's Basic credentials for the repository: the
// poste's current REST password, and the poste still active.
func (s *Server) accesDepot(r *http.Request, posteID, mdp string) (string, error) {
	ok, err := s.Sauvegarde.Jetons.Verifier(posteID, mdp)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", xdemat.Errorf(xdemat.EUNAUTHORIZED, "Identifiants de sauvegarde refusés : l'agent en demandera de nouveaux.")
	}
	p, err := s.Store.FindPoste(r.Context(), posteID)
	if err != nil {
		return "", xdemat.Errorf(xdemat.EUNAUTHORIZED, "Poste inconnu de la SPL.")
	}
	if p.Statut != xdemat.PosteActif {
		return "", xdemat.Errorf(xdemat.EFORBIDDEN, "Ce poste a été révoqué par la SPL : il ne peut plus sauvegarder.")
	}
	return p.CommuneID, nil
}

// handleAccesSauvegarde serves POST /v1/sauvegarde/acces: a new REST
// password for the poste, and what restic needs with it.
func (s *Server) handleAccesSauvegarde(w http.ResponseWriter, r *http.Request, _ []byte) {
	if s.Sauvegarde == nil {
		s.writeError(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Ce serveur central ne propose pas la sauvegarde."))
		return
	}
	p := xdemat.PosteFromContext(r.Context())
	mdp, err := s.Sauvegarde.Jetons.Nouveau(p.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cle, err := s.Sauvegarde.Sequestre.Lire(p.CommuneID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	utilise, err := s.Sauvegarde.Depot.Utilise(p.CommuneID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, protocol.AccesSauvegarde{
		Depot:           "rest:" + strings.TrimRight(s.Sauvegarde.URL, "/") + backuprepo.Prefix + p.CommuneID + "/",
		Utilisateur:     p.ID,
		MotDePasseREST:  mdp,
		CertificatPEM:   s.Sauvegarde.CertificatPEM,
		MotDePasseDepot: cle,
		Quota:           s.Sauvegarde.Depot.QuotaDe(p.CommuneID),
		Utilise:         utilise,
	})
}

// handleCleSauvegarde serves PUT /v1/sauvegarde/cle: the escrow of the
// commune's repository password, once.
func (s *Server) handleCleSauvegarde(w http.ResponseWriter, r *http.Request, body []byte) {
	if s.Sauvegarde == nil {
		s.writeError(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Ce serveur central ne propose pas la sauvegarde."))
		return
	}
	var req protocol.CleSauvegarde
	if err := decodeJSON(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := xdemat.PosteFromContext(r.Context())
	if err := s.Sauvegarde.Sequestre.Deposer(p.CommuneID, req.MotDePasseDepot); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
