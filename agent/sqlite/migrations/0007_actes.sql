-- Xactes: the commune's actes, their history and the préfecture's messages.
-- Times are INTEGER unix microseconds (UTC), like 0001.

-- Each acte as xdemat.Acte JSON; the columns are what lists filter on.
-- numero is unique in the commune (the @CTES identifiant unique contains
-- it). dossier_id links an acte sent through the parapheur to its dossier;
-- envoye_le is set in the transaction that queues acte.transmettre, so
-- that a signature relayed twice never queues it twice.
CREATE TABLE actes (
	id            TEXT    PRIMARY KEY,
	numero        TEXT    NOT NULL UNIQUE,
	nature        INTEGER NOT NULL,
	annee         INTEGER NOT NULL,
	statut        TEXT    NOT NULL,
	date_decision INTEGER NOT NULL,
	dossier_id    TEXT,
	envoye_le     INTEGER,
	modifie_le    INTEGER NOT NULL,
	donnees       TEXT    NOT NULL
);

CREATE INDEX actes_par_liste ON actes (annee, nature, statut, date_decision);
CREATE INDEX actes_par_dossier ON actes (dossier_id) WHERE dossier_id IS NOT NULL;

-- The history of each acte, in order (agent.EntreeActe).
CREATE TABLE actes_historique (
	acte_id TEXT    NOT NULL,
	rang    INTEGER NOT NULL,
	le      INTEGER NOT NULL,
	action  TEXT    NOT NULL,
	statut  TEXT    NOT NULL,
	par     TEXT    NOT NULL DEFAULT '',
	details TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (acte_id, rang)
);

-- Messages of the préfecture (xdemat.MessagePrefecture JSON).
CREATE TABLE actes_messages (
	id      TEXT    PRIMARY KEY,
	acte_id TEXT    NOT NULL,
	recu_le INTEGER NOT NULL,
	donnees TEXT    NOT NULL
);

CREATE INDEX actes_messages_par_acte ON actes_messages (acte_id, recu_le);

-- The last numéro proposed or used per register and year, so that the
-- proposal follows what the secretary actually typed.
CREATE TABLE actes_compteurs (
	registre TEXT    NOT NULL,
	annee    INTEGER NOT NULL,
	dernier  INTEGER NOT NULL,
	PRIMARY KEY (registre, annee)
);
