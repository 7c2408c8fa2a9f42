package actes

import (
	"strings"
	"time"

	"xdemat"
)

// The messages a commune sends about an acte already transmitted: its
// annulation, and its answers to the préfecture's letters. Each travels in an
// archive of its own, named like any other (next serial number).

// ConstruireAnnulation builds the archive cancelling the transmission of the
// acte idActe (6-1). The préfecture answers with an ARAnnulation (6-2).
func ConstruireAnnulation(idActe string, e Emetteur, o Options) (*Archive, error) {
	if err := verifierIDActe(idActe, e); err != nil {
		return nil, err
	}
	tx := Transaction{Nom: nomFichier(baseMessage(idActe, CodeAnnulation), 0, "", ""), Message: &Annulation{IDActe: idActe}}
	return envoyer(e, o, []Transaction{tx})
}

// ConstruireReponsePieces sends the pieces the préfecture asked for (3-4) in
// answer to its demande (identified by c, as the demande gave it).
func ConstruireReponsePieces(c CourrierPref, pieces []xdemat.PieceActe, e Emetteur, o Options, src Source) (*Archive, error) {
	if len(pieces) == 0 {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Joignez au moins une pièce à envoyer à la préfecture.")
	}
	m := &PieceComplementaire{CourrierPref: c}
	tx, err := reponse(c, CodePieceComplementaire, m, pieces, e, src)
	if err != nil {
		return nil, err
	}
	for _, p := range tx.Pieces {
		m.Documents = append(m.Documents, Fichier{NomFichier: p.Nom})
	}
	return envoyer(e, o, []Transaction{*tx})
}

// ConstruireRefusPieces refuses, by a letter, to send the pieces asked for (3-3).
func ConstruireRefusPieces(c CourrierPref, lettre xdemat.PieceActe, e Emetteur, o Options, src Source) (*Archive, error) {
	m := &RefusPieceComplementaire{CourrierPref: c}
	return reponseUnique(c, CodeRefusPieceComplementaire, m, &m.Document, lettre, e, o, src)
}

// ConstruireReponseObservations answers a lettre d'observations (4-4).
func ConstruireReponseObservations(c CourrierPref, lettre xdemat.PieceActe, e Emetteur, o Options, src Source) (*Archive, error) {
	m := &ReponseLettreObservations{CourrierPref: c}
	return reponseUnique(c, CodeReponseLettreObservations, m, &m.Document, lettre, e, o, src)
}

// ConstruireRejetObservations refuses, by a letter, to act on a lettre
// d'observations (4-3).
func ConstruireRejetObservations(c CourrierPref, lettre xdemat.PieceActe, e Emetteur, o Options, src Source) (*Archive, error) {
	m := &RejetLettreObservations{CourrierPref: c}
	return reponseUnique(c, CodeRejetLettreObservations, m, &m.Document, lettre, e, o, src)
}

// ConstruireReponseCourrier answers a courrier simple (2-2).
func ConstruireReponseCourrier(c CourrierPref, lettre xdemat.PieceActe, e Emetteur, o Options, src Source) (*Archive, error) {
	m := &ReponseCourrierSimple{CourrierPref: c}
	return reponseUnique(c, CodeReponseCourrierSimple, m, &m.Document, lettre, e, o, src)
}

// ConstruireDemandeClassification asks for the préfecture's current
// classification (7-1), saying which one is in use (zero: none yet).
func ConstruireDemandeClassification(enCours time.Time, e Emetteur, o Options) (*Archive, error) {
	m := &DemandeClassification{}
	if !enCours.IsZero() {
		d := Jour(enCours)
		m.DateClassification = &d
	}
	base := strings.Join([]string{e.Departement, e.SIREN, "", "", ""}, "-")
	tx := Transaction{Nom: nomFichier(baseMessage(base, CodeDemandeClassification), 0, "", ""), Message: m}
	return envoyer(e, o, []Transaction{tx})
}

func reponseUnique(c CourrierPref, code CodeMessage, m Message, doc *Fichier, lettre xdemat.PieceActe, e Emetteur, o Options, src Source) (*Archive, error) {
	tx, err := reponse(c, code, m, []xdemat.PieceActe{lettre}, e, src)
	if err != nil {
		return nil, err
	}
	doc.NomFichier = tx.Pieces[0].Nom
	return envoyer(e, o, []Transaction{*tx})
}

// reponse names and fetches the documents of an answer. S²LOW takes PDF, XML,
// PNG and JPEG here; the typologie prefix is used when the piece has one.
func reponse(c CourrierPref, code CodeMessage, m Message, pieces []xdemat.PieceActe, e Emetteur, src Source) (*Transaction, error) {
	if err := verifierIDActe(c.IDActe, e); err != nil {
		return nil, err
	}
	if c.DateCourrierPref.IsZero() {
		return nil, xdemat.Errorf(xdemat.EINVALID, "La date du courrier de la préfecture manque : répondez depuis le courrier reçu.")
	}
	base := baseMessage(c.IDActe, code)
	tx := &Transaction{Nom: nomFichier(base, 0, "", ""), Message: m}
	total := int64(0)
	for k, p := range pieces {
		f := p.Format()
		if f == "" {
			return nil, xdemat.Errorf(xdemat.EINVALID, "La pièce « %s » n'est ni un PDF, ni un XML, ni une image PNG ou JPEG : convertissez-la en PDF.", strings.ToValidUTF8(p.Nom, "?"))
		}
		if p.TypePiece != "" && !xdemat.ValidTypePiece(p.TypePiece) {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le type de pièce « %s » de « %s » n'existe pas : choisissez-le dans la liste de la préfecture.", strings.ToValidUTF8(p.TypePiece, "?"), p.Nom)
		}
		contenu, err := lirePiece(src, p)
		if err != nil {
			return nil, err
		}
		if formatDe(contenu) != f {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Le fichier « %s » n'est pas un vrai %s : enregistrez-le de nouveau dans ce format.", p.Nom, strings.ToUpper(string(f)))
		}
		total += int64(len(contenu))
		tx.Pieces = append(tx.Pieces, Piece{Nom: nomFichier(base, k+1, p.TypePiece, string(f)), Contenu: contenu})
	}
	if total > TailleMaxArchive {
		return nil, xdemat.Errorf(xdemat.ETOOLARGE, "Les pièces pèsent %s : la préfecture en accepte %s au plus.", xdemat.Octets(total), xdemat.Octets(TailleMaxArchive))
	}
	return tx, nil
}

func verifierIDActe(idActe string, e Emetteur) error {
	if !xdemat.ValidIdentifiantActe(idActe) {
		return xdemat.Errorf(xdemat.EINVALID, "L'identifiant « %s » n'est pas celui d'un acte acquitté par la préfecture.", strings.ToValidUTF8(idActe, "?"))
	}
	if !strings.HasPrefix(idActe, e.Departement+"-"+e.SIREN+"-") {
		return xdemat.Errorf(xdemat.EFORBIDDEN, "L'acte %s n'a pas été transmis par cette collectivité (%s).", idActe, e.SIREN)
	}
	return nil
}
