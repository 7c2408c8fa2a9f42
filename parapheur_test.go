package xdemat

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var (
	lundi = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sha1_ = strings.Repeat("a", 64)
	sha2_ = strings.Repeat("b", 64)
	sha3_ = strings.Repeat("c", 64)
)

func personnes() (sec, maire, adjoint, elu *Utilisateur) {
	return &Utilisateur{ID: "sec", Nom: "Lefèvre", Prenom: "Anne", Role: RoleSecretaire, Actif: true, CommuneID: "c"},
		&Utilisateur{ID: "maire", Nom: "Bertin", Prenom: "Jacques", Role: RoleMaire, Actif: true, CommuneID: "c"},
		&Utilisateur{ID: "adj", Nom: "Roux", Prenom: "Marie", Role: RoleAdjoint, Actif: true, CommuneID: "c"},
		&Utilisateur{ID: "elu", Nom: "Petit", Prenom: "Paul", Role: RoleElu, Actif: true, CommuneID: "c"}
}

func certificat(du, au time.Time) *CertificatSignataire {
	return &CertificatSignataire{Sujet: "CN=Jacques Bertin,O=Commune de Test,C=FR", Emetteur: "CN=AC de test", Serie: "1f2e",
		ValideDu: du, ValideAu: au, Empreinte: strings.Repeat("d", 64)}
}

// arrete returns a dossier deposited by the secretary: visa of the
// secretary, then signature of the maire (the arrêté template).
func arrete(t *testing.T) *DossierParapheur {
	t.Helper()
	d := &DossierParapheur{ID: "5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d", Titre: "Arrêté de voirie rue des Écoles", Type: DossierArrete,
		Documents: []string{sha1_, sha2_}, Etapes: ModeleCircuit(DossierArrete)}
	if err := d.Deposer("sec", lundi); err != nil {
		t.Fatal(err)
	}
	return d
}

func action(d *DossierParapheur, par string, etape int, le time.Time) *ActionParapheur {
	return &ActionParapheur{DossierID: d.ID, Etape: etape, Par: par, Le: le}
}

func TestCircuitVisaPuisSignature(t *testing.T) {
	sec, maire, _, _ := personnes()
	d := arrete(t)
	if d.Etat != DossierEnCours || d.Version != 1 || len(d.Historique) != 1 || d.Historique[0].Document != sha1_ {
		t.Fatalf("dépôt : %+v", d)
	}
	if d.AttendPour(maire, nil, lundi) || !d.AttendPour(sec, nil, lundi) {
		t.Fatal("la première étape attend la secrétaire, pas le maire")
	}
	if _, err := d.Appliquer(OperationParapheurVise, action(d, "sec", 1, lundi.Add(time.Hour)), sec, nil); err != nil {
		t.Fatal(err)
	}
	if !d.AttendPour(maire, nil, lundi) || d.AttendPour(sec, nil, lundi) {
		t.Fatal("après le visa, le document attend le maire")
	}
	if got := d.Destinataires([]*Utilisateur{sec, maire}); len(got) != 1 || got[0] != "maire" {
		t.Fatalf("destinataires %v", got)
	}
	a := action(d, "maire", 2, lundi.Add(2*time.Hour))
	a.Document, a.Certificat = sha3_, certificat(lundi.AddDate(-1, 0, 0), lundi.AddDate(1, 0, 0))
	h, err := d.Appliquer(OperationParapheurSigne, a, maire, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Etat != DossierSigne || d.Courante() != nil || d.Version != 3 || h.Certificat.Serie != "1f2e" || h.Mention() != "" {
		t.Fatalf("après signature : état %s, version %d, entrée %+v", d.Etat, d.Version, h)
	}
	// Immutable: the signed version is a new SHA-256; the annex stays; the
	// history keeps the deposited and the signed versions.
	if d.Documents[0] != sha3_ || d.Documents[1] != sha2_ || d.Historique[0].Document != sha1_ || d.Historique[2].Document != sha3_ {
		t.Fatalf("versions : %v, historique %+v", d.Documents, d.Historique)
	}
	if _, err := d.Appliquer(OperationParapheurRetire, action(d, "sec", 0, lundi.Add(3*time.Hour)), sec, nil); ErrorCode(err) != ECONFLICT {
		t.Fatalf("retirer un document signé : %v", err)
	}
}

func TestRefusAvecMotifArreteLeCircuit(t *testing.T) {
	sec, maire, _, _ := personnes()
	d := arrete(t)
	d.Appliquer(OperationParapheurVise, action(d, "sec", 1, lundi), sec, nil)
	sansMotif := action(d, "maire", 2, lundi)
	if _, err := d.Appliquer(OperationParapheurRefuse, sansMotif, maire, nil); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "motif") {
		t.Fatalf("refus sans motif : %v", err)
	}
	if d.Version != 2 || len(d.Historique) != 2 {
		t.Fatal("un refus invalide a laissé une trace")
	}
	a := action(d, "maire", 2, lundi)
	a.Motif = "Le plan de circulation manque en annexe."
	if _, err := d.Appliquer(OperationParapheurRefuse, a, maire, nil); err != nil {
		t.Fatal(err)
	}
	if d.Etat != DossierRefuse || d.Courante() != nil || d.Historique[2].Motif != a.Motif {
		t.Fatalf("après refus : %+v", d)
	}
	signe := action(d, "maire", 2, lundi)
	signe.Document, signe.Certificat = sha3_, certificat(lundi.AddDate(-1, 0, 0), lundi.AddDate(1, 0, 0))
	if _, err := d.Appliquer(OperationParapheurSigne, signe, maire, nil); ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "refusé") {
		t.Fatalf("signer un document refusé : %v", err)
	}
}

func TestQuiPeutAgirSurLEtapeCourante(t *testing.T) {
	sec, maire, adjoint, elu := personnes()
	absence := &Delegation{ID: "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", Delegant: "maire", DelegantRole: RoleMaire, Delegataire: "adj",
		Du: lundi, Au: lundi.AddDate(0, 0, 14), ModifieLe: lundi, CreeePar: "maire"}
	retiree := *absence
	retiree.RetireeLe = lundi.Add(time.Hour)
	inactif := *maire
	inactif.Actif = false
	for _, tc := range []struct {
		nom    string
		qui    *Utilisateur
		dels   []*Delegation
		le     time.Time
		pour   string
		refuse bool
	}{
		{"le maire pour une étape du rôle maire", maire, nil, lundi, "", false},
		{"l'adjoint sans délégation", adjoint, nil, lundi, "", true},
		{"l'adjoint pendant l'absence du maire (délégation)", adjoint, []*Delegation{absence}, lundi.AddDate(0, 0, 3), "maire", false},
		{"l'adjoint le dernier jour de la délégation", adjoint, []*Delegation{absence}, lundi.AddDate(0, 0, 14), "maire", false},
		{"l'adjoint après la fin de la délégation", adjoint, []*Delegation{absence}, lundi.AddDate(0, 0, 15), "", true},
		{"l'adjoint avant le début de la délégation", adjoint, []*Delegation{absence}, lundi.Add(-time.Minute), "", true},
		{"l'adjoint, délégation retirée", adjoint, []*Delegation{&retiree}, lundi.AddDate(0, 0, 3), "", true},
		{"un conseiller qui n'est pas le délégataire", elu, []*Delegation{absence}, lundi.AddDate(0, 0, 3), "", true},
		{"la secrétaire", sec, nil, lundi, "", true},
		{"un maire au profil désactivé", &inactif, nil, lundi, "", true},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			d := &DossierParapheur{ID: "5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d", Titre: "Délibération budget", Type: DossierDeliberation,
				Documents: []string{sha1_}, Etapes: ModeleCircuit(DossierDeliberation)}
			if err := d.Deposer("sec", lundi); err != nil {
				t.Fatal(err)
			}
			pour, err := d.Habilitation(tc.qui, tc.dels, tc.le)
			if tc.refuse {
				if ErrorCode(err) != EFORBIDDEN {
					t.Fatalf("accepté (%q, %v), refus attendu", pour, err)
				}
				return
			}
			if err != nil || pour != tc.pour {
				t.Fatalf("habilitation (%q, %v), attendu pour le compte de %q", pour, err, tc.pour)
			}
		})
	}
}

// A signature by delegation carries the mention "par délégation" and names
// the élu it was made for; the same delegation used outside its period is
// refused.
func TestSignatureParDelegation(t *testing.T) {
	_, _, adjoint, _ := personnes()
	absence := &Delegation{ID: "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", Delegant: "maire", DelegantRole: RoleMaire, Delegataire: "adj",
		Du: lundi, Au: lundi.AddDate(0, 0, 7), ModifieLe: lundi, CreeePar: "maire"}
	if err := absence.Validate(); err != nil {
		t.Fatal(err)
	}
	d := &DossierParapheur{ID: "5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d", Titre: "Courrier au Département", Type: DossierCourrier,
		Documents: []string{sha1_}, Etapes: ModeleCircuit(DossierCourrier)}
	d.Deposer("sec", lundi)
	hors := action(d, "adj", 1, lundi.AddDate(0, 0, 8))
	hors.Document, hors.Certificat = sha3_, certificat(lundi.AddDate(-1, 0, 0), lundi.AddDate(1, 0, 0))
	if _, err := d.Appliquer(OperationParapheurSigne, hors, adjoint, []*Delegation{absence}); ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "délégation") {
		t.Fatalf("signature hors de la période de délégation : %v", err)
	}
	a := *hors
	a.Le = lundi.AddDate(0, 0, 2)
	h, err := d.Appliquer(OperationParapheurSigne, &a, adjoint, []*Delegation{absence})
	if err != nil {
		t.Fatal(err)
	}
	if h.PourLeCompteDe != "maire" || h.Mention() != MentionDelegation || d.Etapes[0].PourLeCompteDe != "maire" || d.Etapes[0].FaitePar != "adj" {
		t.Fatalf("entrée %+v, étape %+v", h, d.Etapes[0])
	}
}

// CP-15 / SIG-05: a signature needs a certificate valid at signing time.
func TestSignatureAvecCertificatValideAuMomentDeSigner(t *testing.T) {
	_, maire, _, _ := personnes()
	for _, tc := range []struct {
		nom     string
		du, au  time.Time
		message string
	}{
		{"certificat valide", lundi.AddDate(-1, 0, 0), lundi.AddDate(1, 0, 0), ""},
		{"certificat expiré la veille", lundi.AddDate(-2, 0, 0), lundi.Add(-24 * time.Hour), "a expiré le 01/03/2026"},
		{"certificat pas encore valable", lundi.Add(24 * time.Hour), lundi.AddDate(2, 0, 0), "qu'à partir du 03/03/2026"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			d := &DossierParapheur{ID: "5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d", Titre: "Délibération", Type: DossierDeliberation,
				Documents: []string{sha1_}, Etapes: ModeleCircuit(DossierDeliberation)}
			d.Deposer("sec", lundi)
			a := action(d, "maire", 1, lundi)
			a.Document, a.Certificat = sha3_, certificat(tc.du, tc.au)
			_, err := d.Appliquer(OperationParapheurSigne, a, maire, nil)
			if tc.message == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), tc.message) || d.Etat != DossierEnCours {
				t.Fatalf("%v (état %s), refus « %s » attendu", err, d.Etat, tc.message)
			}
		})
	}
}

func TestDeuxActionsSurLaMemeEtapeLaSecondeEstRefusee(t *testing.T) {
	sec, maire, _, _ := personnes()
	d := arrete(t)
	d.Appliquer(OperationParapheurVise, action(d, "sec", 1, lundi), sec, nil)
	if _, err := d.Appliquer(OperationParapheurVise, action(d, "sec", 1, lundi.Add(time.Minute)), sec, nil); ErrorCode(err) != ECONFLICT ||
		!strings.Contains(ErrorMessage(err), "déjà été traitée") {
		t.Fatalf("second visa de la même étape : %v", err)
	}
	refus := action(d, "maire", 2, lundi)
	refus.Motif = "Non."
	d.Appliquer(OperationParapheurRefuse, refus, maire, nil)
	if _, err := d.Appliquer(OperationParapheurRefuse, refus, maire, nil); ErrorCode(err) != ECONFLICT {
		t.Fatalf("second refus : %v", err)
	}
}

func TestRetraitParLeDeposantSeulement(t *testing.T) {
	sec, maire, _, _ := personnes()
	d := arrete(t)
	if _, err := d.Appliquer(OperationParapheurRetire, action(d, "maire", 0, lundi), maire, nil); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("retrait par un autre que le déposant : %v", err)
	}
	if _, err := d.Appliquer(OperationParapheurRetire, action(d, "sec", 0, lundi), sec, nil); err != nil || d.Etat != DossierRetire {
		t.Fatalf("retrait : %v, état %s", err, d.Etat)
	}
	// Annotating stays possible, whatever the state.
	a := action(d, "maire", 0, lundi)
	a.Texte = "Vu, à reprendre en conseil."
	if _, err := d.Appliquer(OperationParapheurAnnote, a, maire, nil); err != nil || d.Historique[len(d.Historique)-1].Texte != a.Texte {
		t.Fatalf("annotation : %v", err)
	}
}

func TestValidationDuDepot(t *testing.T) {
	for _, tc := range []struct {
		nom     string
		change  func(d *DossierParapheur)
		message string
	}{
		{"sans titre", func(d *DossierParapheur) { d.Titre = " " }, "titre"},
		{"type inconnu", func(d *DossierParapheur) { d.Type = "note" }, "Type de document inconnu"},
		{"sans document", func(d *DossierParapheur) { d.Documents = nil }, "Joignez"},
		{"circuit vide", func(d *DossierParapheur) { d.Etapes = nil }, "circuit est vide"},
		{"étape sans personne ni rôle", func(d *DossierParapheur) { d.Etapes = []Etape{{Nature: EtapeVisa}} }, "soit une personne, soit un rôle"},
		{"signature confiée à la secrétaire", func(d *DossierParapheur) { d.Etapes = []Etape{{Nature: EtapeSignature, Role: RoleSecretaire}} }, "seuls le maire et ses adjoints"},
		{"nature inconnue", func(d *DossierParapheur) { d.Etapes = []Etape{{Nature: "lecture", Role: RoleMaire}} }, "Étape de circuit inconnue"},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			d := &DossierParapheur{ID: "5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d", Titre: "Devis toiture", Type: DossierDevis, Documents: []string{sha1_}, Etapes: ModeleCircuit(DossierDevis)}
			tc.change(d)
			if err := d.Deposer("sec", lundi); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tc.message) {
				t.Fatalf("%v, « %s » attendu", err, tc.message)
			}
		})
	}
}

func TestModelesDeCircuitParType(t *testing.T) {
	for _, ty := range []TypeDossier{DossierDeliberation, DossierArrete, DossierDevis, DossierFacture, DossierCourrier, DossierBordereau} {
		d := &DossierParapheur{ID: "5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d", Titre: ty.Libelle(), Type: ty, Documents: []string{sha1_}, Etapes: ModeleCircuit(ty)}
		if err := d.Deposer("sec", lundi); err != nil {
			t.Errorf("%s : le modèle de circuit est refusé : %v", ty.Libelle(), err)
		}
	}
	// SIG-01: a délibération is signed by the maire.
	if e := ModeleCircuit(DossierDeliberation); e[len(e)-1].Nature != EtapeSignature || e[len(e)-1].Role != RoleMaire {
		t.Errorf("délibération : %+v", e)
	}
	if e := ModeleCircuit(DossierFacture); len(e) != 1 || e[0].Nature != EtapeVisa {
		t.Errorf("facture pour visa : %+v", e)
	}
}

func TestDelegationValidation(t *testing.T) {
	ok := Delegation{ID: "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", Delegant: "maire", DelegantRole: RoleMaire, Delegataire: "adj",
		Du: lundi, Au: lundi.AddDate(0, 0, 7), ModifieLe: lundi, CreeePar: "maire"}
	for _, tc := range []struct {
		nom    string
		change func(d *Delegation)
	}{
		{"à soi-même", func(d *Delegation) { d.Delegataire = "maire" }},
		{"fin avant le début", func(d *Delegation) { d.Au = d.Du.Add(-time.Hour) }},
		{"sans délégataire", func(d *Delegation) { d.Delegataire = "" }},
		{"identifiant invalide", func(d *Delegation) { d.ID = "x" }},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			d := ok
			tc.change(&d)
			if ErrorCode(d.Validate()) != EINVALID {
				t.Fatal("délégation acceptée")
			}
		})
	}
}

// FuzzActionParapheur: an action's payload comes from a poste; reading and
// applying any bytes must never panic nor change a dossier on error.
func FuzzActionParapheur(f *testing.F) {
	f.Add(OperationParapheurVise, []byte(`{"dossierId":"5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d","etape":1,"par":"sec","le":"2026-03-02T10:00:00Z"}`))
	f.Add(OperationParapheurRefuse, []byte(`{"dossierId":"5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d","etape":2,"par":"maire","le":"2026-03-02T10:00:00Z","motif":"non"}`))
	f.Add(OperationParapheurSigne, []byte(`{"dossierId":"5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d","etape":1,"par":"sec","le":"2026-03-02T10:00:00Z","document":"`+sha3_+`","certificat":{}}`))
	f.Add(OperationParapheurAnnote, []byte(`{"dossierId":"5f0c7a0e-8a37-4d5e-9b7e-0d5c1a2b3c4d","par":"maire","le":"2026-03-02T10:00:00Z","texte":"\u0000"}`))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		var a ActionParapheur
		if json.Unmarshal(payload, &a) != nil {
			return
		}
		sec, maire, _, _ := personnes()
		d := arrete(t)
		avant, _ := json.Marshal(d)
		for _, u := range []*Utilisateur{sec, maire} {
			if _, err := d.Appliquer(typ, &a, u, nil); err != nil {
				apres, _ := json.Marshal(d)
				if string(apres) != string(avant) {
					t.Fatalf("action refusée (%v) mais dossier modifié", err)
				}
			} else {
				avant, _ = json.Marshal(d)
			}
		}
	})
}
