-- Xfluco (Hélios): the signed PES the postes hand over, their sending to the
-- DGFiP and its answers. Times are unix microseconds (UTC).
-- Keep in step with central/sqlite/migrations/0007_helios.sql.

-- One row per xdemat.TransmissionPES (JSON in donnees). envoi follows the
-- sending: 'a_envoyer' (recorded), 'intention' (transport name chosen and
-- recorded BEFORE the upload: after a crash it is uploaded again under the
-- same name, which the DGFiP's transport takes as the same file), 'envoye',
-- 'repondu' (acquit or non-acquit applied).
CREATE TABLE helios_transmissions (
	commune_id      TEXT   NOT NULL REFERENCES communes (id),
	id              TEXT   NOT NULL,
	cle             TEXT   NOT NULL, -- CodCol/NomFic: Hélios takes each pair once
	dossier_id      TEXT   NOT NULL,
	nom_fic         TEXT   NOT NULL,
	statut          TEXT   NOT NULL, -- xdemat.StatutHelios
	envoi           TEXT   NOT NULL,
	nom_transport   TEXT,
	tentatives      BIGINT NOT NULL DEFAULT 0,
	prochain_essai  BIGINT NOT NULL DEFAULT 0,
	derniere_erreur TEXT   NOT NULL DEFAULT '',
	modifie_le      BIGINT NOT NULL,
	donnees         BYTEA   NOT NULL,
	PRIMARY KEY (commune_id, id)
);
CREATE UNIQUE INDEX helios_transmissions_cle ON helios_transmissions (commune_id, cle);
CREATE UNIQUE INDEX helios_transmissions_nom ON helios_transmissions (nom_transport);
CREATE INDEX helios_transmissions_envoi ON helios_transmissions (envoi, prochain_essai);
CREATE INDEX helios_transmissions_nom_fic ON helios_transmissions (nom_fic);

-- The transport's daily series per SIRET (PESALR2_<siret>_<aammjj>_<nnn>):
-- a number is never given twice, even after a crash.
CREATE TABLE helios_series (
	serie    TEXT   PRIMARY KEY,
	derniere BIGINT NOT NULL
);
