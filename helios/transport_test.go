package helios

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNomFichier(t *testing.T) {
	jour := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	cas := []struct {
		nom     string
		siret   string
		numero  int
		attendu string
		erreur  bool
	}{
		{"premier envoi du jour", "21510108000019", 1, "PESALR2_21510108000019_260302_001.xml", false},
		{"douzième envoi", "21510108000019", 12, "PESALR2_21510108000019_260302_012.xml", false},
		{"SIREN comme S2LOW", "215101080", 3, "PESALR2_215101080_260302_003.xml", false},
		{"SIRET trop court", "2151010800001", 1, "", true},
		{"SIRET avec espaces", "215 101 080 00019", 1, "", true},
		{"numéro nul", "21510108000019", 0, "", true},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			n, err := NouveauNomFichier(c.siret, jour, c.numero)
			if c.erreur {
				if !errors.Is(err, ErrNomFichier) {
					t.Errorf("erreur attendue, %v", err)
				}
				return
			}
			if err != nil || n.String() != c.attendu {
				t.Fatalf("%q %v", n.String(), err)
			}
			relu, err := LireNomFichier(n.String())
			if err != nil || relu.Identifiant != c.siret || !relu.Date.Equal(jour) || relu.Numero != c.numero {
				t.Errorf("relu %+v %v", relu, err)
			}
		})
	}
	// The Pastell fixture's four-digit counter is read too.
	if n, err := LireNomFichier("PESALR2_49101169800000_171227_2045.xml"); err != nil || n.Numero != 2045 {
		t.Errorf("%+v %v", n, err)
	}
	for _, mauvais := range []string{"PESALR2_21510108000019_261302_001.xml", "PES_ex.xml", "PESALR2_21510108000019_260302_001.XML"} {
		if _, err := LireNomFichier(mauvais); !errors.Is(err, ErrNomFichier) {
			t.Errorf("%s : %v", mauvais, err)
		}
	}
	if NomAcquit("PESALR2_49101169800000_171227_2045.xml") != "ACQUIT_PESALR2_49101169800000_171227_2045.xml" {
		t.Error("nom de l'acquit comme dans la fixture Pastell")
	}
}

func TestDepot(t *testing.T) {
	e := EnTetePES{IdPost: "051000", IdColl: "21510108000019", CodCol: "108", CodBud: "01"}
	d := NouveauDepot("PESALR2_21510108000019_260302_001.xml", "VHPCE21", e)
	if got := strings.Join(d.Commandes(), " | "); got != "P_DEST VHPCE21 | P_APPLI GHELPES2 | P_MSG PES#108#051000#01" {
		t.Errorf("%s", got)
	}
	if err := d.Verifier(e, "PESALR2"); err != nil {
		t.Error(err)
	}
	if !ServeurConnu(d.PDest) || ServeurConnu("XX") {
		t.Error("ServeurConnu")
	}
	cas := []struct {
		nom     string
		modif   func(*Depot)
		extrait string
	}{
		{"P_MSG de STELA (TypFic)", func(d *Depot) { d.PMsg = "PESALR2#108#051000#01" }, ""},
		{"autre Trésorerie", func(d *Depot) { d.PMsg = "PES#108#051999#01" }, "mauvaise Trésorerie"},
		{"P_MSG tronqué", func(d *Depot) { d.PMsg = "PES#108" }, "forme"},
		{"autre application", func(d *Depot) { d.PAppli = "GHELPES1" }, "GHELPES2"},
		{"sans serveur", func(d *Depot) { d.PDest = "" }, "P_DEST"},
		{"nom avec chemin", func(d *Depot) { d.NomFichier = "../x.xml" }, "pas admis"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			d2 := d
			c.modif(&d2)
			err := d2.Verifier(e, "PESALR2")
			if c.extrait == "" {
				if err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.extrait) {
				t.Errorf("%v", err)
			}
		})
	}
}
