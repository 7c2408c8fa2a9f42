package surveillance

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"

	"golang.org/x/text/encoding/htmlindex"
)

// lecture is the content of a file read to its end: its digest and whether it
// is a complete XML document.
type lecture struct {
	empreinte string
	taille    int64
	// incomplet is why the XML is not whole (cut short, not closed, not XML);
	// empty when the document is well-formed to its end.
	incomplet string
}

type compteur struct{ n int64 }

func (c *compteur) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// lire reads the file once, streaming, hashing it and parsing it as XML.
// Accounting software writes the file in one go, but a copy over the network
// or a slow disk may be caught half-way: a document that does not close is
// not ready.
func lire(chemin string) (lecture, error) {
	f, err := os.Open(chemin)
	if err != nil {
		return lecture{}, err
	}
	defer f.Close()
	h := sha256.New()
	var c compteur
	br := bufio.NewReaderSize(io.TeeReader(f, io.MultiWriter(h, &c)), 64<<10)
	if debut, _ := br.Peek(3); string(debut) == "\xEF\xBB\xBF" {
		_, _ = br.Discard(3)
	}
	l := lecture{incomplet: xmlIncomplet(br)}
	// Whatever the parser left unread still counts in the digest.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return lecture{}, err
	}
	l.empreinte, l.taille = hex.EncodeToString(h.Sum(nil)), c.n
	return l, nil
}

// xmlIncomplet says why r is not a whole XML document, or "".
func xmlIncomplet(r io.Reader) string {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("encodage %q inconnu", label)
		}
		return enc.NewDecoder().Reader(r), nil
	}
	racine := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !racine {
				return "le fichier ne contient aucun élément XML"
			}
			return ""
		}
		if err != nil {
			return "XML incomplet ou incorrect (" + err.Error() + ")"
		}
		if _, ok := tok.(xml.StartElement); ok {
			racine = true
		}
	}
}
