package pades

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io"
	"sort"
	"strconv"
	"time"

	"xdemat/signature/cades"
)

// SignaturePresente is a signature found in a PDF, as the parapheur shows it.
type SignaturePresente struct {
	Champ      string    // field name ("Signature1")
	Nom        string    // /Name, else the certificate's common name
	Heure      time.Time // /M, else the CMS signing-time; zero when neither
	Motif      string
	Lieu       string
	Type       string // /SubFilter: ETSI.CAdES.detached, adbe.pkcs7.detached…
	Signataire *x509.Certificate
	// Valide is true when the signed bytes are intact and the signature
	// value matches the certificate. Probleme says why not, in French.
	Valide   bool
	Probleme string
	// ChaineVerifiee is true when the certificate chains to one of the
	// roots given to VerifierSignatures.
	ChaineVerifiee bool
	// DocumentEntier is true when the signature covers the whole file:
	// nothing was appended after it.
	DocumentEntier bool

	finPlages int // end of the signed ranges, to list in signing order
}

// Signatures lists the signatures of pdf, in file order, checking their
// integrity but not the certificates' authorities.
func Signatures(pdf []byte) ([]SignaturePresente, error) {
	return VerifierSignatures(pdf, nil)
}

// VerifierSignatures lists the signatures of pdf and, when racines is not
// nil, also checks that each certificate chains to one of them.
func VerifierSignatures(pdf []byte, racines *x509.CertPool) ([]SignaturePresente, error) {
	d, err := ouvrir(pdf)
	if err != nil {
		return nil, illisible(err)
	}
	cat, err := d.dictDe(d.trailer.get("Root"))
	if err != nil {
		return nil, illisible(err)
	}
	form, err := d.dictDe(cat.get("AcroForm"))
	if err != nil || form == nil {
		return nil, err
	}
	champs, err := d.tableauDe(form.get("Fields"))
	if err != nil {
		return nil, illisible(err)
	}
	var out []SignaturePresente
	d.champsSignature(champs, "", nil, 0, map[int]bool{}, func(nomChamp string, v *dict) {
		out = append(out, d.verifierSignature(nomChamp, v, racines))
	})
	// In the order they were added: by position of the signed range.
	sort.SliceStable(out, func(i, j int) bool { return out[i].finPlages < out[j].finPlages })
	return out, nil
}

func (d *document) champsSignature(champs tableau, prefixe string, ft objet, profondeur int, vus map[int]bool, f func(string, *dict)) {
	if profondeur > 16 {
		return
	}
	for _, c := range champs {
		if r, ok := c.(ref); ok {
			if vus[r.num] {
				continue
			}
			vus[r.num] = true
		}
		cd, err := d.dictDe(c)
		if err != nil || cd == nil {
			continue
		}
		n := prefixe
		if t, ok := cd.get("T").(chaine); ok {
			if n != "" {
				n += "."
			}
			n += decoderTexte(t)
		}
		typ := ft
		if v := cd.get("FT"); v != nil {
			typ = v
		}
		if typ == nom("Sig") {
			if v, err := d.dictDe(cd.get("V")); err == nil && v != nil {
				f(n, v)
			}
		}
		if kids, err := d.tableauDe(cd.get("Kids")); err == nil {
			d.champsSignature(kids, n, typ, profondeur+1, vus, f)
		}
	}
}

func (d *document) verifierSignature(nomChamp string, v *dict, racines *x509.CertPool) SignaturePresente {
	s := SignaturePresente{Champ: nomChamp}
	if t, ok := v.get("Name").(chaine); ok {
		s.Nom = decoderTexte(t)
	}
	if t, ok := v.get("Reason").(chaine); ok {
		s.Motif = decoderTexte(t)
	}
	if t, ok := v.get("Location").(chaine); ok {
		s.Lieu = decoderTexte(t)
	}
	if t, ok := v.get("M").(chaine); ok {
		s.Heure, _ = lireDatePDF(string(t))
	}
	if t, ok := v.get("SubFilter").(nom); ok {
		s.Type = string(t)
	}
	plages, err := d.tableauDe(v.get("ByteRange"))
	if err != nil || len(plages) < 2 || len(plages)%2 != 0 {
		s.Probleme = "signature sans plages d'octets signées (/ByteRange) : elle ne peut pas être vérifiée"
		return s
	}
	var lecteurs []io.Reader
	finPrec := 0
	for i := 0; i < len(plages); i += 2 {
		debut, ok1 := entierDe(plages[i])
		long, ok2 := entierDe(plages[i+1])
		if !ok1 || !ok2 || debut < int64(finPrec) || long < 0 || debut+long > int64(len(d.b)) {
			s.Probleme = "plages d'octets signées (/ByteRange) incohérentes avec le fichier : signature invalide"
			return s
		}
		lecteurs = append(lecteurs, bytes.NewReader(d.b[debut:debut+long]))
		finPrec = int(debut + long)
	}
	s.finPlages = finPrec
	premier, _ := entierDe(plages[0])
	s.DocumentEntier = premier == 0 && finPrec == len(d.b) && len(plages) == 4
	contenu, err := d.resoudre(v.get("Contents"))
	cms, ok := contenu.(chaine)
	if err != nil || !ok || len(cms) == 0 {
		s.Probleme = "signature sans valeur (/Contents) : elle ne peut pas être vérifiée"
		return s
	}
	switch s.Type {
	case "ETSI.CAdES.detached", "adbe.pkcs7.detached", "":
	default:
		s.Probleme = "type de signature " + s.Type + " non vérifié par xdemat"
		return s
	}
	r, err := cades.Verifier(cms, io.MultiReader(lecteurs...), racines)
	if r != nil {
		s.Signataire = r.Signataire
		if s.Nom == "" && r.Signataire != nil {
			s.Nom = r.Signataire.Subject.CommonName
		}
		if s.Heure.IsZero() {
			s.Heure = r.HeureDeclaree
		}
		s.ChaineVerifiee = r.ChaineVerifiee
	}
	if err != nil {
		s.Probleme = err.Error()
		return s
	}
	s.Valide = true
	return s
}

// lireDatePDF reads D:YYYYMMDDHHmmSSOHH'mm' where every part after the
// year is optional.
func lireDatePDF(s string) (time.Time, error) {
	if len(s) >= 2 && s[:2] == "D:" {
		s = s[2:]
	}
	champs := []int{0, 1, 1, 0, 0, 0}
	tailles := []int{4, 2, 2, 2, 2, 2}
	pos := 0
	for i, n := range tailles {
		if pos+n > len(s) || s[pos] < '0' || s[pos] > '9' {
			if i == 0 {
				return time.Time{}, errors.New("date PDF invalide")
			}
			break
		}
		v, err := strconv.Atoi(s[pos : pos+n])
		if err != nil {
			return time.Time{}, errors.New("date PDF invalide")
		}
		champs[i] = v
		pos += n
	}
	loc := time.UTC
	if pos < len(s) && (s[pos] == '+' || s[pos] == '-') {
		signe := 1
		if s[pos] == '-' {
			signe = -1
		}
		var hh, mm int
		reste := s[pos+1:]
		if len(reste) >= 2 {
			hh, _ = strconv.Atoi(reste[:2])
		}
		if len(reste) >= 5 && reste[2] == '\'' {
			mm, _ = strconv.Atoi(reste[3:5])
		}
		loc = time.FixedZone("", signe*(hh*3600+mm*60))
	}
	return time.Date(champs[0], time.Month(champs[1]), champs[2], champs[3], champs[4], champs[5], 0, loc), nil
}
