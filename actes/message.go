package actes

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"xdemat"
)

// CodeMessage is the @CTES code of a message, "type-sous-type": 1-1 is the
// transmission of an acte, 1-2 its accusé de réception…
type CodeMessage string

// Message codes (cahier des charges ACTES, as S²LOW's TypeMessageMetier lists them).
const (
	CodeActe                             CodeMessage = "1-1"
	CodeARActe                           CodeMessage = "1-2"
	CodeAnomalieActe                     CodeMessage = "1-3"
	CodeCourrierSimple                   CodeMessage = "2-1"
	CodeReponseCourrierSimple            CodeMessage = "2-2"
	CodeDemandePieceComplementaire       CodeMessage = "3-1"
	CodeARDemandePieceComplementaire     CodeMessage = "3-2"
	CodeRefusPieceComplementaire         CodeMessage = "3-3"
	CodePieceComplementaire              CodeMessage = "3-4"
	CodeARPieceComplementaire            CodeMessage = "3-5"
	CodeLettreObservations               CodeMessage = "4-1"
	CodeARLettreObservations             CodeMessage = "4-2"
	CodeRejetLettreObservations          CodeMessage = "4-3"
	CodeReponseLettreObservations        CodeMessage = "4-4"
	CodeARReponseRejetLettreObservations CodeMessage = "4-5"
	CodeDefereTA                         CodeMessage = "5-1"
	CodeAnnulation                       CodeMessage = "6-1"
	CodeARAnnulation                     CodeMessage = "6-2"
	CodeDemandeClassification            CodeMessage = "7-1"
	CodeRetourClassification             CodeMessage = "7-2"
	CodeClassificationSansChangement     CodeMessage = "7-3"
)

var libellesMessages = map[CodeMessage]string{
	CodeActe:                             "Transmission d'un acte",
	CodeARActe:                           "Accusé de réception de l'acte",
	CodeAnomalieActe:                     "Anomalie sur l'acte",
	CodeCourrierSimple:                   "Courrier simple de la préfecture",
	CodeReponseCourrierSimple:            "Réponse à un courrier simple",
	CodeDemandePieceComplementaire:       "Demande de pièces complémentaires",
	CodeARDemandePieceComplementaire:     "Accusé de réception de la demande de pièces",
	CodeRefusPieceComplementaire:         "Refus d'envoyer les pièces complémentaires",
	CodePieceComplementaire:              "Envoi des pièces complémentaires",
	CodeARPieceComplementaire:            "Accusé de réception des pièces complémentaires",
	CodeLettreObservations:               "Lettre d'observations",
	CodeARLettreObservations:             "Accusé de réception de la lettre d'observations",
	CodeRejetLettreObservations:          "Refus de répondre à la lettre d'observations",
	CodeReponseLettreObservations:        "Réponse à la lettre d'observations",
	CodeARReponseRejetLettreObservations: "Accusé de réception de la réponse à la lettre d'observations",
	CodeDefereTA:                         "Déféré au tribunal administratif",
	CodeAnnulation:                       "Annulation de la transmission",
	CodeARAnnulation:                     "Accusé de réception de l'annulation",
	CodeDemandeClassification:            "Demande de classification",
	CodeRetourClassification:             "Nouvelle classification de la préfecture",
	CodeClassificationSansChangement:     "Classification déjà à jour",
}

// Libelle returns the French name of the message.
func (c CodeMessage) Libelle() string {
	if l, ok := libellesMessages[c]; ok {
		return l
	}
	return "Message " + string(c)
}

// Valid reports whether c is a known code.
func (c CodeMessage) Valid() bool { _, ok := libellesMessages[c]; return ok }

// Message is one @CTES message (the XML "formulaire" of a transaction), or
// one of the enveloppes that carry them.
type Message interface {
	// Code returns the @CTES code; "" for enveloppes and their anomalies.
	Code() CodeMessage
	noeud() *noeud
}

// Ecrire returns the message as the platform reads it: ISO-8859-1 XML in the
// @CTES namespace, attributes qualified as the schema wants.
func Ecrire(m Message) []byte { return document(m.noeud()) }

// Fichier names a file of the archive, with its legacy detached signature
// (PKCS#7, base64) when there is one: current actes carry their signature
// inside the PDF (PAdES).
type Fichier struct {
	NomFichier string `xml:"NomFichier"`
	Signature  string `xml:"Signature,omitempty"`
}

func (f Fichier) noeud(nom string) *noeud {
	n := el(nom).add(texte("NomFichier", f.NomFichier))
	if f.Signature != "" {
		n.add(texte("Signature", f.Signature))
	}
	return n
}

// CodeMatiere is one level of an acte's classification.
type CodeMatiere struct {
	Code int `xml:"CodeMatiere,attr"`
}

// RefActe points to an acte already transmitted.
type RefActe struct {
	IDActe string `xml:"IDActe,attr"`
}

// Annexes lists the annexes of an acte.
type Annexes struct {
	Nombre int       `xml:"Nombre,attr"`
	Annexe []Fichier `xml:"Annexe"`
}

// DonneesActe is what a transmission says of an acte (schema type DonneesActe):
// the message 1-1 itself, and its copy in the AR or the anomalie.
type DonneesActe struct {
	Date                      Date         `xml:"Date,attr"` // of the decision
	NumeroInterne             string       `xml:"NumeroInterne,attr"`
	CodeNatureActe            int          `xml:"CodeNatureActe,attr"`
	CodeMatiere1              *CodeMatiere `xml:"CodeMatiere1"`
	CodeMatiere2              *CodeMatiere `xml:"CodeMatiere2"`
	CodeMatiere3              *CodeMatiere `xml:"CodeMatiere3"`
	CodeMatiere4              *CodeMatiere `xml:"CodeMatiere4"`
	CodeMatiere5              *CodeMatiere `xml:"CodeMatiere5"`
	Objet                     string       `xml:"Objet"`
	PrecedentIdentifiantActe  *RefActe     `xml:"PrecedentIdentifiantActe"`
	ClassificationDateVersion Date         `xml:"ClassificationDateVersion"`
	Document                  Fichier      `xml:"Document"`
	Annexes                   Annexes      `xml:"Annexes"`
	// DocumentPapier is "O" when pieces also go on paper, "N" otherwise; older
	// messages leave it out (nil).
	DocumentPapier *string `xml:"DocumentPapier"`
}

// Nature returns the nature of the acte.
func (d *DonneesActe) Nature() xdemat.NatureActe { return xdemat.NatureActe(d.CodeNatureActe) }

// Classification returns the matière as the domain writes it ("3.2").
func (d *DonneesActe) Classification() xdemat.Classification {
	var n []int
	for _, c := range []*CodeMatiere{d.CodeMatiere1, d.CodeMatiere2, d.CodeMatiere3, d.CodeMatiere4, d.CodeMatiere5} {
		if c == nil {
			break
		}
		n = append(n, c.Code)
	}
	return xdemat.NouvelleClassification(n...)
}

func (d *DonneesActe) noeud(nom string) *noeud {
	n := el(nom, "actes:Date", d.Date.String(), "actes:NumeroInterne", d.NumeroInterne,
		"actes:CodeNatureActe", strconv.Itoa(d.CodeNatureActe))
	for i, c := range []*CodeMatiere{d.CodeMatiere1, d.CodeMatiere2, d.CodeMatiere3, d.CodeMatiere4, d.CodeMatiere5} {
		if c != nil {
			n.add(el("CodeMatiere"+strconv.Itoa(i+1), "actes:CodeMatiere", strconv.Itoa(c.Code)))
		}
	}
	n.add(texte("Objet", d.Objet))
	if d.PrecedentIdentifiantActe != nil {
		n.add(el("PrecedentIdentifiantActe", "actes:IDActe", d.PrecedentIdentifiantActe.IDActe))
	}
	n.add(texte("ClassificationDateVersion", d.ClassificationDateVersion.String()), d.Document.noeud("Document"))
	annexes := el("Annexes", "actes:Nombre", strconv.Itoa(d.Annexes.Nombre))
	for _, a := range d.Annexes.Annexe {
		annexes.add(a.noeud("Annexe"))
	}
	n.add(annexes)
	papier := "N"
	if d.DocumentPapier != nil {
		papier = *d.DocumentPapier
	}
	return n.add(texte("DocumentPapier", papier))
}

// MessageActe is the transmission of an acte (1-1).
type MessageActe struct{ DonneesActe }

func (*MessageActe) Code() CodeMessage { return CodeActe }
func (m *MessageActe) noeud() *noeud   { return m.DonneesActe.noeud("Acte") }

// ARActe is the préfecture's accusé de réception (1-2): the acte is received,
// under this identifiant unique, on this date.
type ARActe struct {
	IDActe                           string      `xml:"IDActe,attr"`
	DateReception                    Date        `xml:"DateReception,attr"`
	ActeRecu                         DonneesActe `xml:"ActeRecu"`
	ClassificationDateVersionEnCours Date        `xml:"ClassificationDateVersionEnCours"`
}

func (*ARActe) Code() CodeMessage { return CodeARActe }
func (m *ARActe) noeud() *noeud {
	return el("ARActe", "actes:IDActe", m.IDActe, "actes:DateReception", m.DateReception.String()).
		add(m.ActeRecu.noeud("ActeRecu"), texte("ClassificationDateVersionEnCours", m.ClassificationDateVersionEnCours.String()))
}

// AnomalieActe is the refusal of a transmitted acte (1-3).
type AnomalieActe struct {
	Date                             Date        `xml:"Date"`
	Nature                           int         `xml:"Nature"` // code of the anomaly, written on 3 digits
	Detail                           string      `xml:"Detail"`
	ActeRecu                         DonneesActe `xml:"ActeRecu"`
	ClassificationDateVersionEnCours Date        `xml:"ClassificationDateVersionEnCours"`
}

func (*AnomalieActe) Code() CodeMessage { return CodeAnomalieActe }
func (m *AnomalieActe) noeud() *noeud {
	n := el("AnomalieActe").add(texte("Date", m.Date.String()), texte("Nature", fmt.Sprintf("%03d", m.Nature)))
	if m.Detail != "" {
		n.add(texte("Detail", m.Detail))
	}
	return n.add(m.ActeRecu.noeud("ActeRecu"), texte("ClassificationDateVersionEnCours", m.ClassificationDateVersionEnCours.String()))
}

// CourrierPref identifies a letter of the préfecture about an acte: the
// acte's identifiant unique and the date of the letter. Answers repeat it.
type CourrierPref struct {
	IDActe           string `xml:"IDActe,attr"`
	DateCourrierPref Date   `xml:"DateCourrierPref,attr"`
}

func (c CourrierPref) el(nom string) *noeud {
	return el(nom, "actes:IDActe", c.IDActe, "actes:DateCourrierPref", c.DateCourrierPref.String())
}

// CourrierSimple is a letter of the préfecture (2-1).
type CourrierSimple struct {
	CourrierPref
	Document Fichier `xml:"Document"`
}

func (*CourrierSimple) Code() CodeMessage { return CodeCourrierSimple }
func (m *CourrierSimple) noeud() *noeud {
	return m.el("CourrierSimple").add(m.Document.noeud("Document"))
}

// ReponseCourrierSimple answers a courrier simple (2-2).
type ReponseCourrierSimple struct {
	CourrierPref
	Document Fichier `xml:"Document"`
}

func (*ReponseCourrierSimple) Code() CodeMessage { return CodeReponseCourrierSimple }
func (m *ReponseCourrierSimple) noeud() *noeud {
	return m.el("ReponseCourrierSimple").add(m.Document.noeud("Document"))
}

// DemandePieceComplementaire asks the commune for more pieces (3-1).
type DemandePieceComplementaire struct {
	CourrierPref
	DescriptionPieces string  `xml:"DescriptionPieces"`
	Document          Fichier `xml:"Document"`
}

func (*DemandePieceComplementaire) Code() CodeMessage { return CodeDemandePieceComplementaire }
func (m *DemandePieceComplementaire) noeud() *noeud {
	return m.el("DemandePieceComplementaire").add(texte("DescriptionPieces", m.DescriptionPieces), m.Document.noeud("Document"))
}

// ARDemandePieceComplementaire acknowledges a demande de pièces (3-2).
type ARDemandePieceComplementaire struct{ CourrierPref }

func (*ARDemandePieceComplementaire) Code() CodeMessage { return CodeARDemandePieceComplementaire }
func (m *ARDemandePieceComplementaire) noeud() *noeud   { return m.el("ARDemandePieceComplementaire") }

// RefusPieceComplementaire refuses to send the pieces, with a letter (3-3).
type RefusPieceComplementaire struct {
	CourrierPref
	Document Fichier `xml:"Document"`
}

func (*RefusPieceComplementaire) Code() CodeMessage { return CodeRefusPieceComplementaire }
func (m *RefusPieceComplementaire) noeud() *noeud {
	return m.el("RefusPieceComplementaire").add(m.Document.noeud("Document"))
}

// PieceComplementaire sends the pieces asked for (3-4).
type PieceComplementaire struct {
	CourrierPref
	Documents []Fichier `xml:"Documents>Document"`
}

func (*PieceComplementaire) Code() CodeMessage { return CodePieceComplementaire }
func (m *PieceComplementaire) noeud() *noeud {
	docs := el("Documents")
	for _, d := range m.Documents {
		docs.add(d.noeud("Document"))
	}
	return m.el("PieceComplementaire").add(docs)
}

// ARReponse is the préfecture's acknowledgement of an answer of the commune
// (schema type ARReponseCL): 3-5 for pieces, 4-5 for observations.
type ARReponse struct {
	DateReception     Date         `xml:"DateReception,attr"`
	InfosCourrierPref CourrierPref `xml:"InfosCourrierPref"`
}

func (r *ARReponse) el(nom string) *noeud {
	return el(nom, "actes:DateReception", r.DateReception.String()).add(r.InfosCourrierPref.el("InfosCourrierPref"))
}

// ARPieceComplementaire acknowledges the pieces or their refusal (3-5).
type ARPieceComplementaire struct{ ARReponse }

func (*ARPieceComplementaire) Code() CodeMessage { return CodeARPieceComplementaire }
func (m *ARPieceComplementaire) noeud() *noeud   { return m.el("ARPieceComplementaire") }

// LettreObservations is the préfet's letter of observations (4-1).
type LettreObservations struct {
	CourrierPref
	Motif    string  `xml:"Motif"`
	Document Fichier `xml:"Document"`
}

func (*LettreObservations) Code() CodeMessage { return CodeLettreObservations }
func (m *LettreObservations) noeud() *noeud {
	return m.el("LettreObservations").add(texte("Motif", m.Motif), m.Document.noeud("Document"))
}

// ARLettreObservations acknowledges a lettre d'observations (4-2).
type ARLettreObservations struct{ CourrierPref }

func (*ARLettreObservations) Code() CodeMessage { return CodeARLettreObservations }
func (m *ARLettreObservations) noeud() *noeud   { return m.el("ARLettreObservations") }

// RejetLettreObservations refuses to answer a lettre d'observations (4-3).
type RejetLettreObservations struct {
	CourrierPref
	Document Fichier `xml:"Document"`
}

func (*RejetLettreObservations) Code() CodeMessage { return CodeRejetLettreObservations }
func (m *RejetLettreObservations) noeud() *noeud {
	return m.el("RejetLettreObservations").add(m.Document.noeud("Document"))
}

// ReponseLettreObservations answers a lettre d'observations (4-4).
type ReponseLettreObservations struct {
	CourrierPref
	Document Fichier `xml:"Document"`
}

func (*ReponseLettreObservations) Code() CodeMessage { return CodeReponseLettreObservations }
func (m *ReponseLettreObservations) noeud() *noeud {
	return m.el("ReponseLettreObservations").add(m.Document.noeud("Document"))
}

// ARReponseRejetLettreObservations acknowledges the answer or its refusal (4-5).
type ARReponseRejetLettreObservations struct{ ARReponse }

func (*ARReponseRejetLettreObservations) Code() CodeMessage {
	return CodeARReponseRejetLettreObservations
}
func (m *ARReponseRejetLettreObservations) noeud() *noeud {
	return m.el("ARReponseRejetLettreObservations")
}

// DefereTA tells the commune that the préfet referred the acte to the
// tribunal administratif (5-1).
type DefereTA struct {
	IDActe           string    `xml:"IDActe,attr"`
	DateDepot        Date      `xml:"DateDepot"`
	NatureIllegalite string    `xml:"NatureIllegalite"`
	PiecesJointes    []Fichier `xml:"PiecesJointes>PieceJointe"`
}

func (*DefereTA) Code() CodeMessage { return CodeDefereTA }
func (m *DefereTA) noeud() *noeud {
	pj := el("PiecesJointes")
	for _, p := range m.PiecesJointes {
		pj.add(p.noeud("PieceJointe"))
	}
	return el("DefereTA", "actes:IDActe", m.IDActe).add(texte("DateDepot", m.DateDepot.String()),
		texte("NatureIllegalite", m.NatureIllegalite), pj)
}

// Annulation cancels the transmission of an acte (6-1).
type Annulation struct {
	IDActe string `xml:"IDActe,attr"`
}

func (*Annulation) Code() CodeMessage { return CodeAnnulation }
func (m *Annulation) noeud() *noeud   { return el("Annulation", "actes:IDActe", m.IDActe) }

// ARAnnulation acknowledges an annulation (6-2).
type ARAnnulation struct {
	IDActe        string `xml:"IDActe,attr"`
	DateReception Date   `xml:"DateReception,attr"`
}

func (*ARAnnulation) Code() CodeMessage { return CodeARAnnulation }
func (m *ARAnnulation) noeud() *noeud {
	return el("ARAnnulation", "actes:IDActe", m.IDActe, "actes:DateReception", m.DateReception.String())
}

// DemandeClassification asks for the current classification (7-1), giving
// the date of the one in use if any.
type DemandeClassification struct {
	DateClassification *Date `xml:"DateClassification"`
}

func (*DemandeClassification) Code() CodeMessage { return CodeDemandeClassification }
func (m *DemandeClassification) noeud() *noeud {
	n := el("DemandeClassification")
	if m.DateClassification != nil && !m.DateClassification.IsZero() {
		n.add(texte("DateClassification", m.DateClassification.String()))
	}
	return n
}

// ReponseClassificationSansChangement says the classification in use is current (7-3).
type ReponseClassificationSansChangement struct {
	DateClassification Date `xml:"DateClassification"`
}

func (*ReponseClassificationSansChangement) Code() CodeMessage {
	return CodeClassificationSansChangement
}
func (m *ReponseClassificationSansChangement) noeud() *noeud {
	return el("ReponseClassificationSansChangement").add(texte("DateClassification", m.DateClassification.String()))
}

// LireMessage reads one @CTES XML file (message, enveloppe, anomalie) into
// its typed value: *ARActe, *AnomalieActe, *CourrierSimple… It accepts what
// the platform and its simulators are known to send (ISO-8859-1 or UTF-8,
// prefixed or not, Nature on 1 or 3 digits, DocumentPapier missing) and
// refuses what is not an @CTES message.
func LireMessage(data []byte) (Message, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = lecteurCharset
	var racine xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("actes: fichier XML illisible : %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			racine = se
			break
		}
	}
	if racine.Name.Space != NamespaceActes {
		return nil, fmt.Errorf("actes: %q n'est pas un message @CTES (espace de noms %q)", racine.Name.Local, racine.Name.Space)
	}
	var m Message
	switch racine.Name.Local {
	case "Acte":
		m = &MessageActe{}
	case "ARActe":
		m = &ARActe{}
	case "AnomalieActe":
		m = &AnomalieActe{}
	case "CourrierSimple":
		m = &CourrierSimple{}
	case "ReponseCourrierSimple":
		m = &ReponseCourrierSimple{}
	case "DemandePieceComplementaire":
		m = &DemandePieceComplementaire{}
	case "ARDemandePieceComplementaire":
		m = &ARDemandePieceComplementaire{}
	case "RefusPieceComplementaire":
		m = &RefusPieceComplementaire{}
	case "PieceComplementaire":
		m = &PieceComplementaire{}
	case "ARPieceComplementaire":
		m = &ARPieceComplementaire{}
	case "LettreObservations":
		m = &LettreObservations{}
	case "ARLettreObservations":
		m = &ARLettreObservations{}
	case "RejetLettreObservations":
		m = &RejetLettreObservations{}
	case "ReponseLettreObservations":
		m = &ReponseLettreObservations{}
	case "ARReponseRejetLettreObservations":
		m = &ARReponseRejetLettreObservations{}
	case "DefereTA":
		m = &DefereTA{}
	case "Annulation":
		m = &Annulation{}
	case "ARAnnulation":
		m = &ARAnnulation{}
	case "DemandeClassification":
		m = &DemandeClassification{}
	case "RetourClassification":
		m = &RetourClassification{}
	case "ReponseClassificationSansChangement":
		m = &ReponseClassificationSansChangement{}
	case "EnveloppeCLMISILL":
		m = &EnveloppeCLMISILL{}
	case "EnveloppeMISILLCL":
		m = &EnveloppeMISILLCL{}
	case "AnomalieEnveloppe":
		m = &AnomalieEnveloppe{}
	default:
		return nil, fmt.Errorf("actes: message @CTES inconnu : %q", racine.Name.Local)
	}
	if err := dec.DecodeElement(m, &racine); err != nil {
		return nil, fmt.Errorf("actes: message %s illisible : %w", racine.Name.Local, err)
	}
	// Trailing garbage after the root would be ignored by DecodeElement.
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return nil, fmt.Errorf("actes: élément %q après la fin du message", t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("actes: texte après la fin du message")
			}
		}
	}
	return m, nil
}

// IDActeDe returns the identifiant unique a message is about, "" when it is
// about none (enveloppes, classification, the first transmission).
func IDActeDe(m Message) string {
	switch v := m.(type) {
	case *ARActe:
		return v.IDActe
	case *CourrierSimple:
		return v.IDActe
	case *ReponseCourrierSimple:
		return v.IDActe
	case *DemandePieceComplementaire:
		return v.IDActe
	case *ARDemandePieceComplementaire:
		return v.IDActe
	case *RefusPieceComplementaire:
		return v.IDActe
	case *PieceComplementaire:
		return v.IDActe
	case *ARPieceComplementaire:
		return v.InfosCourrierPref.IDActe
	case *LettreObservations:
		return v.IDActe
	case *ARLettreObservations:
		return v.IDActe
	case *RejetLettreObservations:
		return v.IDActe
	case *ReponseLettreObservations:
		return v.IDActe
	case *ARReponseRejetLettreObservations:
		return v.InfosCourrierPref.IDActe
	case *DefereTA:
		return v.IDActe
	case *Annulation:
		return v.IDActe
	case *ARAnnulation:
		return v.IDActe
	}
	return ""
}

// FichiersDe returns the names of the files a message carries with it
// (documents, annexes, pièces jointes), in order.
func FichiersDe(m Message) []string {
	var f []Fichier
	switch v := m.(type) {
	case *MessageActe:
		f = append([]Fichier{v.Document}, v.Annexes.Annexe...)
	case *CourrierSimple:
		f = []Fichier{v.Document}
	case *ReponseCourrierSimple:
		f = []Fichier{v.Document}
	case *DemandePieceComplementaire:
		f = []Fichier{v.Document}
	case *RefusPieceComplementaire:
		f = []Fichier{v.Document}
	case *PieceComplementaire:
		f = v.Documents
	case *LettreObservations:
		f = []Fichier{v.Document}
	case *RejetLettreObservations:
		f = []Fichier{v.Document}
	case *ReponseLettreObservations:
		f = []Fichier{v.Document}
	case *DefereTA:
		f = v.PiecesJointes
	}
	noms := make([]string, 0, len(f))
	for _, x := range f {
		if s := strings.TrimSpace(x.NomFichier); s != "" {
			noms = append(noms, s)
		}
	}
	return noms
}
