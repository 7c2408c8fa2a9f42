package backuprepo

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"xdemat"
	"xdemat/central"
)

// DelaiManquee is how old the last successful backup may be before the
// commune is told a night was missed: a night and a half, so that a backup
// run late in the morning does not raise it.
const DelaiManquee = 36 * time.Hour

// Alerteur raises notifications: central.Store does (with the e-mails and
// SMS of each user's preferences).
type Alerteur interface {
	RaiseNotification(ctx context.Context, n *xdemat.Notification) error
}

// lienSauvegarde opens the backup screen of the app.
var lienSauvegarde = xdemat.Lien{Ecran: "sauvegarde"}

// AlerteQuota raises the notification of a commune whose backup space
// crossed 80 % (fraction 0.8) or 100 % (fraction ≥ 1) of its quota. Its ID
// is made of the commune, the threshold and the day: restic's retries of a
// refused upload raise it once a day, not once a request.
func AlerteQuota(ctx context.Context, a Alerteur, communeID string, fraction float64, utilise, quota int64, now time.Time) error {
	typ, titre, texte := xdemat.NotificationSauvegardeQuota80, "Espace de sauvegarde occupé à 80 %",
		fmt.Sprintf("La sauvegarde de la commune occupe %s sur %s. Au-delà, plus rien ne sera sauvegardé : retirez des dossiers de la sauvegarde ou demandez à la SPL d'agrandir l'espace.", xdemat.Octets(utilise), xdemat.Octets(quota))
	if fraction >= 1 {
		typ, titre, texte = xdemat.NotificationSauvegardeQuotaAtteint, "Espace de sauvegarde plein : plus rien n'est sauvegardé",
			fmt.Sprintf("La sauvegarde de la commune a atteint son espace de %s : les nouvelles sauvegardes sont refusées. Contactez la SPL pour agrandir l'espace.", xdemat.Octets(quota))
	}
	return a.RaiseNotification(ctx, alerte(communeID, typ, titre, texte, now, now.Format("2006-01-02")))
}

// AlertesManquees raises NotificationSauvegardeManquee for every commune that
// has backups but whose last successful one is older than DelaiManquee,
// once per gap: the ID is made of the last success (or of the first report,
// when none ever succeeded), so the next nights' checks change nothing and
// the next gap raises it again. It returns the communes alerted.
func AlertesManquees(ctx context.Context, a Alerteur, bilans []*central.BilanSauvegarde, now time.Time) ([]string, error) {
	var alertees []string
	for _, b := range bilans {
		if b.Premiere.IsZero() {
			continue // no backup ever: nothing was missed, the commune has no offer yet
		}
		depuis, cle := b.Premiere, "premiere "+b.Premiere.UTC().Format(time.RFC3339Nano)
		if b.DerniereReussie != nil {
			depuis, cle = b.DerniereReussie.Fin, "reussie "+b.DerniereReussie.ID
		}
		if now.Sub(depuis) < DelaiManquee {
			continue
		}
		texte := fmt.Sprintf("Aucune sauvegarde n'a réussi depuis le %s. Vérifiez que l'ordinateur de la mairie est allumé la nuit et relié à Internet, puis lancez une sauvegarde depuis l'écran Sauvegarde.", depuis.In(paris).Format("02/01/2006 à 15h04"))
		if b.DerniereReussie == nil {
			texte = "Aucune sauvegarde de la commune n'a encore réussi. Ouvrez l'écran Sauvegarde pour voir la raison de l'échec, ou contactez la SPL."
		}
		if err := a.RaiseNotification(ctx, alerte(b.Commune.ID, xdemat.NotificationSauvegardeManquee, "Pas de sauvegarde depuis plus d'une nuit", texte, now, cle)); err != nil {
			return alertees, err
		}
		alertees = append(alertees, b.Commune.ID)
	}
	return alertees, nil
}

// paris is the time zone of the dates shown to the communes.
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

func alerte(communeID, typ, titre, texte string, now time.Time, cle string) *xdemat.Notification {
	tn, _ := xdemat.TypeNotificationParCode(typ)
	return &xdemat.Notification{
		ID: uuidDe(communeID, typ, cle), CommuneID: communeID, Type: typ, Severite: tn.Severite,
		Titre: titre, Texte: texte, Objet: lienSauvegarde, CreeLe: now,
	}
}

// uuidDe returns a UUID (version 8, RFC 9562) determined by parts, so that
// raising the same alert again is a no-op (RaiseNotification is idempotent
// on the ID).
func uuidDe(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
