package ui

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"xdemat/agent"
)

// Export is the diagnostic.json of the logs' export: what the SPL's support
// needs to understand a poste, without any secret.
type Export struct {
	GenereLe     time.Time         `json:"genereLe"`
	Application  ExportApplication `json:"application"`
	Agent        *agent.Diagnostic `json:"agent,omitempty"`
	ErreurAgent  string            `json:"erreurAgent,omitempty"` // when the agent gave no diagnostic
	EntreesJourn int               `json:"entreesJournal"`
}

// ExportApplication describes the app in the export.
type ExportApplication struct {
	Version        string `json:"version"`
	AgentIntegre   bool   `json:"agentIntegre"`
	DossierDonnees string `json:"dossierDonnees"`
}

// Files of the export .zip.
const (
	FichierDiagnostic = "diagnostic.json"
	FichierJournalTec = "agent.log"
	FichierJournal    = "journal.json"
)

// exporterJournaux writes the .zip of diagnostic JSON, the agent's technical
// log and the poste's journal to w, and reports its progress. It stops when
// ctx ends. The agent's state is read first, so that a broken agent still
// gives what it can.
func exporterJournaux(ctx context.Context, w io.Writer, ag Agent, app ExportApplication, now time.Time, avancer func(string, float64)) error {
	z := zip.NewWriter(w)
	ex := Export{GenereLe: now.UTC(), Application: app}

	avancer("Lecture de l'état du service xdemat…", 0)
	diag, err := ag.Diagnostic(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ex.ErreurAgent = err.Error()
	}
	ex.Agent = diag

	avancer("Lecture du journal technique…", 0.25)
	tech, err := ag.JournalTechnique(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		tech = fmt.Appendf(nil, "journal technique indisponible : %v\n", err)
	}
	if err := ecrireZip(z, FichierJournalTec, now, tech); err != nil {
		return err
	}

	avancer("Lecture de l'historique du poste…", 0.5)
	journal, err := ag.Journal(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ex.ErreurAgent += fmt.Sprintf(" ; journal : %v", err)
	}
	ex.EntreesJourn = len(journal)
	b, err := json.MarshalIndent(journal, "", "  ")
	if err != nil {
		return err
	}
	if err := ecrireZip(z, FichierJournal, now, b); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	avancer("Écriture du fichier…", 0.9)
	b, err = json.MarshalIndent(ex, "", "  ")
	if err != nil {
		return err
	}
	if err := ecrireZip(z, FichierDiagnostic, now, b); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	avancer("Terminé.", 1)
	return nil
}

func ecrireZip(z *zip.Writer, nom string, now time.Time, b []byte) error {
	f, err := z.CreateHeader(&zip.FileHeader{Name: nom, Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	return err
}
