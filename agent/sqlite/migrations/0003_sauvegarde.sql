-- Nightly backup (restic): the settings of this poste and the history of runs.

-- One row: agent.ConfigSauvegarde as JSON.
CREATE TABLE sauvegarde_reglages (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	donnees TEXT    NOT NULL
);

-- Each run (backup or restore drill): xdemat.Sauvegarde as JSON.
CREATE TABLE sauvegardes (
	id      TEXT    PRIMARY KEY,
	type    TEXT    NOT NULL,
	statut  TEXT    NOT NULL,
	debut   INTEGER NOT NULL,
	donnees TEXT    NOT NULL
);

CREATE INDEX sauvegardes_par_date ON sauvegardes (debut);
