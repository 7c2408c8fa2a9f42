package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"xdemat"
	"xdemat/agent"
)

// The search of the actes: an FTS5 table kept in step with actes by the
// triggers of migration 0010, the text of the PDFs added by the indexing
// pass (agent/indexation). See agent.RechercheActesStore.

var (
	_ agent.RechercheActesStore = (*Store)(nil)
	_ agent.TextesActesStore    = (*Store)(nil)
)

// Bounds of what the secretary types: enough for any real search, small
// enough that a pasted page never makes a costly query.
const (
	maxTermesRecherche   = 8
	maxLongueurTerme     = 64
	maxTexteIndexe       = 256 << 10 // bytes of PDF text kept per acte
	maxLongueurLibelle   = 1000
	motsAutourDeLExtrait = 12
)

// requeteFTS turns what the secretary typed into an FTS5 query that cannot
// be malformed: the words (letters and digits, as the unicode61 tokenizer
// cuts them) each quoted and searched as a prefix, all required. Quotes,
// parentheses, AND/OR/NOT, "*" or "^" are thus plain text. "" when nothing
// searchable remains.
func requeteFTS(q string) string {
	q = strings.ToValidUTF8(q, " ")
	mots := strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	})
	var termes []string
	for _, m := range mots {
		if len(termes) == maxTermesRecherche {
			break
		}
		if utf8.RuneCountInString(m) > maxLongueurTerme {
			m = string([]rune(m)[:maxLongueurTerme])
		}
		termes = append(termes, `"`+m+`"*`)
	}
	return strings.Join(termes, " ")
}

// matiereIndexee is the matière column of the index and of the results.
const matiereSQL = `COALESCE(json_extract(a.donnees, '$.classification'), '') || ' ' || COALESCE(m.libelle, '')`

// selectionRecherche returns the FROM … WHERE … part of the query of r and
// its arguments; plein says whether it searches the text.
func selectionRecherche(r agent.RechercheActes) (q string, args []any, plein bool) {
	fts := requeteFTS(r.Q)
	if fts != "" {
		q = ` FROM actes_recherche r
			JOIN actes_recherche_lignes l ON l.rang = r.rowid
			JOIN actes a ON a.id = l.acte_id
			LEFT JOIN actes_matieres m ON m.code = json_extract(a.donnees, '$.classification')
			WHERE actes_recherche MATCH ?`
		args = append(args, fts)
	} else {
		q = ` FROM actes a LEFT JOIN actes_matieres m ON m.code = json_extract(a.donnees, '$.classification') WHERE 1 = 1`
	}
	if r.Nature != 0 {
		q += ` AND a.nature = ?`
		args = append(args, int(r.Nature))
	}
	if r.Annee != 0 {
		q += ` AND a.annee = ?`
		args = append(args, r.Annee)
	}
	if r.Statut != "" {
		q += ` AND a.statut = ?`
		args = append(args, string(r.Statut))
	}
	return q, args, fts != ""
}

// requeteRecherche is the whole query of r, with no page bounds.
func requeteRecherche(r agent.RechercheActes) (string, []any) {
	from, args, plein := selectionRecherche(r)
	if plein {
		sel := `SELECT a.donnees, ` + matiereSQL + `, snippet(actes_recherche, -1, ?, ?, '…', ` + fmt.Sprint(motsAutourDeLExtrait) + `)`
		return sel + from + ` ORDER BY r.rank, a.date_decision DESC`, append([]any{agent.DebutSurligne, agent.FinSurligne}, args...)
	}
	return `SELECT a.donnees, ` + matiereSQL + `, ''` + from + ` ORDER BY a.date_decision DESC, a.numero DESC`, args
}

func scanTrouve(rows *sql.Rows) (*agent.ActeTrouve, error) {
	var data, matiere, extrait string
	if err := rows.Scan(&data, &matiere, &extrait); err != nil {
		return nil, err
	}
	var a xdemat.Acte
	if err := json.Unmarshal([]byte(data), &a); err != nil {
		return nil, err
	}
	return &agent.ActeTrouve{Acte: &a, Matiere: strings.TrimSpace(matiere), Extrait: extrait}, nil
}

// RechercherActes returns a page of the actes r selects; see agent.RechercheActesStore.
func (s *Store) RechercherActes(ctx context.Context, r agent.RechercheActes) (*agent.ResultatRecherche, error) {
	if err := r.Normaliser(); err != nil {
		return nil, err
	}
	out := &agent.ResultatRecherche{Actes: []agent.ActeTrouve{}}
	err := s.read(ctx, func(tx *sql.Tx) error {
		from, args, _ := selectionRecherche(r)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&out.Total); err != nil {
			return err
		}
		if out.Total <= r.Decalage {
			return nil
		}
		q, args := requeteRecherche(r)
		rows, err := tx.QueryContext(ctx, q+` LIMIT ? OFFSET ?`, append(args, r.Limite, r.Decalage)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTrouve(rows)
			if err != nil {
				return err
			}
			out.Actes = append(out.Actes, *t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrap("search actes", err)
	}
	return out, nil
}

// ParcourirActes calls fn with every acte r selects; see agent.RechercheActesStore.
func (s *Store) ParcourirActes(ctx context.Context, r agent.RechercheActes, fn func(*agent.ActeTrouve) error) error {
	if err := r.Normaliser(); err != nil {
		return err
	}
	q, args := requeteRecherche(r)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return wrap("list actes", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTrouve(rows)
		if err != nil {
			return wrap("list actes", err)
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return wrap("list actes", rows.Err())
}

// EnregistrerLibellesMatieres replaces the labels of the matières and
// brings the index up to date; see agent.RechercheActesStore.
func (s *Store) EnregistrerLibellesMatieres(ctx context.Context, libelles map[xdemat.Classification]string) error {
	for c, l := range libelles {
		if c.Niveaux() == nil {
			return xdemat.Errorf(xdemat.EINVALID, "La matière « %s » de la classification est mal écrite.", strings.ToValidUTF8(string(c), "?"))
		}
		if !utf8.ValidString(l) || len(l) > maxLongueurLibelle || strings.ContainsFunc(l, unicode.IsControl) {
			return xdemat.Errorf(xdemat.EINVALID, "Le libellé de la matière %s de la classification est illisible.", c)
		}
	}
	return wrap("save matieres", s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM actes_matieres`); err != nil {
			return err
		}
		for c, l := range libelles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO actes_matieres (code, libelle) VALUES (?, ?)`, string(c), strings.TrimSpace(l)); err != nil {
				return err
			}
		}
		// Only the rows whose label changed are rewritten.
		rows, err := tx.QueryContext(ctx, `SELECT r.rowid, `+matiereSQL+` FROM actes_recherche r
			JOIN actes_recherche_lignes l ON l.rang = r.rowid
			JOIN actes a ON a.id = l.acte_id
			LEFT JOIN actes_matieres m ON m.code = json_extract(a.donnees, '$.classification')
			WHERE r.matiere IS NOT `+matiereSQL)
		if err != nil {
			return err
		}
		type ligne struct {
			rang    int64
			matiere string
		}
		var changees []ligne
		for rows.Next() {
			var l ligne
			if err := rows.Scan(&l.rang, &l.matiere); err != nil {
				rows.Close()
				return err
			}
			changees = append(changees, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range changees {
			if _, err := tx.ExecContext(ctx, `UPDATE actes_recherche SET matiere = ? WHERE rowid = ?`, l.matiere, l.rang); err != nil {
				return err
			}
		}
		return nil
	}))
}

// TextesAIndexer lists the actes whose documents' text is still to read;
// see agent.TextesActesStore.
func (s *Store) TextesAIndexer(ctx context.Context, apres int64, limite int) ([]agent.TexteAIndexer, error) {
	if limite <= 0 {
		limite = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT l.rang, l.acte_id, l.indexees, a.donnees
		FROM actes_recherche_lignes l JOIN actes a ON a.id = l.acte_id
		WHERE l.voulues <> l.indexees AND l.rang > ? ORDER BY l.rang LIMIT ?`, apres, limite)
	if err != nil {
		return nil, wrap("texts to index", err)
	}
	defer rows.Close()
	var out []agent.TexteAIndexer
	for rows.Next() {
		var t agent.TexteAIndexer
		var indexees, data string
		if err := rows.Scan(&t.Rang, &t.ActeID, &indexees, &data); err != nil {
			return nil, wrap("texts to index", err)
		}
		var a xdemat.Acte
		if json.Unmarshal([]byte(data), &a) != nil {
			continue
		}
		t.Pieces = a.Documents()
		if indexees != "" {
			t.Indexees = strings.Split(indexees, ",")
		}
		out = append(out, t)
	}
	return out, wrap("texts to index", rows.Err())
}

// EnregistrerTexteActe puts the text of the acte's documents in the index;
// see agent.TextesActesStore.
func (s *Store) EnregistrerTexteActe(ctx context.Context, acteID string, pieces []string, texte string) error {
	for _, p := range pieces {
		if !xdemat.ValidSHA256(p) {
			return xdemat.Errorf(xdemat.EINVALID, "Empreinte de document invalide.")
		}
	}
	texte = strings.ToValidUTF8(texte, " ")
	if len(texte) > maxTexteIndexe {
		texte = strings.ToValidUTF8(texte[:maxTexteIndexe], "")
	}
	return wrap("index text", s.write(ctx, func(tx *sql.Tx) error {
		var rang int64
		err := tx.QueryRowContext(ctx, `SELECT rang FROM actes_recherche_lignes WHERE acte_id = ?`, acteID).Scan(&rang)
		if errors.Is(err, sql.ErrNoRows) {
			return acteInconnu()
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE actes_recherche SET texte = ? WHERE rowid = ?`, texte, rang); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE actes_recherche_lignes SET indexees = ? WHERE rang = ?`, strings.Join(pieces, ","), rang)
		return err
	}))
}
