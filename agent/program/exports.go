package program

import (
	"os"
	"path/filepath"
	"runtime"

	"xdemat/agent"
	"xdemat/agent/surveillance"
)

// proposerExports lists the usual export folders of the known accounting
// software that exist on this PC, for the installation wizard. The
// Downloads folder (where the web versions save their exports) is never
// proposed: watching it would take every XML the secretary downloads.
func proposerExports() []agent.DossierExport {
	var out []agent.DossierExport
	for _, l := range surveillance.Logiciels {
		for _, d := range l.Dossiers(runtime.GOOS, nil) {
			switch filepath.Base(d) {
			case "Downloads", "Téléchargements":
				continue
			}
			if info, err := os.Stat(d); err == nil && info.IsDir() {
				out = append(out, agent.DossierExport{Logiciel: l.Code, Chemin: d})
			}
		}
	}
	return out
}
