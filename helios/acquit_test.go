package helios

import (
	"errors"
	"strings"
	"testing"
)

func TestLireAcquitsReels(t *testing.T) {
	cas := []struct {
		nom, fichier   string
		nomFic         string
		accepte        bool
		elements       int
		anomalies      int
		premiereObjet  string
		premierLibelle string
	}{
		{"acquit tout accepté (Pastell)", "pes_acquit.xml", "HELIOS_SIMU_ALR2_1477486132_1155762524.xml", true, 5, 0, "", ""},
		{"erreurs par ligne de mandat", "acquit-ko/006111_190130123456-ACK-A3020100_A0000IDL_KO.xml", "PesDepense-02-2019-5-11112222333344445", false, 2, 6,
			"Bordereau de dépense n° 5 (exercice 2019), mandat n° 20, ligne 1", "1971 - Compte fonction présent à tort"},
		{"acquit mixte dépense, recette et PJ", "acquit-ko/006111_190130123456-ACK-A3020100_A0000MIX_KO.xml", "PesDepense-02-2019-5-11112222333355556", false, 4, 6,
			"Bordereau de dépense n° 5 (exercice 2019), mandat n° 20, ligne 1", "1971 - Compte fonction présent à tort"},
		{"titres refusés par Chorus Pro", "acquit-ko/006111_190130123456-ACK-A3020100_A0000SDP_KO.xml", "PesRecette-02-2018-258-258-20190129666666", false, 5, 2,
			"Bordereau de recette n° 258 (exercice 2018), titre n° 5432", "2559 - Le code service de la structure publique destinataire est inconnu ou inactif dans Chorus Pro"},
		{"pièce justificative en doublon", "acquit-ko/006111_190130123456-ACK-A3020100_A0000SEN_KO.xml", "PesDepense-12-2018-209-2092019012917666666", false, 3, 1,
			"Pièce justificative TI00064567", "1984 - L'identifiant unique de la PJ a déjà été intégré dans HELIOS"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			a, err := LireAcquit(lireFixture(t, c.fichier))
			if err != nil {
				t.Fatal(err)
			}
			if a.Enveloppe.NomFic != c.nomFic || !a.Detail {
				t.Errorf("NomFic %q, détail %v", a.Enveloppe.NomFic, a.Detail)
			}
			if a.Accepte() != c.accepte || len(a.Elements) != c.elements {
				t.Errorf("accepté %v, %d éléments", a.Accepte(), len(a.Elements))
			}
			an := a.Anomalies()
			if len(an) != c.anomalies {
				t.Fatalf("%d anomalies, %d attendues : %v", len(an), c.anomalies, an)
			}
			if c.anomalies == 0 {
				return
			}
			if an[0].Objet() != c.premiereObjet || an[0].Libelle != c.premierLibelle {
				t.Errorf("première anomalie : %q / %q", an[0].Objet(), an[0].Libelle)
			}
			for _, x := range an {
				if !x.Code.Connu() || !strings.Contains(x.String(), x.Libelle) || !strings.Contains(x.String(), "refusé par Hélios") {
					t.Errorf("phrase incomplète : %s", x)
				}
			}
		})
	}
}

func TestAcquitParBordereauEtPiece(t *testing.T) {
	a, err := LireAcquit(lireFixture(t, "acquit-ko/006111_190130123456-ACK-A3020100_A0000MIX_KO.xml"))
	if err != nil {
		t.Fatal(err)
	}
	els := a.ElementsBordereau("2019", "0005")
	if len(els) != 1 || els[0].Accepte || els[0].Domaine != DomaineDepense || len(els[0].Pieces) != 2 {
		t.Fatalf("bordereau 5 : %+v", els)
	}
	if p := els[0].Pieces[1]; p.NumPiece != "22" || len(p.Lignes) != 1 || p.Lignes[0].Erreurs[0].Code != AnomalieAutre {
		t.Errorf("mandat 22 : %+v", p)
	}
	if len(a.ElementsBordereau("2019", "258")) != 0 {
		t.Error("le bordereau 258 est de l'exercice 2018")
	}
	pj := a.Elements[3]
	if pj.Domaine != DomainePJ || pj.IdUnique != "TI00064567" || pj.Erreurs[0].Code != AnomalieDoublonPJ {
		t.Errorf("PJ : %+v", pj)
	}
	if !strings.Contains(pj.Anomalies()[0].Explication(), "déjà été intégrée") {
		t.Errorf("explication : %s", pj.Anomalies()[0].Explication())
	}
}

func TestAcquitSansBlocEstAccepte(t *testing.T) {
	b := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>
<n:PES_ACQUIT xmlns:n="` + NamespaceAcquit + `"><Enveloppe><Parametres><Version V="2"/><TypFic V="PESALR2"/><NomFic V="PESALR2_21510108000019_260302_001.xml"/></Parametres></Enveloppe>
<EnTetePES><DteStr V="2026-03-02"/><IdPost V="051000"/><IdColl V="21510108000019"/><CodCol V="108"/><CodBud V="00"/></EnTetePES></n:PES_ACQUIT>`)
	a, err := LireAcquit(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.Detail || !a.Accepte() || len(a.Anomalies()) != 0 || a.EnTete.CodCol != "108" {
		t.Errorf("%+v", a)
	}
}

func TestElementRefuseSansErreur(t *testing.T) {
	e := ElementAcquit{Domaine: DomaineSignatureBordereau, NumBord: "12", ExerciceBord: "2026"}
	an := e.Anomalies()
	if len(an) != 1 || an[0].Objet() != "Signature du bordereau n° 12 (exercice 2026)" {
		t.Fatalf("%v", an)
	}
	if !strings.Contains(an[0].String(), "sans donner de code") {
		t.Errorf("%s", an[0])
	}
}

func TestToutesLesAnomaliesOntUneExplication(t *testing.T) {
	for c, e := range explications {
		if !strings.HasSuffix(e, ".") || len(e) < 60 {
			t.Errorf("%s : explication trop courte : %q", c, e)
		}
	}
	if len(explications) != 34 {
		t.Errorf("%d codes, 34 dans CommunAck.xsd (ERREUR_SIGNATURE_BORDEREAU_INVALIDE y figure deux fois)", len(explications))
	}
	if !CodeAnomalie("ERREUR_NOUVELLE").Renvoyable() && !strings.Contains(CodeAnomalie("ERREUR_NOUVELLE").Explication(), "ERREUR_NOUVELLE") {
		t.Error("un code inconnu doit être cité")
	}
	if !AnomalieTimeout.Renvoyable() || AnomalieDoublonPJ.Renvoyable() || !AnomalieCertificat.Signature() {
		t.Error("classement des codes")
	}
}

// ackComplet covers every branch of the builder: bordereau, PJ, marché,
// erreurs at each level, accents and characters outside ISO-8859-1.
func ackComplet() *Acquit {
	return &Acquit{
		Enveloppe: Enveloppe{TypFic: "PESALR2", NomFic: "PESALR2_21510108000019_260302_001.xml", EmetteurSigle: "HELIOS", EmetteurAdresse: "Simulateur xdemat", RecepteurSigle: "xdemat"},
		EnTete:    EnTetePES{DteStr: "2026-03-02", IdPost: "051000", IdColl: "21510108000019", CodCol: "108", CodBud: "01", LibelleColBud: "Commune d'Écury-sur-Coole"},
		Detail:    true,
		Elements: []ElementAcquit{
			{Domaine: DomaineDepense, Accepte: true, NumBord: "12", ExerciceBord: "2026"},
			{Domaine: DomaineSignatureBordereau, NumBord: "13", ExerciceBord: "2026", Erreurs: []ErreurAck{{AnomalieSignatureBordereauInvalide, "Signature du bordereau invalide : empreinte « € » différente"}}},
			{Domaine: DomaineRecette, NumBord: "14", ExerciceBord: "2026", Pieces: []DetailPiece{
				{NumPiece: "3", Erreurs: []ErreurAck{{AnomalieAutre, "2559 - Le code service <CS> & co est inconnu"}}},
				{NumPiece: "4", Lignes: []DetailLigne{{NumLigne: "1", Erreurs: []ErreurAck{{AnomalieCodification, "1971 - Compte fonction présent à tort"}}}}},
			}},
			{Domaine: DomainePJ, IdUnique: "PJ0001", Erreurs: []ErreurAck{{AnomalieDoublonPJ, ""}}},
			{Domaine: DomaineMarche, Accepte: true, IdMarche: "2026MARCHE0001-001"},
		},
	}
}

func TestEcrireAcquitRelu(t *testing.T) {
	a := ackComplet()
	b, err := EcrireAcquit(a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `<?xml version="1.0" encoding="ISO-8859-1"?>`) || !strings.Contains(string(b), "\xC9cury") || !strings.Contains(string(b), "&#x20AC;") {
		t.Errorf("encodage ISO-8859-1 attendu :\n%s", b)
	}
	relu, err := LireAcquit(b)
	if err != nil {
		t.Fatal(err)
	}
	a.IdVer, a.Enveloppe.Version = "2", "2"
	if got, want := resume(relu), resume(a); got != want {
		t.Errorf("relu :\n%s\nattendu :\n%s", got, want)
	}
	validerXSD(t, b, "Rev0/PES_V2_Acquit_Autonome_V2.xsd")
}

func resume(a *Acquit) string {
	var s strings.Builder
	s.WriteString(a.Enveloppe.NomFic + "|" + a.EnTete.LibelleColBud + "|" + a.IdVer + "\n")
	for _, x := range a.Anomalies() {
		s.WriteString(x.String() + "\n")
	}
	for _, e := range a.Elements {
		s.WriteString(e.Domaine.Libelle())
		if e.Accepte {
			s.WriteString(" ok")
		}
		s.WriteString("\n")
	}
	return s.String()
}

func TestEcrireAcquitRefuse(t *testing.T) {
	if _, err := EcrireAcquit(&Acquit{Elements: []ElementAcquit{{}}}); !errors.Is(err, ErrStructure) {
		t.Errorf("sans NomFic : %v", err)
	}
	if _, err := EcrireAcquit(&Acquit{Enveloppe: Enveloppe{NomFic: "x"}}); !errors.Is(err, ErrStructure) {
		t.Errorf("sans élément : %v", err)
	}
}
