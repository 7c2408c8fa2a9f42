// Package formats holds the signature formats the agent offers the
// parapheur, as agent.FormatSignature values over the two-step signature
// packages: PAdES for PDF, XAdES for PES bordereaux, detached CAdES for the
// rest.
package formats

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"

	"xdemat/agent"
	"xdemat/signature"
	"xdemat/signature/cades"
	"xdemat/signature/pades"
	"xdemat/signature/xades"
)

// Disponibles returns the formats this build of the agent can produce, by
// name (agent.FormatCAdES…).
func Disponibles() map[string]agent.FormatSignature {
	return map[string]agent.FormatSignature{agent.FormatCAdES: CAdES{}, agent.FormatPAdES: PAdES{}, agent.FormatXAdES: XAdES{}}
}

// CAdES is a detached CAdES B-B signature (.p7s) of the whole document.
type CAdES struct{}

var _ agent.FormatSignature = CAdES{}

// Preparer prepares the signed attributes; the state is cades.Preparation
// as JSON (it holds no secret).
func (CAdES) Preparer(doc []byte, cert *x509.Certificate, o agent.OptionsSignature) ([]byte, []signature.Empreinte, error) {
	p, e, err := cades.Preparer(bytes.NewReader(doc), cert, nil, cades.Options{SigningTime: o.Le, Libelle: o.Libelle})
	if err != nil {
		return nil, nil, err
	}
	etat, err := json.Marshal(p)
	if err != nil {
		return nil, nil, err
	}
	return etat, []signature.Empreinte{e}, nil
}

// Assembler returns the .p7s; cades checks the value against the
// certificate once more.
func (CAdES) Assembler(_ []byte, etat []byte, valeurs [][]byte) ([]byte, error) {
	var p cades.Preparation
	if err := json.Unmarshal(etat, &p); err != nil {
		return nil, fmt.Errorf("préparation illisible : %w", err)
	}
	if len(valeurs) != 1 {
		return nil, fmt.Errorf("une valeur de signature attendue, %d reçues", len(valeurs))
	}
	return p.Assembler(valeurs[0])
}

// Detachee: the .p7s is kept next to the document it signs.
func (CAdES) Detachee() bool { return true }

// Extension of a detached CAdES signature.
func (CAdES) Extension() string { return ".p7s" }

// PAdES is a PAdES B-B signature inside the PDF (incremental update), with a
// visible block carrying the signer, his function and, by delegation, the
// mention "par délégation".
type PAdES struct{}

var _ agent.FormatSignature = PAdES{}

// blocSignature is where the visible block goes: bottom right of page 1.
var blocSignature = pades.Bloc{Page: 1, X: 330, Y: 40, W: 230, H: 70}

// Preparer prepares the PDF with room for the signature.
func (PAdES) Preparer(doc []byte, cert *x509.Certificate, o agent.OptionsSignature) ([]byte, []signature.Empreinte, error) {
	bloc := blocSignature
	p, e, err := pades.Preparer(doc, cert, nil, pades.Options{Nom: o.Signataire, Qualite: o.Qualite, Motif: o.Libelle,
		ParDelegation: o.Mention != "", Visible: &bloc, Heure: o.Le})
	if err != nil {
		return nil, nil, err
	}
	if e.Libelle == "" {
		e.Libelle = o.Libelle
	}
	etat, err := json.Marshal(p)
	if err != nil {
		return nil, nil, err
	}
	return etat, []signature.Empreinte{e}, nil
}

// Assembler writes the CMS into the prepared PDF.
func (PAdES) Assembler(_ []byte, etat []byte, valeurs [][]byte) ([]byte, error) {
	var p pades.Preparation
	if err := json.Unmarshal(etat, &p); err != nil {
		return nil, fmt.Errorf("préparation illisible : %w", err)
	}
	if len(valeurs) != 1 {
		return nil, fmt.Errorf("une valeur de signature attendue, %d reçues", len(valeurs))
	}
	return p.Assembler(valeurs[0])
}

// Detachee: the signed PDF replaces the document.
func (PAdES) Detachee() bool { return false }

// Extension of a signed PDF.
func (PAdES) Extension() string { return ".pdf" }

// XAdES is an enveloped XAdES signature of each bordereau of a PES, for
// Hélios (the DGFiP's policy), with the signer's function as ClaimedRole.
type XAdES struct{}

var _ agent.FormatSignature = XAdES{}

// Preparer writes one signature per bordereau, values left empty.
func (XAdES) Preparer(doc []byte, cert *x509.Certificate, o agent.OptionsSignature) ([]byte, []signature.Empreinte, error) {
	role := o.Qualite
	if role == "" {
		role = "Ordonnateur"
	}
	if o.Mention != "" {
		role += " " + o.Mention
	}
	p, es, err := xades.Preparer(doc, cert, nil, xades.Parametres{DateSignature: o.Le, Role: role})
	if err != nil {
		return nil, nil, err
	}
	etat, err := json.Marshal(p)
	if err != nil {
		return nil, nil, err
	}
	return etat, es, nil
}

// Assembler writes the values in the prepared PES.
func (XAdES) Assembler(_ []byte, etat []byte, valeurs [][]byte) ([]byte, error) {
	var p xades.Preparation
	if err := json.Unmarshal(etat, &p); err != nil {
		return nil, fmt.Errorf("préparation illisible : %w", err)
	}
	return p.Assembler(valeurs)
}

// Detachee: the signed PES replaces the document.
func (XAdES) Detachee() bool { return false }

// Extension of a PES.
func (XAdES) Extension() string { return ".xml" }
