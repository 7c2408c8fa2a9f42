-- Publication: what each commune puts online on its public pages (PUB-03…
-- PUB-09, CM-25, CM-26). Times are unix microseconds (UTC); a séance is its
-- civil date in Paris, 'YYYY-MM-DD'.
-- Keep in step with central/postgres/migrations/0008_publication.sql.

-- Each acte put online (xdemat.PublicationActe JSON). seance is the date of
-- decision of a délibération (the liste des délibérations examinées of that
-- séance is made of them, CM-26), '' for the other natures. retire_le NULL:
-- online for good.
CREATE TABLE publications (
	commune_id TEXT   NOT NULL REFERENCES communes (id),
	acte_id    TEXT  NOT NULL,
	seance     TEXT   NOT NULL DEFAULT '',
	publie_le  BIGINT NOT NULL,
	retire_le  BIGINT,
	donnees    BLOB   NOT NULL,
	PRIMARY KEY (commune_id, acte_id)
);
CREATE INDEX publications_publie_le ON publications (commune_id, publie_le);
CREATE INDEX publications_seance ON publications (commune_id, seance);

-- Procès-verbaux put online, for good (xdemat.ProcesVerbal JSON).
CREATE TABLE proces_verbaux (
	commune_id TEXT   NOT NULL REFERENCES communes (id),
	id         TEXT  NOT NULL,
	seance     TEXT  NOT NULL,
	publie_le  BIGINT NOT NULL,
	donnees    BLOB   NOT NULL,
	PRIMARY KEY (commune_id, id)
);
CREATE INDEX proces_verbaux_seance ON proces_verbaux (commune_id, seance);

-- The mode de publicité the council chose (xdemat.Publicite JSON); no row:
-- electronic publication (PUB-04).
CREATE TABLE publicites (
	commune_id TEXT   PRIMARY KEY REFERENCES communes (id),
	mode       TEXT  NOT NULL,
	modifie_le BIGINT NOT NULL,
	donnees    BLOB   NOT NULL
);

-- The reminder pass reads the actes changed in the last days: a
-- délibération decided at D was recorded, and last changed, after D.
CREATE INDEX actes_modifie_le ON actes (modifie_le);
