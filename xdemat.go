// Package xdemat holds the domain of the xdemat suite: the nouns a mairie and
// the SPL work with (Commune, Utilisateur, Poste, Document, Operation, Journal),
// their validation rules and the error codes shown to users.
//
// It imports no database, HTTP, Fyne or PKCS#11 package: the agent, the central
// server and the desktop app build on it, never the other way round.
package xdemat

// Version is the version of the suite, set at build time with
// -ldflags "-X xdemat.Version=…".
var Version = "dev"
