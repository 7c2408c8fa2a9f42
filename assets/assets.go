// Package assets holds the files the programs embed: icons now, fonts and
// document templates (convocation, délibération, registre) as the services
// that print them arrive.
package assets

import "embed"

//go:embed icons
var files embed.FS

// Icone returns the xdemat icon (SVG), used by the admin console and the app.
func Icone() []byte {
	b, err := files.ReadFile("icons/xdemat.svg")
	if err != nil {
		panic("assets: icône absente du binaire : " + err.Error())
	}
	return b
}
