-- Xactes: the commune's answers to the préfecture's letters and the
-- préfecture's classification. Times are INTEGER unix microseconds (UTC).

-- Each answer as xdemat.ReponsePrefecture JSON; etat is what central said
-- last (demandee, transmise, acquittee, refusee). One answer per letter
-- unless the previous one was refused.
CREATE TABLE actes_reponses (
	id         TEXT    PRIMARY KEY,
	acte_id    TEXT    NOT NULL,
	message_id TEXT    NOT NULL,
	etat       TEXT    NOT NULL,
	le         INTEGER NOT NULL,
	donnees    TEXT    NOT NULL
);

CREATE INDEX actes_reponses_par_message ON actes_reponses (message_id, etat);
CREATE INDEX actes_reponses_par_acte ON actes_reponses (acte_id, le);

-- The préfecture's classification relayed by central (one row: the newest
-- version received), as xdemat.ClassificationPrefecture JSON.
CREATE TABLE actes_classification (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	date_version INTEGER NOT NULL,
	recue_le     INTEGER NOT NULL,
	donnees      TEXT    NOT NULL
);
