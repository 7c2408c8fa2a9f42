package actes

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"xdemat"
)

// Archive is a built archive, ready to be posted to the platform.
type Archive struct {
	Nom      string           // file name, the platform's key for it
	IDActe   string           // identifiant unique of the acte carried, "" for other messages
	Fichiers []FichierArchive // in archive order: enveloppe, message, documents
	Octets   []byte           // the tar.gz
}

// FichierArchive describes a file of an archive.
type FichierArchive struct {
	Nom    string
	Taille int64
	SHA256 string
}

// Piece is a file that travels with a message.
type Piece struct {
	Nom     string
	Contenu []byte
}

// Transaction is a message and its files, as they go into an archive.
type Transaction struct {
	Nom     string // the message file: <base>_0.xml
	Message Message
	Pieces  []Piece
}

// Source gives the bytes of a document of the store by its SHA-256.
type Source func(sha256 string) ([]byte, error)

// Contenus is a Source over documents held in memory, keyed by their SHA-256.
func Contenus(m map[string][]byte) Source {
	return func(h string) ([]byte, error) {
		b, ok := m[h]
		if !ok {
			return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Le document %s… est introuvable dans le magasin.", h[:min(len(h), 12)])
		}
		return b, nil
	}
}

// Assembler writes the tar.gz of an enveloppe and its transactions: flat,
// the enveloppe first, then each message followed by its files, as S²LOW
// lists them. The output depends only on its input (fixed times and modes),
// so rebuilding an archive after a crash gives the very same bytes.
func Assembler(nom, nomEnveloppe string, enveloppe Message, txs []Transaction, date time.Time) (*Archive, error) {
	a := &Archive{Nom: nom}
	var buf bytes.Buffer
	// BestSpeed: the documents are PDFs, compressed already; a higher level
	// costs time and gains almost nothing.
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	vus := map[string]bool{}
	mtime := Jour(date).Time
	ajouter := func(n string, contenu []byte) error {
		if vus[n] || strings.ContainsAny(n, "/\\") || n == "" {
			return fmt.Errorf("actes: nom de fichier %q en double ou invalide dans l'archive", n)
		}
		vus[n] = true
		h := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(contenu)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("actes: %s : %w", n, err)
		}
		if _, err := tw.Write(contenu); err != nil {
			return err
		}
		s := sha256.Sum256(contenu)
		a.Fichiers = append(a.Fichiers, FichierArchive{Nom: n, Taille: int64(len(contenu)), SHA256: hex.EncodeToString(s[:])})
		return nil
	}
	if err := ajouter(nomEnveloppe, Ecrire(enveloppe)); err != nil {
		return nil, err
	}
	for _, t := range txs {
		if err := ajouter(t.Nom, Ecrire(t.Message)); err != nil {
			return nil, err
		}
		for _, p := range t.Pieces {
			if err := ajouter(p.Nom, p.Contenu); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	a.Octets = buf.Bytes()
	return a, nil
}

// envoyer assembles an archive from the collectivité: its enveloppe lists the
// messages of the transactions.
func envoyer(e Emetteur, o Options, txs []Transaction) (*Archive, error) {
	if err := e.Valider(); err != nil {
		return nil, err
	}
	nom, err := o.nom(e.SIREN)
	if err != nil {
		return nil, err
	}
	env := &EnveloppeCLMISILL{*e.idcl()}
	env.Formulaires = nil
	for _, t := range txs {
		env.Formulaires = append(env.Formulaires, Fichier{NomFichier: t.Nom})
	}
	a, err := Assembler(nom.String(), nom.Enveloppe(), env, txs, o.Date)
	if err != nil {
		return nil, err
	}
	if len(a.Octets) > TailleMaxArchive {
		return nil, xdemat.Errorf(xdemat.ETOOLARGE, "L'archive pèse %s : la préfecture en accepte %s au plus ; compressez les PDF ou retirez des annexes.", xdemat.Octets(int64(len(a.Octets))), xdemat.Octets(TailleMaxArchive))
	}
	return a, nil
}

// lirePiece fetches a document and checks it is the one the acte names.
func lirePiece(src Source, p xdemat.PieceActe) ([]byte, error) {
	b, err := src(p.SHA256)
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(b)
	if hex.EncodeToString(s[:]) != p.SHA256 {
		return nil, xdemat.Errorf(xdemat.EINTERNAL, "Le contenu du document « %s » ne correspond pas à son empreinte.", p.Nom)
	}
	return b, nil
}

// ConstruireActe builds the archive that transmits an acte (message 1-1):
// enveloppe, acte XML, main document and annexes named as @CTES requires.
// The acte is validated first; what is wrong is said in French.
func ConstruireActe(a *xdemat.Acte, e Emetteur, o Options, src Source) (*Archive, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	idActe := IDActe(e.Departement, e.SIREN, a.DateDecision, a.NumeroInterne, a.Nature.Abrege())
	base := baseMessage(idActe, CodeActe)
	papier := "N"
	if a.DocumentPapier {
		papier = "O"
	}
	d := DonneesActe{
		Date: Jour(a.DateDecision), NumeroInterne: a.NumeroInterne, CodeNatureActe: int(a.Nature),
		Objet: a.Objet, ClassificationDateVersion: Jour(a.DateClassification), DocumentPapier: &papier,
	}
	niveaux := []**CodeMatiere{&d.CodeMatiere1, &d.CodeMatiere2, &d.CodeMatiere3, &d.CodeMatiere4, &d.CodeMatiere5}
	for i, c := range a.Classification.Niveaux() {
		*niveaux[i] = &CodeMatiere{Code: c}
	}
	tx := Transaction{Nom: nomFichier(base, 0, "", "")}
	for k, p := range a.Documents() {
		contenu, err := lirePiece(src, p)
		if err != nil {
			return nil, err
		}
		nom := nomFichier(base, k+1, p.TypePiece, string(p.Format()))
		tx.Pieces = append(tx.Pieces, Piece{Nom: nom, Contenu: contenu})
		if k == 0 {
			d.Document = Fichier{NomFichier: nom}
		} else {
			d.Annexes.Annexe = append(d.Annexes.Annexe, Fichier{NomFichier: nom})
		}
	}
	d.Annexes.Nombre = len(d.Annexes.Annexe)
	tx.Message = &MessageActe{d}
	ar, err := envoyer(e, o, []Transaction{tx})
	if err != nil {
		return nil, err
	}
	ar.IDActe = idActe
	return ar, nil
}

// Limits on what is read from an archive, against a hostile or broken one.
const (
	maxFichiersArchive = 500
	maxDecompresse     = 4 * TailleMaxArchive
)

// FichierLu is a file read from an archive.
type FichierLu struct {
	Nom     string
	Contenu []byte
}

// LireFichiers reads the files of a tar.gz archive, in order. It refuses
// what @CTES never sends: directories, links, paths, duplicates, and
// archives that decompress beyond reason.
func LireFichiers(donnees []byte) ([]FichierLu, error) {
	gz, err := gzip.NewReader(bytes.NewReader(donnees))
	if err != nil {
		return nil, fmt.Errorf("pas une archive tar.gz : %w", err)
	}
	tr := tar.NewReader(gz)
	var out []FichierLu
	vus := map[string]bool{}
	var total int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("archive tar illisible : %w", err)
		}
		nom := strings.TrimPrefix(h.Name, "./")
		switch {
		case h.Typeflag != tar.TypeReg:
			if h.Typeflag == tar.TypeDir && (nom == "" || nom == ".") {
				continue // "tar cf - -C dir ." writes the root itself
			}
			return nil, fmt.Errorf("l'archive contient %q qui n'est pas un simple fichier", h.Name)
		case nom == "" || strings.ContainsAny(nom, "/\\") || strings.HasPrefix(nom, "."):
			return nil, fmt.Errorf("l'archive contient %q : tous les fichiers doivent être à la racine", h.Name)
		case vus[nom]:
			return nil, fmt.Errorf("l'archive contient deux fois %q", nom)
		case len(out) >= maxFichiersArchive:
			return nil, fmt.Errorf("l'archive contient plus de %d fichiers", maxFichiersArchive)
		case h.Size < 0 || total+h.Size > maxDecompresse:
			return nil, fmt.Errorf("l'archive décompressée dépasse %s", xdemat.Octets(maxDecompresse))
		}
		vus[nom] = true
		total += h.Size
		// Read what is there rather than trust the header's size: a few
		// bytes claiming 600 Mo must not make us allocate them.
		b, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil || int64(len(b)) != h.Size {
			return nil, fmt.Errorf("fichier %q tronqué", nom)
		}
		out = append(out, FichierLu{Nom: nom, Contenu: b})
	}
	if len(out) == 0 {
		return nil, errors.New("l'archive est vide")
	}
	return out, nil
}

// Refus is why the platform refuses an archive, in the terms of its answer:
// an AnomalieEnveloppe for the whole archive, an AnomalieActe (1-3) for an acte.
type Refus struct {
	Enveloppe bool   // the whole archive; otherwise the acte of Fichier
	Nature    int    // anomaly code of the answer (see NatureRefus*)
	Fichier   string // message concerned, for a refusal of an acte
	Detail    string // in French
}

func (r *Refus) Error() string {
	if r.Enveloppe {
		return fmt.Sprintf("actes: enveloppe refusée (%03d) : %s", r.Nature, r.Detail)
	}
	return fmt.Sprintf("actes: acte %s refusé (%03d) : %s", r.Fichier, r.Nature, r.Detail)
}

// Anomaly codes given by our checks and the simulator. The ministry's list is
// in its cahier des charges, not public: 5 for an unknown SIREN is the only
// one a public sample shows; the others are our own convention.
const (
	NatureRefusArchive     = 1   // enveloppe: archive unreadable, too big
	NatureRefusEnveloppe   = 2   // enveloppe: enveloppe missing or not per schema
	NatureRefusFichiers    = 3   // enveloppe: file missing, extra or misnamed
	NatureRefusEmetteur    = 5   // enveloppe: SIREN or operator unknown
	NatureRefusAutre       = 100 // enveloppe: anything else
	NatureRefusSchema      = 1   // acte: message not per schema
	NatureRefusNature      = 2   // acte: nature unknown
	NatureRefusMatiere     = 3   // acte: classification unknown or outdated
	NatureRefusTypologie   = 4   // acte: typologie not allowed for the nature
	NatureRefusDocument    = 5   // acte: document of a kind not accepted
	NatureRefusDoublon     = 6   // acte: identifiant already transmitted
	NatureRefusAnnulation  = 7   // annulation or answer about an unknown acte
	NatureRefusDateInvalid = 8   // acte: date of decision in the future
)

// Envoi is an archive from a collectivité, read and checked.
type Envoi struct {
	Nom          NomArchive
	Enveloppe    *EnveloppeCLMISILL
	Transactions []TransactionLue
}

// TransactionLue is a message of an Envoi with its files; Refus is set when
// the message can be answered with an anomaly of its own.
type TransactionLue struct {
	Fichier string
	Nom     NomMessage
	Message Message
	Pieces  []Piece
	Refus   *Refus
}

func refusEnveloppe(nature int, format string, args ...any) *Refus {
	return &Refus{Enveloppe: true, Nature: nature, Detail: fmt.Sprintf(format, args...)}
}

// LireEnvoi reads an archive a collectivité sends and checks it as the
// platform does: name, size, files, enveloppe and messages against the
// schema's rules, names against contents. A refusal of the whole archive is
// returned as a *Refus error; a refusal of one acte is set on its transaction.
func LireEnvoi(nom string, donnees []byte) (*Envoi, error) {
	na, err := LireNomArchive(nom)
	if err != nil {
		return nil, refusEnveloppe(NatureRefusFichiers, "%v", err)
	}
	if len(donnees) > TailleMaxArchive {
		return nil, refusEnveloppe(NatureRefusArchive, "l'archive pèse %s, au-delà des %s acceptés", xdemat.Octets(int64(len(donnees))), xdemat.Octets(TailleMaxArchive))
	}
	fichiers, err := LireFichiers(donnees)
	if err != nil {
		return nil, refusEnveloppe(NatureRefusArchive, "%v", err)
	}
	parNom := make(map[string][]byte, len(fichiers))
	for _, f := range fichiers {
		parNom[f.Nom] = f.Contenu
	}
	utilises := map[string]bool{}
	nomEnv := na.Enveloppe()
	brut, ok := parNom[nomEnv]
	if !ok {
		return nil, refusEnveloppe(NatureRefusEnveloppe, "l'enveloppe %s est absente de l'archive", nomEnv)
	}
	utilises[nomEnv] = true
	m, err := LireMessage(brut)
	if err != nil {
		return nil, refusEnveloppe(NatureRefusEnveloppe, "enveloppe illisible : %v", err)
	}
	env, ok := m.(*EnveloppeCLMISILL)
	if !ok {
		return nil, refusEnveloppe(NatureRefusEnveloppe, "%s n'est pas une enveloppe EnveloppeCLMISILL", nomEnv)
	}
	if err := env.valider(); err != nil {
		return nil, refusEnveloppe(NatureRefusEnveloppe, "%s", xdemat.ErrorMessage(err))
	}
	if env.IDCL.SIREN != na.SIREN {
		return nil, refusEnveloppe(NatureRefusEnveloppe, "le SIREN de l'enveloppe (%s) n'est pas celui du nom de l'archive (%s)", env.IDCL.SIREN, na.SIREN)
	}
	envoi := &Envoi{Nom: na, Enveloppe: env}
	for _, f := range env.Formulaires {
		t, err := lireTransaction(f.NomFichier, env, parNom, utilises)
		if err != nil {
			return nil, err
		}
		envoi.Transactions = append(envoi.Transactions, *t)
	}
	for _, f := range fichiers {
		if !utilises[f.Nom] {
			return nil, refusEnveloppe(NatureRefusFichiers, "le fichier %s n'est cité par aucun message", f.Nom)
		}
	}
	return envoi, nil
}

func lireTransaction(fichier string, env *EnveloppeCLMISILL, parNom map[string][]byte, utilises map[string]bool) (*TransactionLue, error) {
	nm, err := LireNomMessage(fichier)
	if err != nil || nm.Rang != 0 {
		return nil, refusEnveloppe(NatureRefusFichiers, "le formulaire %q n'est pas nommé comme un message @CTES", fichier)
	}
	if nm.SIREN != env.IDCL.SIREN || nm.Departement != env.IDCL.Departement {
		return nil, refusEnveloppe(NatureRefusFichiers, "le message %s ne porte pas le département et le SIREN de l'émetteur (%s-%s)", fichier, env.IDCL.Departement, env.IDCL.SIREN)
	}
	brut, ok := parNom[fichier]
	if !ok {
		return nil, refusEnveloppe(NatureRefusFichiers, "le message %s annoncé par l'enveloppe est absent", fichier)
	}
	if utilises[fichier] {
		return nil, refusEnveloppe(NatureRefusFichiers, "le message %s est annoncé deux fois", fichier)
	}
	utilises[fichier] = true
	m, err := LireMessage(brut)
	if err != nil {
		return nil, refusEnveloppe(NatureRefusEnveloppe, "message %s illisible : %v", fichier, err)
	}
	if m.Code() != nm.Code {
		return nil, refusEnveloppe(NatureRefusFichiers, "le message %s est un %s, pas un %s comme son nom l'indique", fichier, m.Code(), nm.Code)
	}
	t := &TransactionLue{Fichier: fichier, Nom: nm, Message: m}
	// Files first: a missing file is a broken archive, whatever the message says.
	for k, n := range FichiersDe(m) {
		contenu, ok := parNom[n]
		if !ok {
			return nil, refusEnveloppe(NatureRefusFichiers, "le fichier %s cité par %s est absent de l'archive", n, fichier)
		}
		if utilises[n] {
			return nil, refusEnveloppe(NatureRefusFichiers, "le fichier %s est cité deux fois", n)
		}
		utilises[n] = true
		dn, err := LireNomMessage(n)
		if err != nil || dn.Base() != nm.Base() || dn.Rang != k+1 {
			return nil, refusEnveloppe(NatureRefusFichiers, "le fichier %s n'est pas nommé d'après son message (%s_%d.…)", n, nm.Base(), k+1)
		}
		t.Pieces = append(t.Pieces, Piece{Nom: n, Contenu: contenu})
	}
	if err := verifierMessage(m, nm, t.Pieces); err != nil {
		if ma, ok := m.(*MessageActe); ok && ma.Date.Year() > 0 {
			err.Fichier = fichier
			t.Refus = err
			return t, nil
		}
		err.Enveloppe = true
		err.Nature = NatureRefusEnveloppe
		return nil, err
	}
	return t, nil
}

func refusActe(nature int, format string, args ...any) *Refus {
	return &Refus{Nature: nature, Detail: fmt.Sprintf(format, args...)}
}

// verifierMessage checks a message the way the schema and the platform's
// rules would, and its name against its content.
func verifierMessage(m Message, nm NomMessage, pieces []Piece) *Refus {
	switch v := m.(type) {
	case *MessageActe:
		return verifierActe(&v.DonneesActe, nm, pieces)
	case *Annulation:
		if v.IDActe != nm.IDActe() || !xdemat.ValidIdentifiantActe(v.IDActe) {
			return refusActe(NatureRefusSchema, "l'annulation %s ne désigne pas l'acte de son nom (%s)", v.IDActe, nm.IDActe())
		}
	case *DemandeClassification:
	default:
		id := IDActeDe(m)
		if id == "" || !xdemat.ValidIdentifiantActe(id) || id != nm.IDActe() {
			return refusActe(NatureRefusSchema, "le message %s ne désigne pas l'acte de son nom (%s)", nm.Code, nm.IDActe())
		}
		if c := courrierDe(m); c != nil && c.DateCourrierPref.IsZero() {
			return refusActe(NatureRefusSchema, "la date du courrier de la préfecture manque")
		}
		for _, p := range pieces {
			if formatDe(p.Contenu) == "" {
				return refusActe(NatureRefusDocument, "le fichier %s n'est ni un PDF, ni un XML, ni une image PNG ou JPEG", p.Nom)
			}
		}
	}
	return nil
}

func courrierDe(m Message) *CourrierPref {
	switch v := m.(type) {
	case *ReponseCourrierSimple:
		return &v.CourrierPref
	case *ARDemandePieceComplementaire:
		return &v.CourrierPref
	case *RefusPieceComplementaire:
		return &v.CourrierPref
	case *PieceComplementaire:
		return &v.CourrierPref
	case *ARLettreObservations:
		return &v.CourrierPref
	case *RejetLettreObservations:
		return &v.CourrierPref
	case *ReponseLettreObservations:
		return &v.CourrierPref
	}
	return nil
}

// formatDe recognises a document by its first bytes, as the platform does by
// MIME type detection rather than by name.
func formatDe(b []byte) xdemat.FormatPiece {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return xdemat.FormatPDF
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return xdemat.FormatPNG
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return xdemat.FormatJPEG
	case bytes.HasPrefix(bytes.TrimLeft(b, "\xef\xbb\xbf \t\r\n"), []byte("<")):
		return xdemat.FormatXML
	}
	return ""
}

// numeroSchemaRe is what the schema and the identifiant unique allow of a
// numéro interne; the stricter S²LOW rule is the domain's, before sending.
var numeroSchemaRe = regexp.MustCompile(`^[a-zA-Z0-9_]{1,15}$`)

func verifierActe(d *DonneesActe, nm NomMessage, pieces []Piece) *Refus {
	n := d.Nature()
	switch {
	case d.Date.IsZero():
		return refusActe(NatureRefusSchema, "la date de décision manque")
	case !numeroSchemaRe.MatchString(d.NumeroInterne):
		return refusActe(NatureRefusSchema, "le numéro interne %q n'est pas conforme (15 caractères au plus : lettres, chiffres, _)", d.NumeroInterne)
	case !n.Valid():
		return refusActe(NatureRefusNature, "la nature d'acte %d n'existe pas", d.CodeNatureActe)
	case nm.Nature != n.Abrege() || nm.Numero != d.NumeroInterne || nm.Date != d.Date.compact():
		return refusActe(NatureRefusSchema, "le nom du message (%s) ne correspond pas à l'acte (%s)", nm.IDActe(), IDActe(nm.Departement, nm.SIREN, d.Date.Time, d.NumeroInterne, n.Abrege()))
	case d.CodeMatiere1 == nil || d.CodeMatiere2 == nil:
		return refusActe(NatureRefusMatiere, "les deux premiers niveaux de classification sont obligatoires")
	case d.CodeMatiere3 == nil && (d.CodeMatiere4 != nil || d.CodeMatiere5 != nil), d.CodeMatiere4 == nil && d.CodeMatiere5 != nil:
		return refusActe(NatureRefusMatiere, "un niveau de classification manque")
	case strings.TrimSpace(d.Objet) == "":
		return refusActe(NatureRefusSchema, "l'objet de l'acte manque")
	case len([]rune(d.Objet)) > 500:
		return refusActe(NatureRefusSchema, "l'objet dépasse 500 caractères")
	case d.ClassificationDateVersion.IsZero():
		return refusActe(NatureRefusMatiere, "la date de la classification utilisée manque")
	case d.DocumentPapier == nil:
		return refusActe(NatureRefusSchema, "l'élément DocumentPapier manque")
	case d.Annexes.Nombre != len(d.Annexes.Annexe):
		return refusActe(NatureRefusSchema, "le nombre d'annexes annoncé (%d) n'est pas celui des annexes listées (%d)", d.Annexes.Nombre, len(d.Annexes.Annexe))
	}
	if d.Classification().Niveaux() == nil {
		return refusActe(NatureRefusMatiere, "la classification %s n'est pas valide", d.Classification())
	}
	for k, p := range pieces {
		dn, _ := LireNomMessage(p.Nom)
		if dn.TypePiece == "" {
			return refusActe(NatureRefusTypologie, "le fichier %s n'a pas de typologie de pièce", p.Nom)
		}
		f := formatDe(p.Contenu)
		ext := dn.Extension
		if ext == "jpeg" {
			ext = "jpg"
		}
		switch {
		case f == "":
			return refusActe(NatureRefusDocument, "le fichier %s n'est ni un PDF, ni un XML, ni une image PNG ou JPEG", p.Nom)
		case string(f) != ext:
			return refusActe(NatureRefusDocument, "le fichier %s n'a pas l'extension de son contenu (%s)", p.Nom, f)
		case k == 0 && f != xdemat.FormatPDF && !(f == xdemat.FormatXML && n == xdemat.NatureDocumentBudgetaire && strings.HasPrefix(string(d.Classification())+".", "7.1.")):
			return refusActe(NatureRefusDocument, "l'acte %s doit être un PDF (le XML n'est accepté que pour un document budgétaire de la matière 7.1)", p.Nom)
		}
	}
	return nil
}

// Retour is what the préfecture sends back in one go (one mail of the
// ministry, or one archive of the simulator): its enveloppe, or the
// anomaly of a refused enveloppe, and the messages with their files.
type Retour struct {
	Enveloppe         *EnveloppeMISILLCL
	AnomalieEnveloppe *AnomalieEnveloppe
	FichierAnomalie   string // ANO_<enveloppe refusée>.xml
	Messages          []Recu
}

// Recu is a message received from the préfecture.
type Recu struct {
	Fichier string
	Message Message
	Pieces  []Piece
}

// LireRetour reads what the préfecture sends: a tar.gz, or a single XML file
// (an anomaly). Files that are not @CTES (a mail body) are ignored; a message
// whose file is missing is refused, so nothing is half-recorded.
func LireRetour(donnees []byte) (*Retour, error) {
	var fichiers []FichierLu
	if bytes.HasPrefix(donnees, []byte{0x1f, 0x8b}) {
		var err error
		if fichiers, err = LireFichiers(donnees); err != nil {
			return nil, fmt.Errorf("actes: %w", err)
		}
	} else {
		fichiers = []FichierLu{{Nom: "message.xml", Contenu: donnees}}
	}
	parNom := map[string][]byte{}
	for _, f := range fichiers {
		parNom[f.Nom] = f.Contenu
	}
	r := &Retour{}
	for _, f := range fichiers {
		nm, errNom := LireNomMessage(f.Nom)
		if errNom == nil && nm.Rang > 0 {
			continue // a document: taken with its message
		}
		if !strings.HasSuffix(strings.ToLower(f.Nom), ".xml") {
			continue
		}
		m, err := LireMessage(f.Contenu)
		if err != nil {
			if errNom == nil {
				return nil, fmt.Errorf("actes: %s : %w", f.Nom, err)
			}
			continue
		}
		switch v := m.(type) {
		case *EnveloppeMISILLCL:
			r.Enveloppe = v
			continue
		case *AnomalieEnveloppe:
			r.AnomalieEnveloppe, r.FichierAnomalie = v, f.Nom
			continue
		case *EnveloppeCLMISILL:
			continue
		}
		recu := Recu{Fichier: f.Nom, Message: m}
		for _, n := range FichiersDe(m) {
			c, ok := parNom[n]
			if !ok {
				return nil, fmt.Errorf("actes: le fichier %s du message %s manque", n, f.Nom)
			}
			recu.Pieces = append(recu.Pieces, Piece{Nom: n, Contenu: c})
		}
		r.Messages = append(r.Messages, recu)
	}
	if r.Enveloppe == nil && r.AnomalieEnveloppe == nil && len(r.Messages) == 0 {
		return nil, errors.New("actes: aucun message @CTES dans ce retour")
	}
	return r, nil
}

// NomFichier returns the name of file k of the transaction whose base is
// base (identifiant unique, then code: "051-…-DE-2-1"): k = 0 is the message
// XML; documents take their typologie as prefix when they have one.
func NomFichier(base string, k int, typePiece, ext string) string {
	return nomFichier(base, k, typePiece, ext)
}

// BaseMessage returns the base name of a message about an acte: its
// identifiant unique followed by the message code.
func BaseMessage(idActe string, code CodeMessage) string { return baseMessage(idActe, code) }
