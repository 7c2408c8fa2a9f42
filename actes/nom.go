package actes

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// File names carry the transaction's identity: the platform reads them, and
// S²LOW refuses an archive whose names do not follow these rules.
//
//	archive    <TRIGRAMME>-<QUADRIGRAMME>--<SIREN>--<AAAAMMJJ>-<n>.tar.gz
//	enveloppe  <QUADRIGRAMME>--<SIREN>--<AAAAMMJJ>-<n>.xml   (date of generation)
//	message    <Dept>-<SIREN>-<AAAAMMJJ>-<Numéro>-<Nature>-<T>-<S>_0.xml (date of decision)
//	document   [<Typologie>-]<same base>_<k>.<ext>, k = 1 for the acte, 2… for annexes
//	identifiant unique  <Dept>-<SIREN>-<AAAAMMJJ>-<Numéro>-<Nature>

// NomMessage is the parsed name of a message or document file.
type NomMessage struct {
	TypePiece   string // typologie prefix of a document, "" for the message itself
	Departement string
	SIREN       string
	Date        string // AAAAMMJJ, "" for a demande de classification
	Numero      string
	Nature      string // two letters
	Code        CodeMessage
	Rang        int    // 0 for the message XML, 1… for its documents
	Extension   string // "xml", "pdf"…
}

var nomMessageRe = regexp.MustCompile(`^(?:([A-Z0-9_]{5})-)?([09][0-9][AB0-9])-([0-9]{9})-([0-9]{8})?-([A-Za-z0-9_]{0,15})-([A-Z]{2})?-([1-7]-[1-5])_([0-9]{1,3})\.([A-Za-z0-9]{1,4})$`)

// LireNomMessage parses the name of a message or document file.
func LireNomMessage(nom string) (NomMessage, error) {
	m := nomMessageRe.FindStringSubmatch(nom)
	if m == nil {
		return NomMessage{}, fmt.Errorf("nom de fichier %q non conforme (attendu département-SIREN-date-numéro-nature-code_rang.extension)", nom)
	}
	rang, _ := strconv.Atoi(m[8])
	n := NomMessage{TypePiece: m[1], Departement: m[2], SIREN: m[3], Date: m[4], Numero: m[5], Nature: m[6],
		Code: CodeMessage(m[7]), Rang: rang, Extension: m[9]}
	if !n.Code.Valid() {
		return NomMessage{}, fmt.Errorf("nom de fichier %q : code de message %s inconnu", nom, n.Code)
	}
	if n.Rang == 0 && (n.TypePiece != "" || n.Extension != "xml") {
		return NomMessage{}, fmt.Errorf("nom de fichier %q : le message lui-même est un XML sans typologie", nom)
	}
	return n, nil
}

// Base returns the name without typologie, rank and extension.
func (n NomMessage) Base() string {
	return strings.Join([]string{n.Departement, n.SIREN, n.Date, n.Numero, n.Nature, string(n.Code)}, "-")
}

// IDActe returns the identifiant unique of the acte the file is about.
func (n NomMessage) IDActe() string {
	return strings.Join([]string{n.Departement, n.SIREN, n.Date, n.Numero, n.Nature}, "-")
}

// baseMessage returns the common part of the names of a transaction's files.
func baseMessage(idActe string, code CodeMessage) string { return idActe + "-" + string(code) }

// IDActe returns the identifiant unique an acte will receive: département
// (3 characters), SIREN, date of decision, numéro interne, nature (2 letters).
func IDActe(departement, siren string, dateDecision time.Time, numero, nature string) string {
	return strings.Join([]string{departement, siren, Jour(dateDecision).compact(), numero, nature}, "-")
}

// nomFichier returns the name of file k of a transaction: 0 is the message,
// then documents prefixed by their typologie when they have one.
func nomFichier(base string, k int, typePiece, ext string) string {
	if k == 0 {
		return base + "_0.xml"
	}
	n := base + "_" + strconv.Itoa(k) + "." + ext
	if typePiece != "" {
		n = typePiece + "-" + n
	}
	return n
}

// NomArchive is the parsed name of a transmission archive.
type NomArchive struct {
	Trigramme    string // the operator (tiers de télétransmission)
	Quadrigramme string // the application
	SIREN        string
	Date         string // AAAAMMJJ, day of generation
	Serie        int    // per-SIREN counter of enveloppes
}

var nomArchiveRe = regexp.MustCompile(`^([A-Za-z0-9]{1,10})-([A-Za-z0-9]{4})--([0-9]{9})--([0-9]{8})-([0-9]{1,9})\.tar\.gz$`)

// LireNomArchive parses the name of a transmission archive.
func LireNomArchive(nom string) (NomArchive, error) {
	m := nomArchiveRe.FindStringSubmatch(nom)
	if m == nil {
		return NomArchive{}, fmt.Errorf("nom d'archive %q non conforme (attendu TRIGRAMME-QUADRIGRAMME--SIREN--AAAAMMJJ-n.tar.gz)", nom)
	}
	serie, _ := strconv.Atoi(m[5])
	if _, err := time.Parse("20060102", m[4]); err != nil {
		return NomArchive{}, fmt.Errorf("nom d'archive %q : date %s invalide", nom, m[4])
	}
	return NomArchive{Trigramme: m[1], Quadrigramme: m[2], SIREN: m[3], Date: m[4], Serie: serie}, nil
}

// Enveloppe returns the name of the enveloppe file inside the archive.
func (n NomArchive) Enveloppe() string {
	return fmt.Sprintf("%s--%s--%s-%d.xml", n.Quadrigramme, n.SIREN, n.Date, n.Serie)
}

// String returns the archive's file name.
func (n NomArchive) String() string {
	return n.Trigramme + "-" + strings.TrimSuffix(n.Enveloppe(), ".xml") + ".tar.gz"
}
