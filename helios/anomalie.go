package helios

// CodeAnomalie is NumAnoAck, the DGFiP's code for why an element was refused
// (CommunAck.xsd). LibelleAnoAck then carries Hélios' own numbered text.
type CodeAnomalie string

const (
	AnomalieConnexionBase                CodeAnomalie = "ERREUR_CONNECTION_IMPOSSIBLE_A_LA_BASE"
	AnomalieEncodage                     CodeAnomalie = "ERREUR_ENCODING"
	AnomalieFluxVide                     CodeAnomalie = "ERREUR_FLUX_VIDE"
	AnomalieSchemaIncomplet              CodeAnomalie = "ERREUR_SCHEMA_INCOMPLET"
	AnomalieCodification                 CodeAnomalie = "ERREUR_CODIFICATION"
	AnomalieCodique                      CodeAnomalie = "ERREUR_CODIQUE"
	AnomalieSiret                        CodeAnomalie = "ERREUR_SIRET"
	AnomalieCodeCollectiviteBudget       CodeAnomalie = "ERREUR_CODE_COLLECTIVITE_BUDGET"
	AnomalieVersionPES                   CodeAnomalie = "ERREUR_VERSION_PES"
	AnomalieVersionPJ                    CodeAnomalie = "ERREUR_VERSION_PJ"
	AnomalieSignatureInvalide            CodeAnomalie = "ERREUR_SIGNATURE_INVALIDE"
	AnomalieSignatureIllisible           CodeAnomalie = "ERREUR_SIGNATURE_ILLISIBLE"
	AnomalieSignatureIncomplete          CodeAnomalie = "ERREUR_SIGNATURE_INCOMPLETE"
	AnomalieDoublonBordereau             CodeAnomalie = "ERREUR_DOUBLON_BORDEREAU"
	AnomalieDoublonPiece                 CodeAnomalie = "ERREUR_DOUBLON_PIECE"
	AnomalieDoublonLigne                 CodeAnomalie = "ERREUR_DOUBLON_LIGNE"
	AnomalieDoublonPJ                    CodeAnomalie = "ERREUR_DOUBLON_PJ"
	AnomaliePESParam                     CodeAnomalie = "ERREUR_PES_PARAM"
	AnomaliePESSignature                 CodeAnomalie = "ERREUR_PES_SIGNATURE"
	AnomaliePESParamSignature            CodeAnomalie = "ERREUR_PES_PARAM_SIGNATURE"
	AnomalieCertificat                   CodeAnomalie = "ERREUR_CERTIFICAT"
	AnomalieTimeout                      CodeAnomalie = "ERREUR_TIMEOUT"
	AnomalieTailleBordereaux             CodeAnomalie = "ERREUR_TAILLE_BORDEREAUX"
	AnomalieTaillePiece                  CodeAnomalie = "ERREUR_TAILLE_PIECE"
	AnomalieTailleLigne                  CodeAnomalie = "ERREUR_TAILLE_LIGNE"
	AnomaliePJSignee                     CodeAnomalie = "ERREUR_PJ_SIGNEE"
	AnomalieSignatureExterne             CodeAnomalie = "ERREUR_SIGNATURE_EXTERNE"
	AnomalieAutre                        CodeAnomalie = "ERREUR_AUTRE"
	AnomalieSignatureBordereauInvalide   CodeAnomalie = "ERREUR_SIGNATURE_BORDEREAU_INVALIDE"
	AnomalieMontantTVA                   CodeAnomalie = "ERREUR_MONTANT_TVA_ZERO_NEGATIF"
	AnomaliePJ                           CodeAnomalie = "ERREUR_PJ"
	AnomalieCumulMontants                CodeAnomalie = "ERREUR_CUMUL_MONTANTS"
	AnomalieSignatureBordereauIllisible  CodeAnomalie = "ERREUR_SIGNATURE_BORDEREAU_ILLISIBLE"
	AnomalieSignatureBordereauIncomplete CodeAnomalie = "ERREUR_SIGNATURE_BORDEREAU_INCOMPLETE"
)

// conseilResigner is shared by the signature anomalies: the fix is always a
// new signature in the parapheur, never an edit of the file.
const conseilResigner = " Ne modifiez pas le fichier : faites signer de nouveau le bordereau dans le parapheur, puis renvoyez-le."

// explications tells, for each code, what happened and what the secrétaire
// should do. The wording follows the schema's code names; the DGFiP's own
// guide to each LibelleAnoAck number is not public.
var explications = map[CodeAnomalie]string{
	AnomalieConnexionBase:                "Hélios n'a pas pu traiter le fichier à cause d'un incident technique à la DGFiP. Rien à corriger : renvoyez le même fichier plus tard ; si cela se répète, appelez la Trésorerie.",
	AnomalieEncodage:                     "Le fichier n'est pas dans l'encodage qu'il annonce. Réexportez le flux depuis le logiciel de comptabilité sans l'ouvrir ni le modifier, puis renvoyez-le.",
	AnomalieFluxVide:                     "Le fichier reçu par Hélios était vide. Réexportez le flux depuis le logiciel de comptabilité et renvoyez-le.",
	AnomalieSchemaIncomplet:              "Le fichier ne respecte pas le format PES (une information obligatoire manque ou est mal placée). Réexportez-le ; si l'erreur revient, signalez-la à l'éditeur du logiciel de comptabilité.",
	AnomalieCodification:                 "Une valeur codée n'est pas admise par Hélios (nature, fonction, type de pièce…). Corrigez la saisie dans le logiciel de comptabilité, puis réémettez le bordereau.",
	AnomalieCodique:                      "Le code du poste comptable (IdPost) est inconnu d'Hélios. Vérifiez le codique de votre Trésorerie dans le paramétrage du logiciel de comptabilité.",
	AnomalieSiret:                        "Le SIRET de la collectivité n'est pas reconnu par Hélios. Vérifiez le SIRET dans le paramétrage du logiciel de comptabilité.",
	AnomalieCodeCollectiviteBudget:       "Le code collectivité ou le code budget ne correspond pas à ce que la Trésorerie connaît. Vérifiez-les avec la Trésorerie, puis dans le paramétrage du logiciel de comptabilité.",
	AnomalieVersionPES:                   "Cette version du format PES n'est pas acceptée par Hélios. Mettez à jour le logiciel de comptabilité ou signalez-le à son éditeur.",
	AnomalieVersionPJ:                    "Cette version du bloc des pièces justificatives n'est pas acceptée par Hélios. Signalez-le à l'éditeur du logiciel de comptabilité.",
	AnomalieSignatureInvalide:            "La signature du fichier n'est pas valide (fichier modifié après la signature, ou signature refusée)." + conseilResigner,
	AnomalieSignatureIllisible:           "Hélios n'a pas pu lire la signature du fichier." + conseilResigner,
	AnomalieSignatureIncomplete:          "La signature du fichier est incomplète (certificat ou informations de signature manquants)." + conseilResigner,
	AnomalieDoublonBordereau:             "Hélios a déjà reçu un bordereau avec ce numéro pour cet exercice. Vérifiez s'il a déjà été pris en charge ; sinon, renumérotez-le dans le logiciel de comptabilité et réémettez-le.",
	AnomalieDoublonPiece:                 "Hélios a déjà reçu un mandat ou un titre avec ce numéro pour cet exercice. Vérifiez s'il a déjà été pris en charge ; sinon, corrigez la numérotation dans le logiciel de comptabilité.",
	AnomalieDoublonLigne:                 "Une ligne de pièce porte un numéro déjà reçu par Hélios. Corrigez la pièce dans le logiciel de comptabilité, puis réémettez le bordereau.",
	AnomalieDoublonPJ:                    "Cette pièce justificative (même identifiant unique) a déjà été intégrée dans Hélios. Si c'est la même, il n'y a rien à renvoyer ; sinon, réexportez-la depuis le logiciel de comptabilité pour qu'elle reçoive un nouvel identifiant.",
	AnomaliePESParam:                     "Le paramétrage de la collectivité dans Hélios ne permet pas de recevoir ce flux. Appelez la Trésorerie.",
	AnomaliePESSignature:                 "Le flux devait être signé électroniquement et sa signature manque ou ne convient pas." + conseilResigner,
	AnomaliePESParamSignature:            "Le paramétrage de la signature électronique de la collectivité dans Hélios ne correspond pas à ce flux (signataire non déclaré, dématérialisation non activée). Appelez la Trésorerie pour qu'elle vérifie la déclaration du signataire.",
	AnomalieCertificat:                   "Le certificat du signataire est refusé (expiré, révoqué ou non reconnu par la DGFiP). Vérifiez la clé dans « Ma clé de signature », puis faites signer de nouveau avec un certificat valide.",
	AnomalieTimeout:                      "Hélios a abandonné le traitement du fichier (délai dépassé). Rien à corriger : renvoyez le même fichier plus tard.",
	AnomalieTailleBordereaux:             "Le fichier ou un bordereau est trop volumineux pour Hélios. Découpez l'envoi en plusieurs bordereaux dans le logiciel de comptabilité.",
	AnomalieTaillePiece:                  "Une pièce est trop volumineuse pour Hélios (trop de lignes ou pièces jointes trop lourdes). Découpez-la dans le logiciel de comptabilité, puis réémettez le bordereau.",
	AnomalieTailleLigne:                  "Une ligne de pièce est trop volumineuse pour Hélios. Corrigez-la dans le logiciel de comptabilité, puis réémettez le bordereau.",
	AnomaliePJSignee:                     "Une pièce justificative porte une signature qu'Hélios n'accepte pas à cet endroit. Joignez la pièce sans signature et faites signer le bordereau dans le parapheur.",
	AnomalieSignatureExterne:             "La signature est séparée du fichier, alors qu'Hélios attend une signature intégrée au bordereau." + conseilResigner,
	AnomalieAutre:                        "Hélios signale une anomalie décrite par le libellé de la DGFiP. Corrigez-la dans le logiciel de comptabilité, puis réémettez le bordereau ; en cas de doute, appelez la Trésorerie.",
	AnomalieSignatureBordereauInvalide:   "La signature de ce bordereau n'est pas valide (bordereau modifié après la signature, ou signature refusée)." + conseilResigner,
	AnomalieMontantTVA:                   "Un montant de TVA est nul ou négatif là où Hélios l'interdit. Corrigez la pièce dans le logiciel de comptabilité, puis réémettez le bordereau.",
	AnomaliePJ:                           "Une pièce justificative est refusée (format, taille ou nom de fichier). Vérifiez la pièce jointe dans le logiciel de comptabilité, puis réémettez le bordereau.",
	AnomalieCumulMontants:                "Les montants cumulés du bordereau ne correspondent pas à la somme de ses pièces. Corrigez le bordereau dans le logiciel de comptabilité, puis réémettez-le.",
	AnomalieSignatureBordereauIllisible:  "Hélios n'a pas pu lire la signature de ce bordereau." + conseilResigner,
	AnomalieSignatureBordereauIncomplete: "La signature de ce bordereau est absente ou incomplète." + conseilResigner,
}

// Connu says whether the schema defines c.
func (c CodeAnomalie) Connu() bool {
	_, ok := explications[c]
	return ok
}

// Explication says in French what happened and what to do.
func (c CodeAnomalie) Explication() string {
	if e, ok := explications[c]; ok {
		return e
	}
	if c == "" {
		return "Hélios a refusé cet élément sans donner de code d'anomalie. Lisez le libellé de la DGFiP s'il y en a un ; sinon, appelez la Trésorerie."
	}
	return "Hélios a refusé cet élément avec un code d'anomalie inconnu de xdemat (« " + string(c) + " »). Lisez le libellé de la DGFiP ; en cas de doute, appelez la Trésorerie et prévenez le support de la SPL."
}

// Renvoyable says whether sending the very same file again may succeed (a
// fault at the DGFiP), as opposed to a file that must be corrected or signed
// again.
func (c CodeAnomalie) Renvoyable() bool {
	return c == AnomalieConnexionBase || c == AnomalieTimeout
}

// Signature says whether the fix is a new signature in the parapheur.
func (c CodeAnomalie) Signature() bool {
	switch c {
	case AnomalieSignatureInvalide, AnomalieSignatureIllisible, AnomalieSignatureIncomplete,
		AnomaliePESSignature, AnomalieCertificat, AnomalieSignatureExterne,
		AnomalieSignatureBordereauInvalide, AnomalieSignatureBordereauIllisible, AnomalieSignatureBordereauIncomplete:
		return true
	}
	return false
}
