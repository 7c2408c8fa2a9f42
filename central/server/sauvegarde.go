package server

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"xdemat"
	"xdemat/central/api"
	"xdemat/central/backuprepo"
)

// DefaultRetentionHeure is when central applies the retention: early
// afternoon, when the mairies' nightly backups are long over.
const DefaultRetentionHeure = 14

// dureeBilan is the window of the run counts in the console and CLI.
const dureeBilan = 30 * 24 * time.Hour

// sauvegardes are the communes' backup repositories under DataDir:
// sauvegardes/ (one restic repository per commune), sauvegardes-acces/ (the
// postes' REST password hashes), sauvegardes-cles/ (the escrowed repository
// passwords, encrypted with sauvegarde.key, 0600).
type sauvegardes struct {
	depot     *backuprepo.Server
	jetons    *backuprepo.Jetons
	sequestre *backuprepo.Sequestre
	retention *backuprepo.Retention
}

// ouvrirSauvegardes opens the repositories; the store must be open.
func (m *Main) ouvrirSauvegardes() (*sauvegardes, error) {
	seq, err := backuprepo.OuvrirSequestre(filepath.Join(m.DataDir, "sauvegardes-cles"), filepath.Join(m.DataDir, "sauvegarde.key"))
	if err != nil {
		return nil, err
	}
	logger := m.Logger.With("service", "sauvegarde")
	depot := &backuprepo.Server{
		Dir:    filepath.Join(m.DataDir, "sauvegardes"),
		Logger: logger,
		Quota: func(communeID string) int64 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			q, err := m.store.QuotaSauvegarde(ctx, communeID)
			if err != nil {
				logger.Warn("quota de sauvegarde illisible : celui de l'offre s'applique", "commune", communeID, "err", err)
				return xdemat.QuotaSauvegardeDefaut
			}
			return q
		},
		Seuil: func(communeID string, fraction float64, utilise, quota int64) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := backuprepo.AlerteQuota(ctx, m.store, communeID, fraction, utilise, quota, time.Now()); err != nil {
				logger.Warn("alerte d'espace de sauvegarde non levée", "commune", communeID, "err", err)
			}
		},
	}
	return &sauvegardes{
		depot:     depot,
		jetons:    &backuprepo.Jetons{Dir: filepath.Join(m.DataDir, "sauvegardes-acces")},
		sequestre: seq,
		retention: &backuprepo.Retention{Depot: depot, Sequestre: seq, Restic: m.Restic},
	}, nil
}

// sauvegarde returns what the sync API needs to serve the repositories.
func (m *Main) sauvegarde(cert tls.Certificate, publicURL string) (*api.Sauvegarde, error) {
	sv, err := m.ouvrirSauvegardes()
	if err != nil {
		return nil, err
	}
	m.sauvegardes = sv
	return &api.Sauvegarde{
		Depot:         sv.depot,
		Jetons:        sv.jetons,
		Sequestre:     sv.sequestre,
		URL:           publicURL,
		CertificatPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})),
	}, nil
}

// veilleSauvegardes checks every hour for missed nights, and applies the
// retention once a day at RetentionHeure (Paris time), until Close.
func (m *Main) veilleSauvegardes(interval time.Duration) {
	defer close(m.veilleDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-m.veilleStop
		cancel() // stops a restic prune in progress
	}()
	var dernierJour string
	for {
		now := time.Now()
		m.alertesManquees(ctx, now)
		if p := now.In(parisLoc()); p.Hour() == m.RetentionHeure && p.Format("2006-01-02") != dernierJour {
			dernierJour = p.Format("2006-01-02")
			m.appliquerRetention(ctx)
		}
		select {
		case <-m.veilleStop:
			return
		case <-t.C:
		}
	}
}

func (m *Main) alertesManquees(ctx context.Context, now time.Time) {
	bilans, err := m.store.BilansSauvegarde(ctx, now.Add(-dureeBilan))
	if err == nil {
		_, err = backuprepo.AlertesManquees(ctx, m.store, bilans, now)
	}
	if err != nil && ctx.Err() == nil {
		m.Logger.Warn("vérification des nuits sans sauvegarde incomplète", "err", err)
	}
}

// appliquerRetention runs the retention of every commune and logs each
// outcome; it returns how many failed (a locked repository is not a
// failure: it waits for the next day).
func (m *Main) appliquerRetention(ctx context.Context) int {
	logger := m.Logger.With("service", "sauvegarde")
	res, err := m.sauvegardes.retention.Appliquer(ctx)
	echecs := 0
	if err != nil {
		logger.Error("durée de conservation des sauvegardes non appliquée", "err", err)
		echecs++
	}
	for _, r := range res {
		switch {
		case r.Err == nil:
			logger.Info("durée de conservation appliquée", "commune", r.CommuneID)
		case errors.Is(r.Err, backuprepo.ErrVerrouille):
			logger.Info("dépôt occupé par une sauvegarde : conservation remise à demain", "commune", r.CommuneID)
		default:
			echecs++
			logger.Error("durée de conservation non appliquée", "commune", r.CommuneID, "err", r.Err)
		}
	}
	return echecs
}

// parisLoc is the SPL's time zone.
func parisLoc() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}

// --- command line ---

func (m *Main) quotaSauvegarde(ctx context.Context, communeRef string, gio int64) error {
	c, err := m.findCommune(ctx, communeRef)
	if err != nil {
		return err
	}
	if err := m.store.SetQuotaSauvegarde(ctx, c.ID, gio<<30, time.Now()); err != nil {
		return err
	}
	q, err := m.store.QuotaSauvegarde(ctx, c.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Espace de sauvegarde de %s : %s.\n", c.Nom, xdemat.Octets(q))
	return nil
}

func (m *Main) retentionSauvegardes(ctx context.Context, communeRef string) error {
	sv, err := m.ouvrirSauvegardes()
	if err != nil {
		return err
	}
	m.sauvegardes = sv
	if communeRef != "" {
		c, err := m.findCommune(ctx, communeRef)
		if err != nil {
			return err
		}
		if err := sv.retention.Commune(ctx, c.ID); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "Durée de conservation appliquée à %s.\n", c.Nom)
		return nil
	}
	if n := m.appliquerRetention(ctx); n > 0 {
		return fmt.Errorf("durée de conservation non appliquée à %d dépôt(s) : voir les messages ci-dessus", n)
	}
	fmt.Fprintln(m.Stdout, "Durée de conservation appliquée.")
	return nil
}

func (m *Main) listSauvegardes(ctx context.Context) error {
	sv, err := m.ouvrirSauvegardes()
	if err != nil {
		return err
	}
	now := time.Now()
	bilans, err := m.store.BilansSauvegarde(ctx, now.Add(-dureeBilan))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMUNE\tSIREN\tDERNIÈRE RÉUSSIE\tDERNIER ÉCHEC\tESPACE\tSAUVEGARDES (30 J)")
	for _, b := range bilans {
		reussie, echec := "jamais", "—"
		if b.DerniereReussie != nil {
			reussie = b.DerniereReussie.Fin.In(parisLoc()).Format("02/01/2006 15:04")
		}
		if b.DernierEchec != nil {
			echec = b.DernierEchec.Fin.In(parisLoc()).Format("02/01/2006 15:04") + " " + b.DernierEchec.Statut.Libelle()
		}
		utilise, err := sv.depot.Utilise(b.Commune.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s / %s (%d %%)\t%d\n", b.Commune.Nom, b.Commune.SIREN, reussie, echec,
			xdemat.Octets(utilise), xdemat.Octets(b.Quota), utilise*100/max(b.Quota, 1), b.Executions)
	}
	return tw.Flush()
}
