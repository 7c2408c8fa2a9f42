package admin

import (
	"strings"
	"time"

	"xdemat"
)

// RoleParNom reads a role as typed: "secretaire", "secrétaire", "Maire"…
func RoleParNom(s string) (xdemat.Role, error) {
	r := strings.NewReplacer("é", "e", "è", "e", "É", "e").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch r {
	case "secretaire", "secretaire de mairie":
		return xdemat.RoleSecretaire, nil
	case "maire":
		return xdemat.RoleMaire, nil
	case "adjoint", "adjoint au maire":
		return xdemat.RoleAdjoint, nil
	case "elu", "conseiller", "conseiller municipal":
		return xdemat.RoleElu, nil
	}
	return "", xdemat.Errorf(xdemat.EINVALID, "Rôle %q inconnu : choisissez secretaire, maire, adjoint ou elu.", s)
}

// NotificationSPL checks what the SPL sends to a commune (a message or an
// alert) and returns the notification to raise; echeance is AAAA-MM-JJ or "".
func NotificationSPL(communeID, typ, titre, texte, echeance string, now time.Time) (*xdemat.Notification, error) {
	if typ != xdemat.NotificationMessageSPL && typ != xdemat.NotificationAlerteSPL {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Type %q impossible depuis la SPL : choisissez spl.message ou spl.alerte.", typ)
	}
	tn, _ := xdemat.TypeNotificationParCode(typ)
	n := &xdemat.Notification{CommuneID: communeID, Type: typ, Severite: tn.Severite, Titre: strings.TrimSpace(titre),
		Texte: strings.TrimSpace(strings.ReplaceAll(texte, "\r\n", "\n")), CreeLe: now}
	if e := strings.TrimSpace(echeance); e != "" {
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			paris = time.Local
		}
		d, err := time.ParseInLocation("2006-01-02", e, paris)
		if err != nil {
			return nil, xdemat.Errorf(xdemat.EINVALID, "Échéance %q illisible : écrivez-la AAAA-MM-JJ, par exemple 2026-12-01.", e)
		}
		n.Echeance = d
	}
	return n, nil
}
