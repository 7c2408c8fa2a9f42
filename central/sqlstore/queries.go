package sqlstore

// Queries run on every request or for every operation received. New prepares
// them once; the store then runs them on whichever connection it holds (see
// tx.exec), sparing the database a parse per call.
const (
	qFindPoste        = "SELECT " + posteCols + " FROM postes WHERE id = ?"
	qTouchPoste       = "UPDATE postes SET vu_le = ?, version = CASE WHEN CAST(? AS TEXT) = '' THEN version ELSE ? END, en_attente = CASE WHEN CAST(? AS BIGINT) < 0 THEN en_attente ELSE ? END WHERE id = ?"
	qAck              = "SELECT dernier_seq FROM postes WHERE id = ? AND commune_id = ?"
	qDernierSeq       = "SELECT dernier_seq, statut FROM postes WHERE id = ? AND commune_id = ?"
	qUpdateDernierSeq = "UPDATE postes SET dernier_seq = ? WHERE id = ? AND commune_id = ?"
	qJournalHead      = "SELECT seq, hash FROM journal WHERE commune_id = ? ORDER BY seq DESC LIMIT 1"
	qReplay           = "SELECT id FROM operations WHERE poste_id = ? AND seq = ? AND commune_id = ?"
	qOperationExists  = "SELECT COUNT(*) FROM operations WHERE commune_id = ? AND id = ?"
	qDocumentExists   = "SELECT COUNT(*) FROM documents WHERE commune_id = ? AND sha256 = ?"
	qInsertOperation  = "INSERT INTO operations (commune_id, poste_id, id, seq, type, auteur, payload, documents, cree_le, recue_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	qInsertDocument   = "INSERT INTO documents (commune_id, " + documentCols + ") VALUES (?, ?, ?, ?, ?, ?)"
	qInsertEvent      = "INSERT INTO evenements (commune_id, type, objet, poste_id, payload, cree_le) VALUES (?, ?, ?, ?, ?, ?)"
	qInsertJournal    = "INSERT INTO journal (commune_id, seq, date, acteur, action, objet, details, precedent, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

// hotQueries returns the queries New prepares; qLockCommune depends on the dialect.
func (s *Store) hotQueries() []string {
	return []string{s.qLockCommune, qFindPoste, qTouchPoste, qAck, qDernierSeq, qUpdateDernierSeq, qJournalHead,
		qReplay, qOperationExists, qDocumentExists, qInsertOperation, qInsertDocument, qInsertEvent, qInsertJournal}
}
