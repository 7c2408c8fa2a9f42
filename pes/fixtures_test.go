package pes

import (
	"errors"
	"slices"
	"testing"
	"xdemat/internal/fixtures"
)

// dossierFixtures is the shared fixtures folder (internal/fixtures).
func dossierFixtures() string { return fixtures.Dossier() }

// cheminFixture returns the path of a sample, or skips the test.
func cheminFixture(t testing.TB, nom string) string {
	t.Helper()
	return fixtures.Chemin(t, "protocols", "helios", nom)
}

// The expected figures were computed once with xmllint --xpath (count(),
// sum(), string() on the same files) and python's ElementTree for the
// attachment sizes; see the report of the commit that added this test.
func TestEchantillonsHelios(t *testing.T) {
	type bord struct {
		id, exer, idBord, date, typBord string
		nbrPce                          int
		mtHT                            Montant
		signe                           bool
		idPce, typPce, obj, tiers       string
		nature, fonction                string
		mtLigne                         Montant
		pjRef                           []string
	}
	cas := []struct {
		nom, fichier                        string
		id, typFic, nomFic                  string
		idPost, idColl, codCol, codBud, lib string
		bord                                bord
		nbPJ                                int
		taillesPJ                           []int64
		anomalies                           int
		autres                              []string
	}{
		{
			nom: "exemple SICOVAL (Logica GDA)", fichier: "PES_ex.xml",
			id: "SICOVAL201512104", typFic: "PESALR2", nomFic: "SICOVAL201512104",
			idPost: "031007", idColl: "24310063300011", codCol: "100", codBud: "00",
			bord: bord{id: "SICOVAL120150924160835111", exer: "2015", idBord: "2372", date: "2015-09-16", typBord: "01",
				nbrPce: 1, mtHT: 5522, idPce: "6623", typPce: "09", obj: "EA 102 FACT 15-08-0764",
				tiers: "CELLULOSES DE BROCELIANDE", nature: "60628", fonction: "64", mtLigne: 5522},
		},
		{
			nom: "simulation Hélios (montant du bordereau incohérent, PJ hors PES_PJ)", fichier: "HELIOS_SIMU_ALR2_1529593767_1834011863.xml",
			id: "ID153504434", typFic: "PESALR2", nomFic: "HELIOS_SIMU_ALR2_1529593767_1834011863.xml",
			idPost: "034000", idColl: "12345678912345", codCol: "123", codBud: "12", lib: "COMMUNE",
			bord: bord{id: "BORD822933", exer: "2009", idBord: "1234567", date: "2009-07-16", typBord: "01",
				nbrPce: 1, mtHT: 7572475, idPce: "832", typPce: "01", obj: "TEST HOMOLOGATION",
				tiers: "PAIERIE DEPART. HERAULT", nature: "6553", fonction: "113", mtLigne: 3972475},
			anomalies: 1, autres: []string{"PJ"},
		},
		{
			nom: "PES réel signé par bordereau, avec deux PJ (Berger-Levrault / STELA)", fichier: "signed/PESALR2_25060187900027_190328_001.xml",
			id: "M07802724420170919175245964", typFic: "PESALR1", nomFic: "STELA11",
			idPost: "010001", idColl: "75580064600099", codCol: "244", codBud: "00", lib: "Commune de Berger-Levrault",
			bord: bord{id: "N10025", exer: "2019", idBord: "11", date: "2019-02-14", typBord: "01",
				nbrPce: 1, mtHT: 487440, signe: true, idPce: "1303", typPce: "01", obj: "Extension du réseau d'eau",
				tiers: "GUGLIELMETTI", nature: "60611", fonction: "020", mtLigne: 487440,
				pjRef: []string{"21780537300016DEPENSE2016001384", "21780537300016DEPENSE2016001385"}},
			nbPJ: 2, taillesPJ: []int64{11700, 201036},
		},
		{
			nom: "PES signé puis altéré", fichier: "signed/test-alteree.xml",
			id: "ID_PES", typFic: "PESALR2", nomFic: "PESALR2COSOLUCEHELIOS20130624102234x",
			idPost: "062075", idColl: "21620413100017", codCol: "566", codBud: "00", lib: "Commune",
			bord: bord{id: "D00001", exer: "2012", idBord: "101234", date: "2013-06-24", typBord: "01",
				nbrPce: 1, mtHT: 7200, signe: true, idPce: "65", typPce: "01", obj: "Fournitures d entretien",
				tiers: "XXXXXXXXXXXX", nature: "60631", mtLigne: 7200},
		},
		{
			nom: "PES de test DGCP signé avec un certificat périmé", fichier: "signed/test-perime-04-04-2016.xml",
			typFic: "PESALR1M", nomFic: "PESALR1M_AGENCE COM20170928120310.694907",
			idPost: "003090", idColl: "22030001600080", codCol: "019", codBud: "00", lib: "Budget 2018",
			bord: bord{id: "C998620181", exer: "2016", idBord: "1", date: "2016-09-29", typBord: "01",
				nbrPce: 1, mtHT: 1200, signe: true, idPce: "1", typPce: "01", obj: "MANDAT ORDINAIRE",
				tiers: "GFI PROGICIELS", nature: "65648", fonction: "821", mtLigne: 1200},
		},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			f, err := LireFichier(cheminFixture(t, c.fichier))
			if err != nil {
				t.Fatal(err)
			}
			egal := func(quoi, obtenu, attendu string) {
				t.Helper()
				if obtenu != attendu {
					t.Errorf("%s = %q, attendu %q", quoi, obtenu, attendu)
				}
			}
			egal("Id", f.Id, c.id)
			egal("Encodage", f.Encodage, "ISO-8859-1")
			egal("TypFic", f.TypFic, c.typFic)
			egal("NomFic", f.NomFic, c.nomFic)
			egal("IdPost", f.EnTete.IdPost, c.idPost)
			egal("IdColl", f.EnTete.IdColl, c.idColl)
			egal("CodCol", f.EnTete.CodCol, c.codCol)
			egal("CodBud", f.EnTete.CodBud, c.codBud)
			egal("LibelleColBud", f.EnTete.LibelleColBud, c.lib)

			dep, rec := f.Totaux(Depense), f.Totaux(Recette)
			if dep.NbBordereaux != 1 || dep.NbPieces != 1 || rec.NbBordereaux != 0 || rec.NbPieces != 0 {
				t.Fatalf("totaux dépense %+v, recette %+v ; attendu 1 bordereau de dépense d'une pièce", dep, rec)
			}
			if dep.MtHT != c.bord.mtHT || dep.MtTTC != c.bord.mtHT {
				t.Errorf("total dépense HT %s TTC %s, attendu %s", dep.MtHT, dep.MtTTC, c.bord.mtHT)
			}
			b := f.Depenses[0]
			egal("Bordereau@Id", b.Id, c.bord.id)
			egal("Exer", b.Exer, c.bord.exer)
			egal("IdBord", b.IdBord, c.bord.idBord)
			egal("DteBordEm", b.DteBordEm, c.bord.date)
			egal("TypBord", b.TypBord, c.bord.typBord)
			egal("LibelleTypBord", b.LibelleTypBord(), "Ordinaire")
			if b.NbrPce != c.bord.nbrPce || b.MtBordHT != c.bord.mtHT || b.Signe != c.bord.signe {
				t.Errorf("bordereau NbrPce %d MtBordHT %s signé %v, attendu %d %s %v", b.NbrPce, b.MtBordHT, b.Signe, c.bord.nbrPce, c.bord.mtHT, c.bord.signe)
			}
			p := b.Pieces[0]
			egal("IdPce", p.IdPce, c.bord.idPce)
			egal("TypPce", p.TypPce, c.bord.typPce)
			egal("Obj", p.Obj, c.bord.obj)
			if len(p.Tiers()) != 1 {
				t.Fatalf("tiers %v, un attendu", p.Tiers())
			}
			egal("Tiers", p.Tiers()[0].Nom, c.bord.tiers)
			if len(p.Lignes) != 1 {
				t.Fatalf("%d lignes, une attendue", len(p.Lignes))
			}
			egal("Nature", p.Lignes[0].Nature, c.bord.nature)
			egal("Fonction", p.Lignes[0].Fonction, c.bord.fonction)
			if p.MtHT() != c.bord.mtLigne || p.MtTTC() != c.bord.mtLigne {
				t.Errorf("pièce HT %s TTC %s, attendu %s", p.MtHT(), p.MtTTC(), c.bord.mtLigne)
			}
			var refs []string
			for _, r := range p.PJRef {
				refs = append(refs, r.IdUnique)
				if _, ok := f.PJParId(r.IdUnique); !ok {
					t.Errorf("PJRef %s absente de PES_PJ", r.IdUnique)
				}
			}
			if !slices.Equal(refs, c.bord.pjRef) {
				t.Errorf("PJRef %v, attendu %v", refs, c.bord.pjRef)
			}
			if len(f.PJ) != c.nbPJ {
				t.Fatalf("%d PJ, attendu %d", len(f.PJ), c.nbPJ)
			}
			for i, pj := range f.PJ {
				if pj.TailleB64 != c.taillesPJ[i] || pj.MIMEType != "application/pdf" || pj.TypePJ != "003" {
					t.Errorf("PJ %d : %+v, attendu %d octets de base64, application/pdf, type 003", i, pj, c.taillesPJ[i])
				}
			}
			if len(f.Anomalies) != c.anomalies {
				t.Errorf("anomalies %q, attendu %d", f.Anomalies, c.anomalies)
			}
			if !slices.Equal(f.AutresBlocs, c.autres) {
				t.Errorf("autres blocs %v, attendu %v", f.AutresBlocs, c.autres)
			}
		})
	}
}

func TestFichiersQuiNeSontPasDesPESAller(t *testing.T) {
	cas := []struct{ fichier, message string }{
		{"HELIOS_SIMU_RETOUR_1565181244_184723364.xml", "Ce fichier n'est pas un PES Aller : élément racine « PES_Retour ». Choisissez le fichier PES Aller produit par le logiciel financier."},
		{"pes_acquit.xml", "Ce fichier n'est pas un PES Aller : élément racine « PES_ACQUIT ». Choisissez le fichier PES Aller produit par le logiciel financier."},
		{"xsd/PES_V2/Rev0/PES_Aller.xsd", "Ce fichier n'est pas un PES Aller : élément racine « schema ». Choisissez le fichier PES Aller produit par le logiciel financier."},
	}
	for _, c := range cas {
		t.Run(c.fichier, func(t *testing.T) {
			_, err := LireFichier(cheminFixture(t, c.fichier))
			if !errors.Is(err, ErrPasPESAller) || err.Error() != c.message {
				t.Errorf("erreur %v, attendu %q", err, c.message)
			}
		})
	}
}
