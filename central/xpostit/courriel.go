package xpostit

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"xdemat"
	"xdemat/central"
	"xdemat/central/mail"
	"xdemat/central/sms"
)

// Sujet returns the subject of a notification's e-mail.
func Sujet(titre, commune string) string {
	return "[xdemat] " + titre + " — " + commune
}

// piedDePage ends every e-mail: why it came, and how to choose.
const piedDePage = "Ce message vous est envoyé automatiquement par xdemat, la plateforme de la SPL. " +
	"Pour choisir ce que vous recevez par courriel ou par SMS, ouvrez xdemat, menu Paramètres, Notifications. " +
	"Ne répondez pas à ce message."

// ligne is a notification as a message shows it.
type ligne struct {
	Titre, Texte, Echeance, Gravite, Lien string
	EnRetard                              bool
}

func (d *Dispatcher) ligne(n *xdemat.Notification, now time.Time) ligne {
	l := ligne{Titre: n.Titre, Texte: n.Texte, Gravite: n.Severite.Libelle(), Lien: d.Lien(n.ID), EnRetard: n.EnRetard(now)}
	if !n.Echeance.IsZero() {
		l.Echeance = n.Echeance.In(d.Fuseau).Format("02/01/2006 à 15:04")
		l.Echeance = strings.TrimSuffix(l.Echeance, " à 00:00")
	}
	return l
}

var pageCourriel = template.Must(template.New("courriel").Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{.Sujet}}</title></head>
<body style="font-family: Arial, sans-serif; color: #1e1e1e; max-width: 40em">
{{- if .Lignes}}
<p>Bonjour,</p>
<p>Voici ce qui reste à faire pour la commune de {{.Commune}} :</p>
<ul>
{{- range .Lignes}}
<li><strong>{{.Titre}}</strong> ({{.Gravite}}{{with .Echeance}}, à faire avant le {{.}}{{end}}{{if .EnRetard}}, en retard{{end}}) — <a href="{{.Lien}}">ouvrir dans xdemat</a></li>
{{- end}}
</ul>
{{- else}}
{{- with .Ligne}}
<h1 style="font-size: 1.3em">{{.Titre}}</h1>
{{- if .Texte}}<p style="white-space: pre-line">{{.Texte}}</p>{{end}}
{{- with .Echeance}}<p><strong>Échéance :</strong> {{.}}</p>{{end}}
<p><strong>Gravité :</strong> {{.Gravite}}</p>
<p><a href="{{.Lien}}" style="display: inline-block; padding: .6em 1.2em; background: #000091; color: #fff; text-decoration: none">Ouvrir dans xdemat</a></p>
{{- end}}
{{- end}}
<p style="color: #666; font-size: .85em">{{.Pied}}</p>
</body></html>
`))

type donneesCourriel struct {
	Sujet, Commune, Pied string
	Ligne                *ligne
	Lignes               []ligne
}

// courriel renders the e-mail of an envoi.
func (d *Dispatcher) courriel(ctx context.Context, e *central.Envoi) (*mail.Message, error) {
	n := e.Notification
	if n == nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Notification introuvable pour cet envoi.")
	}
	commune := d.commune(ctx, e.CommuneID)
	now := d.Now()
	l := d.ligne(n, now)
	var text strings.Builder
	text.WriteString("Bonjour,\n\n" + n.Titre + "\n")
	if n.Texte != "" {
		text.WriteString("\n" + n.Texte + "\n")
	}
	text.WriteString("\n")
	if l.Echeance != "" {
		text.WriteString("Échéance : " + l.Echeance + "\n")
	}
	text.WriteString("Gravité : " + l.Gravite + "\n")
	text.WriteString("Ouvrir dans xdemat : " + l.Lien + "\n\n-- \n" + piedDePage + "\n")
	sujet := Sujet(n.Titre, commune)
	html, err := render(donneesCourriel{Sujet: sujet, Commune: commune, Pied: piedDePage, Ligne: &l})
	if err != nil {
		return nil, err
	}
	return &mail.Message{
		To:        e.Adresse,
		Subject:   sujet,
		Text:      text.String(),
		HTML:      html,
		MessageID: mail.MessageID(d.domain(), n.ID, e.UtilisateurID),
		Date:      now,
	}, nil
}

// resume renders the daily digest of r.
func (d *Dispatcher) resume(ctx context.Context, r *central.Resume, jour string, now time.Time) (*mail.Message, error) {
	commune := d.commune(ctx, r.Utilisateur.CommuneID)
	xdemat.TrierParUrgence(r.Notifications, now)
	var text strings.Builder
	text.WriteString("Bonjour,\n\nVoici ce qui reste à faire pour la commune de " + commune + " :\n\n")
	var lignes []ligne
	for _, n := range r.Notifications {
		l := d.ligne(n, now)
		lignes = append(lignes, l)
		fmt.Fprintf(&text, "- %s (%s", l.Titre, l.Gravite)
		if l.Echeance != "" {
			text.WriteString(", à faire avant le " + l.Echeance)
		}
		if l.EnRetard {
			text.WriteString(", en retard")
		}
		text.WriteString(")\n  " + l.Lien + "\n")
	}
	text.WriteString("\n-- \n" + piedDePage + "\n")
	sujet := "[xdemat] Ce qui reste à faire — " + commune
	html, err := render(donneesCourriel{Sujet: sujet, Commune: commune, Pied: piedDePage, Lignes: lignes})
	if err != nil {
		return nil, err
	}
	return &mail.Message{
		To:        r.Utilisateur.Email,
		ToName:    r.Utilisateur.NomComplet(),
		Subject:   sujet,
		Text:      text.String(),
		HTML:      html,
		MessageID: mail.MessageID(d.domain(), "resume", r.Utilisateur.CommuneID, r.Utilisateur.ID, jour),
		Date:      now,
	}, nil
}

func render(data donneesCourriel) (string, error) {
	var b bytes.Buffer
	if err := pageCourriel.Execute(&b, data); err != nil {
		return "", fmt.Errorf("courriel : %w", err)
	}
	return b.String(), nil
}

// texteSMS is the short text of an SMS envoi: "xdemat <commune> : <titre>".
func (d *Dispatcher) texteSMS(ctx context.Context, e *central.Envoi) string {
	titre := ""
	if e.Notification != nil {
		titre = e.Notification.Titre
	}
	return sms.Texte("xdemat " + d.commune(ctx, e.CommuneID) + " : " + titre)
}

// SendResumes sends the daily digests due at now: from HeureResume on (in
// Fuseau), once per person and day, listing what was raised in the last
// 24 hours and is not done. A digest is recorded before it is sent, so that
// it never goes twice, even if central stops in between.
func (d *Dispatcher) SendResumes(ctx context.Context, now time.Time) error {
	d.init()
	local := now.In(d.Fuseau)
	if local.Hour() < d.HeureResume {
		return nil
	}
	jour := local.Format("2006-01-02")
	rs, err := d.Store.DueResumes(ctx, jour, now.Add(-24*time.Hour))
	if err != nil {
		return err
	}
	for _, r := range rs {
		first, err := d.Store.MarkResume(ctx, r.Utilisateur.CommuneID, r.Utilisateur.ID, jour, now)
		if err != nil {
			return err
		}
		if !first {
			continue
		}
		m, err := d.resume(ctx, r, jour, now)
		if err == nil {
			err = d.Mailer.Send(ctx, m)
		}
		if err != nil {
			d.Logger.Warn("résumé quotidien non envoyé", "utilisateur", r.Utilisateur.ID, "commune", r.Utilisateur.CommuneID, "err", err)
		}
	}
	return nil
}
