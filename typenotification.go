package xdemat

// TypeNotification describes a kind of notification: the service that raises
// it, its French label (shown in the preferences), its default severity, and
// whether it is critical. A critical type cannot be muted: it is always shown
// in the app and always sent by e-mail to whoever has an address.
type TypeNotification struct {
	Code     string   `json:"code"`
	Service  string   `json:"service"`
	Libelle  string   `json:"libelle"`
	Severite Severite `json:"severite"`
	Critique bool     `json:"critique"`
}

// Services that raise notifications, as the "À faire" filters show them.
const (
	ServicePlateforme = "plateforme"
	ServiceSPL        = "spl"
	ServiceSauvegarde = "sauvegarde"
	ServiceParapheur  = "parapheur"
	ServiceActes      = "actes"
	ServiceHelios     = "helios"
)

// LibelleService returns the French name of a service for filters and menus.
func LibelleService(s string) string {
	switch s {
	case ServicePlateforme:
		return "Poste et synchronisation"
	case ServiceSPL:
		return "Messages de la SPL"
	case ServiceSauvegarde:
		return "Sauvegarde"
	case ServiceParapheur:
		return "Parapheur"
	case ServiceHelios:
		return "Comptabilité (Hélios)"
	case ServiceActes:
		return "Actes transmis à la préfecture"
	}
	return s
}

// Notification types raised today. Later services add theirs here (one line
// each), so that preferences list every type a user may receive.
const (
	NotificationPosteEnrole  = "poste.enrole"
	NotificationPosteRevoque = "poste.revoque"
	NotificationHorsLigne    = "synchro.hors_ligne"
	NotificationEnvoiRefuse  = "synchro.envoi_refuse"
	NotificationMessageSPL   = "spl.message"
	NotificationAlerteSPL    = "spl.alerte"

	NotificationSauvegardeEchec        = "sauvegarde.echec"
	NotificationSauvegardeManquee      = "sauvegarde.nuit_manquee"
	NotificationSauvegardeQuota80      = "sauvegarde.quota_80"
	NotificationSauvegardeQuotaAtteint = "sauvegarde.quota_atteint"
	NotificationSauvegardeExercice     = "sauvegarde.exercice_echec"

	NotificationCertificatExpiration = "parapheur.certificat_expiration"

	NotificationParapheurASigner = "parapheur.a_signer"
	NotificationParapheurAViser  = "parapheur.a_viser"
	NotificationParapheurRefuse  = "parapheur.dossier_refuse"
	NotificationParapheurTermine = "parapheur.dossier_termine"
	NotificationParapheurConflit = "parapheur.conflit"

	NotificationActeAcquitte = "actes.acquitte"
	NotificationActeErreur   = "actes.erreur"
	NotificationActeMessage  = "actes.message"
	NotificationActeDefere   = "actes.defere"
	// NotificationPublicationSeance: the liste des délibérations or the PV
	// of a séance is not online two days before the one-week deadline (CM-25, CM-26).
	NotificationPublicationSeance = "actes.publication_seance"

	NotificationHeliosAcquitte = "helios.acquitte"
	NotificationHeliosRefuse   = "helios.refuse"
	// NotificationHeliosPieceRejetee: a PES_Retour rejected a mandat or titre.
	NotificationHeliosPieceRejetee = "helios.piece_rejetee"
)

var typesNotification = []TypeNotification{
	{NotificationPosteEnrole, ServicePlateforme, "Un nouveau poste a été relié à la commune", SeveriteAttention, false},
	{NotificationPosteRevoque, ServicePlateforme, "Un poste de la commune a été révoqué", SeveriteCritique, true},
	{NotificationHorsLigne, ServicePlateforme, "Le poste ne joint plus la SPL depuis longtemps", SeveriteUrgent, false},
	{NotificationEnvoiRefuse, ServicePlateforme, "Un envoi a été refusé par la SPL", SeveriteUrgent, false},
	{NotificationMessageSPL, ServiceSPL, "Message de la SPL", SeveriteInfo, false},
	{NotificationAlerteSPL, ServiceSPL, "Alerte de sécurité de la SPL", SeveriteCritique, true},
	{NotificationSauvegardeEchec, ServiceSauvegarde, "La sauvegarde de la nuit a échoué", SeveriteUrgent, false},
	{NotificationSauvegardeManquee, ServiceSauvegarde, "Aucune sauvegarde depuis plus d'une nuit", SeveriteUrgent, false},
	{NotificationSauvegardeQuota80, ServiceSauvegarde, "L'espace de sauvegarde est occupé à 80 %", SeveriteAttention, false},
	{NotificationSauvegardeQuotaAtteint, ServiceSauvegarde, "L'espace de sauvegarde est plein : plus rien n'est sauvegardé", SeveriteCritique, true},
	{NotificationSauvegardeExercice, ServiceSauvegarde, "L'essai mensuel de restauration a échoué", SeveriteCritique, true},
	{NotificationCertificatExpiration, ServiceParapheur, "Le certificat de ma clé de signature arrive à expiration", SeveriteAttention, false},
	{NotificationParapheurASigner, ServiceParapheur, "Document à signer", SeveriteAttention, false},
	{NotificationParapheurAViser, ServiceParapheur, "Document à viser", SeveriteAttention, false},
	{NotificationParapheurRefuse, ServiceParapheur, "Un document que vous avez déposé a été refusé", SeveriteUrgent, false},
	{NotificationParapheurTermine, ServiceParapheur, "Un document que vous avez déposé est signé ou visé", SeveriteInfo, false},
	{NotificationParapheurConflit, ServiceParapheur, "Une action du parapheur n'a pas été prise en compte", SeveriteUrgent, false},
	{NotificationActeAcquitte, ServiceActes, "Un acte a été reçu par la préfecture (accusé de réception)", SeveriteInfo, false},
	{NotificationActeErreur, ServiceActes, "Un acte a été refusé par la préfecture", SeveriteUrgent, false},
	{NotificationActeMessage, ServiceActes, "Message de la préfecture sur un acte", SeveriteAttention, false},
	{NotificationActeDefere, ServiceActes, "Un acte a été déféré au tribunal administratif", SeveriteCritique, true},
	{NotificationPublicationSeance, ServiceActes, "Liste des délibérations ou procès-verbal d'une séance pas encore en ligne", SeveriteUrgent, false},
	{NotificationHeliosAcquitte, ServiceHelios, "Un PES a été accepté par la trésorerie (acquit)", SeveriteInfo, false},
	{NotificationHeliosRefuse, ServiceHelios, "Un PES ou un bordereau a été refusé par la trésorerie", SeveriteUrgent, false},
	{NotificationHeliosPieceRejetee, ServiceHelios, "Un mandat ou un titre a été rejeté par la trésorerie", SeveriteUrgent, false},
}

// TypesNotification returns every known type, in the order preferences list them.
func TypesNotification() []TypeNotification {
	return append([]TypeNotification(nil), typesNotification...)
}

// TypeNotificationParCode returns the type with that code.
func TypeNotificationParCode(code string) (TypeNotification, bool) {
	for _, t := range typesNotification {
		if t.Code == code {
			return t, true
		}
	}
	return TypeNotification{}, false
}

// EstCritique reports whether notifications of that code cannot be muted.
func EstCritique(code string) bool {
	t, ok := TypeNotificationParCode(code)
	return ok && t.Critique
}
