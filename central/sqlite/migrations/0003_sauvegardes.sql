-- Backups of the communes (restic, repository on central): the reports of
-- the runs sent by the postes, and the space granted to each commune.
-- Times are unix microseconds (UTC).
-- Keep in step with central/postgres/migrations/0003_sauvegardes.sql.

CREATE TABLE sauvegardes (
	commune_id TEXT NOT NULL REFERENCES communes (id),
	id         TEXT NOT NULL,
	poste_id   TEXT NOT NULL,
	type       TEXT NOT NULL, -- 'sauvegarde' | 'exercice'
	statut     TEXT NOT NULL, -- xdemat.StatutSauvegarde
	debut      BIGINT NOT NULL,
	fin        BIGINT NOT NULL,
	donnees    BLOB NOT NULL, -- JSON of xdemat.Sauvegarde
	recue_le   BIGINT NOT NULL,
	PRIMARY KEY (commune_id, id)
);
CREATE INDEX sauvegardes_fin ON sauvegardes (commune_id, fin);

-- The backup space of a commune, when the SPL changed it from the offer's.
CREATE TABLE quotas_sauvegarde (
	commune_id TEXT PRIMARY KEY REFERENCES communes (id),
	octets     BIGINT NOT NULL,
	modifie_le BIGINT NOT NULL
);
