package xades

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"xdemat/signature"
)

// Preparation is a PES waiting for its signature values. It holds only
// bytes and offsets, so it survives a JSON round trip and a restart of the
// agent between Preparer and Assembler.
type Preparation struct {
	// Document is the PES with the signatures written, SignatureValue empty.
	Document   []byte              `json:"document"`
	Certificat []byte              `json:"certificat"` // DER of the signer's certificate
	Signatures []SignaturePreparee `json:"signatures"`
}

// SignaturePreparee is one ds:Signature waiting for its value.
type SignaturePreparee struct {
	Id        string              `json:"id"`       // Id of the ds:Signature
	Cible     string              `json:"cible"`    // Id of the signed Bordereau or PES_Aller
	Position  int                 `json:"position"` // offset of the SignatureValue content in Document
	Empreinte signature.Empreinte `json:"empreinte"`
}

type insertion struct {
	pos    int
	octets []byte
}

// inserer copies b with each insertion (sorted by position) in place.
func inserer(b []byte, ins []insertion) []byte {
	n := len(b)
	for _, x := range ins {
		n += len(x.octets)
	}
	out := make([]byte, 0, n)
	prec := 0
	for _, x := range ins {
		out = append(out, b[prec:x.pos]...)
		out = append(out, x.octets...)
		prec = x.pos
	}
	return append(out, b[prec:]...)
}

// Preparer writes one enveloped XAdES signature per Bordereau of pes (or one
// for the whole PES_Aller when p.Global) for cert, and returns the digests
// the token must sign, in document order. chaine (intermediate
// certificates, optional) is written in KeyInfo after cert. A Bordereau (or
// the PES_Aller, for a global signature) without Id gets a unique one.
func Preparer(pes []byte, cert *x509.Certificate, chaine []*x509.Certificate, p Parametres) (*Preparation, []signature.Empreinte, error) {
	if cert == nil {
		return nil, nil, fmt.Errorf("certificat du signataire manquant : choisissez le certificat de signature sur la clé")
	}
	if err := p.verifier(); err != nil {
		return nil, nil, err
	}
	alg, err := signature.AlgorithmePour(cert.PublicKey, false)
	if err != nil {
		return nil, nil, err
	}
	methode := algRSASHA256
	if alg == signature.ECDSASHA256 {
		methode = algECDSASHA256
	}
	d, err := analyser(pes)
	if err != nil {
		return nil, nil, err
	}
	if d.racine.local != "PES_Aller" || d.racine.espace != nsPES {
		return nil, nil, fmt.Errorf("ce fichier n'est pas un PES_Aller (élément racine %s) : seul un PES_Aller se signe ici", d.racine.qnom)
	}
	cibles, err := choisirCibles(d, p.Global)
	if err != nil {
		return nil, nil, err
	}
	// Give an Id to the targets that have none, then read the document again
	// so that every offset below is the one of the bytes we return.
	var ids []insertion
	n := 0
	for _, c := range cibles {
		if c.id != "" {
			continue
		}
		var id string
		for {
			n++
			id = fmt.Sprintf("BORD%d", n)
			if c == d.racine {
				id = fmt.Sprintf("PES%d", n)
			}
			if d.ids[id] == nil {
				break
			}
		}
		ids = append(ids, insertion{pos: c.debut + 1 + len(c.qnom), octets: fmt.Appendf(nil, ` Id="%s"`, id)})
	}
	if len(ids) > 0 {
		if d, err = analyser(inserer(pes, ids)); err != nil {
			return nil, nil, err
		}
		if cibles, err = choisirCibles(d, p.Global); err != nil {
			return nil, nil, err
		}
	}
	quand := p.DateSignature
	if quand.IsZero() {
		quand = time.Now()
	}
	prep := &Preparation{Certificat: cert.Raw}
	var empreintes []signature.Empreinte
	var frags []insertion
	decalage := 0
	for i, c := range cibles {
		if d.doublons[c.id] {
			return nil, nil, fmt.Errorf("l'identifiant %q est porté par plusieurs éléments : chaque bordereau doit avoir un Id unique, corrigez le PES", c.id)
		}
		g := gabarit{cible: c.id, methode: methode, cert: cert, chaine: chaine, p: p, quand: quand}
		for k := 0; ; k++ {
			g.sigID = fmt.Sprintf("IDC1%sp%04d", quand.UTC().Format("060102150405"), 100+i+k*len(cibles))
			if d.ids[g.sigID] == nil && d.ids[g.sigID+"_SP"] == nil {
				break
			}
		}
		h := sha256.New()
		if err := canoniser(h, d.b, d.latin1, c.debut, c.fin, c.ctx, nil, nil); err != nil {
			return nil, nil, err
		}
		empCible := base64.StdEncoding.EncodeToString(h.Sum(nil))
		props := encoder(g.proprietes(), d.latin1)
		h.Reset()
		if err := canoniser(h, props, d.latin1, 0, len(props), contexteProps, nil, nil); err != nil {
			return nil, nil, err
		}
		infos := encoder(g.infos(empCible, base64.StdEncoding.EncodeToString(h.Sum(nil))), d.latin1)
		h.Reset()
		if err := canoniser(h, infos, d.latin1, 0, len(infos), contexteInfos, nil, nil); err != nil {
			return nil, nil, err
		}
		e := signature.Empreinte{Valeur: h.Sum(nil), Algorithme: alg, Libelle: libelle(d, c)}
		avant := encoder(g.avant(string(infos)), false) // infos is already encoded
		frag := append(avant, encoder(g.apres(string(props)), false)...)
		frags = append(frags, insertion{pos: c.debutFermante, octets: frag})
		prep.Signatures = append(prep.Signatures, SignaturePreparee{Id: g.sigID, Cible: c.id, Position: c.debutFermante + decalage + len(avant), Empreinte: e})
		decalage += len(frag)
		empreintes = append(empreintes, e)
	}
	prep.Document = inserer(d.b, frags)
	return prep, empreintes, nil
}

func libelle(d *document, c *element) string {
	if c == d.racine {
		return "PES " + c.id
	}
	return "Bordereau " + c.id
}

func choisirCibles(d *document, global bool) ([]*element, error) {
	if global {
		if d.racine.signe {
			return nil, fmt.Errorf("ce PES porte déjà une signature globale : il n'est pas possible de le signer deux fois")
		}
		if d.racine.debutFermante == d.racine.finOuvrante {
			return nil, fmt.Errorf("PES_Aller vide : il n'y a rien à signer")
		}
		return []*element{d.racine}, nil
	}
	if len(d.bordereaux) == 0 {
		return nil, fmt.Errorf("ce PES n'a aucun bordereau : demandez une signature globale du PES")
	}
	for _, b := range d.bordereaux {
		if b.signe {
			return nil, fmt.Errorf("le bordereau %s est déjà signé : un bordereau ne se signe qu'une fois", b.id)
		}
		if b.debutFermante == b.finOuvrante {
			return nil, fmt.Errorf("bordereau vide (<Bordereau/>) : il n'y a rien à signer, corrigez le PES")
		}
	}
	return d.bordereaux, nil
}

// Assembler checks each signature value (one per Empreinte, same order)
// against the certificate, writes them and returns the signed PES. The
// Preparation is left unchanged, so a refused value can be signed again.
func (p *Preparation) Assembler(valeurs [][]byte) ([]byte, error) {
	if len(valeurs) != len(p.Signatures) {
		return nil, fmt.Errorf("%d signatures reçues pour %d attendues : recommencez la signature du lot", len(valeurs), len(p.Signatures))
	}
	cert, err := x509.ParseCertificate(p.Certificat)
	if err != nil {
		return nil, fmt.Errorf("certificat de la préparation illisible (%v) : préparez de nouveau le document", err)
	}
	ins := make([]insertion, len(valeurs))
	prec := -1
	for i, v := range valeurs {
		s := p.Signatures[i]
		if s.Position <= prec || s.Position > len(p.Document) {
			return nil, fmt.Errorf("préparation incohérente (position %d) : préparez de nouveau le document", s.Position)
		}
		prec = s.Position
		if err := signature.Verifier(cert.PublicKey, s.Empreinte, v); err != nil {
			return nil, fmt.Errorf("%s : %w", s.Empreinte.Libelle, err)
		}
		if k, ok := cert.PublicKey.(*ecdsa.PublicKey); ok {
			if v, err = ecdsaBrut(v, (k.Curve.Params().BitSize+7)/8); err != nil {
				return nil, err
			}
		}
		ins[i] = insertion{pos: s.Position, octets: []byte(base64.StdEncoding.EncodeToString(v))}
	}
	return inserer(p.Document, ins), nil
}

// ecdsaBrut turns an ASN.1 ECDSA signature (what crypto.Signer returns)
// into r||s, each on n bytes, as XML-DSig wants (RFC 4051).
func ecdsaBrut(der []byte, n int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 {
		return nil, fmt.Errorf("signature ECDSA illisible : recommencez la signature")
	}
	out := make([]byte, 2*n)
	sig.R.FillBytes(out[:n])
	sig.S.FillBytes(out[n:])
	return out, nil
}
