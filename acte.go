package xdemat

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Xactes: an acte (délibération, arrêté, contrat…) that the commune transmits
// to the préfecture for the contrôle de légalité over @CTES (PUB-11, PUB-14).
// The rules below are those of the @CTES schema and of the homologated
// operators (S²LOW), so that an acte the secretary prepares offline is never
// refused later for a reason we could have told her at once.

// NatureActe is the nature of an acte, numbered as @CTES numbers it
// (CodeNatureActe). Persisted and sent as this number: never renumber.
type NatureActe int

// The six natures of the @CTES classification.
const (
	NatureDeliberation       NatureActe = 1 // DE
	NatureActeReglementaire  NatureActe = 2 // AR (arrêtés réglementaires)
	NatureActeIndividuel     NatureActe = 3 // AI (arrêtés individuels)
	NatureContrat            NatureActe = 4 // CC (contrats, conventions et avenants)
	NatureDocumentBudgetaire NatureActe = 5 // BF (documents budgétaires et financiers)
	NatureAutre              NatureActe = 6 // AU
)

var naturesActes = map[NatureActe]struct{ abrege, libelle, typePiece string }{
	NatureDeliberation:       {"DE", "Délibération", "99_DE"},
	NatureActeReglementaire:  {"AR", "Acte réglementaire", "99_AR"},
	NatureActeIndividuel:     {"AI", "Acte individuel", "99_AI"},
	NatureContrat:            {"CC", "Contrat, convention ou avenant", "99_DC"},
	NatureDocumentBudgetaire: {"BF", "Document budgétaire ou financier", "99_BU"},
	NatureAutre:              {"AU", "Autre acte", "99_AU"},
}

// NaturesActes lists the natures in @CTES order, for pick lists.
func NaturesActes() []NatureActe {
	return []NatureActe{NatureDeliberation, NatureActeReglementaire, NatureActeIndividuel,
		NatureContrat, NatureDocumentBudgetaire, NatureAutre}
}

// Valid reports whether n is one of the six natures.
func (n NatureActe) Valid() bool { _, ok := naturesActes[n]; return ok }

// Abrege returns the two-letter abbreviation used in @CTES file names and
// identifiers ("DE", "AR", "AI", "CC", "BF", "AU"), "" for an unknown nature.
func (n NatureActe) Abrege() string { return naturesActes[n].abrege }

// Libelle returns the French name of the nature.
func (n NatureActe) Libelle() string {
	if d, ok := naturesActes[n]; ok {
		return d.libelle
	}
	return "Nature inconnue (" + strconv.Itoa(int(n)) + ")"
}

// TypePieceParDefaut returns the typologie usually given to the main document
// of an acte of this nature ("99_DE" for a délibération…), the one the
// préfecture's classification lists first for it.
func (n NatureActe) TypePieceParDefaut() string { return naturesActes[n].typePiece }

// NatureActeAbregee returns the nature whose abbreviation is s ("DE"…).
func NatureActeAbregee(s string) (NatureActe, bool) {
	for n, d := range naturesActes {
		if d.abrege == s {
			return n, true
		}
	}
	return 0, false
}

// TypeAnnexeParDefaut is the typologie of an annexe nobody qualified ("Autre document").
const TypeAnnexeParDefaut = "99_AU"

// TailleMaxActe bounds the documents of one acte together: the archive sent to
// the préfecture may not exceed 150 Mo (@CTES operators' limit).
const TailleMaxActe = 150 << 20

// LongueurMaxObjet is the longest objet accepted, in characters: the @CTES
// schema allows 500, S²LOW 499; we keep to the stricter.
const LongueurMaxObjet = 499

// LongueurMaxNumeroActe is the longest numéro interne (@CTES schema).
const LongueurMaxNumeroActe = 15

// Classification is the matière of an acte in the préfecture's classification,
// its codes from the most general down, joined by dots: "3.2" or "7.1.2".
// Persisted as this text.
type Classification string

// NouvelleClassification joins level codes into a classification.
func NouvelleClassification(niveaux ...int) Classification {
	parts := make([]string, len(niveaux))
	for i, n := range niveaux {
		parts[i] = strconv.Itoa(n)
	}
	return Classification(strings.Join(parts, "."))
}

// Niveaux returns the codes of the levels, or nil if c is malformed.
func (c Classification) Niveaux() []int {
	if c == "" {
		return nil
	}
	parts := strings.Split(string(c), ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 2 || !isDigits(p) {
			return nil
		}
		out[i], _ = strconv.Atoi(p)
		if out[i] == 0 {
			return nil
		}
	}
	return out
}

// Validate checks the shape of a classification: two to five levels (the
// first two are mandatory in @CTES), each a number from 1 to 99. Whether the
// préfecture knows it is checked against its classification file.
func (c Classification) Validate() error {
	if c == "" {
		return Errorf(EINVALID, "Choisissez la matière de l'acte dans la classification de la préfecture (au moins deux niveaux, par exemple 3.2).")
	}
	n := c.Niveaux()
	if n == nil {
		return Errorf(EINVALID, "La matière « %s » est mal écrite : des nombres séparés par des points, par exemple 3.2 ou 7.1.2.", strings.ToValidUTF8(string(c), "?"))
	}
	if len(n) < 2 {
		return Errorf(EINVALID, "La matière « %s » est incomplète : la préfecture exige au moins les deux premiers niveaux (par exemple %s.1).", c, c)
	}
	if len(n) > 5 {
		return Errorf(EINVALID, "La matière « %s » a plus de cinq niveaux : la classification n'en compte pas davantage.", c)
	}
	return nil
}

// FormatPiece is the kind of file of a document of an acte, as @CTES
// distinguishes them; it is also the extension of its name in the archive.
type FormatPiece string

const (
	FormatPDF  FormatPiece = "pdf"
	FormatXML  FormatPiece = "xml"
	FormatPNG  FormatPiece = "png"
	FormatJPEG FormatPiece = "jpg"
)

// PieceActe is a document of an acte, held content-addressed in the document
// store: the main document or an annexe.
type PieceActe struct {
	SHA256    string `json:"sha256"` // lowercase hex, the document's name in the store
	Nom       string `json:"nom"`    // file name as the secretary knows it
	TypeMedia string `json:"typeMedia,omitempty"`
	Taille    int64  `json:"taille"`    // bytes
	TypePiece string `json:"typePiece"` // typologie @CTES: "99_DE", "22_PN"…
}

// Format returns the kind of file, from its media type or else its name; ""
// when it is none that @CTES accepts.
func (p PieceActe) Format() FormatPiece {
	t := strings.ToLower(strings.TrimSpace(strings.SplitN(p.TypeMedia, ";", 2)[0]))
	if t == "" || t == "application/octet-stream" {
		t = TypeMediaDe(p.Nom)
	}
	switch t {
	case "application/pdf":
		return FormatPDF
	case "application/xml", "text/xml":
		return FormatXML
	case "image/png":
		return FormatPNG
	case "image/jpeg":
		return FormatJPEG
	}
	switch strings.ToLower(filepath.Ext(p.Nom)) {
	case ".pdf":
		return FormatPDF
	case ".xml":
		return FormatXML
	case ".png":
		return FormatPNG
	case ".jpg", ".jpeg":
		return FormatJPEG
	}
	return ""
}

var typePieceRe = regexp.MustCompile(`^[A-Z0-9_]{5}$`)

// ValidTypePiece reports whether s has the shape of a typologie code ("99_DE").
func ValidTypePiece(s string) bool { return typePieceRe.MatchString(s) }

func (p *PieceActe) validate(role string) error {
	nom := strings.ToValidUTF8(p.Nom, "?")
	if !ValidSHA256(p.SHA256) {
		return Errorf(EINVALID, "%s « %s » n'a pas d'empreinte valide : déposez-le de nouveau.", role, nom)
	}
	if strings.ContainsAny(p.Nom, "/\\") || !texteValide(p.Nom, 255) || strings.TrimSpace(p.Nom) == "" {
		return Errorf(EINVALID, "Le nom de fichier « %s » contient un caractère interdit : renommez le fichier (lettres, chiffres, espaces, tirets).", nom)
	}
	if p.Taille <= 0 {
		return Errorf(EINVALID, "%s « %s » est vide : déposez le bon fichier.", role, nom)
	}
	if p.TypePiece == "" {
		return Errorf(EINVALID, "Indiquez le type de pièce de %s « %s » (typologie de la préfecture, par exemple 99_DE pour une délibération).", strings.ToLower(role), nom)
	}
	if !ValidTypePiece(p.TypePiece) {
		return Errorf(EINVALID, "Le type de pièce « %s » de « %s » n'existe pas : choisissez-le dans la liste de la préfecture (cinq caractères, par exemple 99_DE).", strings.ToValidUTF8(p.TypePiece, "?"), nom)
	}
	return nil
}

// StatutActe is where an acte stands in its transmission. Persisted as text.
type StatutActe string

const (
	ActeEnAttenteEnvoi      StatutActe = "en_attente_envoi"     // prepared (and signed), not yet accepted by the platform
	ActeTransmis            StatutActe = "transmis"             // sent to the préfecture, no answer yet
	ActeAcquitte            StatutActe = "acquitte"             // accusé de réception received: identifiant unique, date
	ActeEnErreur            StatutActe = "en_erreur"            // refused: the anomalie says why
	ActeAnnulationTransmise StatutActe = "annulation_transmise" // cancellation sent, its AR awaited
	ActeAnnule              StatutActe = "annule"
)

// Libelle returns the French label of the status, as the status line shows it.
func (s StatutActe) Libelle() string {
	switch s {
	case ActeEnAttenteEnvoi:
		return "En attente d'envoi"
	case ActeTransmis:
		return "Transmis"
	case ActeAcquitte:
		return "Acquitté"
	case ActeEnErreur:
		return "En erreur"
	case ActeAnnulationTransmise:
		return "Annulation transmise"
	case ActeAnnule:
		return "Annulé"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s StatutActe) Valid() bool { return s.Libelle() != string(s) }

// PeutPasserA reports whether an acte in status s may move to t. An acte in
// error goes back to waiting once corrected; an acte not yet sent may be
// withdrawn (annulé) without any message; a transmitted one is cancelled only
// through an annulation acknowledged by the préfecture.
func (s StatutActe) PeutPasserA(t StatutActe) bool {
	switch s {
	case ActeEnAttenteEnvoi:
		return t == ActeTransmis || t == ActeEnErreur || t == ActeAnnule
	case ActeTransmis:
		return t == ActeAcquitte || t == ActeEnErreur
	case ActeEnErreur:
		return t == ActeEnAttenteEnvoi || t == ActeAnnule
	case ActeAcquitte:
		return t == ActeAnnulationTransmise
	case ActeAnnulationTransmise:
		// The AR of the cancellation, or an anomaly on it (the acte stays acquitted).
		return t == ActeAnnule || t == ActeAcquitte
	}
	return false
}

// Acte is an acte of a commune and its transmission to the préfecture.
type Acte struct {
	ID                 string         `json:"id"`
	CommuneID          string         `json:"communeId"`
	Nature             NatureActe     `json:"nature"`
	NumeroInterne      string         `json:"numeroInterne"` // unique per commune, e.g. "2025_042"
	DateDecision       time.Time      `json:"dateDecision"`  // a civil date, read in Paris
	Objet              string         `json:"objet"`
	Classification     Classification `json:"classification"`
	DateClassification time.Time      `json:"dateClassification"` // version of the préfecture's classification used
	DocumentPrincipal  PieceActe      `json:"documentPrincipal"`
	Annexes            []PieceActe    `json:"annexes,omitempty"`
	DocumentPapier     bool           `json:"documentPapier,omitempty"` // some pieces also sent on paper

	Statut            StatutActe `json:"statut"`
	NomArchive        string     `json:"nomArchive,omitempty"` // @CTES archive that carried it
	TransmisLe        time.Time  `json:"transmisLe,omitzero"`
	IdentifiantUnique string     `json:"identifiantUnique,omitempty"` // given by the préfecture in the AR
	DateAR            time.Time  `json:"dateAR,omitzero"`
	// DocumentAR is the SHA-256 of the AR file (ARActe XML) central received,
	// a document of the commune.
	DocumentAR string    `json:"documentAR,omitempty"`
	Anomalie   string    `json:"anomalie,omitempty"` // in plain French
	AnnuleLe   time.Time `json:"annuleLe,omitzero"`
	CreeLe     time.Time `json:"creeLe,omitzero"`
}

// numeroActeRe is S²LOW's rule, the strictest of those in use (@CTES schema:
// 15 characters; identifiant unique: letters, digits, _): capitals, digits
// and underscores, neither first nor last an underscore.
var numeroActeRe = regexp.MustCompile(`^([A-Z0-9][A-Z0-9_]{0,13})?[A-Z0-9]$`)

// ValidNumeroActe checks a numéro interne and says in French what to change.
// Uniqueness within the commune is checked by whoever holds the register.
func ValidNumeroActe(s string) error {
	if s == "" {
		return Errorf(EINVALID, "Le numéro de l'acte est obligatoire (par exemple 2025_042).")
	}
	if utf8.RuneCountInString(s) > LongueurMaxNumeroActe {
		return Errorf(EINVALID, "Le numéro « %s » est trop long : %d caractères au plus.", strings.ToValidUTF8(s, "?"), LongueurMaxNumeroActe)
	}
	if numeroActeRe.MatchString(s) {
		return nil
	}
	var interdits []string
	minuscules := false
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
		case r >= 'a' && r <= 'z':
			minuscules = true
		default:
			q := "« " + string(r) + " »"
			if r == ' ' {
				q = "l'espace"
			} else if r == utf8.RuneError {
				q = "« ? »"
			}
			if !strings.Contains(strings.Join(interdits, ""), q) {
				interdits = append(interdits, q)
			}
		}
	}
	switch {
	case len(interdits) > 0:
		return Errorf(EINVALID, "Le numéro « %s » contient un caractère interdit (%s) : n'utilisez que des majuscules sans accent, des chiffres et le tiret bas _, par exemple 2025_042.", strings.ToValidUTF8(s, "?"), strings.Join(interdits, ", "))
	case minuscules:
		return Errorf(EINVALID, "Le numéro « %s » contient des minuscules : écrivez-le en majuscules (%s).", s, strings.ToUpper(s))
	}
	return Errorf(EINVALID, "Le numéro « %s » ne peut ni commencer ni finir par le tiret bas _.", s)
}

// identifiantActeRe is the shape of the identifiant unique the préfecture
// gives (IDActe of the @CTES schema): département-SIREN-date-numéro-nature.
var identifiantActeRe = regexp.MustCompile(`^[09][0-9][AB0-9]-[0-9]{9}-[0-9]{8}-[a-zA-Z0-9_]{1,15}-[A-Z]{2}$`)

// ValidIdentifiantActe reports whether s has the shape of an @CTES identifiant unique.
func ValidIdentifiantActe(s string) bool { return identifiantActeRe.MatchString(s) }

// Validate checks an acte before it goes to the parapheur or the outbox, and
// says in French what to fix. It does not check what needs the préfecture's
// classification file (known matière, typologie allowed for the nature) nor
// the uniqueness of the numéro: their holders do.
func (a *Acte) Validate() error {
	if !a.Nature.Valid() {
		return Errorf(EINVALID, "Choisissez la nature de l'acte : délibération, acte réglementaire, acte individuel, contrat, document budgétaire ou autre.")
	}
	if err := ValidNumeroActe(a.NumeroInterne); err != nil {
		return err
	}
	if a.DateDecision.IsZero() {
		return Errorf(EINVALID, "La date de la décision est obligatoire.")
	}
	if jour(a.DateDecision).After(jour(time.Now())) {
		return Errorf(EINVALID, "La date de la décision (%s) est dans le futur : la préfecture n'accepte que des actes déjà décidés.", a.DateDecision.In(Paris).Format("02/01/2006"))
	}
	a.Objet = strings.TrimSpace(a.Objet)
	if a.Objet == "" {
		return Errorf(EINVALID, "L'objet de l'acte est obligatoire : résumez-le en une phrase.")
	}
	if strings.ContainsAny(a.Objet, "\r\n") {
		return Errorf(EINVALID, "L'objet de l'acte doit tenir sur une seule ligne : retirez les retours à la ligne.")
	}
	if !texteValide(a.Objet, 4*LongueurMaxObjet) {
		return Errorf(EINVALID, "L'objet de l'acte contient des caractères interdits : retapez-le au lieu de le coller.")
	}
	if n := utf8.RuneCountInString(a.Objet); n > LongueurMaxObjet {
		return Errorf(EINVALID, "L'objet de l'acte est trop long (%d caractères) : la préfecture en accepte %d au plus ; raccourcissez-le de %d caractères.", n, LongueurMaxObjet, n-LongueurMaxObjet)
	}
	if err := a.Classification.Validate(); err != nil {
		return err
	}
	if a.DateClassification.IsZero() {
		return Errorf(EINVALID, "La version de la classification de la préfecture est inconnue : mettez à jour la classification avant de préparer l'acte.")
	}
	if err := a.DocumentPrincipal.validate("Le document principal"); err != nil {
		return err
	}
	principal := a.DocumentPrincipal.Format()
	switch {
	case principal == FormatPDF:
	case principal == FormatXML && a.Nature == NatureDocumentBudgetaire && strings.HasPrefix(string(a.Classification)+".", "7.1."):
		// The only XML acte @CTES takes: a budget document in matière 7.1.
	case principal == FormatXML:
		return Errorf(EINVALID, "Le document principal « %s » est un fichier XML : la préfecture ne l'accepte que pour un document budgétaire de la matière 7.1 ; sinon, déposez l'acte en PDF.", a.DocumentPrincipal.Nom)
	default:
		return Errorf(EINVALID, "Le document principal « %s » n'est pas un PDF : enregistrez l'acte en PDF (menu Fichier > Exporter en PDF de votre traitement de texte) puis déposez-le de nouveau.", strings.ToValidUTF8(a.DocumentPrincipal.Nom, "?"))
	}
	total := a.DocumentPrincipal.Taille
	for i := range a.Annexes {
		p := &a.Annexes[i]
		if err := p.validate("L'annexe"); err != nil {
			return err
		}
		switch f := p.Format(); {
		case f == "":
			return Errorf(EINVALID, "L'annexe « %s » n'est ni un PDF, ni un XML, ni une image PNG ou JPEG : convertissez-la en PDF.", strings.ToValidUTF8(p.Nom, "?"))
		case principal == FormatXML && f != FormatPDF:
			return Errorf(EINVALID, "L'annexe « %s » doit être un PDF : avec un acte budgétaire en XML, la préfecture n'accepte que des annexes en PDF.", p.Nom)
		}
		total += p.Taille
	}
	if total > TailleMaxActe {
		return Errorf(ETOOLARGE, "L'acte et ses annexes pèsent %s : la préfecture en accepte %s au plus ; compressez les PDF (scan en 200 dpi, noir et blanc) ou retirez des annexes.", Octets(total), Octets(TailleMaxActe))
	}
	if !a.Statut.Valid() && a.Statut != "" {
		return Errorf(EINVALID, "Le statut « %s » de l'acte est inconnu.", strings.ToValidUTF8(string(a.Statut), "?"))
	}
	return nil
}

// jour returns the civil day of t in Paris, at midnight.
func jour(t time.Time) time.Time {
	y, m, d := t.In(Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Paris)
}

// Documents returns the main document followed by the annexes, in the order
// of the @CTES archive.
func (a *Acte) Documents() []PieceActe {
	return append([]PieceActe{a.DocumentPrincipal}, a.Annexes...)
}

func (a *Acte) passerA(t StatutActe) error {
	s := a.Statut
	if s == "" {
		s = ActeEnAttenteEnvoi
	}
	if !s.PeutPasserA(t) {
		return Errorf(ECONFLICT, "L'acte %s est « %s » : il ne peut pas passer à « %s ».", a.NumeroInterne, s.Libelle(), t.Libelle())
	}
	a.Statut = t
	return nil
}

// MarquerTransmis records that the platform accepted the archive carrying the acte.
func (a *Acte) MarquerTransmis(nomArchive string, le time.Time) error {
	if err := a.passerA(ActeTransmis); err != nil {
		return err
	}
	a.NomArchive, a.TransmisLe, a.Anomalie = nomArchive, le, ""
	return nil
}

// Acquitter records the préfecture's accusé de réception.
func (a *Acte) Acquitter(identifiantUnique string, dateAR time.Time) error {
	if !ValidIdentifiantActe(identifiantUnique) {
		return Errorf(EINVALID, "L'identifiant « %s » de l'accusé de réception n'a pas la forme attendue.", strings.ToValidUTF8(identifiantUnique, "?"))
	}
	if err := a.passerA(ActeAcquitte); err != nil {
		return err
	}
	a.IdentifiantUnique, a.DateAR = identifiantUnique, dateAR
	return nil
}

// MettreEnErreur records a refusal, with its explanation in plain French.
func (a *Acte) MettreEnErreur(anomalie string) error {
	if err := a.passerA(ActeEnErreur); err != nil {
		return err
	}
	a.Anomalie = anomalie
	return nil
}

// Reprendre puts an acte in error back in the outbox, once corrected.
func (a *Acte) Reprendre() error {
	if err := a.passerA(ActeEnAttenteEnvoi); err != nil {
		return err
	}
	a.NomArchive, a.TransmisLe = "", time.Time{}
	return nil
}

// DemanderAnnulation records that the annulation (message 6-1) was sent.
func (a *Acte) DemanderAnnulation() error { return a.passerA(ActeAnnulationTransmise) }

// Annuler records the end of the acte: the AR of its annulation, or its
// withdrawal before it was ever sent.
func (a *Acte) Annuler(le time.Time) error {
	if err := a.passerA(ActeAnnule); err != nil {
		return err
	}
	a.AnnuleLe = le
	return nil
}
