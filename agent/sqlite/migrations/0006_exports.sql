-- Export folders of the accounting software watched on this poste (Hélios):
-- one row, agent.ConfigExports as JSON.
CREATE TABLE exports_reglages (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	donnees TEXT    NOT NULL
);
