package api

import (
	"html/template"
	"net/http"

	"xdemat"
)

// pageOuvrir is what a link in an e-mail opens: a public page that says
// nothing of the notification (anyone may hold the link) and offers to open
// it in the desktop app, where the person is known.
var pageOuvrir = template.Must(template.New("ouvrir").Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Ouvrez xdemat sur le poste de la mairie</title>
<style>
body { font-family: Arial, sans-serif; color: #1e1e1e; max-width: 36em; margin: 3em auto; padding: 0 1em; line-height: 1.5 }
a.bouton { display: inline-block; padding: .7em 1.4em; background: #000091; color: #fff; text-decoration: none; border-radius: 4px }
</style>
</head>
<body>
<h1>Ouvrez xdemat sur le poste de la mairie</h1>
<p>Cette notification s'affiche dans l'application xdemat, installée sur l'ordinateur de la mairie.</p>
<p><a class="bouton" href="{{.}}">Ouvrir dans xdemat</a></p>
<p>Si rien ne se passe, vous n'êtes pas sur le poste de la mairie : ouvrez xdemat sur celui-ci, la notification vous attend dans « À faire ».</p>
</body>
</html>
`))

// handleOuvrir serves GET /ouvrir/{id}, without authentication: the same
// page whether the notification exists or not.
func (s *Server) handleOuvrir(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !xdemat.ValidUUID(id) {
		http.Error(w, "Lien xdemat invalide : vérifiez que l'adresse a été copiée en entier.", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	lien := xdemat.Lien{Ecran: "notification", ID: id}.String()
	// html/template refuses unknown URL schemes in href: the link is safe
	// by construction (a UUID), so it is passed as a trusted URL.
	_ = pageOuvrir.Execute(w, template.URL(lien))
}
