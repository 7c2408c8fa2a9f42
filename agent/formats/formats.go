// Package formats holds the signature formats the agent offers the
// parapheur, as agent.FormatSignature values over the two-step signature
// packages (signature/cades today; PAdES and XAdES join when they land).
package formats

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"

	"xdemat/agent"
	"xdemat/signature"
	"xdemat/signature/cades"
)

// Disponibles returns the formats this build of the agent can produce, by
// name (agent.FormatCAdES…).
func Disponibles() map[string]agent.FormatSignature {
	return map[string]agent.FormatSignature{agent.FormatCAdES: CAdES{}}
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
