-- Signature certificates the app saw on the élus' tokens (public data only),
-- so that the agent warns before they expire, token plugged in or not.
CREATE TABLE certificats (
	sha256         TEXT    PRIMARY KEY,
	utilisateur_id TEXT    NOT NULL,
	not_after      INTEGER NOT NULL, -- µs since epoch
	donnees        TEXT    NOT NULL  -- xdemat.CertificatSignature as JSON
);
