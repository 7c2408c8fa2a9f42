package surveillance

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Import is what the state file remembers of a file handed over: enough to
// refuse the same content later and to finish a move cut short by a crash.
type Import struct {
	Nom     string    `json:"nom"`
	Dossier string    `json:"dossier"`
	Date    time.Time `json:"date"`
	// Range is true once the file is in "traités". A false value at start-up
	// means the agent stopped between the hand-over and the move: the move is
	// finished without handing the file over again.
	Range bool `json:"range"`
}

// etat is the set of imported files by SHA-256, saved as JSON after every
// change (write to a temporary file, sync, rename) so that a crash leaves
// either the old or the new state.
type etat struct {
	mu      sync.Mutex
	chemin  string
	imports map[string]Import
}

func chargerEtat(chemin string) (*etat, error) {
	e := &etat{chemin: chemin, imports: map[string]Import{}}
	b, err := os.ReadFile(chemin)
	if errors.Is(err, os.ErrNotExist) {
		return e, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lecture de l'état des dossiers surveillés %s : %w", chemin, err)
	}
	if err := json.Unmarshal(b, &e.imports); err != nil {
		return nil, fmt.Errorf("état des dossiers surveillés illisible (%s) : %w ; déplacez ce fichier pour repartir de zéro (les fichiers déjà importés seraient alors proposés de nouveau)", chemin, err)
	}
	if e.imports == nil {
		e.imports = map[string]Import{}
	}
	return e, nil
}

func (e *etat) lire(empreinte string) (Import, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, ok := e.imports[empreinte]
	return i, ok
}

func (e *etat) ecrire(empreinte string, i Import) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	prec, existait := e.imports[empreinte]
	e.imports[empreinte] = i
	if err := e.sauver(); err != nil {
		if existait {
			e.imports[empreinte] = prec
		} else {
			delete(e.imports, empreinte)
		}
		return err
	}
	return nil
}

func (e *etat) sauver() error {
	b, err := json.MarshalIndent(e.imports, "", "\t")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(e.chemin), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(e.chemin), ".etat-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), e.chemin)
}
