-- Central's schema. Times are unix microseconds (UTC), NULL when unset.
-- Keep in step with central/sqlite/migrations/0001_init.sql.

CREATE TABLE communes (
	id          TEXT PRIMARY KEY,
	siren       TEXT NOT NULL UNIQUE,
	nom         TEXT NOT NULL,
	departement TEXT NOT NULL,
	population  BIGINT NOT NULL,
	cree_le     BIGINT NOT NULL
);

CREATE TABLE codes_enrolement (
	cle        TEXT PRIMARY KEY, -- the code without dashes nor spaces, upper case
	code       TEXT NOT NULL,    -- the code as issued
	commune_id TEXT NOT NULL REFERENCES communes (id),
	cree_le    BIGINT NOT NULL,
	expire_le  BIGINT NOT NULL,
	utilise_le BIGINT,
	poste_id   TEXT,
	revoque_le BIGINT
);
CREATE INDEX codes_enrolement_commune ON codes_enrolement (commune_id, cree_le);
CREATE INDEX codes_enrolement_cree_le ON codes_enrolement (cree_le);

CREATE TABLE postes (
	id           TEXT PRIMARY KEY,
	commune_id   TEXT NOT NULL REFERENCES communes (id),
	nom          TEXT NOT NULL,
	cle_publique BYTEA NOT NULL,
	statut       TEXT NOT NULL,
	enrolle_le   BIGINT NOT NULL,
	revoque_le   BIGINT,
	vu_le        BIGINT,
	version      TEXT NOT NULL DEFAULT '',
	dernier_seq  BIGINT NOT NULL DEFAULT 0,
	en_attente   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX postes_commune ON postes (commune_id, nom);

CREATE TABLE documents (
	commune_id   TEXT NOT NULL REFERENCES communes (id),
	sha256       TEXT NOT NULL,
	taille       BIGINT NOT NULL,
	type_media   TEXT NOT NULL,
	nom_original TEXT NOT NULL,
	cree_le      BIGINT NOT NULL,
	PRIMARY KEY (commune_id, sha256)
);

CREATE TABLE operations (
	rang       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- order of arrival
	commune_id TEXT NOT NULL REFERENCES communes (id),
	poste_id   TEXT NOT NULL REFERENCES postes (id),
	id         TEXT NOT NULL,
	seq        BIGINT NOT NULL,
	type       TEXT NOT NULL,
	auteur     TEXT NOT NULL,
	payload    BYTEA,
	documents  TEXT NOT NULL, -- JSON array of SHA-256
	cree_le    BIGINT NOT NULL,
	recue_le   BIGINT NOT NULL,
	UNIQUE (poste_id, seq),
	UNIQUE (commune_id, id)
);
CREATE INDEX operations_commune ON operations (commune_id, rang);

CREATE TABLE evenements (
	curseur    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	commune_id TEXT NOT NULL REFERENCES communes (id),
	type       TEXT NOT NULL,
	objet      TEXT NOT NULL,
	poste_id   TEXT NOT NULL,
	payload    BYTEA,
	cree_le    BIGINT NOT NULL
);
CREATE INDEX evenements_commune ON evenements (commune_id, curseur);

CREATE TABLE journal (
	commune_id TEXT NOT NULL REFERENCES communes (id),
	seq        BIGINT NOT NULL,
	date       BIGINT NOT NULL,
	acteur     TEXT NOT NULL,
	action     TEXT NOT NULL,
	objet      TEXT NOT NULL,
	details    TEXT NOT NULL,
	precedent  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	PRIMARY KEY (commune_id, seq)
);
