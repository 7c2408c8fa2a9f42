-- Users, preferences and notifications of the communes (Xpostit), and their
-- delivery by e-mail and SMS. Times are unix microseconds (UTC), NULL when unset.
-- Keep in step with central/postgres/migrations/0002_xpostit.sql.

CREATE TABLE utilisateurs (
	commune_id TEXT NOT NULL REFERENCES communes (id),
	id         TEXT NOT NULL,
	donnees    BLOB NOT NULL, -- JSON of xdemat.Utilisateur
	modifie_le BIGINT NOT NULL,
	PRIMARY KEY (commune_id, id)
);

CREATE TABLE preferences (
	commune_id     TEXT NOT NULL REFERENCES communes (id),
	utilisateur_id TEXT NOT NULL,
	donnees        BLOB NOT NULL, -- JSON of xdemat.Preferences
	modifie_le     BIGINT NOT NULL,
	PRIMARY KEY (commune_id, utilisateur_id)
);

CREATE TABLE notifications (
	commune_id   TEXT NOT NULL REFERENCES communes (id),
	id           TEXT NOT NULL,
	type         TEXT NOT NULL,
	severite     TEXT NOT NULL,
	titre        TEXT NOT NULL,
	texte        TEXT NOT NULL,
	objet        TEXT NOT NULL, -- deep link xdemat://ecran/id, '' for none
	destinataire TEXT NOT NULL, -- Utilisateur.ID, '' for everyone
	echeance     BIGINT,
	cree_le      BIGINT NOT NULL,
	lu_le        BIGINT,
	fait_le      BIGINT,
	PRIMARY KEY (commune_id, id)
);
CREATE INDEX notifications_cree_le ON notifications (commune_id, cree_le);

-- Deliveries to make: one row per notification, person and channel, so that
-- nothing is sent twice whatever the retries.
CREATE TABLE envois (
	id                    INTEGER PRIMARY KEY AUTOINCREMENT,
	commune_id            TEXT NOT NULL REFERENCES communes (id),
	notification_id       TEXT NOT NULL,
	utilisateur_id        TEXT NOT NULL,
	canal                 TEXT NOT NULL, -- 'email' | 'sms'
	adresse               TEXT NOT NULL,
	statut                TEXT NOT NULL, -- 'a_envoyer' | 'envoye' | 'livre' | 'echec'
	tentatives            BIGINT NOT NULL DEFAULT 0,
	prochain_essai        BIGINT NOT NULL,
	derniere_erreur       TEXT NOT NULL DEFAULT '',
	envoye_le             BIGINT,
	reference_fournisseur TEXT NOT NULL DEFAULT '',
	cree_le               BIGINT NOT NULL,
	UNIQUE (commune_id, notification_id, utilisateur_id, canal)
);
CREATE INDEX envois_dus ON envois (statut, prochain_essai);
CREATE INDEX envois_commune ON envois (commune_id, id);

-- The daily digest already sent (or decided) to a person on a given day.
CREATE TABLE resumes (
	commune_id     TEXT NOT NULL REFERENCES communes (id),
	utilisateur_id TEXT NOT NULL,
	jour           TEXT NOT NULL, -- 2026-03-14, in the digest's time zone
	envoye_le      BIGINT NOT NULL,
	PRIMARY KEY (commune_id, utilisateur_id, jour)
);
