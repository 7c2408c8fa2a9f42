// Package pkcs11 reaches the élu's signing key on a USB token or a smart card
// through the vendor's PKCS#11 library: it finds the library, lists tokens
// and certificates (with their RGS** and qualified flags), logs in with the
// PIN typed in the app, and gives a crypto.Signer whose private key never
// leaves the token. One login signs a whole batch; token operations are
// counted (Session.Compteurs).
//
// It needs cgo (github.com/miekg/pkcs11): only the desktop app imports it;
// the agent and central never do.
package pkcs11

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	p11 "github.com/miekg/pkcs11"

	"xdemat/pkcs11/internal/bibliotheque"
)

// Candidat is a PKCS#11 library found on this computer.
type Candidat struct {
	Chemin      string
	Fournisseur string // "Thales SafeNet eToken", "OpenSC"…
	Description string // one French sentence for the technician
}

// connu is a library file we know, with the families of tokens it serves.
type connu struct {
	chemin, fournisseur, description string
}

// connus lists the libraries of the tokens French collectivités hold, in the
// order they are tried: vendor middlewares first (they know their own cards
// best, and OpenSC may also answer for the same card), SoftHSM2 last (tests
// and demonstration only). Windows paths use the environment
// (SystemRoot, ProgramFiles) so a non-standard install drive still works.
func connus(goos, goarch string, env func(string) string) []connu {
	const (
		safenet  = "Thales SafeNet eToken"
		idprime  = "Thales (Gemalto) IDPrime"
		oberthur = "Idemia (Oberthur) AWP"
		idopte   = "Idemia IAS-ECC (intergiciel Idopte)"
		opensc   = "OpenSC"
		softhsm  = "SoftHSM2"
	)
	dSafenet := "Pilote SafeNet Authentication Client : clés USB eToken (et cartes IDPrime avec SAC 10)."
	dIDPrime := "Pilote Thales IDPrime : cartes et clés IDPrime (Gemalto)."
	dOberthur := "Pilote Idemia/Oberthur AWP (OcsCryptoki) : cartes et clés Oberthur/Idemia."
	dIdopte := "Intergiciel Idopte : cartes Idemia IAS-ECC (ChamberSign et autres autorités)."
	dOpenSC := "Pilote libre OpenSC : la plupart des cartes à puce (IAS-ECC, IDPrime, CardOS…)."
	dSoftHSM := "SoftHSM2 : clé logicielle pour les essais et la démonstration, pas pour signer des actes."

	switch goos {
	case "windows":
		sys := env("SystemRoot")
		if sys == "" {
			sys = `C:\Windows`
		}
		sys += `\System32`
		pf := env("ProgramFiles")
		if pf == "" {
			pf = `C:\Program Files`
		}
		return []connu{
			{sys + `\eTPKCS11.dll`, safenet, dSafenet},
			{sys + `\IDPrimePKCS11.dll`, idprime, dIDPrime},
			{sys + `\IDPrimePKCS1164.dll`, idprime, dIDPrime},
			{pf + `\SafeNet\Authentication\SAC\x64\IDPrimePKCS1164.dll`, idprime, dIDPrime},
			{pf + `\Gemalto\IDGo 800 PKCS#11\IDPrimePKCS1164.dll`, idprime, dIDPrime},
			{pf + `\Gemalto\Classic Client\BIN\gclib.dll`, idprime, "Pilote Gemalto Classic Client : anciennes cartes Gemalto."},
			{sys + `\OcsCryptoki.dll`, oberthur, dOberthur},
			{pf + `\Oberthur Technologies\AWP\DLLs\OcsCryptoki.dll`, oberthur, dOberthur},
			{sys + `\idoPKCS.dll`, idopte, dIdopte},
			{pf + `\Smart Card Middleware\bin\idoPKCS.dll`, idopte, dIdopte},
			{pf + `\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`, opensc, dOpenSC},
			{sys + `\opensc-pkcs11.dll`, opensc, dOpenSC},
			{`C:\SoftHSM2\lib\softhsm2-x64.dll`, softhsm, dSoftHSM},
			{pf + `\SoftHSM2\lib\softhsm2-x64.dll`, softhsm, dSoftHSM},
		}
	case "darwin":
		return []connu{
			{"/usr/local/lib/libeTPkcs11.dylib", safenet, dSafenet},
			{"/usr/local/lib/libIDPrimePKCS11.dylib", idprime, dIDPrime},
			{"/Library/Frameworks/eToken.framework/Versions/Current/libIDPrimePKCS11.dylib", idprime, dIDPrime},
			{"/Library/AWP/lib/libOcsCryptoki.dylib", oberthur, dOberthur},
			{"/Library/SCMiddleware/libidop11.dylib", idopte, dIdopte},
			{"/Library/OpenSC/lib/opensc-pkcs11.so", opensc, dOpenSC},
			{"/opt/homebrew/lib/opensc-pkcs11.so", opensc, dOpenSC},
			{"/opt/homebrew/lib/softhsm/libsofthsm2.so", softhsm, dSoftHSM},
			{"/usr/local/lib/softhsm/libsofthsm2.so", softhsm, dSoftHSM},
		}
	}
	// Linux and other Unix: vendor packages install in /usr/lib (or lib64 on
	// RPM systems); Debian puts OpenSC and SoftHSM2 in the multiarch dir.
	multi := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu", "arm": "arm-linux-gnueabihf"}[goarch]
	l := []connu{
		{"/usr/lib/libeTPkcs11.so", safenet, dSafenet},
		{"/usr/lib64/libeTPkcs11.so", safenet, dSafenet},
		{"/usr/lib/pkcs11/libeTPkcs11.so", safenet, dSafenet},
		{"/usr/lib/libeToken.so", safenet, dSafenet},
		{"/usr/lib/libIDPrimePKCS11.so", idprime, dIDPrime},
		{"/usr/lib64/libIDPrimePKCS11.so", idprime, dIDPrime},
		{"/usr/lib/pkcs11/libIDPrimePKCS11.so", idprime, dIDPrime},
		{"/usr/lib/pkcs11/libgclib.so", idprime, "Pilote Gemalto Classic Client : anciennes cartes Gemalto."},
		{"/usr/local/AWP/lib/libOcsCryptoki.so", oberthur, dOberthur},
		{"/usr/lib/libOcsCryptoki.so", oberthur, dOberthur},
		{"/usr/lib/SCMiddleware/libidop11.so", idopte, dIdopte},
		{"/usr/lib/libidop11.so", idopte, dIdopte},
	}
	if multi != "" {
		l = append(l,
			connu{"/usr/lib/" + multi + "/opensc-pkcs11.so", opensc, dOpenSC},
			connu{"/usr/lib/" + multi + "/pkcs11/opensc-pkcs11.so", opensc, dOpenSC})
	}
	l = append(l,
		connu{"/usr/lib64/opensc-pkcs11.so", opensc, dOpenSC},
		connu{"/usr/lib64/pkcs11/opensc-pkcs11.so", opensc, dOpenSC},
		connu{"/usr/lib/opensc-pkcs11.so", opensc, dOpenSC},
		connu{"/usr/local/lib/opensc-pkcs11.so", opensc, dOpenSC},
		connu{"/usr/lib/softhsm/libsofthsm2.so", softhsm, dSoftHSM},
	)
	if multi != "" {
		l = append(l, connu{"/usr/lib/" + multi + "/softhsm/libsofthsm2.so", softhsm, dSoftHSM})
	}
	return append(l,
		connu{"/usr/lib64/pkcs11/libsofthsm2.so", softhsm, dSoftHSM},
		connu{"/usr/local/lib/softhsm/libsofthsm2.so", softhsm, dSoftHSM},
	)
}

// TrouverModules returns the PKCS#11 libraries present on this computer:
// the configured path first (the one set in Paramètres), then the usual
// libraries of the tokens French collectivités hold. A configured path that
// does not exist is an error: the technician chose it, it must be fixed
// rather than silently replaced. The same file reached through several
// paths (symbolic links) is listed once.
func TrouverModules(configure string) ([]Candidat, error) {
	return trouver(configure, connus(runtime.GOOS, runtime.GOARCH, os.Getenv))
}

func trouver(configure string, l []connu) ([]Candidat, error) {
	var out []Candidat
	vus := map[string]bool{}
	ajouter := func(c Candidat) {
		cle := bibliotheque.Cle(c.Chemin)
		if vus[cle] {
			return
		}
		vus[cle] = true
		out = append(out, c)
	}
	if configure != "" {
		if st, err := os.Stat(configure); err != nil || st.IsDir() {
			return nil, &Erreur{Code: ErrAucunModule, Message: fmt.Sprintf(
				"Le pilote de clé de signature indiqué dans Paramètres est introuvable (%s) : corrigez le chemin, ou videz-le pour une recherche automatique.", configure)}
		}
		ajouter(Candidat{Chemin: configure, Fournisseur: fournisseurDe(configure, l), Description: "Pilote indiqué dans Paramètres."})
	}
	for _, c := range l {
		if st, err := os.Stat(c.chemin); err == nil && !st.IsDir() {
			ajouter(Candidat{Chemin: c.chemin, Fournisseur: c.fournisseur, Description: c.description})
		}
	}
	if len(out) == 0 {
		return nil, &Erreur{Code: ErrAucunModule, Message: messageAucunModule}
	}
	return out, nil
}

const messageAucunModule = "Aucun pilote de clé de signature trouvé : installez le pilote fourni avec votre clé (SafeNet, IDPrime…) ou indiquez son chemin dans Paramètres."

// fournisseurDe names the vendor of a configured path when its file name is
// one we know.
func fournisseurDe(chemin string, l []connu) string {
	nom := strings.ToLower(chemin[strings.LastIndexAny(chemin, `/\`)+1:])
	for _, c := range l {
		if strings.ToLower(c.chemin[strings.LastIndexAny(c.chemin, `/\`)+1:]) == nom {
			return c.fournisseur
		}
	}
	return "pilote PKCS#11"
}

// fonctions is the part of *p11.Ctx this package uses. It lets tests put a
// fault-injecting wrapper around a real token (SoftHSM2 never locks a PIN,
// real cards do).
type fonctions interface {
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetTokenInfo(slotID uint) (p11.TokenInfo, error)
	OpenSession(slotID uint, flags uint) (p11.SessionHandle, error)
	CloseSession(sh p11.SessionHandle) error
	Login(sh p11.SessionHandle, userType uint, pin string) error
	Logout(sh p11.SessionHandle) error
	FindObjectsInit(sh p11.SessionHandle, temp []*p11.Attribute) error
	FindObjects(sh p11.SessionHandle, max int) ([]p11.ObjectHandle, bool, error)
	FindObjectsFinal(sh p11.SessionHandle) error
	GetAttributeValue(sh p11.SessionHandle, o p11.ObjectHandle, a []*p11.Attribute) ([]*p11.Attribute, error)
	SignInit(sh p11.SessionHandle, m []*p11.Mechanism, o p11.ObjectHandle) error
	Sign(sh p11.SessionHandle, message []byte) ([]byte, error)
}

// Module is an opened PKCS#11 library. Several Modules (and Sessions) on the
// same path share one initialised library; it is finalised when the last
// of them is closed.
type Module struct {
	Chemin string

	f   fonctions
	cle string // registry key: one login per token is tracked per library

	mu     sync.Mutex
	ferme  bool
	rendre func() error
}

// Ouvrir loads and initialises the PKCS#11 library at chemin (or takes the
// one already initialised in this process).
func Ouvrir(chemin string) (*Module, error) {
	if chemin == "" {
		return nil, &Erreur{Code: ErrAucunModule, Message: messageAucunModule}
	}
	ctx, err := bibliotheque.Prendre(chemin)
	if err != nil {
		if errors.Is(err, bibliotheque.ErrChargement) {
			return nil, &Erreur{Code: ErrAucunModule, Cause: err, Message: fmt.Sprintf(
				"Le pilote de clé de signature %s ne peut pas être chargé : réinstallez le pilote fourni avec votre clé (version 64 bits), ou indiquez un autre chemin dans Paramètres.", chemin)}
		}
		return nil, traduire(err, "ouvrir le pilote de clé de signature")
	}
	return &Module{Chemin: chemin, f: ctx, cle: bibliotheque.Cle(chemin), rendre: func() error { return bibliotheque.Rendre(chemin) }}, nil
}

// Fermer gives the library back; the last user finalises it. Closing twice
// is harmless.
func (m *Module) Fermer() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ferme {
		return nil
	}
	m.ferme = true
	if m.rendre == nil {
		return nil
	}
	return m.rendre()
}

// prendre takes one more reference on the library for a Session, so that
// closing the Module does not finalise a library a Session still uses.
func (m *Module) prendre() (func() error, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ferme {
		return nil, &Erreur{Code: ErrSessionFermee, Message: "Le pilote de clé de signature a été fermé : recommencez depuis la liste des clés."}
	}
	if m.rendre == nil { // test modules own no library reference
		return func() error { return nil }, nil
	}
	if _, err := bibliotheque.Prendre(m.Chemin); err != nil {
		return nil, traduire(err, "ouvrir le pilote de clé de signature")
	}
	return func() error { return bibliotheque.Rendre(m.Chemin) }, nil
}

// OuvrirJeton opens the library at chemin (when empty, each library found
// by TrouverModules in turn) and finds the token labelled libelle (when
// empty, the first token present). It is what "Tester ma clé" and the
// signing screen need: a module and a token, or one French error.
func OuvrirJeton(chemin, libelle string) (*Module, Jeton, error) {
	chemins := []string{chemin}
	if chemin == "" {
		cands, err := TrouverModules("")
		if err != nil {
			return nil, Jeton{}, err
		}
		chemins = chemins[:0]
		for _, c := range cands {
			chemins = append(chemins, c.Chemin)
		}
	}
	var derniere error
	for _, ch := range chemins {
		m, err := Ouvrir(ch)
		if err != nil {
			derniere = err
			continue
		}
		j, err := m.Jeton(libelle)
		if err == nil {
			return m, j, nil
		}
		derniere = err
		m.Fermer()
	}
	return nil, Jeton{}, derniere
}
