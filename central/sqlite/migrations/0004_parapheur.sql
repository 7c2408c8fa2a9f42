-- The parapheur (Xparaph) of the communes: central's copy of each dossier,
-- the authority between postes (an action applies to it in order of
-- arrival; one that no longer applies is refused, see sqlstore/parapheur.go),
-- and the élus' delegations. Times are unix microseconds (UTC).
-- Keep in step with central/postgres/migrations/0004_parapheur.sql.

CREATE TABLE parapheur_dossiers (
	commune_id TEXT NOT NULL REFERENCES communes (id),
	id         TEXT NOT NULL,
	etat       TEXT NOT NULL, -- xdemat.EtatDossier
	version    BIGINT NOT NULL, -- actions applied, 1 after the deposit
	depose_par TEXT NOT NULL,
	depose_le  BIGINT NOT NULL,
	modifie_le BIGINT NOT NULL,
	donnees    BLOB NOT NULL, -- JSON of xdemat.DossierParapheur (circuit and history)
	PRIMARY KEY (commune_id, id)
);
CREATE INDEX parapheur_dossiers_etat ON parapheur_dossiers (commune_id, etat, modifie_le);

CREATE TABLE parapheur_delegations (
	commune_id TEXT NOT NULL REFERENCES communes (id),
	id         TEXT NOT NULL,
	modifie_le BIGINT NOT NULL,
	donnees    BLOB NOT NULL, -- JSON of xdemat.Delegation
	PRIMARY KEY (commune_id, id)
);
