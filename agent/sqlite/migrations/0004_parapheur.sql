-- The parapheur (Xparaph): dossiers deposited with their circuit, the
-- delegations of the élus, and the signatures prepared for the token.
-- Times are INTEGER unix microseconds (UTC), like 0001.

-- Each dossier as xdemat.DossierParapheur JSON (circuit and history inside).
-- version counts the actions applied here (central's, then this poste's
-- own not yet applied by central); version_centrale is the last version
-- central relayed: a newer copy from central replaces this one.
CREATE TABLE parapheur_dossiers (
	id               TEXT    PRIMARY KEY,
	etat             TEXT    NOT NULL,
	depose_par       TEXT    NOT NULL,
	version          INTEGER NOT NULL,
	version_centrale INTEGER NOT NULL DEFAULT 0,
	modifie_le       INTEGER NOT NULL,
	donnees          TEXT    NOT NULL
);

CREATE INDEX parapheur_dossiers_par_etat ON parapheur_dossiers (etat, modifie_le);

-- Delegations as xdemat.Delegation JSON; the newest modifie_le wins.
CREATE TABLE parapheur_delegations (
	id          TEXT    PRIMARY KEY,
	delegataire TEXT    NOT NULL,
	modifie_le  INTEGER NOT NULL,
	donnees     TEXT    NOT NULL
);

-- Signatures prepared and waiting for the token's values (agent.Preparation
-- as JSON): kept here so that a restart of the agent between the two steps
-- loses nothing. No secret: digests, a certificate, the format's state.
CREATE TABLE parapheur_preparations (
	id             TEXT    PRIMARY KEY,
	dossier_id     TEXT    NOT NULL,
	utilisateur_id TEXT    NOT NULL,
	cree_le        INTEGER NOT NULL,
	donnees        TEXT    NOT NULL
);

CREATE INDEX parapheur_preparations_par_date ON parapheur_preparations (cree_le);
