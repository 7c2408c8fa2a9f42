package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	maxLongueurLibelle   = 4000      // five levels of 500 characters and their " > "
	motsAutourDeLExtrait = 12
)

// requeteFTS turns what the secretary typed into an FTS5 query that cannot
// be malformed: the words (letters and digits, as the unicode61 tokenizer
// cuts them) each quoted, all required, the last one as a prefix. Quotes,
// parentheses, AND/OR/NOT, "*" or "^" are thus plain text. "" when nothing
// searchable remains.
func requeteFTS(q string) string {
	q = strings.ToValidUTF8(q, " ")
	mots := strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r)
	})
	if len(mots) > maxTermesRecherche {
		mots = mots[:maxTermesRecherche]
	}
	var termes []string
	for i, m := range mots {
		if utf8.RuneCountInString(m) > maxLongueurTerme {
			m = string([]rune(m)[:maxLongueurTerme])
		}
		// Only the last word is being typed: it alone is a prefix (a
		// prefix costs more than a word), and from its second letter
		// only, one letter alone gathering half the dictionary.
		if i == len(mots)-1 && utf8.RuneCountInString(m) > 1 {
			termes = append(termes, `"`+m+`"*`)
		} else {
			termes = append(termes, `"`+m+`"`)
		}
	}
	return strings.Join(termes, " ")
}

// matiereIndexee is the matière column of the index and of the results.
const matiereSQL = `COALESCE(json_extract(a.donnees, '$.classification'), '') || ' ' || COALESCE(m.libelle, '')`

// filtresFTS are the filters of r as words of the column filtres.
func filtresFTS(r agent.RechercheActes) string {
	var f []string
	if r.Nature != 0 {
		f = append(f, fmt.Sprintf(`filtres : "nature%d"`, int(r.Nature)))
	}
	if r.Annee != 0 {
		f = append(f, fmt.Sprintf(`filtres : "annee%d"`, r.Annee))
	}
	if r.Statut != "" {
		f = append(f, `filtres : "statut`+strings.ReplaceAll(string(r.Statut), "_", "")+`"`)
	}
	return strings.Join(f, " AND ")
}

// selectionRecherche returns the FROM … WHERE … part of the query of r and
// its arguments (the first one the full-text query, when plein); a search
// reads the index alone unless joindre asks for the actes.
func selectionRecherche(r agent.RechercheActes, joindre bool) (q string, args []any, plein bool) {
	fts := requeteFTS(r.Q)
	if fts != "" {
		if f := filtresFTS(r); f != "" {
			fts += " AND " + f
		}
		q = ` FROM actes_recherche r WHERE actes_recherche MATCH ?`
		if joindre {
			q = ` FROM actes_recherche r
			JOIN actes_recherche_lignes l ON l.rang = r.rowid
			JOIN actes a ON a.id = l.acte_id
			LEFT JOIN actes_matieres m ON m.code = json_extract(a.donnees, '$.classification')
			WHERE actes_recherche MATCH ?`
		}
		return q, []any{fts}, true
	}
	q = ` FROM actes a LEFT JOIN actes_matieres m ON m.code = json_extract(a.donnees, '$.classification') WHERE 1 = 1`
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
	return q, args, false
}

// requeteRecherche is the whole query of r, with no page bounds, for the
// exports: the actes and their matière, best first.
func requeteRecherche(r agent.RechercheActes) (string, []any) {
	from, args, plein := selectionRecherche(r, true)
	if plein {
		return `SELECT a.donnees, ` + matiereSQL + from + ` ORDER BY r.rank, a.date_decision DESC`, args
	}
	return `SELECT a.donnees, ` + matiereSQL + from + ` ORDER BY a.date_decision DESC, a.numero DESC`, args
}

func scanTrouve(row scanner, extrait bool) (*agent.ActeTrouve, error) {
	var data, matiere string
	t := &agent.ActeTrouve{}
	dest := []any{&data, &matiere}
	if extrait {
		dest = append(dest, &t.Extrait)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	var a xdemat.Acte
	if err := json.Unmarshal([]byte(data), &a); err != nil {
		return nil, err
	}
	t.Acte, t.Matiere = &a, strings.TrimSpace(matiere)
	return t, nil
}

// plafondClassement bounds the matches ranked by relevance: the most
// recently recorded ones. Beyond, a search of one or two very common words
// would rank the whole history of the commune at every keystroke; the
// secretary adds a word or a filter instead (ResultatRecherche.Plafonne).
const plafondClassement = 500

// RechercherActes returns a page of the actes r selects; see agent.RechercheActesStore.
//
// In two steps, so that a page costs about the same whatever the number of
// matches: the most recent matches (at most plafondClassement, walking the
// index backwards) with their bm25 rank, then the actes of the page by
// rowid, with their extract (extrait.go).
func (s *Store) RechercherActes(ctx context.Context, r agent.RechercheActes) (*agent.ResultatRecherche, error) {
	if err := r.Normaliser(); err != nil {
		return nil, err
	}
	out := &agent.ResultatRecherche{Actes: []agent.ActeTrouve{}}
	err := s.read(ctx, func(tx *sql.Tx) error {
		from, args, plein := selectionRecherche(r, false)
		if !plein {
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&out.Total); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, `SELECT a.id`+from+` ORDER BY a.date_decision DESC, a.numero DESC LIMIT ? OFFSET ?`, append(args, r.Limite, r.Decalage)...)
			if err != nil {
				return err
			}
			ids, err := colonne[string](rows)
			if err != nil {
				return err
			}
			for _, id := range ids {
				t, err := scanTrouve(tx.QueryRowContext(ctx, `SELECT a.donnees, `+matiereSQL+` FROM actes a
					LEFT JOIN actes_matieres m ON m.code = json_extract(a.donnees, '$.classification') WHERE a.id = ?`, id), false)
				if err != nil {
					return err
				}
				out.Actes = append(out.Actes, *t)
			}
			return nil
		}
		// The most recent matches with their bm25 rank (a prefix makes
		// FTS5 gather the whole doclist once per query: two queries in all).
		rows, err := tx.QueryContext(ctx, `SELECT r.rowid, r.rank`+from+` ORDER BY r.rowid DESC LIMIT `+fmt.Sprint(plafondClassement), args...)
		if err != nil {
			return err
		}
		type trouve struct {
			rang int64
			note float64
		}
		var trouves []trouve
		for rows.Next() {
			var t trouve
			if err := rows.Scan(&t.rang, &t.note); err != nil {
				rows.Close()
				return err
			}
			trouves = append(trouves, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out.Total, out.Plafonne = len(trouves), len(trouves) >= plafondClassement
		if out.Total <= r.Decalage {
			return nil
		}
		slices.SortStableFunc(trouves, func(a, b trouve) int { return cmp.Compare(a.note, b.note) }) // bm25: lower is better
		page := trouves[r.Decalage:min(len(trouves), r.Decalage+r.Limite)]
		// The page's actes, read by rowid (no MATCH again), and their extract.
		mots := motsCherches(r.Q)
		out.Actes = make([]agent.ActeTrouve, 0, len(page))
		for _, t := range page {
			var data, matiere, numero, objet, texte string
			err := tx.QueryRowContext(ctx, `SELECT a.donnees, `+matiereSQL+`, r.numero, r.objet, r.texte
				FROM actes_recherche r
				JOIN actes_recherche_lignes l ON l.rang = r.rowid
				JOIN actes a ON a.id = l.acte_id
				LEFT JOIN actes_matieres m ON m.code = json_extract(a.donnees, '$.classification')
				WHERE r.rowid = ?`, t.rang).Scan(&data, &matiere, &numero, &objet, &texte)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			var a xdemat.Acte
			if err := json.Unmarshal([]byte(data), &a); err != nil {
				return err
			}
			matiere = strings.TrimSpace(matiere)
			out.Actes = append(out.Actes, agent.ActeTrouve{Acte: &a, Matiere: matiere,
				Extrait: extrait([]string{objet, texte, numero, matiere, a.Nature.Libelle()}, mots)})
		}
		return nil
	})
	if err != nil {
		return nil, wrap("search actes", err)
	}
	return out, nil
}

// colonne reads the single column of rows and closes them.
func colonne[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
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
		t, err := scanTrouve(rows, false)
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
