package pes

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestDepensesEtRecettes(t *testing.T) {
	for _, encodage := range []string{"ISO-8859-1", "UTF-8"} {
		t.Run(encodage, func(t *testing.T) {
			s := synthese{encodage: encodage, bordDepense: 2, piecesParBord: 3, bordRecette: 1, pjs: 1, octetsParPJ: 1000, mtLigneCentime: 123456}
			f, err := Lire(bytes.NewReader(s.octets(t)))
			if err != nil {
				t.Fatal(err)
			}
			if f.Encodage != encodage || f.Id != "PESSYNTH" || f.EnTete.LibellePoste != "SGC de Châlons" || f.EnTete.LibelleColBud != "Commune de Démonstration" {
				t.Errorf("en-tête %+v, encodage %q", f.EnTete, f.Encodage)
			}
			if f.Emetteur != "Logiciel financier d'essai" {
				t.Errorf("émetteur %q", f.Emetteur)
			}
			dep := f.Totaux(Depense)
			if dep != (Totaux{NbBordereaux: 2, NbPieces: 6, MtHT: 740736, MtTVA: 148146, MtTTC: 888882}) {
				t.Errorf("totaux dépense %+v", dep)
			}
			rec := f.Totaux(Recette)
			if rec != (Totaux{NbBordereaux: 1, NbPieces: 2, MtHT: 2150, MtTTC: 2150}) {
				t.Errorf("totaux recette %+v", rec)
			}
			b := f.Depenses[1]
			if b.Id != "BD2" || b.IdBord != "2" || !b.Signe || b.MtBordTTC() != 444441 {
				t.Errorf("bordereau %+v", b)
			}
			p := b.Pieces[0]
			if p.IdPce != "2001" || p.Obj != "Entretien de la chaussée, lot n° 1" || p.LibelleTypPce(Depense) != "Mandat ordinaire" || p.MtTTC() != 148147 {
				t.Errorf("mandat %+v (TTC %s)", p, p.MtTTC())
			}
			lg := p.Lignes[0]
			if lg.Imputation() != "615231 / 822" || lg.Libelle != "Facture 1 du 12/11/2026" || lg.Tiers[0].Ville != "Châlons-en-Champagne" {
				t.Errorf("ligne %+v", lg)
			}
			r := f.Recettes[0]
			if r.Domaine != Recette || r.IdBord != "501" || r.Objet != "Cantine de novembre" || r.MtBordHT != 2150 || r.Signe {
				t.Errorf("bordereau de recette %+v", r)
			}
			titre := r.Pieces[0]
			if titre.Obj != "Cantine scolaire : élève 1" || titre.LibelleTypPce(Recette) != "Titre ordinaire" || titre.MtHT() != 1075 || len(titre.Lignes) != 2 {
				t.Errorf("titre %+v", titre)
			}
			debiteurs := titre.Tiers()
			nom := "LŒUVRE" // Œ is not in ISO-8859-1
			if encodage == "ISO-8859-1" {
				nom = "LOEUVRE"
			}
			if len(debiteurs) != 2 || debiteurs[1].NomComplet() != "M. Jérôme "+nom || titre.Lignes[1].Libelle != "Goûter" {
				t.Errorf("débiteurs %+v, libellé %q", debiteurs, titre.Lignes[1].Libelle)
			}
			if len(f.PJ) != 1 || f.PJ[0].IdUnique != "PJ-1-1" || f.PJ[0].Description != "Facture n° 1" || f.PJ[0].TailleB64 < 1000 {
				t.Errorf("PJ %+v", f.PJ)
			}
			if len(f.Anomalies) != 0 {
				t.Errorf("anomalies %q", f.Anomalies)
			}
		})
	}
}

func TestAnomalies(t *testing.T) {
	pes := string(synthese{encodage: "UTF-8", bordDepense: 1, piecesParBord: 2, mtLigneCentime: 1000}.octets(t))
	pes = strings.Replace(pes, `<NbrPce V="2"/>`, `<NbrPce V="3"/>`, 1)
	pes = strings.Replace(pes, `<MtBordHT V="20.00"/>`, `<MtBordHT V="25.00"/>`, 1)
	f, err := Lire(strings.NewReader(pes))
	if err != nil {
		t.Fatal(err)
	}
	attendu := []string{
		"Bordereau de dépense 1 : 3 pièce(s) annoncée(s), 2 présente(s) dans le fichier.",
		"Bordereau de dépense 1 : montant HT annoncé 25,00\u00a0€, somme des lignes 20,00\u00a0€.",
	}
	if strings.Join(f.Anomalies, "\n") != strings.Join(attendu, "\n") {
		t.Errorf("anomalies\n%q\nattendu\n%q", f.Anomalies, attendu)
	}
}

func TestFichiersRefuses(t *testing.T) {
	valide := string(synthese{encodage: "UTF-8", bordDepense: 1, piecesParBord: 2, mtLigneCentime: 1000}.octets(t))
	cas := []struct {
		nom     string
		contenu string
		code    error
		message string
	}{
		{"fichier vide", "", ErrXML,
			"Ce fichier est vide ou ne contient pas de XML : choisissez le fichier PES Aller produit par le logiciel financier."},
		{"texte qui n'est pas du XML", "Bonjour", ErrXML,
			"Ce fichier est vide ou ne contient pas de XML : choisissez le fichier PES Aller produit par le logiciel financier."},
		{"PES_Retour", `<?xml version="1.0"?><n:PES_Retour xmlns:n="x"/>`, ErrPasPESAller,
			"Ce fichier n'est pas un PES Aller : élément racine « PES_Retour ». Choisissez le fichier PES Aller produit par le logiciel financier."},
		{"page HTML", "<!DOCTYPE html><html><body>Erreur 404</body></html>", ErrPasPESAller,
			"Ce fichier n'est pas un PES Aller : élément racine « html ». Choisissez le fichier PES Aller produit par le logiciel financier."},
		{"PES_Aller sans espace de noms", `<PES_Aller><EnTetePES/></PES_Aller>`, ErrPasPESAller,
			"Ce fichier n'est pas un PES Aller : son élément racine PES_Aller n'a pas l'espace de noms « http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller ». Régénérez-le depuis le logiciel financier."},
		{"PES_Aller d'un autre espace de noms", `<n:PES_Aller xmlns:n="urn:autre"/>`, ErrPasPESAller,
			"Ce fichier n'est pas un PES Aller : son élément racine PES_Aller est dans l'espace de noms « urn:autre » au lieu de « http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller ». Régénérez-le depuis le logiciel financier."},
		{"fichier coupé en deux", valide[:len(valide)/2], ErrXML,
			"Ce fichier PES est incomplet : il s'arrête à la ligne 2. Il a sans doute été mal copié ou mal téléchargé ; reprenez-le depuis le logiciel financier."},
		{"balise mal fermée", strings.Replace(valide, "</Piece>", "</Pièce>", 1), ErrXML,
			"Ce fichier PES n'est pas un XML correct (erreur à la ligne 2) : régénérez-le depuis le logiciel financier."},
		{"montant avec une virgule", strings.Replace(valide, `<MtHT V="10.00"/>`, `<MtHT V="10,00"/>`, 1), ErrValeur,
			"Montant « 10,00 » incorrect dans le bordereau 1, pièce 1001 (élément MtHT, ligne 2) : un montant PES s'écrit avec un point et au plus deux décimales, par exemple 1234.56 ; corrigez-le dans le logiciel financier."},
		{"montant à trois décimales", strings.Replace(valide, `<MtBordHT V="20.00"/>`, `<MtBordHT V="20.001"/>`, 1), ErrValeur,
			"Montant « 20.001 » incorrect dans le bordereau 1 (élément MtBordHT, ligne 2) : un montant PES s'écrit avec un point et au plus deux décimales, par exemple 1234.56 ; corrigez-le dans le logiciel financier."},
		{"nombre de pièces illisible", strings.Replace(valide, `<NbrPce V="2"/>`, `<NbrPce V="deux"/>`, 1), ErrValeur,
			"Nombre de pièces « deux » incorrect dans le bordereau 1 : corrigez-le dans le logiciel financier."},
		{"encodage inconnu", strings.Replace(valide, `encoding="UTF-8"`, `encoding="EBCDIC-FR"`, 1), ErrEncodage,
			"Ce fichier PES annonce l'encodage « EBCDIC-FR », que xdemat ne sait pas lire : un PES s'écrit en ISO-8859-1 ou en UTF-8 ; régénérez-le depuis le logiciel financier."},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			f, err := Lire(strings.NewReader(c.contenu))
			if err == nil {
				t.Fatalf("fichier accepté : %+v", f)
			}
			if !errors.Is(err, c.code) || err.Error() != c.message {
				t.Errorf("erreur\n%v\nattendu\n%s", err, c.message)
			}
		})
	}
}

func TestFichierIntrouvable(t *testing.T) {
	_, err := LireFichier(filepath.Join(t.TempDir(), "absent.xml"))
	if !errors.Is(err, ErrXML) || !strings.Contains(err.Error(), "ne peut pas être ouvert") {
		t.Errorf("erreur %v", err)
	}
}

func FuzzLire(f *testing.F) {
	f.Add(synthese{encodage: "ISO-8859-1", bordDepense: 1, piecesParBord: 1, bordRecette: 1, pjs: 1, octetsParPJ: 10, mtLigneCentime: 1}.octets(f))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><n:PES_Aller xmlns:n="` + NamespaceAller + `"><PES_DepenseAller><Bordereau><Piece><BlocPiece><InfoPce/></BlocPiece></Piece></Bordereau></PES_DepenseAller></n:PES_Aller>`))
	f.Add([]byte(`<n:PES_Aller xmlns:n="` + NamespaceAller + `"><PES_RecetteAller><Bordereau><BlocBordereau><MtBordHt V="-0.5"/></BlocBordereau></Bordereau></PES_RecetteAller>`))
	f.Add([]byte("<a><b>"))
	if b, err := os.ReadFile(filepath.Join(dossierFixtures(), "protocols", "helios", "PES_ex.xml")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, contenu []byte) {
		fic, err := Lire(bytes.NewReader(contenu))
		if err != nil {
			var e *Erreur
			if !errors.As(err, &e) || e.Message == "" || e.Code == nil {
				t.Fatalf("erreur sans message pour l'élu : %#v", err)
			}
			return
		}
		n := 0
		for _, b := range fic.Bordereaux() {
			n += len(b.Pieces)
		}
		if n != fic.Totaux(Depense).NbPieces+fic.Totaux(Recette).NbPieces {
			t.Fatalf("totaux incohérents")
		}
	})
}

// BenchmarkLire20Mo reads an 18 MB PES_Aller (ISO-8859-1, 170 bordereaux of
// 100 mandats, 5 of titres, 2 attachments of 500 kB) from memory. It also
// reports the heap the summary keeps and the heap's peak during one reading
// (runtime/metrics would be finer; HeapInuse sampled by a goroutine is
// enough to show the reading streams).
func BenchmarkLire20Mo(b *testing.B) {
	contenu := synthese{encodage: "ISO-8859-1", bordDepense: 170, piecesParBord: 100, bordRecette: 5, pjs: 2, octetsParPJ: 500_000, mtLigneCentime: 9999}.octets(b)
	b.SetBytes(int64(len(contenu)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Lire(bytes.NewReader(contenu)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()

	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	base := m.HeapAlloc
	stop := make(chan struct{})
	pic := make(chan uint64)
	go func() {
		var max uint64
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			max = maxU(max, s.HeapInuse)
			select {
			case <-stop:
				pic <- max
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f, err := Lire(bytes.NewReader(contenu))
	close(stop)
	picTas := <-pic
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&m)
	avecResume := m.HeapAlloc
	runtime.KeepAlive(f)
	f = nil
	runtime.GC()
	runtime.ReadMemStats(&m)
	resume := int64(avecResume) - int64(m.HeapAlloc)
	_ = f
	b.ReportMetric(float64(len(contenu))/1e6, "Mo-fichier")
	b.ReportMetric(float64(resume)/1e6, "Mo-résumé")
	b.ReportMetric(float64(int64(picTas)-int64(base))/1e6, "Mo-tas-pic")
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
