-- Xactes: central's copy of the communes' actes, the transmissions to the
-- préfecture (@CTES) and what it answered. Times are unix microseconds (UTC).
-- Keep in step with central/sqlite/migrations/0006_actes.sql.

-- Each acte as xdemat.Acte JSON. a_transmettre is set by acte.transmettre
-- and cleared in the transaction that records the intent to send it
-- (actes_envois): an acte is built into an archive once.
CREATE TABLE actes (
	commune_id    TEXT   NOT NULL REFERENCES communes (id),
	id            TEXT   NOT NULL,
	numero        TEXT   NOT NULL,
	statut        TEXT   NOT NULL, -- xdemat.StatutActe
	a_transmettre BIGINT NOT NULL DEFAULT 0,
	id_acte       TEXT, -- identifiant unique @CTES of its last transmission
	auteur        TEXT   NOT NULL DEFAULT '',
	modifie_le    BIGINT NOT NULL,
	donnees       BYTEA  NOT NULL,
	PRIMARY KEY (commune_id, id)
);
CREATE UNIQUE INDEX actes_numero ON actes (commune_id, numero);
CREATE INDEX actes_a_transmettre ON actes (a_transmettre) WHERE a_transmettre = 1;
CREATE INDEX actes_id_acte ON actes (id_acte);

-- The per-SIREN series of @CTES archives: never reused, even after a crash.
CREATE TABLE actes_series (
	siren    TEXT   PRIMARY KEY,
	derniere BIGINT NOT NULL
);

-- Every archive built, recorded with its bytes BEFORE it is posted: after
-- a crash, those sent 'intention' are posted again under the same name (the
-- platform is idempotent on the name), never rebuilt.
CREATE TABLE actes_envois (
	nom        TEXT   PRIMARY KEY,
	commune_id TEXT   NOT NULL REFERENCES communes (id),
	acte_id    TEXT   NOT NULL,
	id_acte    TEXT   NOT NULL,
	etat       TEXT   NOT NULL, -- 'intention', 'envoye', 'refuse'
	octets     BYTEA  NOT NULL,
	cree_le    BIGINT NOT NULL,
	envoye_le  BIGINT
);
CREATE INDEX actes_envois_etat ON actes_envois (etat, cree_le);

-- Messages of the préfecture (xdemat.MessagePrefecture JSON).
CREATE TABLE actes_messages (
	commune_id TEXT   NOT NULL REFERENCES communes (id),
	id         TEXT   NOT NULL,
	acte_id    TEXT   NOT NULL,
	recu_le    BIGINT NOT NULL,
	donnees    BYTEA  NOT NULL,
	PRIMARY KEY (commune_id, id)
);

-- The answers of the platform already taken (by their name), and the
-- position in its mailbox.
CREATE TABLE actes_retours (
	nom     TEXT   PRIMARY KEY,
	numero  BIGINT NOT NULL,
	traite_le BIGINT NOT NULL
);
