package pdfsyntaxe

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestChaineLitterale(t *testing.T) {
	cas := []struct {
		nom, pdf, attendu string
		ferme             bool
		reste             int // bytes left after the string
	}{
		{"simple", "Délibération) Tj", "Délibération", true, 3},
		{"parenthèses imbriquées", "a (b) c) x", "a (b) c", true, 2},
		{"échappements", `\n\r\t\b\f\(\)\\\q)`, "\n\r\t\b\f()\\q", true, 0},
		{"octal sur trois chiffres au plus", `\351t\3512)`, "\xe9t\xe92", true, 0},
		{"fin de ligne échappée", "ab\\\r\ncd\\\nef)", "abcdef", true, 0},
		{"non fermée", "abc (d)", "abc (d)", false, 0},
		{"barre oblique finale", `abc\`, "abc", false, 0},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			l := &Lecteur{B: []byte(c.pdf)}
			s, ferme := l.ChaineLitterale()
			if string(s) != c.attendu || ferme != c.ferme || len(l.B)-l.Pos != c.reste {
				t.Errorf("%q, fermée %v, reste %d ; attendu %q, %v, %d", s, ferme, len(l.B)-l.Pos, c.attendu, c.ferme, c.reste)
			}
		})
	}
}

func TestChaineHexa(t *testing.T) {
	cas := []struct {
		nom, pdf string
		strict   bool
		attendu  string
		err      error
	}{
		{"chiffres et blancs", "48 65\n6C6c6F>", true, "Hello", nil},
		{"chiffre impair complété", "ABC>", true, "\xab\xc0", nil},
		{"vide", ">", true, "", nil},
		{"caractère invalide refusé", "4G>", true, "", ErrCaractereHexa},
		{"non fermée refusée", "4142", true, "", ErrHexaNonFermee},
		{"caractère invalide sauté", "4G1>", false, "A", nil},
		{"non fermée tolérée", "414", false, "A@", nil},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			s, err := (&Lecteur{B: []byte(c.pdf)}).ChaineHexa(c.strict)
			if string(s) != c.attendu || !errors.Is(err, c.err) {
				t.Errorf("%q, %v ; attendu %q, %v", s, err, c.attendu, c.err)
			}
		})
	}
}

func TestNomEtMots(t *testing.T) {
	l := &Lecteur{B: []byte("  % commentaire\r\n/Type#20A#2/Page 12 0 obj 12345678901 R")}
	l.Blancs()
	if l.B[l.Pos] != '/' {
		t.Fatalf("blancs et commentaire non sautés : position %d", l.Pos)
	}
	l.Pos++
	if n := string(l.Nom()); n != "Type A#2" {
		t.Errorf("nom %q", n)
	}
	l.Pos++
	if n := string(l.Nom()); n != "Page" {
		t.Errorf("nom %q", n)
	}
	if n, ok := l.EntierSuivant(); !ok || n != 12 {
		t.Errorf("entier %d %v", n, ok)
	}
	if n, ok := l.EntierSuivant(); !ok || n != 0 {
		t.Errorf("entier %d %v", n, ok)
	}
	if m := string(l.MotSuivant()); m != "obj" {
		t.Errorf("mot %q", m)
	}
	if _, ok := l.EntierSuivant(); ok {
		t.Error("un entier de onze chiffres est accepté")
	}
	if !l.FinDeMot(len(l.B)) || l.FinDeMot(l.Pos-1) {
		t.Error("fin de mot mal reconnue")
	}
}

func TestTexte(t *testing.T) {
	for _, s := range []string{"Jean Dupont", "Hélène Lefèvre-Ça", "日本", ""} {
		if got := DecoderTexte(EncoderTexte(s)); got != s {
			t.Errorf("%q relu %q", s, got)
		}
	}
	if got := DecoderTexte([]byte("\xef\xbb\xbfd\xc3\xa9j\xc3\xa0")); got != "déjà" {
		t.Errorf("UTF-8 avec BOM : %q", got)
	}
	if got := DecoderTexte([]byte("r\xe9sum\xe9")); got != "résumé" {
		t.Errorf("Latin-1 : %q", got)
	}
}

func deflate(b []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

func TestInflater(t *testing.T) {
	clair := bytes.Repeat([]byte("BT (Délibération) Tj ET\n"), 1000)
	z := deflate(clair)
	cas := []struct {
		nom     string
		donnees []byte
		limite  int64
		attendu []byte
		err     error
	}{
		{"flux entier", z, 1 << 20, clair, nil},
		{"limite atteinte exactement", z, int64(len(clair)), clair, nil},
		{"flux trop grand coupé à la limite", z, 100, clair[:100], ErrFluxTropGrand},
		{"flux tronqué : le début est lu", z[:len(z)/2], 1 << 20, nil, io.ErrUnexpectedEOF},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			out, err := Inflater(c.donnees, c.limite)
			if !errors.Is(err, c.err) {
				t.Fatalf("erreur %v, attendu %v", err, c.err)
			}
			if c.attendu != nil && !bytes.Equal(out, c.attendu) {
				t.Errorf("%d octets, attendu %d", len(out), len(c.attendu))
			}
			if c.attendu == nil && (len(out) == 0 || !bytes.HasPrefix(clair, out)) {
				t.Errorf("%d octets, pas le début du flux", len(out))
			}
		})
	}
	if out, err := Inflater([]byte("pas du zlib"), 100); out != nil || err == nil {
		t.Errorf("données non zlib : %q, %v", out, err)
	}
}

func TestFiltresASCII(t *testing.T) {
	cas := []struct{ nom, filtre, donnees, attendu string }{
		{"hexadécimal", "AHx", " 48 65 6c\n6C 6F> reste", "Hello"},
		{"hexadécimal sans fin", "AHx", "4142 4", "AB@"},
		{"ASCII85 avec délimiteurs", "A85", "<~87cURD]i,\"Ebo80~>", "Hello World!"},
		{"ASCII85 sans délimiteur de début", "A85", "87cURD]i,\"Ebo80~>", "Hello World!"},
		{"ASCII85 abîmé", "A85", "87cUR{~>", ""},
		{"ASCII85 : les z bornés", "A85", "zzzzzzzz~>", strings.Repeat("\x00", 12)},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			var out []byte
			if c.filtre == "AHx" {
				out = DecoderASCIIHex([]byte(c.donnees))
			} else {
				out = DecoderASCII85([]byte(c.donnees))
			}
			if string(out) != c.attendu {
				t.Errorf("%q, attendu %q", out, c.attendu)
			}
		})
	}
}

func TestPredicteur(t *testing.T) {
	// Two rows of three bytes, PNG "Up" (2) then "Sub" (1).
	code := []byte{2, 1, 2, 3, 1, 4, 1, 1}
	out, err := Predicteur(code, 12, 3, 1, 8)
	if err != nil || !bytes.Equal(out, []byte{1, 2, 3, 4, 5, 6}) {
		t.Errorf("%v, %v", out, err)
	}
	if out, err := Predicteur(code, 1, 3, 1, 8); err != nil || !bytes.Equal(out, code) {
		t.Errorf("sans prédicteur : %v, %v", out, err)
	}
	for _, c := range []struct {
		nom                            string
		pred, colonnes, couleurs, bits int64
	}{
		{"prédicteur TIFF", 2, 3, 1, 8},
		{"colonnes nulles", 12, 0, 1, 8},
		{"trop de couleurs", 12, 3, 33, 8},
		{"type de rangée inconnu", 12, 3, 1, 8},
	} {
		donnees := code
		if c.nom == "type de rangée inconnu" {
			donnees = []byte{9, 1, 2, 3}
		}
		if _, err := Predicteur(donnees, c.pred, c.colonnes, c.couleurs, c.bits); err == nil {
			t.Errorf("%s accepté", c.nom)
		}
	}
}

// FuzzLecteur runs every reading step over arbitrary bytes: none may
// panic, loop, or leave Pos outside the data.
func FuzzLecteur(f *testing.F) {
	f.Add([]byte("<< /Type /Page /Contents 4 0 R >> (Délibération \\( n°12) <4142 43>"))
	f.Add([]byte("(non fermée \\"))
	f.Add([]byte("<4G> /A#2 % commentaire\r 12345678901 R"))
	f.Add(deflate([]byte("BT /F1 12 Tf (x) Tj ET")))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, strict := range []bool{true, false} {
			l := &Lecteur{B: b}
			for pas := 0; l.Pos < len(b); pas++ {
				if pas > len(b)+1 {
					t.Fatal("le lecteur n'avance plus")
				}
				avant := l.Pos
				l.Blancs()
				switch {
				case l.Pos >= len(b):
				case b[l.Pos] == '(':
					l.Pos++
					l.ChaineLitterale()
				case b[l.Pos] == '<':
					l.Pos++
					l.ChaineHexa(strict)
				case b[l.Pos] == '/':
					l.Pos++
					l.Nom()
				default:
					// As the callers do: an integer, else a keyword, else
					// a stray delimiter that they skip.
					p := l.Pos
					if l.EntierSuivant(); l.Pos == p {
						l.Mot()
					}
					if l.Pos == p {
						l.Pos++
					}
				}
				if l.Pos <= avant || l.Pos > len(b) {
					t.Fatalf("position %d après %d sur %d octets", l.Pos, avant, len(b))
				}
			}
		}
		out, _ := Inflater(b, 1<<16)
		if len(out) > 1<<16 {
			t.Fatalf("%d octets au-delà de la limite", len(out))
		}
		DecoderTexte(b)
		DecoderASCIIHex(b)
		if out := DecoderASCII85(b); len(out) > len(b)*5/4+4 {
			t.Fatalf("ASCII85 : %d octets pour %d", len(out), len(b))
		}
		Predicteur(b, 12, 4, 1, 8)
	})
}
