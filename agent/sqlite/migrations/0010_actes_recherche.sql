-- Full-text search of the actes (SQLite FTS5).
--
-- One row of actes_recherche per acte, kept in step with the table actes by
-- the triggers below: whoever writes the acte (this poste, or the inbox
-- applying an acte created on another poste or its new status), the index
-- follows in the same transaction. The text of the PDFs (main document and
-- annexes) is added later by the agent's indexing pass, once the documents
-- are on this poste: those of another poste arrive after the acte.
--
-- unicode61 remove_diacritics 2: "deliberation" finds "délibération".
-- prefix: the search runs as the secretary types ("voir" finds "voirie");
-- indexes of 2 to 4 characters make those prefix queries cheap.

-- The list without search text, newest decision first, walks this index
-- instead of sorting the whole history at every page.
CREATE INDEX actes_par_date ON actes (date_decision DESC, numero DESC);

-- Labels of the matières of the préfecture's classification, by code
-- ("7.1" → "Finances locales > Décisions budgétaires"), filled when the
-- classification reaches the poste (Store.EnregistrerLibellesMatieres).
CREATE TABLE actes_matieres (
	code    TEXT PRIMARY KEY,
	libelle TEXT NOT NULL
);

-- The stable rowid of each acte's row in actes_recherche (the rowid of
-- actes itself may change with VACUUM), and the documents whose text is
-- in the index: voulues, kept by the triggers, lists the SHA-256 of the
-- acte's documents; indexees, written by the indexing pass, those whose
-- text it read. They differ while some text is still to read.
CREATE TABLE actes_recherche_lignes (
	rang     INTEGER PRIMARY KEY,
	acte_id  TEXT    NOT NULL UNIQUE,
	voulues  TEXT    NOT NULL DEFAULT '',
	indexees TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX actes_recherche_a_lire ON actes_recherche_lignes (rang) WHERE voulues <> indexees;

-- filtres holds the filters of the list as words ("nature3 annee2026
-- statutacquitte"), so that a filtered search stays within the index
-- instead of reading every matching acte to filter it.
CREATE VIRTUAL TABLE actes_recherche USING fts5(
	numero, objet, matiere, nature, texte, filtres,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);

-- bm25 weights: a hit in the numéro or the objet counts more than one in
-- the body of the PDFs.
INSERT INTO actes_recherche (actes_recherche, rank) VALUES ('rank', 'bm25(10.0, 4.0, 2.0, 1.0, 1.0, 0.0)');

-- The nature labels are those of xdemat.NatureActe.Libelle (a test checks
-- that they agree).
CREATE TRIGGER actes_recherche_ajout AFTER INSERT ON actes BEGIN
	INSERT INTO actes_recherche_lignes (acte_id, voulues) VALUES (NEW.id,
		COALESCE(json_extract(NEW.donnees, '$.documentPrincipal.sha256'), '') ||
		COALESCE((SELECT group_concat(',' || json_extract(value, '$.sha256'), '') FROM json_each(NEW.donnees, '$.annexes')), ''));
	INSERT INTO actes_recherche (rowid, numero, objet, matiere, nature, texte, filtres) VALUES (
		(SELECT rang FROM actes_recherche_lignes WHERE acte_id = NEW.id),
		NEW.numero,
		COALESCE(json_extract(NEW.donnees, '$.objet'), ''),
		COALESCE(json_extract(NEW.donnees, '$.classification'), '') || ' ' ||
			COALESCE((SELECT libelle FROM actes_matieres WHERE code = json_extract(NEW.donnees, '$.classification')), ''),
		CASE NEW.nature WHEN 1 THEN 'Délibération' WHEN 2 THEN 'Acte réglementaire' WHEN 3 THEN 'Acte individuel'
			WHEN 4 THEN 'Contrat, convention ou avenant' WHEN 5 THEN 'Document budgétaire ou financier' WHEN 6 THEN 'Autre acte' ELSE '' END,
		'', 'nature' || NEW.nature || ' annee' || NEW.annee || ' statut' || replace(NEW.statut, '_', ''));
END;

-- A new objet, numéro, nature, matière, year or status.
CREATE TRIGGER actes_recherche_modification AFTER UPDATE OF numero, nature, annee, statut, donnees ON actes
WHEN NEW.numero IS NOT OLD.numero OR NEW.nature IS NOT OLD.nature OR NEW.annee IS NOT OLD.annee OR NEW.statut IS NOT OLD.statut
	OR json_extract(NEW.donnees, '$.objet') IS NOT json_extract(OLD.donnees, '$.objet')
	OR json_extract(NEW.donnees, '$.classification') IS NOT json_extract(OLD.donnees, '$.classification')
BEGIN
	UPDATE actes_recherche SET
		numero = NEW.numero,
		objet = COALESCE(json_extract(NEW.donnees, '$.objet'), ''),
		matiere = COALESCE(json_extract(NEW.donnees, '$.classification'), '') || ' ' ||
			COALESCE((SELECT libelle FROM actes_matieres WHERE code = json_extract(NEW.donnees, '$.classification')), ''),
		nature = CASE NEW.nature WHEN 1 THEN 'Délibération' WHEN 2 THEN 'Acte réglementaire' WHEN 3 THEN 'Acte individuel'
			WHEN 4 THEN 'Contrat, convention ou avenant' WHEN 5 THEN 'Document budgétaire ou financier' WHEN 6 THEN 'Autre acte' ELSE '' END,
		filtres = 'nature' || NEW.nature || ' annee' || NEW.annee || ' statut' || replace(NEW.statut, '_', '')
	WHERE rowid = (SELECT rang FROM actes_recherche_lignes WHERE acte_id = NEW.id);
END;

-- New documents (the signed PDF replaces the one deposited, an annexe
-- added): their text is to be read again.
CREATE TRIGGER actes_recherche_documents AFTER UPDATE OF donnees ON actes BEGIN
	UPDATE actes_recherche_lignes SET voulues =
		COALESCE(json_extract(NEW.donnees, '$.documentPrincipal.sha256'), '') ||
		COALESCE((SELECT group_concat(',' || json_extract(value, '$.sha256'), '') FROM json_each(NEW.donnees, '$.annexes')), '')
	WHERE acte_id = NEW.id;
END;

CREATE TRIGGER actes_recherche_suppression AFTER DELETE ON actes BEGIN
	DELETE FROM actes_recherche WHERE rowid = (SELECT rang FROM actes_recherche_lignes WHERE acte_id = OLD.id);
	DELETE FROM actes_recherche_lignes WHERE acte_id = OLD.id;
END;

-- The actes recorded before this version.
INSERT INTO actes_recherche_lignes (acte_id, voulues)
	SELECT id, COALESCE(json_extract(donnees, '$.documentPrincipal.sha256'), '') ||
		COALESCE((SELECT group_concat(',' || json_extract(value, '$.sha256'), '') FROM json_each(donnees, '$.annexes')), '')
	FROM actes ORDER BY date_decision;
INSERT INTO actes_recherche (rowid, numero, objet, matiere, nature, texte, filtres)
	SELECT l.rang, a.numero, COALESCE(json_extract(a.donnees, '$.objet'), ''),
		COALESCE(json_extract(a.donnees, '$.classification'), '') || ' ',
		CASE a.nature WHEN 1 THEN 'Délibération' WHEN 2 THEN 'Acte réglementaire' WHEN 3 THEN 'Acte individuel'
			WHEN 4 THEN 'Contrat, convention ou avenant' WHEN 5 THEN 'Document budgétaire ou financier' WHEN 6 THEN 'Autre acte' ELSE '' END,
		'', 'nature' || a.nature || ' annee' || a.annee || ' statut' || replace(a.statut, '_', '')
	FROM actes a JOIN actes_recherche_lignes l ON l.acte_id = a.id;
