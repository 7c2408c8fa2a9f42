package ui

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/agent"
	"xdemat/signature"
)

// parapheurFaux is the parapheur of the fake agent: the domain's rules
// (xdemat.DossierParapheur.Appliquer) on dossiers held in memory.
type parapheurFaux struct {
	dossiers    []*xdemat.DossierParapheur
	delegations []*xdemat.Delegation
	documents   map[string][]byte
	signatures  int // values the token gave through SignerLot
	// horloge dates the actions; nil: maintenantTest. Signing tests use
	// the real clock, the token's certificates being issued for today.
	horloge func() time.Time
}

func (p *parapheurFaux) maintenant() time.Time {
	if p.horloge != nil {
		return p.horloge()
	}
	return maintenantTest
}

func (f *fauxAgent) utilisateurSession() *xdemat.Utilisateur {
	for i := range f.utilisateurs {
		if f.utilisateurs[i].ID == f.session {
			u := f.utilisateurs[i]
			return &u
		}
	}
	return nil
}

func (f *fauxAgent) dossier(id string) (*xdemat.DossierParapheur, error) {
	for _, d := range f.parapheur.dossiers {
		if d.ID == id {
			return d, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Dossier introuvable.")
}

// avecDossier deposits a dossier by depositor with the type's circuit.
func (f *fauxAgent) avecDossier(titre string, t xdemat.TypeDossier, par string, contenu []byte, etapes ...xdemat.Etape) *xdemat.DossierParapheur {
	h := sha256.Sum256(contenu)
	sha := hex.EncodeToString(h[:])
	if f.parapheur.documents == nil {
		f.parapheur.documents = map[string][]byte{}
	}
	f.parapheur.documents[sha] = contenu
	if etapes == nil {
		etapes = xdemat.ModeleCircuit(t)
	}
	d := &xdemat.DossierParapheur{ID: uuid.NewString(), CommuneID: "c-1", Titre: titre, Type: t, Documents: []string{sha}, Etapes: etapes}
	if err := d.Deposer(par, maintenantTest.Add(-2*time.Hour)); err != nil {
		panic(err)
	}
	f.parapheur.dossiers = append(f.parapheur.dossiers, d)
	return d
}

func (f *fauxAgent) ATraiter(ctx context.Context) ([]agent.DossierATraiter, error) {
	if err := f.note("ATraiter"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.utilisateurSession()
	out := []agent.DossierATraiter{}
	for _, d := range f.parapheur.dossiers {
		pour, err := d.Habilitation(u, f.parapheur.delegations, f.parapheur.maintenant())
		if err == nil {
			out = append(out, agent.DossierATraiter{Dossier: d.Copie(), Nature: d.Courante().Nature, PourLeCompteDe: pour})
		}
	}
	return out, nil
}

func (f *fauxAgent) DossiersParapheur(ctx context.Context, fl agent.FiltreDossiers) ([]*xdemat.DossierParapheur, error) {
	if err := f.note("DossiersParapheur"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*xdemat.DossierParapheur
	for _, d := range f.parapheur.dossiers {
		if (fl.Etat == "" || d.Etat == fl.Etat) && (fl.DeposePar == "" || d.DeposePar == fl.DeposePar) {
			out = append(out, d.Copie())
		}
	}
	return out, nil
}

func (f *fauxAgent) DossierParapheur(ctx context.Context, id string) (*xdemat.DossierParapheur, error) {
	if err := f.note("DossierParapheur " + id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.dossier(id)
	if err != nil {
		return nil, err
	}
	return d.Copie(), nil
}

func (f *fauxAgent) ModeleCircuit(ctx context.Context, t xdemat.TypeDossier) ([]xdemat.Etape, error) {
	return xdemat.ModeleCircuit(t), nil
}

func (f *fauxAgent) DeposerDossier(ctx context.Context, req agent.DemandeDepot) (*xdemat.DossierParapheur, error) {
	if err := f.note("DeposerDossier " + req.Titre); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	etapes := req.Etapes
	if len(etapes) == 0 {
		etapes = xdemat.ModeleCircuit(req.Type)
	}
	d := &xdemat.DossierParapheur{ID: uuid.NewString(), CommuneID: "c-1", Titre: req.Titre, Type: req.Type, Documents: req.Documents, Etapes: etapes}
	if err := d.Deposer(f.session, maintenantTest); err != nil {
		return nil, err
	}
	f.parapheur.dossiers = append(f.parapheur.dossiers, d)
	return d.Copie(), nil
}

func (f *fauxAgent) agir(typ, id string, a xdemat.ActionParapheur) (*xdemat.DossierParapheur, error) {
	if err := f.note(typ + " " + id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.dossier(id)
	if err != nil {
		return nil, err
	}
	a.DossierID, a.Par, a.Le = id, f.session, f.parapheur.maintenant()
	if _, err := d.Appliquer(typ, &a, f.utilisateurSession(), f.parapheur.delegations); err != nil {
		return nil, err
	}
	return d.Copie(), nil
}

func (f *fauxAgent) Viser(ctx context.Context, id string, etape int) (*xdemat.DossierParapheur, error) {
	return f.agir(xdemat.OperationParapheurVise, id, xdemat.ActionParapheur{Etape: etape})
}

func (f *fauxAgent) Refuser(ctx context.Context, id string, etape int, motif string) (*xdemat.DossierParapheur, error) {
	return f.agir(xdemat.OperationParapheurRefuse, id, xdemat.ActionParapheur{Etape: etape, Motif: motif})
}

func (f *fauxAgent) Retirer(ctx context.Context, id, motif string) (*xdemat.DossierParapheur, error) {
	return f.agir(xdemat.OperationParapheurRetire, id, xdemat.ActionParapheur{Motif: motif})
}

func (f *fauxAgent) Annoter(ctx context.Context, id, texte string) (*xdemat.DossierParapheur, error) {
	return f.agir(xdemat.OperationParapheurAnnote, id, xdemat.ActionParapheur{Texte: texte})
}

func (f *fauxAgent) Delegations(ctx context.Context) ([]*xdemat.Delegation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.parapheur.delegations), nil
}

func (f *fauxAgent) EnregistrerDelegation(ctx context.Context, d xdemat.Delegation) (*xdemat.Delegation, error) {
	if err := f.note("EnregistrerDelegation"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d.ID, d.CommuneID, d.CreeePar, d.CreeeLe, d.ModifieLe = uuid.NewString(), "c-1", f.session, maintenantTest, maintenantTest
	if err := d.Validate(); err != nil {
		return nil, err
	}
	f.parapheur.delegations = append(f.parapheur.delegations, &d)
	return &d, nil
}

func (f *fauxAgent) RetirerDelegation(ctx context.Context, id string) (*xdemat.Delegation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.parapheur.delegations {
		if d.ID == id {
			d.RetireeLe = maintenantTest
			return d, nil
		}
	}
	return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Délégation introuvable.")
}

// SignerLot has the token sign one digest per dossier (as the agent's
// formats would), checks the value, and applies the signature.
func (f *fauxAgent) SignerLot(ctx context.Context, ids []string, cert *x509.Certificate, cle crypto.Signer, progress func(fait, total int)) (*agent.ReponseFinalisation, error) {
	if err := f.note("SignerLot"); err != nil {
		return nil, err
	}
	alg, err := signature.AlgorithmePour(cert.PublicKey, false)
	if err != nil {
		return nil, err
	}
	out := &agent.ReponseFinalisation{Signes: []*xdemat.DossierParapheur{}}
	for i, id := range ids {
		f.mu.Lock()
		d, err := f.dossier(id)
		f.mu.Unlock()
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256([]byte(d.Documents[0]))
		e := signature.Empreinte{Valeur: h[:], Algorithme: alg, Libelle: d.Titre}
		sig, err := signature.Signer(cle, e)
		if err != nil {
			return nil, err
		}
		if err := signature.Verifier(cert.PublicKey, e, sig); err != nil {
			return nil, err
		}
		f.mu.Lock()
		f.parapheur.signatures++
		f.mu.Unlock()
		progress(i+1, len(ids))
		signe := sha256.Sum256(append([]byte(d.Documents[0]), sig...))
		r, err := f.agir(xdemat.OperationParapheurSigne, id, xdemat.ActionParapheur{Etape: d.EtapeCourante + 1, Document: hex.EncodeToString(signe[:]), Certificat: xdemat.ResumeCertificat(cert)})
		if err != nil {
			out.Refus = append(out.Refus, agent.RefusDossier{DossierID: id, Code: xdemat.ErrorCode(err), Message: xdemat.ErrorMessage(err)})
			continue
		}
		out.Signes = append(out.Signes, r)
	}
	return out, nil
}

func (f *fauxAgent) AjouterDocument(ctx context.Context, name, mediaType string, r io.Reader) (*xdemat.Document, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(b)
	sha := hex.EncodeToString(h[:])
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.parapheur.documents == nil {
		f.parapheur.documents = map[string][]byte{}
	}
	f.parapheur.documents[sha] = b
	return &xdemat.Document{SHA256: sha, Taille: int64(len(b)), NomOriginal: name}, nil
}

func (f *fauxAgent) LireDocument(ctx context.Context, sha string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.parapheur.documents[sha]
	if !ok {
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Document introuvable.")
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (f *fauxAgent) TransmissionsPES(ctx context.Context) ([]*xdemat.TransmissionPES, error) {
	if err := f.note("TransmissionsPES"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.transmissions), nil
}
