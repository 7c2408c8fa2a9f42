// Package bibliotheque keeps one initialised PKCS#11 library per path in the
// process. A PKCS#11 library is process-wide state: C_Initialize may be
// called once (a second call answers CKR_CRYPTOKI_ALREADY_INITIALIZED) and
// C_Finalize ends every session of every user, and SoftHSM2 reads
// SOFTHSM2_CONF only at C_Initialize. So every user of a library (the pkcs11
// package, the test token) takes a reference here, and the library is
// finalised and unloaded when the last reference is given back.
package bibliotheque

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	p11 "github.com/miekg/pkcs11"
)

type entree struct {
	ctx  *p11.Ctx
	refs int
	// finaliser is false when someone outside this registry (another
	// library in the process, such as crypto11) had already initialised
	// it: finalising would end that user's sessions.
	finaliser bool
}

var (
	mu       sync.Mutex
	ouvertes = map[string]*entree{}
)

// ErrChargement says the file could not be loaded as a PKCS#11 library
// (missing, wrong architecture, missing dependency).
var ErrChargement = errors.New("bibliothèque PKCS#11 impossible à charger")

// Cle is the registry key of a path: the same file reached through a
// symbolic link is the same library for the dynamic loader, so it must be
// the same entry here.
func Cle(chemin string) string {
	if vrai, err := filepath.EvalSymlinks(chemin); err == nil {
		chemin = vrai
	}
	if abs, err := filepath.Abs(chemin); err == nil {
		chemin = abs
	}
	return filepath.Clean(chemin)
}

// Prendre returns the initialised library at chemin, loading and
// initialising it on first use. Each successful call must be matched by a
// Rendre.
func Prendre(chemin string) (*p11.Ctx, error) {
	cle := Cle(chemin)
	mu.Lock()
	defer mu.Unlock()
	if e, ok := ouvertes[cle]; ok {
		e.refs++
		return e.ctx, nil
	}
	ctx := p11.New(cle)
	if ctx == nil {
		return nil, fmt.Errorf("%w : %s", ErrChargement, chemin)
	}
	finaliser := true
	if err := ctx.Initialize(); err != nil {
		if e, ok := err.(p11.Error); !ok || e != p11.CKR_CRYPTOKI_ALREADY_INITIALIZED {
			ctx.Destroy()
			return nil, err
		}
		finaliser = false
	}
	ouvertes[cle] = &entree{ctx: ctx, refs: 1, finaliser: finaliser}
	return ctx, nil
}

// Rendre gives back a reference taken by Prendre; the last one finalises
// and unloads the library.
func Rendre(chemin string) error {
	cle := Cle(chemin)
	mu.Lock()
	defer mu.Unlock()
	e, ok := ouvertes[cle]
	if !ok {
		return nil
	}
	e.refs--
	if e.refs > 0 {
		return nil
	}
	delete(ouvertes, cle)
	var err error
	if e.finaliser {
		err = e.ctx.Finalize()
	}
	e.ctx.Destroy()
	return err
}

// Ouverte tells whether the library at chemin is initialised in this
// process, and by how many users.
func Ouverte(chemin string) int {
	mu.Lock()
	defer mu.Unlock()
	if e, ok := ouvertes[Cle(chemin)]; ok {
		return e.refs
	}
	return 0
}
