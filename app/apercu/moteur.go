// Package apercu renders the pages of a PDF to images, so that the élu reads
// a document page by page in the desktop app before signing it.
//
// It runs PDFium compiled to WebAssembly (go-pdfium) inside wazero: pure Go,
// nothing to install on the mairie PC, and the same code builds for Windows
// without cgo. Each open Document has its own WebAssembly instance, so closing
// it gives all of its memory back, and a damaged PDF cannot disturb the next.
package apercu

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Options tune the engine; the zero value suits the desktop app.
type Options struct {
	// DossierCache keeps wazero's compiled PDFium between runs: start-up goes
	// from about 15 s (compiling 5.8 MB of WebAssembly) to under a second.
	// Empty means <os.UserCacheDir()>/xdemat/apercu; "-" means no cache.
	DossierCache string
	// MaxDocuments is how many documents may be open at once (default 4).
	// Each open document costs its own PDFium memory (about 15 MB for a
	// simple 20-page PDF).
	MaxDocuments int
	// DelaiMax bounds one opening or one page rendering (default 30 s):
	// past it the document's instance is stopped, so a PDF crafted to loop
	// cannot freeze the app.
	DelaiMax time.Duration
}

// Moteur is the PDF engine, started once per app. It is safe for concurrent
// use.
type Moteur struct {
	pool     pdfium.Pool
	delaiMax time.Duration
	maxDocs  int

	mu      sync.Mutex
	ferme   bool
	ouverts int // documents holding an instance
}

// Demarrer starts the engine: it compiles PDFium (or loads it from the cache)
// once. Call Fermer when the app quits.
func Demarrer(opts Options) (*Moteur, error) {
	if opts.MaxDocuments <= 0 {
		opts.MaxDocuments = 4
	}
	if opts.DelaiMax <= 0 {
		opts.DelaiMax = 30 * time.Second
	}
	// The bundled PDFium lowers setjmp/longjmp to WebAssembly exceptions,
	// hence the exception-handling feature. CloseOnContextDone lets the
	// watchdog interrupt a rendering that never ends.
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true)
	if cache := compilationCache(opts.DossierCache); cache != nil {
		rc = rc.WithCompilationCache(cache)
	}
	pool, err := webassembly.Init(webassembly.Config{
		Context:       context.Background(),
		MinIdle:       0,
		MaxIdle:       1,
		MaxTotal:      opts.MaxDocuments,
		RuntimeConfig: rc,
		// No file system at all: PDFium reads the PDF from memory, and an
		// untrusted PDF must not reach the user's files (go-pdfium mounts
		// "/" by default).
		FSConfig: wazero.NewFSConfig(),
		Stdout:   discard{},
		Stderr:   discard{},
		// A fresh instance per document: its memory goes back at Fermer.
		ReuseWorkers: false,
	})
	if err != nil {
		return nil, erreurMoteur(err)
	}
	return &Moteur{pool: pool, delaiMax: opts.DelaiMax, maxDocs: opts.MaxDocuments}, nil
}

// compilationCache returns wazero's on-disk cache, or nil when there is none
// to use; a missing cache only makes start-up slower, so errors are not fatal.
func compilationCache(dossier string) wazero.CompilationCache {
	if dossier == "-" {
		return nil
	}
	if dossier == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		dossier = filepath.Join(base, "xdemat", "apercu")
	}
	if err := os.MkdirAll(dossier, 0o700); err != nil {
		return nil
	}
	cache, err := wazero.NewCompilationCacheWithDir(dossier)
	if err != nil {
		return nil
	}
	return cache
}

// Fermer stops the engine and every document still open.
func (m *Moteur) Fermer() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ferme {
		return nil
	}
	m.ferme = true
	return m.pool.Close()
}

func (m *Moteur) estFerme() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ferme
}

// instance takes a PDFium instance for one document. The count is kept here
// rather than by the pool so that a full engine answers at once instead of
// blocking the app.
func (m *Moteur) instance() (pdfium.Pdfium, error) {
	m.mu.Lock()
	if m.ferme {
		m.mu.Unlock()
		return nil, erreurMoteurFerme()
	}
	if m.ouverts >= m.maxDocs {
		m.mu.Unlock()
		return nil, &Erreur{Code: ErrOccupe, Message: messageOccupe}
	}
	m.ouverts++
	m.mu.Unlock()
	inst, err := m.pool.GetInstance(10 * time.Second)
	if err != nil {
		m.rendre()
		if m.estFerme() {
			return nil, erreurMoteurFerme()
		}
		return nil, erreurMoteur(err)
	}
	return inst, nil
}

// rendre counts one instance given back.
func (m *Moteur) rendre() {
	m.mu.Lock()
	m.ouverts--
	m.mu.Unlock()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
