-- PES files imported from the accounting software's export folders and their
-- way to the DGFiP (Hélios): one row per xdemat.TransmissionPES (JSON).
-- cle is NomFic and CodCol: Hélios refuses the same pair twice, so do we.
CREATE TABLE helios_transmissions (
	id         TEXT    PRIMARY KEY,
	dossier_id TEXT    NOT NULL UNIQUE,
	cle        TEXT    NOT NULL UNIQUE,
	statut     TEXT    NOT NULL,
	importe_le INTEGER NOT NULL,
	donnees    TEXT    NOT NULL
);
CREATE INDEX helios_transmissions_statut ON helios_transmissions (statut);
