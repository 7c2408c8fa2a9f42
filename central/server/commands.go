package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"xdemat"
	"xdemat/central/admin"
	"xdemat/central/protocol"
	"xdemat/central/tlscert"
)

const usage = `Serveur central xdemat de la SPL.

Utilisation :
  xdemat-central [options] [serve]                 lancer le serveur (par défaut)
  xdemat-central [options] commune create -siren SIREN -nom NOM -departement DEP -population N
  xdemat-central [options] commune list
  xdemat-central [options] code issue -commune ID  émettre un code d'enrôlement (48 heures, un seul poste)
  xdemat-central [options] code list [-commune ID]
  xdemat-central [options] code revoke CODE
  xdemat-central [options] poste list [-commune ID]
  xdemat-central [options] poste revoke ID
  xdemat-central [options] utilisateur create -commune SIREN -nom NOM -prenom PRÉNOM -email ADRESSE -telephone 06… -role secretaire|maire|adjoint|elu
  xdemat-central [options] utilisateur list -commune SIREN
  xdemat-central [options] notification send -commune SIREN -type spl.message|spl.alerte -titre TITRE [-texte TEXTE] [-echeance 2026-12-01]
  xdemat-central [options] sauvegarde list           état des sauvegardes de toutes les communes
  xdemat-central [options] sauvegarde quota -commune SIREN -go 100   espace de sauvegarde (0 : celui de l'offre, 50 Go)
  xdemat-central [options] sauvegarde retention [-commune SIREN]     appliquer maintenant la durée de conservation (3 mois)
  xdemat-central [options] release keygen -out CLÉ.pem          créer la clé de publication des mises à jour (à garder hors du serveur)
  xdemat-central [options] release publish -version 1.2.0 -dir BUILD -key CLÉ.pem
                                                   publier une version signée (BUILD/linux-amd64/xdemat-agent, BUILD/windows-amd64/xdemat-agent.exe, xdemat, restic…)
  xdemat-central [options] release list             versions publiées
  xdemat-central version

(-commune accepte le SIREN ou l'identifiant de la commune.)

Options :
`

// flagSet returns a flag set with the options common to every command.
func (m *Main) flagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&m.DataDir, "data", m.DataDir, "dossier de données (base SQLite, documents, certificat, mot de passe de la console)")
	fs.StringVar(&m.DBURL, "db", m.DBURL, "base de données : postgres://… pour PostgreSQL, sinon un fichier SQLite (défaut : DATA/central.db)")
	fs.StringVar(&m.ListenAddr, "addr", m.ListenAddr, "adresse d'écoute de l'API de synchronisation (HTTPS)")
	fs.StringVar(&m.AdminListenAddr, "admin-addr", m.AdminListenAddr, "adresse d'écoute de la console d'administration (à garder sur 127.0.0.1)")
	fs.StringVar(&m.PublicListenAddr, "public-addr", m.PublicListenAddr, "adresse d'écoute des pages publiques des communes (actes publiés), en HTTP derrière le proxy de la SPL ; vide : pas de pages publiques")
	fs.StringVar(&m.TLSCert, "tls-cert", m.TLSCert, "certificat TLS (PEM) ; sans lui, un certificat autosigné est créé dans DATA/tls")
	fs.StringVar(&m.TLSKey, "tls-key", m.TLSKey, "clé privée du certificat TLS (PEM)")
	fs.StringVar(&m.PublicURL, "url", m.PublicURL, "adresse publique du serveur pour les postes, https://hôte:port (défaut : nom de la machine et port de -addr)")
	fs.StringVar(&m.SMTPURL, "smtp", m.SMTPURL, "serveur de courriel, smtp://utilisateur:motdepasse@hôte:587?tls=aucun|opportuniste|obligatoire (défaut : fichiers .eml dans DATA/courriels)")
	fs.StringVar(&m.SMTPFrom, "smtp-from", m.SMTPFrom, "adresse d'expédition des courriels (défaut : ne-pas-repondre@ l'hôte de -url)")
	fs.StringVar(&m.SMS, "sms", m.SMS, "fournisseur de SMS : simulateur, ou aucun")
	fs.IntVar(&m.ResumeHeure, "resume-heure", m.ResumeHeure, "heure du résumé quotidien par courriel (heure de Paris, 1 à 23)")
	fs.IntVar(&m.RetentionHeure, "retention-heure", m.RetentionHeure, "heure où la durée de conservation des sauvegardes s'applique (heure de Paris, 0 à 23)")
	fs.StringVar(&m.Restic, "restic", m.Restic, "programme restic (défaut : celui du PATH, ou de GOPATH/bin)")
	fs.StringVar(&m.HeliosURL, "helios-url", m.HeliosURL, "adresse du transport Hélios de la DGFiP (défaut : le simulateur, démarré avec le serveur sur 127.0.0.1)")
	fs.StringVar(&m.CTESURL, "ctes-url", m.CTESURL, "adresse de la plateforme @CTES des préfectures (défaut : le simulateur, démarré avec le serveur sur 127.0.0.1)")
	fs.StringVar(&m.CTESTrigramme, "ctes-trigramme", m.CTESTrigramme, "trigramme d'opérateur @CTES de la SPL (obligatoire avec -ctes-url)")
	fs.StringVar(&m.CTESOperateur, "ctes-operateur", m.CTESOperateur, "identité d'opérateur présentée à la plateforme @CTES sans certificat client")
	fs.StringVar(&m.HeliosRacines, "helios-racines", m.HeliosRacines, "autorités de certification (PEM) des signatures que le simulateur Hélios accepte (défaut : signatures vérifiées sans leur chaîne)")
	return fs
}

// parseCommand chooses the command from the words left after the common
// options, and parses its own options.
func (m *Main) parseCommand(args []string) error {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "commune" || name == "code" || name == "poste" || name == "utilisateur" || name == "notification" || name == "sauvegarde" || name == "release" {
		if len(args) == 0 {
			return fmt.Errorf("précisez l'action : xdemat-central %s %s", name, map[string]string{
				"commune": "create|list", "code": "issue|list|revoke CODE", "poste": "list|revoke ID",
				"utilisateur": "create|list", "notification": "send", "sauvegarde": "list|quota|retention", "release": "keygen|publish|list"}[name])
		}
		name, args = name+" "+args[0], args[1:]
	}
	fs := m.flagSet("xdemat-central " + name)
	var communeID, siren, nom, departement string
	population := -1
	var u userFlags
	var n notificationFlags
	gio := int64(-1)
	var rf releaseFlags
	switch name {
	case "commune create":
		fs.StringVar(&siren, "siren", "", "SIREN de la commune (9 chiffres)")
		fs.StringVar(&nom, "nom", "", "nom de la commune")
		fs.StringVar(&departement, "departement", "", "numéro du département (51, 2A, 971…)")
		fs.IntVar(&population, "population", -1, "population municipale")
	case "code issue", "code list", "poste list":
		fs.StringVar(&communeID, "commune", "", "identifiant de la commune (voir « commune list »)")
	case "utilisateur create":
		fs.StringVar(&communeID, "commune", "", "SIREN ou identifiant de la commune")
		fs.StringVar(&u.nom, "nom", "", "nom de famille")
		fs.StringVar(&u.prenom, "prenom", "", "prénom")
		fs.StringVar(&u.email, "email", "", "adresse électronique (pour les notifications par courriel)")
		fs.StringVar(&u.telephone, "telephone", "", "téléphone mobile (pour les SMS), par exemple 06 12 34 56 78")
		fs.StringVar(&u.role, "role", "", "rôle : secretaire, maire, adjoint ou elu")
	case "utilisateur list":
		fs.StringVar(&communeID, "commune", "", "SIREN ou identifiant de la commune")
	case "notification send":
		fs.StringVar(&communeID, "commune", "", "SIREN ou identifiant de la commune")
		fs.StringVar(&n.typ, "type", xdemat.NotificationMessageSPL, "type : spl.message (information) ou spl.alerte (alerte de sécurité, critique)")
		fs.StringVar(&n.titre, "titre", "", "titre de la notification")
		fs.StringVar(&n.texte, "texte", "", "texte de la notification")
		fs.StringVar(&n.echeance, "echeance", "", "date limite, AAAA-MM-JJ (facultative)")
	case "sauvegarde quota":
		fs.StringVar(&communeID, "commune", "", "SIREN ou identifiant de la commune")
		fs.Int64Var(&gio, "go", -1, "espace de sauvegarde en Go (Gio) ; 0 rétablit celui de l'offre")
	case "sauvegarde retention":
		fs.StringVar(&communeID, "commune", "", "SIREN ou identifiant de la commune (défaut : toutes)")
	case "release keygen":
		fs.StringVar(&rf.out, "out", "", "fichier où écrire la clé privée de publication (jamais écrasé)")
	case "release publish":
		fs.StringVar(&rf.version, "version", "", "numéro de la version, MAJEUR.MINEUR.CORRECTIF")
		fs.StringVar(&rf.dir, "dir", "", "dossier des binaires, un sous-dossier par plateforme (linux-amd64, windows-amd64…)")
		fs.StringVar(&rf.key, "key", "", "clé privée de publication (release keygen)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	wantArgs := 0
	if name == "code revoke" || name == "poste revoke" {
		wantArgs = 1
	}
	if len(rest) != wantArgs {
		if wantArgs == 1 {
			return fmt.Errorf("indiquez %s : xdemat-central %s %s", map[string]string{"code revoke": "le code à annuler", "poste revoke": "l'identifiant du poste (voir « poste list »)"}[name], name, map[string]string{"code revoke": "CODE", "poste revoke": "ID"}[name])
		}
		return fmt.Errorf("argument inattendu %q pour « %s » : voir xdemat-central -h", strings.Join(rest, " "), name)
	}

	switch name {
	case "serve":
		m.command = m.serve
	case "version":
		m.command = func(context.Context) error {
			fmt.Fprintf(m.Stdout, "xdemat-central %s (protocole %d)\n", xdemat.Version, protocol.Version)
			return nil
		}
	case "commune create":
		if population < 0 {
			return errors.New("indiquez la population municipale : -population N")
		}
		m.command = m.withStore(func(ctx context.Context) error { return m.createCommune(ctx, siren, nom, departement, population) })
	case "commune list":
		m.command = m.withStore(m.listCommunes)
	case "code issue":
		if communeID == "" {
			return errors.New("indiquez la commune : xdemat-central code issue -commune ID (voir « commune list »)")
		}
		m.command = m.withStore(func(ctx context.Context) error { return m.issueCode(ctx, communeID) })
	case "code list":
		m.command = m.withStore(func(ctx context.Context) error { return m.listCodes(ctx, communeID) })
	case "code revoke":
		m.command = m.withStore(func(ctx context.Context) error { return m.revokeCode(ctx, rest[0]) })
	case "poste list":
		m.command = m.withStore(func(ctx context.Context) error { return m.listPostes(ctx, communeID) })
	case "poste revoke":
		m.command = m.withStore(func(ctx context.Context) error { return m.revokePoste(ctx, rest[0]) })
	case "utilisateur create", "utilisateur list", "notification send":
		if communeID == "" {
			return fmt.Errorf("indiquez la commune : xdemat-central %s -commune SIREN (voir « commune list »)", name)
		}
		switch name {
		case "utilisateur create":
			m.command = m.withStore(func(ctx context.Context) error { return m.createUtilisateur(ctx, communeID, u) })
		case "utilisateur list":
			m.command = m.withStore(func(ctx context.Context) error { return m.listUtilisateurs(ctx, communeID) })
		default:
			m.command = m.withStore(func(ctx context.Context) error { return m.sendNotification(ctx, communeID, n) })
		}
	case "sauvegarde list":
		m.command = m.withStore(m.listSauvegardes)
	case "sauvegarde quota":
		if communeID == "" || gio < 0 {
			return errors.New("indiquez la commune et l'espace : xdemat-central sauvegarde quota -commune SIREN -go 100")
		}
		m.command = m.withStore(func(ctx context.Context) error { return m.quotaSauvegarde(ctx, communeID, gio) })
	case "sauvegarde retention":
		m.command = m.withStore(func(ctx context.Context) error { return m.retentionSauvegardes(ctx, communeID) })
	case "release keygen", "release publish", "release list":
		cmd, err := m.releaseCommand(name, rf)
		if err != nil {
			return err
		}
		m.command = cmd
	default:
		return fmt.Errorf("commande inconnue %q : voir xdemat-central -h", name)
	}
	return nil
}

// withStore opens the store before running a command line action; Close
// closes it.
func (m *Main) withStore(action func(ctx context.Context) error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
			return fmt.Errorf("dossier de données %s : %w", m.DataDir, err)
		}
		if err := m.openStore(ctx); err != nil {
			return err
		}
		if err := action(ctx); err != nil {
			return errors.New(xdemat.ErrorMessage(err) + detail(err))
		}
		return nil
	}
}

func (m *Main) createCommune(ctx context.Context, siren, nom, departement string, population int) error {
	c := &xdemat.Commune{
		SIREN:       strings.ReplaceAll(strings.TrimSpace(siren), " ", ""),
		Nom:         nom,
		Departement: strings.ToUpper(strings.TrimSpace(departement)),
		Population:  population,
		CreeLe:      time.Now(),
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := m.store.CreateCommune(ctx, c); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, c.ID)
	fmt.Fprintf(m.Stderr, "Commune « %s » créée. Émettez un code d'enrôlement : xdemat-central code issue -commune %s\n", c.Nom, c.ID)
	return nil
}

func (m *Main) listCommunes(ctx context.Context) error {
	communes, err := m.store.ListCommunes(ctx)
	if err != nil {
		return err
	}
	if len(communes) == 0 {
		fmt.Fprintln(m.Stdout, "Aucune commune. Créez-en une : xdemat-central commune create -siren … -nom … -departement … -population …")
		return nil
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "IDENTIFIANT\tNOM\tSIREN\tDÉP.\tPOPULATION\tSTRATE")
	for _, c := range communes {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", c.ID, c.Nom, c.SIREN, c.Departement, c.Population, c.Strate())
	}
	return w.Flush()
}

func (m *Main) issueCode(ctx context.Context, communeID string) error {
	c, err := admin.IssueCode(ctx, m.store, communeID, time.Now())
	if err != nil {
		return err
	}
	commune, err := m.store.FindCommune(ctx, communeID)
	if err != nil {
		return err
	}
	fingerprint := ""
	if cert, err := m.certificate(); err == nil {
		fingerprint = tlscert.Fingerprint(cert)
	} else {
		fmt.Fprintln(m.Stderr, "Attention : certificat du serveur illisible, la commande d'enrôlement est donnée sans empreinte :", err)
	}
	fmt.Fprintln(m.Stdout, admin.FormatCode(c.Code))
	fmt.Fprintf(m.Stdout, "Code d'enrôlement pour %s, valable jusqu'au %s, pour un seul poste.\n", commune.Nom, admin.FormatDate(c.ExpireLe))
	fmt.Fprintln(m.Stdout, "Sur le PC de la mairie, dans une invite de commandes ouverte en administrateur :")
	fmt.Fprintln(m.Stdout, "  "+admin.EnrollCommand(m.centralURL(nil), c.Code, fingerprint))
	return nil
}

func (m *Main) listCodes(ctx context.Context, communeID string) error {
	codes, err := m.store.ListCodes(ctx, communeID)
	if err != nil {
		return err
	}
	if len(codes) == 0 {
		fmt.Fprintln(m.Stdout, "Aucun code d'enrôlement. Émettez-en un : xdemat-central code issue -commune ID")
		return nil
	}
	names, err := m.communeNames(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "CODE\tCOMMUNE\tÉMIS LE\tEXPIRE LE\tÉTAT")
	for _, c := range codes {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", admin.FormatCode(c.Code), names[c.CommuneID], admin.FormatDate(c.CreeLe), admin.FormatDate(c.ExpireLe), admin.CodeState(c, now))
	}
	return w.Flush()
}

func (m *Main) revokeCode(ctx context.Context, code string) error {
	if err := m.store.RevokeCode(ctx, admin.NormalizeCode(code), time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Code %s annulé : il ne peut plus enrôler de poste.\n", admin.FormatCode(code))
	return nil
}

func (m *Main) listPostes(ctx context.Context, communeID string) error {
	postes, err := m.store.ListPostes(ctx, communeID)
	if err != nil {
		return err
	}
	if len(postes) == 0 {
		fmt.Fprintln(m.Stdout, "Aucun poste enrôlé. Émettez un code d'enrôlement : xdemat-central code issue -commune ID")
		return nil
	}
	names, err := m.communeNames(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "IDENTIFIANT\tCOMMUNE\tNOM\tSTATUT\tENRÔLÉ LE\tVU LE\tVERSION\tEN ATTENTE")
	for _, p := range postes {
		statut := "actif"
		if p.Statut == xdemat.PosteRevoque {
			statut = "révoqué le " + admin.FormatDate(p.RevoqueLe)
		}
		version := p.Version
		if version == "" {
			version = "—"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, names[p.CommuneID], p.Nom, statut,
			admin.FormatDate(p.EnrolleLe), admin.FormatDate(p.VuLe), version, strconv.FormatInt(p.EnAttente, 10))
	}
	return w.Flush()
}

func (m *Main) revokePoste(ctx context.Context, id string) error {
	p, err := m.store.FindPoste(ctx, id)
	if err != nil {
		return err
	}
	if p.Statut == xdemat.PosteRevoque {
		return xdemat.Errorf(xdemat.ECONFLICT, "Le poste « %s » est déjà révoqué depuis le %s.", p.Nom, admin.FormatDate(p.RevoqueLe))
	}
	if err := m.store.RevokePoste(ctx, id, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Poste « %s » révoqué : il est refusé dès sa prochaine requête. Pour le réutiliser, enrôlez-le avec un nouveau code.\n", p.Nom)
	if p.EnAttente > 0 {
		fmt.Fprintf(m.Stdout, "Attention : il avait encore %d opération(s) en attente d'envoi.\n", p.EnAttente)
	}
	return nil
}

// communeNames maps commune IDs to names, for listings.
func (m *Main) communeNames(ctx context.Context) (map[string]string, error) {
	communes, err := m.store.ListCommunes(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(communes))
	for _, c := range communes {
		names[c.ID] = c.Nom
	}
	return names, nil
}
