-- Publication: what this commune asked to put online, with central's dates
-- once its events come back. Times are INTEGER unix microseconds (UTC).

-- Each acte put online, as xdemat.PublicationActe JSON. retire_le NULL:
-- online.
CREATE TABLE publications (
	acte_id   TEXT    PRIMARY KEY,
	publie_le INTEGER NOT NULL,
	retire_le INTEGER,
	donnees   TEXT    NOT NULL
);

-- Procès-verbaux published, as xdemat.ProcesVerbal JSON; seance is the
-- civil date in Paris, 'YYYY-MM-DD'.
CREATE TABLE proces_verbaux (
	id        TEXT    PRIMARY KEY,
	seance    TEXT    NOT NULL,
	publie_le INTEGER NOT NULL,
	donnees   TEXT    NOT NULL
);
CREATE INDEX proces_verbaux_par_seance ON proces_verbaux (seance);

-- The mode de publicité of the commune (one row), as xdemat.Publicite JSON;
-- no row: electronic publication (PUB-04).
CREATE TABLE publicite (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	donnees TEXT    NOT NULL
);
