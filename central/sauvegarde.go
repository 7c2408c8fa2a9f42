package central

import (
	"time"

	"xdemat"
)

// BilanSauvegarde is the state of a commune's backups, for the SPL's console
// and the missed-night alert.
type BilanSauvegarde struct {
	Commune *xdemat.Commune
	// Quota is the commune's backup space in bytes.
	Quota int64
	// DerniereReussie is the last backup that left a snapshot; nil when none.
	DerniereReussie *xdemat.Sauvegarde
	// DernierEchec is the last failed or refused run (backup or restore
	// drill); nil when none.
	DernierEchec *xdemat.Sauvegarde
	// Executions counts the backups (not the drills) since the date asked.
	Executions int
	// Premiere is the start of the commune's first report; zero when the
	// commune never reported a backup.
	Premiere time.Time
}
