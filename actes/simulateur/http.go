package simulateur

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"xdemat/actes"
)

// Routes:
//
//	POST /actesPost                 an archive, multipart/form-data (the file part's name is the archive's)
//	GET  /retours?depuis=N&siren=S  the answers emitted after number N (JSON)
//	GET  /retours/{nom}             one answer (tar.gz)
//	GET  /admin/etat                state (JSON)
//	PUT  /admin/panne               {"active": true}
//	PUT  /admin/lenteur             {"millisecondes": 2000}
//	POST /admin/anomalie            {"nature": 3, "detail": "…"}: the next acte is refused
//	POST /admin/sirens              {"siren": "…"}: register a SIREN
//	POST /admin/actes/{id}/courrier             {"texte": "…"}
//	POST /admin/actes/{id}/demande-pieces       {"texte": "…"}
//	POST /admin/actes/{id}/lettre-observations  {"texte": "…"}
//	POST /admin/actes/{id}/defere               {"texte": "…"}
//
// The admin routes are neither slowed nor stopped by the panne: tests and the
// administrator drive the simulator through them. Errors are French text.

// EnteteOperateur carries the operator's identity when there is no TLS client
// certificate (plain HTTP in tests and make run).
const EnteteOperateur = "X-Certificat-Client"

func (s *Simulateur) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		s.admin(w, r)
		return
	}
	s.mu.Lock()
	panne, lent := s.panne, s.lent
	s.mu.Unlock()
	if lent > 0 {
		select {
		case <-time.After(lent):
		case <-r.Context().Done():
			return
		}
	}
	if panne {
		http.Error(w, "Plateforme @CTES indisponible (maintenance). Réessayez plus tard.", http.StatusServiceUnavailable)
		return
	}
	if s.cfg.Operateur != "" && operateur(r) != s.cfg.Operateur {
		http.Error(w, "Certificat de l'opérateur absent ou inconnu : la plateforme n'accepte que les opérateurs homologués.", http.StatusForbidden)
		return
	}
	switch {
	case r.URL.Path == "/actesPost" && r.Method == http.MethodPost:
		s.recevoirHTTP(w, r)
	case r.URL.Path == "/retours" && r.Method == http.MethodGet:
		depuis, _ := strconv.Atoi(r.URL.Query().Get("depuis"))
		liste := s.Retours(depuis, r.URL.Query().Get("siren"))
		type info struct {
			Numero  int                 `json:"numero"`
			Nom     string              `json:"nom"`
			SIREN   string              `json:"siren"`
			Codes   []actes.CodeMessage `json:"codes"`
			IDActe  string              `json:"idActe,omitempty"`
			Archive string              `json:"archive,omitempty"`
		}
		out := []info{}
		for _, x := range liste {
			out = append(out, info{x.Numero, x.Nom, x.SIREN, x.Codes, x.IDActe, x.Archive})
		}
		ecrireJSON(w, out)
	case strings.HasPrefix(r.URL.Path, "/retours/") && r.Method == http.MethodGet:
		x, ok := s.Retour(path.Base(r.URL.Path))
		if !ok {
			http.Error(w, "Ce retour n'existe pas.", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/gzip")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.Nom}))
		_, _ = w.Write(x.Octets)
	default:
		http.Error(w, "Adresse inconnue de la plateforme.", http.StatusNotFound)
	}
}

func operateur(r *http.Request) string {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return r.TLS.PeerCertificates[0].Subject.CommonName
	}
	return r.Header.Get(EnteteOperateur)
}

// recevoirHTTP takes the first file part of the form, whatever its field
// name (S²LOW names it after the archive, STELA "file"): success is HTTP 200.
func (s *Simulateur) recevoirHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, actes.TailleMaxArchive+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, "Envoi attendu en multipart/form-data avec l'archive en pièce jointe.", http.StatusBadRequest)
		return
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tropGros *http.MaxBytesError
			if errors.As(err, &tropGros) {
				http.Error(w, "Archive trop volumineuse : 150 Mo au plus.", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "Envoi illisible.", http.StatusBadRequest)
			return
		}
		if p.FileName() == "" {
			continue
		}
		donnees, err := io.ReadAll(p)
		if err != nil {
			var tropGros *http.MaxBytesError
			if errors.As(err, &tropGros) {
				http.Error(w, "Archive trop volumineuse : 150 Mo au plus.", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "Envoi interrompu.", http.StatusBadRequest)
			return
		}
		retours, err := s.Recevoir(path.Base(p.FileName()), donnees)
		if errors.Is(err, ErrArchiveDifferente) {
			http.Error(w, "Une autre archive a déjà été reçue sous le nom "+p.FileName()+" : donnez un nouveau numéro de série.", http.StatusConflict)
			return
		} else if err != nil {
			http.Error(w, "Erreur de la plateforme.", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "OK\n")
		for _, n := range retours {
			fmt.Fprintln(w, n)
		}
		return
	}
	http.Error(w, "Aucune archive dans l'envoi.", http.StatusBadRequest)
}

func ecrireJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Simulateur) admin(w http.ResponseWriter, r *http.Request) {
	var corps struct {
		Active        bool   `json:"active"`
		Millisecondes int    `json:"millisecondes"`
		Nature        int    `json:"nature"`
		Detail        string `json:"detail"`
		SIREN         string `json:"siren"`
		Texte         string `json:"texte"`
	}
	if r.Method != http.MethodGet {
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&corps); err != nil && err != io.EOF {
			http.Error(w, "Corps JSON illisible.", http.StatusBadRequest)
			return
		}
	}
	p := strings.TrimPrefix(r.URL.Path, "/admin/")
	switch {
	case p == "etat" && r.Method == http.MethodGet:
		ecrireJSON(w, s.EtatCourant())
	case p == "panne" && r.Method == http.MethodPut:
		s.Panne(corps.Active)
		ecrireJSON(w, s.EtatCourant())
	case p == "lenteur" && r.Method == http.MethodPut:
		s.Lenteur(time.Duration(corps.Millisecondes) * time.Millisecond)
		ecrireJSON(w, s.EtatCourant())
	case p == "anomalie" && r.Method == http.MethodPost:
		if corps.Nature < 1 || corps.Nature > 999 {
			http.Error(w, "Nature d'anomalie attendue entre 1 et 999.", http.StatusBadRequest)
			return
		}
		s.AnomalieProchainActe(Anomalie{Nature: corps.Nature, Detail: corps.Detail})
		ecrireJSON(w, s.EtatCourant())
	case p == "sirens" && r.Method == http.MethodPost:
		s.Inscrire(corps.SIREN)
		ecrireJSON(w, s.EtatCourant())
	case strings.HasPrefix(p, "actes/") && r.Method == http.MethodPost:
		parts := strings.Split(strings.TrimPrefix(p, "actes/"), "/")
		if len(parts) != 2 {
			http.NotFound(w, r)
			return
		}
		var f func(string, string) (string, error)
		switch parts[1] {
		case "courrier":
			f = s.Courrier
		case "demande-pieces":
			f = s.DemanderPieces
		case "lettre-observations":
			f = s.LettreObservations
		case "defere":
			f = s.Deferer
		default:
			http.Error(w, "Courrier inconnu : courrier, demande-pieces, lettre-observations ou defere.", http.StatusNotFound)
			return
		}
		nom, err := f(parts[0], corps.Texte)
		if errors.Is(err, ErrActeInconnu) {
			http.Error(w, "L'acte "+parts[0]+" n'a pas été acquitté par la plateforme.", http.StatusNotFound)
			return
		} else if err != nil {
			http.Error(w, "Erreur de la plateforme.", http.StatusInternalServerError)
			return
		}
		ecrireJSON(w, map[string]string{"retour": nom})
	default:
		http.Error(w, "Adresse d'administration inconnue.", http.StatusNotFound)
	}
}
