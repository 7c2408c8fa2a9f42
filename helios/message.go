package helios

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// TypeMessage is what Hélios sent back, from the root element's local name
// lower-cased (as S2LOW dispatches: the NonAcquit namespace differs between
// its XSD and its sample).
type TypeMessage string

const (
	MessageAcquit    TypeMessage = "pes_acquit"
	MessageNonAcquit TypeMessage = "pes_nonacquit"
	MessageRetour    TypeMessage = "pes_retour"
	MessageAller     TypeMessage = "pes_aller"
)

// Libelle names the message type in French.
func (t TypeMessage) Libelle() string {
	switch t {
	case MessageAcquit:
		return "accusé de réception (PES_Acquit)"
	case MessageNonAcquit:
		return "refus du fichier (PES_NonAcquit)"
	case MessageRetour:
		return "retour de la Trésorerie (PES_Retour)"
	case MessageAller:
		return "bordereau (PES_Aller)"
	}
	return "message « " + string(t) + " »"
}

// Message is any message received from Hélios; exactly one field is set.
type Message struct {
	Type      TypeMessage `json:"type"`
	Acquit    *Acquit     `json:"acquit,omitempty"`
	NonAcquit *NonAcquit  `json:"non_acquit,omitempty"`
	Retour    *Retour     `json:"retour,omitempty"`
}

// NomFic is the NomFic of the message's Enveloppe: for an acquit or a
// non-acquit, the name of the PES_Aller it answers.
func (m *Message) NomFic() string {
	switch {
	case m.Acquit != nil:
		return m.Acquit.Enveloppe.NomFic
	case m.NonAcquit != nil:
		return m.NonAcquit.NomFicAller()
	case m.Retour != nil:
		return m.Retour.Enveloppe.NomFic
	}
	return ""
}

// LireMessage reads whatever Hélios sent back (a file fetched from the
// transport): PES_Acquit, PES_NonAcquit or PES_Retour.
func LireMessage(b []byte) (*Message, error) {
	t, err := TypeDe(b)
	if err != nil {
		return nil, err
	}
	m := &Message{Type: t}
	switch t {
	case MessageAcquit:
		m.Acquit, err = LireAcquit(b)
	case MessageNonAcquit:
		m.NonAcquit, err = LireNonAcquit(b)
	case MessageRetour:
		m.Retour, err = LireRetour(b)
	default:
		return nil, erreur(ErrTypeMessage, nil, fmt.Sprintf("Ce fichier est un %s, pas un message de retour d'Hélios (acquit, non-acquit ou PES_Retour) : il n'est pas traité. Prévenez le support de la SPL s'il vient de la DGFiP.", t.Libelle()))
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// TypeDe reads only the root element of b.
func TypeDe(b []byte) (TypeMessage, error) {
	if err := verifierTaille(b, "fichier"); err != nil {
		return "", err
	}
	d := nouveauDecodeur(b)
	racine, err := premierElement(d, "fichier")
	if err != nil {
		return "", err
	}
	return TypeMessage(strings.ToLower(racine.Name.Local)), nil
}

func verifierTaille(b []byte, quoi string) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return erreur(ErrXML, nil, fmt.Sprintf("Le %s est vide : il faut le récupérer de nouveau.", quoi))
	}
	if len(b) > TailleMaxMessage {
		return erreur(ErrTaille, nil, fmt.Sprintf("Le %s fait %d Mo, au-delà des %d Mo admis : il n'est pas lu. Prévenez le support de la SPL.", quoi, len(b)>>20, TailleMaxMessage>>20))
	}
	return nil
}

func premierElement(d *xml.Decoder, quoi string) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, erreur(ErrXML, err, fmt.Sprintf("Le %s ne contient aucun élément XML : il faut le récupérer de nouveau.", quoi))
		}
		if err != nil {
			return xml.StartElement{}, erreurLecture(quoi, err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			return s, nil
		}
	}
}

// lireRacine checks that the root of b is attendu (case-insensitive local
// name), decodes it into x and checks that nothing but comments follows.
func lireRacine(b []byte, attendu TypeMessage, quoi string, x any) error {
	if err := verifierTaille(b, quoi); err != nil {
		return err
	}
	d := nouveauDecodeur(b)
	racine, err := premierElement(d, quoi)
	if err != nil {
		return err
	}
	if t := TypeMessage(strings.ToLower(racine.Name.Local)); t != attendu {
		return erreur(ErrTypeMessage, nil, fmt.Sprintf("Ce fichier est un %s, alors qu'un %s était attendu : il n'est pas traité.", t.Libelle(), attendu.Libelle()))
	}
	if err := d.DecodeElement(x, &racine); err != nil {
		return erreurLecture(quoi, err)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return erreurLecture(quoi, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return erreur(ErrXML, nil, fmt.Sprintf("Le %s contient du texte après sa fin : il faut le récupérer de nouveau.", quoi))
			}
		case xml.StartElement:
			return erreur(ErrXML, nil, fmt.Sprintf("Le %s contient un second élément racine : il faut le récupérer de nouveau.", quoi))
		}
	}
}
