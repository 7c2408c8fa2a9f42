package storetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"xdemat"
	"xdemat/central"
)

// opParapheur returns a new operation of seq by auteur carrying payload, with
// the documents it refers to.
func opParapheur(t *testing.T, seq int64, typ, auteur string, payload any, docs ...string) *xdemat.Operation {
	t.Helper()
	o := opXpostit(t, seq, typ, payload)
	o.Auteur, o.Documents = auteur, docs
	return o
}

func certificatSignature() *xdemat.CertificatSignataire {
	return &xdemat.CertificatSignataire{Sujet: "CN=Jacques Bertin,O=Commune de Test,C=FR", Emetteur: "CN=AC de test", Serie: "1f2e",
		ValideDu: t0.AddDate(-1, 0, 0), ValideAu: t0.AddDate(1, 0, 0), Empreinte: strings.Repeat("d", 64)}
}

// dossierOf returns the commune's copy of a dossier.
func dossierOf(t *testing.T, s central.Store, p *xdemat.Poste, id string) *xdemat.DossierParapheur {
	t.Helper()
	for _, d := range must(s.DossiersParapheur(as(p)))(t) {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// eventsOfType returns the events of a type, in order.
func eventsOfType(t *testing.T, s central.Store, p *xdemat.Poste, typ string) []*xdemat.Evenement {
	t.Helper()
	var out []*xdemat.Evenement
	for _, e := range events(t, s, p) {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func testParapheur(t *testing.T, open Opener) {
	t.Run("dépôt, visa et signature depuis deux postes : projetés et relayés à la commune seule", func(t *testing.T) {
		s := open.new(t)
		a, b := commune(t, s, "Hautvillers"), commune(t, s, "Cumières")
		mairie := poste(t, s, a.ID, "MAIRIE")
		portable := poste(t, s, a.ID, "PORTABLE-MAIRE")
		autre := poste(t, s, b.ID, "MAIRIE")
		sec, m := secretaire(a.ID), maire(a.ID)
		orig := document(t, s, mairie, "%PDF arrêté de voirie")
		d := &xdemat.DossierParapheur{ID: uuid.NewString(), Titre: "Arrêté de voirie", Type: xdemat.DossierArrete, Documents: []string{orig.SHA256},
			Etapes: xdemat.ModeleCircuit(xdemat.DossierArrete), DeposePar: sec.ID, DeposeLe: t0, CommuneID: b.ID /* forged */}
		apply(t, s, mairie, []*xdemat.Operation{
			opXpostit(t, 1, xdemat.OperationUtilisateurEnregistre, sec),
			opXpostit(t, 2, xdemat.OperationUtilisateurEnregistre, m),
			opParapheur(t, 3, xdemat.OperationParapheurDepose, sec.ID, d, orig.SHA256),
			opParapheur(t, 4, xdemat.OperationParapheurVise, sec.ID, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: sec.ID, Le: t0.Add(time.Minute)}),
		}, 4)
		// The maire signs on his laptop, another poste of the commune.
		signe := document(t, s, portable, "%PDF arrêté de voirie signé")
		apply(t, s, portable, []*xdemat.Operation{
			opParapheur(t, 1, xdemat.OperationParapheurSigne, m.ID, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 2, Par: m.ID, Le: t0.Add(time.Hour),
				Document: signe.SHA256, Certificat: certificatSignature()}, signe.SHA256),
		}, 1)

		got := dossierOf(t, s, mairie, d.ID)
		if got == nil || got.CommuneID != a.ID || got.Etat != xdemat.DossierSigne || got.Version != 3 || got.Documents[0] != signe.SHA256 || len(got.Historique) != 3 {
			t.Fatalf("dossier de central %+v", got)
		}
		if h := got.Historique[2]; h.Par != m.ID || h.Certificat == nil || h.Certificat.Serie != "1f2e" || h.Document != signe.SHA256 {
			t.Fatalf("entrée de signature %+v", h)
		}
		if len(must(s.DossiersParapheur(as(autre)))(t)) != 0 || len(eventsOfType(t, s, autre, xdemat.OperationParapheurDepose)) != 0 {
			t.Fatal("l'autre commune voit le dossier")
		}
		// Each action relayed once, to the commune, with the dossier as it stands.
		var versions []int64
		for _, typ := range []string{xdemat.OperationParapheurDepose, xdemat.OperationParapheurVise, xdemat.OperationParapheurSigne} {
			evs := eventsOfType(t, s, portable, typ)
			if len(evs) != 1 || evs[0].Objet != d.ID {
				t.Fatalf("%s relayé %d fois", typ, len(evs))
			}
			var relaye xdemat.DossierParapheur
			if err := json.Unmarshal(evs[0].Payload, &relaye); err != nil {
				t.Fatal(err)
			}
			versions = append(versions, relaye.Version)
		}
		if versions[0] != 1 || versions[1] != 2 || versions[2] != 3 {
			t.Fatalf("versions relayées %v", versions)
		}
		// The journal of the commune names the signed document.
		var vu bool
		for _, e := range journal(t, s, mairie) {
			vu = vu || (e.Action == xdemat.OperationParapheurSigne && strings.Contains(e.Details, signe.SHA256))
		}
		if !vu {
			t.Fatal("le journal de central ne cite pas le document signé")
		}
	})

	t.Run("deux postes agissent sur la même étape : le premier l'emporte, le second est refusé en français", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		mairie := poste(t, s, a.ID, "MAIRIE")
		portable := poste(t, s, a.ID, "PORTABLE-MAIRE")
		sec, m := secretaire(a.ID), maire(a.ID)
		for _, u := range []*xdemat.Utilisateur{sec, m} {
			if err := s.SaveUtilisateur(as(mairie), u); err != nil {
				t.Fatal(err)
			}
		}
		orig := document(t, s, mairie, "%PDF délibération")
		d := &xdemat.DossierParapheur{ID: uuid.NewString(), Titre: "Délibération budget", Type: xdemat.DossierDeliberation, Documents: []string{orig.SHA256},
			Etapes: xdemat.ModeleCircuit(xdemat.DossierDeliberation), DeposePar: sec.ID, DeposeLe: t0}
		apply(t, s, mairie, []*xdemat.Operation{opParapheur(t, 1, xdemat.OperationParapheurDepose, sec.ID, d, orig.SHA256)}, 1)
		// Offline on his laptop the maire signs; at the mairie he had
		// refused it a minute before, and that reaches central first.
		refus := &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: m.ID, Le: t0.Add(time.Minute), Motif: "Chiffres à revoir."}
		apply(t, s, mairie, []*xdemat.Operation{opParapheur(t, 2, xdemat.OperationParapheurRefuse, m.ID, refus)}, 2)
		signe := document(t, s, portable, "%PDF délibération signée")
		signeOp := opParapheur(t, 1, xdemat.OperationParapheurSigne, m.ID, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: m.ID,
			Le: t0.Add(2 * time.Minute), Document: signe.SHA256, Certificat: certificatSignature()}, signe.SHA256)
		apply(t, s, portable, []*xdemat.Operation{signeOp}, 1) // acknowledged all the same: the queue goes on
		apply(t, s, portable, []*xdemat.Operation{signeOp}, 1) // a replay changes nothing

		got := dossierOf(t, s, mairie, d.ID)
		if got.Etat != xdemat.DossierRefuse || got.Version != 2 || got.Documents[0] != orig.SHA256 {
			t.Fatalf("dossier %+v", got)
		}
		refusees := eventsOfType(t, s, mairie, xdemat.EvenementParapheurActionRefusee)
		if len(refusees) != 1 || refusees[0].PosteID != portable.ID {
			t.Fatalf("%d refus relayés", len(refusees))
		}
		var r xdemat.RefusParapheur
		if err := json.Unmarshal(refusees[0].Payload, &r); err != nil {
			t.Fatal(err)
		}
		if r.OperationID != signeOp.ID || r.Type != xdemat.OperationParapheurSigne || r.Dossier == nil || r.Dossier.Etat != xdemat.DossierRefuse ||
			!strings.Contains(r.Motif, "refusé") {
			t.Fatalf("refus %+v", r)
		}
		var prevenu bool
		for _, n := range must(s.Notifications(as(mairie)))(t) {
			prevenu = prevenu || (n.Type == xdemat.NotificationParapheurConflit && n.Destinataire == m.ID && n.Texte == r.Motif)
		}
		if !prevenu {
			t.Fatal("le maire n'est pas prévenu que sa signature n'a pas été prise en compte")
		}
		if len(eventsOfType(t, s, mairie, xdemat.OperationParapheurSigne)) != 0 {
			t.Fatal("la signature refusée a été relayée comme appliquée")
		}
	})

	t.Run("délégation : la plus récente l'emporte, et la signature par délégation s'applique", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		sec, m := secretaire(a.ID), maire(a.ID)
		adj := &xdemat.Utilisateur{ID: uuid.NewString(), CommuneID: a.ID, Nom: "Roux", Prenom: "Marie", Role: xdemat.RoleAdjoint, Actif: true, ModifieLe: t0}
		del := &xdemat.Delegation{ID: uuid.NewString(), Delegant: m.ID, DelegantRole: xdemat.RoleMaire, Delegataire: adj.ID,
			Du: t0, Au: t0.AddDate(0, 0, 7), CreeePar: m.ID, CreeeLe: t0, ModifieLe: t0}
		ancienne := *del
		ancienne.ModifieLe, ancienne.Au = t0.Add(-time.Hour), t0.AddDate(0, 0, 1)
		orig := document(t, s, p, "%PDF courrier")
		signe := document(t, s, p, "%PDF courrier signé")
		d := &xdemat.DossierParapheur{ID: uuid.NewString(), Titre: "Courrier au Département", Type: xdemat.DossierCourrier, Documents: []string{orig.SHA256},
			Etapes: xdemat.ModeleCircuit(xdemat.DossierCourrier), DeposePar: sec.ID, DeposeLe: t0}
		apply(t, s, p, []*xdemat.Operation{
			opXpostit(t, 1, xdemat.OperationUtilisateurEnregistre, sec),
			opXpostit(t, 2, xdemat.OperationUtilisateurEnregistre, m),
			opXpostit(t, 3, xdemat.OperationUtilisateurEnregistre, adj),
			opParapheur(t, 4, xdemat.OperationParapheurDelegation, m.ID, del),
			opParapheur(t, 5, xdemat.OperationParapheurDelegation, m.ID, &ancienne),
			opParapheur(t, 6, xdemat.OperationParapheurDepose, sec.ID, d, orig.SHA256),
			opParapheur(t, 7, xdemat.OperationParapheurSigne, adj.ID, &xdemat.ActionParapheur{DossierID: d.ID, Etape: 1, Par: adj.ID, Le: t0.AddDate(0, 0, 3),
				Document: signe.SHA256, Certificat: certificatSignature()}, signe.SHA256),
		}, 7)
		dels := must(s.DelegationsParapheur(as(p)))(t)
		if len(dels) != 1 || !dels[0].Au.Equal(us(del.Au)) {
			t.Fatalf("délégations %+v", dels)
		}
		if n := len(eventsOfType(t, s, p, xdemat.OperationParapheurDelegation)); n != 1 {
			t.Fatalf("%d délégations relayées, la plus ancienne ne doit pas l'être", n)
		}
		got := dossierOf(t, s, p, d.ID)
		if got.Etat != xdemat.DossierSigne || got.Historique[1].PourLeCompteDe != m.ID {
			t.Fatalf("dossier %+v", got)
		}
	})

	t.Run("contenu de parapheur illisible : lot refusé, rien d'enregistré", func(t *testing.T) {
		s := open.new(t)
		a := commune(t, s, "Hautvillers")
		p := poste(t, s, a.ID, "MAIRIE")
		before := snap(t, s, p)
		for _, tc := range []struct {
			nom string
			op  *xdemat.Operation
		}{
			{"refus sans motif", opParapheur(t, 1, xdemat.OperationParapheurRefuse, "m", &xdemat.ActionParapheur{DossierID: uuid.NewString(), Etape: 1, Par: "m", Le: t0})},
			{"dépôt sans document joint", opParapheur(t, 1, xdemat.OperationParapheurDepose, "s", &xdemat.DossierParapheur{ID: uuid.NewString(), Titre: "x",
				Type: xdemat.DossierCourrier, Documents: []string{strings.Repeat("a", 64)}, Etapes: xdemat.ModeleCircuit(xdemat.DossierCourrier), DeposePar: "s", DeposeLe: t0})},
			{"délégation à soi-même", opParapheur(t, 1, xdemat.OperationParapheurDelegation, "m", &xdemat.Delegation{ID: uuid.NewString(), Delegant: "m",
				DelegantRole: xdemat.RoleMaire, Delegataire: "m", Du: t0, Au: t0.Add(time.Hour), ModifieLe: t0})},
		} {
			t.Run(tc.nom, func(t *testing.T) {
				_, err := s.ApplyOperations(as(p), []*xdemat.Operation{tc.op}, t0)
				wantError(t, err, xdemat.EINVALID, "")
			})
		}
		wantSnap(t, s, p, before)
		_, err := s.DossiersParapheur(t.Context())
		wantError(t, err, xdemat.EUNAUTHORIZED, "")
	})
}
