-- Xpostit: the commune's users, their preferences and the notifications shown
-- in the "À faire" page. Times are INTEGER unix microseconds (UTC), like 0001.

-- The commune's users: the xdemat.Utilisateur as JSON (with its password
-- hash, never the password). nom is a sort key ("nom prénom", lower case,
-- without accents); modifie_le decides which version wins between postes.
CREATE TABLE utilisateurs (
	id         TEXT    PRIMARY KEY,
	nom        TEXT    NOT NULL,
	donnees    TEXT    NOT NULL,
	modifie_le INTEGER NOT NULL
);

CREATE INDEX utilisateurs_par_nom ON utilisateurs (nom, id);

-- One row per user who saved preferences: the xdemat.Preferences as JSON.
CREATE TABLE preferences (
	utilisateur_id TEXT    PRIMARY KEY,
	donnees        TEXT    NOT NULL,
	modifie_le     INTEGER NOT NULL
);

-- Notifications raised on this poste or relayed by central. A notification
-- never goes away; lu_le and fait_le keep the first date they were marked.
CREATE TABLE notifications (
	id           TEXT    PRIMARY KEY,
	commune_id   TEXT    NOT NULL DEFAULT '',
	type         TEXT    NOT NULL,
	service      TEXT    NOT NULL,
	severite     TEXT    NOT NULL,
	titre        TEXT    NOT NULL,
	texte        TEXT    NOT NULL DEFAULT '',
	objet_ecran  TEXT    NOT NULL DEFAULT '',
	objet_id     TEXT    NOT NULL DEFAULT '',
	destinataire TEXT    NOT NULL DEFAULT '', -- Utilisateur.ID; '' for everyone
	echeance     INTEGER, -- NULL: no deadline
	cree_le      INTEGER NOT NULL,
	lu_le        INTEGER,
	fait_le      INTEGER
);

-- The "À faire" page: what is not done yet, for someone, for one service.
CREATE INDEX notifications_a_faire ON notifications (destinataire, service) WHERE fait_le IS NULL;
CREATE INDEX notifications_par_service ON notifications (service, destinataire);
