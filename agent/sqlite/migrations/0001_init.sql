-- Local store of a mairie PC. Times are INTEGER unix microseconds (UTC).

-- What enrollment gave this poste: one row, the agent.Identity as JSON.
CREATE TABLE identite (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	donnees TEXT    NOT NULL
);

-- Documents whose bytes are in the local blob store, named by their SHA-256.
CREATE TABLE documents (
	sha256       TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
	taille       INTEGER NOT NULL CHECK (taille >= 0),
	type_media   TEXT    NOT NULL,
	nom_original TEXT    NOT NULL,
	cree_le      INTEGER NOT NULL,
	envoye_le    INTEGER -- when central confirmed it holds the whole document; NULL before
);

-- Full-text search over document names, kept up to date by a trigger
-- (documents never change once stored).
CREATE VIRTUAL TABLE recherche USING fts5(
	nom,
	sha256 UNINDEXED,
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER documents_recherche AFTER INSERT ON documents BEGIN
	INSERT INTO recherche (nom, sha256) VALUES (NEW.nom_original, NEW.sha256);
END;

-- The outbox: user actions committed here first, then sent to central in seq
-- order. Acknowledged rows are kept (flagged) so that a seq is never reused.
CREATE TABLE operations (
	seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
	id        TEXT    NOT NULL UNIQUE,
	type      TEXT    NOT NULL,
	auteur    TEXT    NOT NULL DEFAULT '',
	payload   BLOB,
	cree_le   INTEGER NOT NULL,
	acquittee INTEGER NOT NULL DEFAULT 0 CHECK (acquittee IN (0, 1))
);

CREATE INDEX operations_en_attente ON operations (seq) WHERE acquittee = 0;

-- Documents each operation refers to, in the operation's order.
CREATE TABLE operation_documents (
	seq    INTEGER NOT NULL REFERENCES operations (seq),
	rang   INTEGER NOT NULL,
	sha256 TEXT    NOT NULL REFERENCES documents (sha256),
	PRIMARY KEY (seq, rang)
);

CREATE INDEX operation_documents_sha256 ON operation_documents (sha256);

-- The inbox: events pulled from central, by their cursor.
CREATE TABLE evenements (
	curseur  INTEGER PRIMARY KEY,
	type     TEXT    NOT NULL,
	objet    TEXT    NOT NULL,
	poste_id TEXT    NOT NULL DEFAULT '',
	payload  BLOB,
	cree_le  INTEGER NOT NULL
);

-- The chained, append-only journal: the legal trace of who did what.
CREATE TABLE journal (
	seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
	date      INTEGER NOT NULL,
	acteur    TEXT    NOT NULL,
	action    TEXT    NOT NULL,
	objet     TEXT    NOT NULL,
	details   TEXT    NOT NULL DEFAULT '',
	precedent TEXT    NOT NULL UNIQUE,
	hash      TEXT    NOT NULL UNIQUE
);

CREATE TRIGGER journal_sans_modification BEFORE UPDATE ON journal BEGIN
	SELECT RAISE(ABORT, 'le journal ne se modifie pas');
END;

CREATE TRIGGER journal_sans_suppression BEFORE DELETE ON journal BEGIN
	SELECT RAISE(ABORT, 'le journal ne se supprime pas');
END;

-- The persisted part of the sync state: one row.
CREATE TABLE etat (
	id                 INTEGER PRIMARY KEY CHECK (id = 1),
	dernier_ack        INTEGER NOT NULL DEFAULT 0,
	curseur            INTEGER NOT NULL DEFAULT 0,
	dernier_succes     INTEGER, -- NULL: never
	derniere_erreur    TEXT    NOT NULL DEFAULT '',
	derniere_erreur_le INTEGER
);

INSERT INTO etat (id) VALUES (1);
