package program

import (
	"fmt"
	"os"
	"path/filepath"

	"xdemat"
)

// LockFile is the file of the data folder an agent holds locked while it
// runs: one agent per folder, whether a service or inside the app.
const LockFile = "agent.lock"

type lockFile struct{ f *os.File }

// lock takes the data folder for this agent, or fails at once with a French
// error when another agent holds it. The operating system releases the lock
// of a process that dies, so a crash never leaves the folder locked.
func lock(dataDir string) (*lockFile, error) {
	path := filepath.Join(dataDir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("dossier de données %s : %w", dataDir, err)
	}
	busy, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("verrou du dossier de données %s : %w", dataDir, err)
	}
	if busy {
		f.Close()
		return nil, xdemat.Errorf(xdemat.EUNAVAILABLE, "Un autre agent xdemat utilise déjà le dossier de données %s (le service du poste ou une autre fenêtre de l'application) : rien n'a été modifié. Fermez l'autre fenêtre ou redémarrez le PC.", dataDir)
	}
	// For whoever looks: who holds it.
	f.Truncate(0)
	fmt.Fprintf(f, "%d\n", os.Getpid())
	return &lockFile{f: f}, nil
}

func (l *lockFile) unlock() {
	unlockFile(l.f)
	l.f.Close()
}
