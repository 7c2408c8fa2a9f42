package actes

import (
	"fmt"
	"strconv"
)

// IDCL identifies the collectivité that sends an enveloppe.
type IDCL struct {
	SIREN          string `xml:"SIREN,attr"` // in the INSEE namespace
	Departement    string `xml:"Departement,attr"`
	Arrondissement int    `xml:"Arrondissement,attr"`
	Nature         string `xml:"Nature,attr"` // nature of the collectivité, 2 digits
}

// Referent is the person the préfecture may call about a transmission.
type Referent struct {
	Nom       string `xml:"Nom,omitempty"`
	Telephone string `xml:"Telephone,omitempty"`
	Email     string `xml:"Email,omitempty"`
}

// DonneesEnveloppe is the enveloppe of a transmission from a collectivité
// (schema type DonneesEnveloppeCLMISILL).
type DonneesEnveloppe struct {
	IDCL           IDCL      `xml:"Emetteur>IDCL"`
	Referent       *Referent `xml:"Emetteur>Referent"`
	AdressesRetour []string  `xml:"AdressesRetour>Email"`
	Formulaires    []Fichier `xml:"FormulairesEnvoyes>Formulaire"`
}

func (d *DonneesEnveloppe) noeud(nom string) *noeud {
	idcl := el("IDCL", "insee:SIREN", d.IDCL.SIREN, "actes:Departement", d.IDCL.Departement,
		"actes:Arrondissement", strconv.Itoa(d.IDCL.Arrondissement), "actes:Nature", d.IDCL.Nature)
	emetteur := el("Emetteur").add(idcl)
	if r := d.Referent; r != nil {
		ref := el("Referent")
		if r.Nom != "" {
			ref.add(texte("Nom", r.Nom))
		}
		if r.Telephone != "" {
			ref.add(texte("Telephone", r.Telephone))
		}
		if r.Email != "" {
			ref.add(texte("Email", r.Email))
		}
		emetteur.add(ref)
	}
	adresses := el("AdressesRetour")
	for _, a := range d.AdressesRetour {
		adresses.add(texte("Email", a))
	}
	formulaires := el("FormulairesEnvoyes")
	for _, f := range d.Formulaires {
		formulaires.add(f.noeud("Formulaire"))
	}
	return el(nom).add(emetteur, adresses, formulaires)
}

// EnveloppeCLMISILL is the enveloppe of an archive sent by a collectivité: who
// sends, where to answer, which message files it carries.
type EnveloppeCLMISILL struct{ DonneesEnveloppe }

func (*EnveloppeCLMISILL) Code() CodeMessage { return "" }
func (m *EnveloppeCLMISILL) noeud() *noeud   { return m.DonneesEnveloppe.noeud("EnveloppeCLMISILL") }

// IDServiceEtat identifies the State service that sends an enveloppe: a SGAR
// or a préfecture (département only) or a sous-préfecture (with its arrondissement).
type IDServiceEtat struct {
	Departement    string `xml:"Departement,attr"`
	Arrondissement string `xml:"Arrondissement,attr"`
}

// EnveloppeMISILLCL is the enveloppe of what the préfecture sends to a collectivité.
type EnveloppeMISILLCL struct {
	IDSGAR       *IDServiceEtat `xml:"Emetteur>IDSGAR"`
	IDPref       *IDServiceEtat `xml:"Emetteur>IDPref"`
	IDSousPref   *IDServiceEtat `xml:"Emetteur>IDSousPref"`
	Referent     *Referent      `xml:"Emetteur>Referent"`
	Formulaires  []Fichier      `xml:"FormulairesEnvoyes>Formulaire"`
	Destinataire struct {
		SIREN string `xml:"SIREN,attr"`
	} `xml:"Destinataire"`
}

func (*EnveloppeMISILLCL) Code() CodeMessage { return "" }
func (m *EnveloppeMISILLCL) noeud() *noeud {
	emetteur := el("Emetteur")
	switch {
	case m.IDSGAR != nil:
		emetteur.add(el("IDSGAR", "actes:Departement", m.IDSGAR.Departement))
	case m.IDSousPref != nil:
		emetteur.add(el("IDSousPref", "actes:Departement", m.IDSousPref.Departement, "actes:Arrondissement", m.IDSousPref.Arrondissement))
	default:
		p := m.IDPref
		if p == nil {
			p = &IDServiceEtat{}
		}
		emetteur.add(el("IDPref", "actes:Departement", p.Departement))
	}
	if r := m.Referent; r != nil {
		emetteur.add(el("Referent").add(texteSi("Nom", r.Nom), texteSi("Telephone", r.Telephone), texteSi("Email", r.Email)))
	}
	formulaires := el("FormulairesEnvoyes")
	for _, f := range m.Formulaires {
		formulaires.add(f.noeud("Formulaire"))
	}
	return el("EnveloppeMISILLCL").add(emetteur, formulaires, el("Destinataire", "insee:SIREN", m.Destinataire.SIREN))
}

func texteSi(nom, s string) *noeud {
	if s == "" {
		return nil
	}
	return texte(nom, s)
}

// AnomalieEnveloppe is the refusal of a whole archive by the platform, before
// any acte in it is looked at (wrong SIREN, malformed enveloppe…). Its file is
// named ANO_ followed by the refused enveloppe's name.
type AnomalieEnveloppe struct {
	Date           Date             `xml:"Date"`
	Nature         int              `xml:"Nature"` // 1 to 5, or 100
	Detail         string           `xml:"Detail"`
	EnveloppeRecue DonneesEnveloppe `xml:"EnveloppeRecue"`
}

func (*AnomalieEnveloppe) Code() CodeMessage { return "" }
func (m *AnomalieEnveloppe) noeud() *noeud {
	n := el("AnomalieEnveloppe").add(texte("Date", m.Date.String()), texte("Nature", fmt.Sprintf("%03d", m.Nature)))
	if m.Detail != "" {
		n.add(texte("Detail", m.Detail))
	}
	return n.add(m.EnveloppeRecue.noeud("EnveloppeRecue"))
}
