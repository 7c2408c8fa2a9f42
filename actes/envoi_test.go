package actes

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func retarer(t *testing.T, fichiers []FichierLu) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for _, f := range fichiers {
		if err := tw.WriteHeader(&tar.Header{Name: f.Nom, Mode: 0o644, Size: int64(len(f.Contenu)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(f.Contenu)
	}
	_ = tw.Close()
	_ = gz.Close()
	return b.Bytes()
}

// TestArchivesRefuseesParLaPlateforme: what the platform would refuse in an
// archive, refused by our own checks as an anomaly of the enveloppe or of
// the acte, with its reason.
func TestArchivesRefuseesParLaPlateforme(t *testing.T) {
	m := magasin{}
	ar, err := ConstruireActe(acteTest(m), emetteurTest, optionsTest, Contenus(m))
	if err != nil {
		t.Fatal(err)
	}
	bons, _ := LireFichiers(ar.Octets)
	remplacer := func(fichiers []FichierLu, nom, ancien, nouveau string) []FichierLu {
		out := append([]FichierLu(nil), fichiers...)
		for i := range out {
			if out[i].Nom == nom {
				out[i].Contenu = []byte(strings.Replace(string(out[i].Contenu), ancien, nouveau, 1))
			}
		}
		return out
	}
	const acteXML = "051-215100009-20250314-2025_042-DE-1-1_0.xml"
	for _, c := range []struct {
		nom       string
		nomAr     string
		donnees   func() []byte
		enveloppe bool
		nature    int
		dit       string
	}{
		{"nom d'archive sans trigramme", "EACT--215100009--20250320-7.tar.gz", func() []byte { return ar.Octets }, true, NatureRefusFichiers, "nom d'archive"},
		{"pas un tar.gz", ar.Nom, func() []byte { return []byte("%PDF-1.4") }, true, NatureRefusArchive, "tar.gz"},
		{"enveloppe absente", ar.Nom, func() []byte { return retarer(t, bons[1:]) }, true, NatureRefusEnveloppe, "absente"},
		{"annexe manquante", ar.Nom, func() []byte { return retarer(t, bons[:4]) }, true, NatureRefusFichiers, "absent de l'archive"},
		{"fichier en trop", ar.Nom, func() []byte { return retarer(t, append(bons[:5:5], FichierLu{"virus.exe", []byte("MZ")})) }, true, NatureRefusFichiers, "virus.exe"},
		{"fichier dans un dossier", ar.Nom, func() []byte { return retarer(t, append(bons[:5:5], FichierLu{"../x.pdf", []byte("%PDF-")})) }, true, NatureRefusArchive, "racine"},
		{"SIREN de l'enveloppe différent du nom", ar.Nom, func() []byte {
			return retarer(t, remplacer(bons, bons[0].Nom, `insee:SIREN="215100009"`, `insee:SIREN="215100017"`))
		}, true, NatureRefusEnveloppe, "SIREN"},
		{"adresse de retour invalide", ar.Nom, func() []byte {
			return retarer(t, remplacer(bons, bons[0].Nom, "actes@spl-xdemat.example.fr", "actes@spl"))
		}, true, NatureRefusEnveloppe, "adresse"},
		{"enveloppe qui n'est pas du XML", ar.Nom, func() []byte {
			return retarer(t, append([]FichierLu{{bons[0].Nom, []byte("zut")}}, bons[1:]...))
		}, true, NatureRefusEnveloppe, "illisible"},
		{"nature inconnue", ar.Nom, func() []byte {
			return retarer(t, remplacer(bons, acteXML, `actes:CodeNatureActe="1"`, `actes:CodeNatureActe="9"`))
		}, false, NatureRefusNature, "nature"},
		{"numéro du message différent de son nom", ar.Nom, func() []byte {
			return retarer(t, remplacer(bons, acteXML, `actes:NumeroInterne="2025_042"`, `actes:NumeroInterne="2025_043"`))
		}, false, NatureRefusSchema, "ne correspond pas"},
		{"un seul niveau de classification", ar.Nom, func() []byte {
			return retarer(t, remplacer(bons, acteXML, `<actes:CodeMatiere2 actes:CodeMatiere="2"/>`, ``))
		}, false, NatureRefusMatiere, "deux premiers niveaux"},
		{"DocumentPapier absent", ar.Nom, func() []byte {
			return retarer(t, remplacer(bons, acteXML, `<actes:DocumentPapier>N</actes:DocumentPapier>`, ``))
		}, false, NatureRefusSchema, "DocumentPapier"},
		{"nombre d'annexes faux", ar.Nom, func() []byte {
			return retarer(t, remplacer(bons, acteXML, `actes:Nombre="2"`, `actes:Nombre="3"`))
		}, false, NatureRefusSchema, "nombre d'annexes"},
		{"acte qui n'est pas un PDF", ar.Nom, func() []byte {
			f := append([]FichierLu(nil), bons...)
			f[2].Contenu = []byte("PK\x03\x04 un traitement de texte")
			return retarer(t, f)
		}, false, NatureRefusDocument, "ni un PDF"},
		{"image nommée PDF", ar.Nom, func() []byte {
			f := append([]FichierLu(nil), bons...)
			f[3].Contenu = f[4].Contenu
			return retarer(t, f)
		}, false, NatureRefusDocument, "extension"},
	} {
		t.Run(c.nom, func(t *testing.T) {
			envoi, err := LireEnvoi(c.nomAr, c.donnees())
			var r *Refus
			if c.enveloppe {
				var ok bool
				if r, ok = err.(*Refus); !ok {
					t.Fatalf("erreur %v, attendu un refus de l'enveloppe", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				r = envoi.Transactions[0].Refus
				if r == nil {
					t.Fatal("acte accepté")
				}
			}
			if r.Enveloppe != c.enveloppe || r.Nature != c.nature || !strings.Contains(r.Detail, c.dit) {
				t.Fatalf("refus %+v ; attendu enveloppe=%v nature %d « %s »", r, c.enveloppe, c.nature, c.dit)
			}
		})
	}
}
