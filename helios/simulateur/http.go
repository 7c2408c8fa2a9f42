package simulateur

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"xdemat/helios"
)

// En-têtes carrying the FTP site commands of the real transport.
const (
	EnTetePDest  = "X-Helios-P-Dest"
	EnTetePAppli = "X-Helios-P-Appli"
	EnTetePMsg   = "X-Helios-P-Msg"
)

// ServeHTTP serves the transport and the admin routes (see the package doc).
func (s *Simulateur) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux().ServeHTTP(w, r)
}

func (s *Simulateur) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("PUT /depots/{nom}", s.transport(s.deposerHTTP))
	m.HandleFunc("GET /reponses", s.transport(func(w http.ResponseWriter, r *http.Request) {
		ecrireJSON(w, http.StatusOK, s.Reponses())
	}))
	m.HandleFunc("GET /reponses/{nom}", s.transport(func(w http.ResponseWriter, r *http.Request) {
		b, ok := s.Contenu(r.PathValue("nom"))
		if !ok {
			ecrireErreur(w, http.StatusNotFound, "Aucun fichier de ce nom n'attend d'être récupéré sur le serveur Hélios.")
			return
		}
		w.Header().Set("Content-Type", "application/xml; charset=ISO-8859-1")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}))
	m.HandleFunc("DELETE /reponses/{nom}", s.transport(func(w http.ResponseWriter, r *http.Request) {
		// Deleting twice is not an error: the client may retry after a lost answer.
		s.Supprimer(r.PathValue("nom"))
		w.WriteHeader(http.StatusNoContent)
	}))
	m.HandleFunc("GET /admin/comportement", func(w http.ResponseWriter, r *http.Request) {
		ecrireJSON(w, http.StatusOK, s.Comportement())
	})
	m.HandleFunc("PUT /admin/comportement", func(w http.ResponseWriter, r *http.Request) {
		var c Comportement
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&c); err != nil {
			ecrireErreur(w, http.StatusBadRequest, "Comportement illisible : JSON attendu ({\"panne\":true}, {\"latence_ms\":2000}, {\"rejet_force\":\"ERREUR_AUTRE\"}…).")
			return
		}
		s.Regler(c)
		ecrireJSON(w, http.StatusOK, c)
	})
	m.HandleFunc("POST /admin/retours", func(w http.ResponseWriter, r *http.Request) {
		var d DemandeRetour
		if r.ContentLength != 0 {
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&d); err != nil && !errors.Is(err, io.EOF) {
				ecrireErreur(w, http.StatusBadRequest, "Demande de retour illisible : JSON attendu ({\"etat\":\"soldee\",\"rejets\":{\"121\":\"03\"}}).")
				return
			}
		}
		noms, err := s.ProduireRetours(d)
		if err != nil {
			ecrireErreur(w, http.StatusBadRequest, err.Error())
			return
		}
		ecrireJSON(w, http.StatusOK, map[string]any{"retours": noms})
	})
	return m
}

// transport applies the imposed behaviour (down, slow) to the transport routes.
func (s *Simulateur) transport(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.Comportement()
		if c.LatenceMs > 0 {
			t := time.NewTimer(time.Duration(c.LatenceMs) * time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if c.Panne {
			w.Header().Set("Retry-After", "60")
			ecrireErreur(w, http.StatusServiceUnavailable, "Le serveur Hélios de la DGFiP ne répond pas (panne simulée) : l'envoi sera retenté plus tard.")
			return
		}
		h(w, r)
	}
}

func (s *Simulateur) deposerHTTP(w http.ResponseWriter, r *http.Request) {
	d := helios.Depot{NomFichier: r.PathValue("nom"), PDest: r.Header.Get(EnTetePDest), PAppli: r.Header.Get(EnTetePAppli), PMsg: r.Header.Get(EnTetePMsg)}
	if r.ContentLength > s.opts.TailleMax {
		ecrireErreur(w, http.StatusRequestEntityTooLarge, (&ErreurTransport{Message: "Le fichier dépasse la taille admise par Hélios (" + strconv.FormatInt(s.opts.TailleMax>>20, 10) + " Mo) : découpez l'envoi en plusieurs fichiers dans le logiciel de comptabilité."}).Message)
		return
	}
	contenu, err := io.ReadAll(io.LimitReader(r.Body, s.opts.TailleMax+1))
	if err != nil {
		ecrireErreur(w, http.StatusBadRequest, "Le fichier n'a pas été reçu en entier : l'envoi sera retenté.")
		return
	}
	res, err := s.Deposer(d, contenu)
	var et *ErreurTransport
	if errors.As(err, &et) {
		ecrireErreur(w, et.Statut, et.Message)
		return
	}
	if err != nil {
		ecrireErreur(w, http.StatusInternalServerError, err.Error())
		return
	}
	statut := http.StatusCreated
	if res.DejaRecu {
		statut = http.StatusOK
	}
	ecrireJSON(w, statut, res)
}

func ecrireJSON(w http.ResponseWriter, statut int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(statut)
	_ = json.NewEncoder(w).Encode(v)
}

// ecrireErreur answers {"message": "…"} with the French sentence.
func ecrireErreur(w http.ResponseWriter, statut int, message string) {
	ecrireJSON(w, statut, map[string]string{"message": message})
}
