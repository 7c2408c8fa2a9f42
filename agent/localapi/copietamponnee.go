package localapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"xdemat"
	"xdemat/agent"
	"xdemat/signature/pades"
)

// The proofs of transmission of an acte, once the préfecture acknowledged
// it: GET /v1/actes/{id}/copie-tamponnee, its main document with the stamp
// S²LOW prints (sent, received, published, identifiant unique), and GET
// /v1/actes/{id}/ar, the AR file (ARActe XML) central received and the
// poste fetched. The stamped copy is made on demand from the document the
// poste holds: nothing is stored twice.

// DatesPublicationActes is what an actes store may also offer: the date an
// acte was published, zero when it was not. Without it the stamp has no
// "Publié le" line.
type DatesPublicationActes interface {
	DatePublicationActe(ctx context.Context, acteID string) (time.Time, error)
}

// acteAcquitte reads the acte of the path and checks that the préfecture
// acknowledged it.
func (s *Server) acteAcquitte(r *http.Request, st agent.ActesStore) (*xdemat.Acte, error) {
	f, err := st.FicheActe(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	a := f.Acte
	if a.Statut != xdemat.ActeAcquitte && a.Statut != xdemat.ActeAnnulationTransmise {
		return nil, xdemat.Errorf(xdemat.ECONFLICT, "L'acte %s est « %s » : la copie tamponnée et l'accusé de réception seront disponibles quand la préfecture aura accusé réception de l'acte.", a.NumeroInterne, a.Statut.Libelle())
	}
	return a, nil
}

func (s *Server) copieTamponnee(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	a, err := s.acteAcquitte(r, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var publieLe time.Time
	if p, ok := st.(DatesPublicationActes); ok {
		if publieLe, err = p.DatePublicationActe(r.Context(), a.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	lignes, err := a.LignesTampon(publieLe)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.DocumentPrincipal.Format() != xdemat.FormatPDF {
		s.fail(w, r, xdemat.Errorf(xdemat.ECONFLICT, "Le document principal de l'acte %s n'est pas un PDF : il n'a pas de copie tamponnée ; l'accusé de réception fait foi de sa transmission.", a.NumeroInterne))
		return
	}
	pdf, err := s.lireBlob(a.DocumentPrincipal.SHA256)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	copie, err := pades.Tamponner(pdf, pades.Tampon{Lignes: lignes})
	if err != nil {
		s.fail(w, r, xdemat.Errorf(xdemat.EINVALID, "%s", err.Error()))
		return
	}
	servirFichier(w, "application/pdf", a.NumeroInterne+"-tamponne.pdf", copie)
}

func (s *Server) accuseReception(w http.ResponseWriter, r *http.Request, st agent.ActesStore, _ *xdemat.Utilisateur) {
	a, err := s.acteAcquitte(r, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.DocumentAR == "" {
		s.fail(w, r, xdemat.Errorf(xdemat.EUNAVAILABLE, "Le fichier de l'accusé de réception de l'acte %s n'est pas connu de ce poste (acte acquitté avant la mise à jour du serveur central) : l'identifiant unique %s en tient lieu.", a.NumeroInterne, a.IdentifiantUnique))
		return
	}
	ar, err := s.lireBlob(a.DocumentAR)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	servirFichier(w, "application/xml", a.NumeroInterne+"-accuse-reception.xml", ar)
}

// servirFichier answers a file to save. The name is made of a numéro
// interne (capitals, digits, _), safe in the header as is.
func servirFichier(w http.ResponseWriter, typ, nom string, b []byte) {
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", `attachment; filename="`+nom+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
