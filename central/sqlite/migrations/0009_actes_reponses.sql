-- Xactes: the commune's answers to the préfecture's letters (acte.repondre)
-- and the préfecture's classification of each commune. Times are unix
-- microseconds (UTC). Keep in step with
-- central/postgres/migrations/0009_actes_reponses.sql.

-- Each answer as xdemat.ReponsePrefecture JSON. a_transmettre is set by
-- acte.repondre and cleared in the transaction that records the archive
-- (nom, octets) BEFORE it is posted: after a crash, an answer in état
-- 'intention' is posted again under the same name, never rebuilt.
CREATE TABLE actes_reponses (
	commune_id    TEXT   NOT NULL REFERENCES communes (id),
	id            TEXT   NOT NULL,
	acte_id       TEXT   NOT NULL,
	message_id    TEXT   NOT NULL,
	etat          TEXT   NOT NULL, -- xdemat.EtatReponsePrefecture
	a_transmettre BIGINT NOT NULL DEFAULT 0,
	envoi         TEXT   NOT NULL DEFAULT '', -- '', 'intention', 'envoye', 'refuse'
	nom           TEXT,
	id_acte       TEXT,
	date_courrier BIGINT,
	octets        BLOB,
	modifie_le    BIGINT NOT NULL,
	donnees       BLOB   NOT NULL,
	PRIMARY KEY (commune_id, id)
);
CREATE UNIQUE INDEX actes_reponses_nom ON actes_reponses (nom);
CREATE INDEX actes_reponses_message ON actes_reponses (commune_id, message_id);
CREATE INDEX actes_reponses_a_transmettre ON actes_reponses (a_transmettre) WHERE a_transmettre = 1;
CREATE INDEX actes_reponses_envoi ON actes_reponses (envoi);
CREATE INDEX actes_reponses_courrier ON actes_reponses (id_acte, date_courrier);

-- The préfecture's classification for each commune (7-2), as
-- xdemat.ClassificationPrefecture JSON, and when it was last asked for (7-1).
CREATE TABLE actes_classifications (
	commune_id   TEXT   PRIMARY KEY REFERENCES communes (id),
	date_version BIGINT,
	demandee_le  BIGINT,
	recue_le     BIGINT,
	donnees      BLOB
);
