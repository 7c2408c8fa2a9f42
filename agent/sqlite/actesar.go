package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"xdemat"
	"xdemat/agent"
)

// documentsDesMessages adds to all the files that came with the
// préfecture's messages (a courrier as PDF…), kept by central as
// documents of the commune, that are not in seen.
func documentsDesMessages(ctx context.Context, tx *sql.Tx, all []agent.DocumentManquant, seen map[string]bool) ([]agent.DocumentManquant, error) {
	rows, err := tx.QueryContext(ctx, `SELECT donnees FROM actes_messages`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var m xdemat.MessagePrefecture
		if json.Unmarshal([]byte(data), &m) != nil {
			continue
		}
		for _, h := range m.Documents {
			if xdemat.ValidSHA256(h) && !seen[h] {
				seen[h] = true
				all = append(all, agent.DocumentManquant{SHA256: h, Titre: m.Type.Libelle() + " de la préfecture"})
			}
		}
	}
	return all, rows.Err()
}
