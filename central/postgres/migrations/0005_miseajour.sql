-- Updates of the postes: the last report each poste made about its updates
-- (miseajour.Etat). The version a poste runs is postes.version, reported on
-- every request. Times are unix microseconds (UTC).
-- Keep in step with central/sqlite/migrations/0005_miseajour.sql.

CREATE TABLE miseajour_postes (
	poste_id   TEXT PRIMARY KEY REFERENCES postes (id),
	commune_id TEXT NOT NULL REFERENCES communes (id),
	version    TEXT NOT NULL,
	statut     TEXT NOT NULL, -- miseajour.Statut
	cible      TEXT NOT NULL,
	message    TEXT NOT NULL,
	le         BIGINT NOT NULL, -- when the poste says it happened
	recu_le    BIGINT NOT NULL  -- when central received it
);
