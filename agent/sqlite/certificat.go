package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"xdemat"
)

// EnregistrerCertificat keeps (or refreshes) a certificate seen on a token.
func (s *Store) EnregistrerCertificat(ctx context.Context, c *xdemat.CertificatSignature) error {
	if err := c.Validate(); err != nil {
		return err
	}
	v := *c
	v.VuLe = stamp(v.VuLe)
	data, err := json.Marshal(&v)
	if err != nil {
		return wrap("save certificate", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO certificats (sha256, utilisateur_id, not_after, donnees) VALUES (?, ?, ?, ?)
			ON CONFLICT (sha256) DO UPDATE SET utilisateur_id = excluded.utilisateur_id, donnees = excluded.donnees`,
			v.SHA256, v.UtilisateurID, micro(v.NotAfter), string(data))
		return err
	})
	return wrap("save certificate", err)
}

// Certificats returns the certificates kept, the one expiring first first.
func (s *Store) Certificats(ctx context.Context) ([]*xdemat.CertificatSignature, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT donnees FROM certificats ORDER BY not_after`)
	if err != nil {
		return nil, wrap("certificates", err)
	}
	defer rows.Close()
	out := []*xdemat.CertificatSignature{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("certificates", err)
		}
		var c xdemat.CertificatSignature
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return nil, wrap("certificates", err)
		}
		out = append(out, &c)
	}
	return out, wrap("certificates", rows.Err())
}
