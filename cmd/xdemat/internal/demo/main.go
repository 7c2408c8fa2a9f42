// Command demo fills a running agent with a profile and notifications, for
// the app's screenshot and benchmark (make screenshot, make bench-app), or,
// with -actes, with the actes of the demonstration (make run). It goes
// through the local API like the app, and prints the profile's ID.
//
//	go run ./cmd/xdemat/internal/demo -data DOSSIER -n 1000
//	go run ./cmd/xdemat/internal/demo -data DOSSIER -actes
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"time"

	"xdemat"
	"xdemat/agent/localapi"
)

func main() {
	data := flag.String("data", "", "dossier de données de l'agent (obligatoire)")
	n := flag.Int("n", 6, "nombre de notifications à lever")
	actes := flag.Bool("actes", false, "enregistrer les actes de démonstration (une seule fois), au lieu des notifications")
	flag.Parse()
	var err error
	if *actes {
		err = remplirActes(*data)
	} else {
		err = run(*data, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo :", xdemat.ErrorMessage(err), err)
		os.Exit(1)
	}
}

// exemples are what a morning may look like; the rest are numbered.
var exemples = []xdemat.Notification{
	{Type: xdemat.NotificationAlerteSPL, Severite: xdemat.SeveriteCritique, Titre: "Alerte de sécurité : changez vos mots de passe",
		Texte: "Un prestataire de messagerie a subi une fuite. Changez le mot de passe de votre courriel de mairie aujourd'hui."},
	{Type: xdemat.NotificationEnvoiRefuse, Severite: xdemat.SeveriteUrgent, Titre: "Un envoi a été refusé par la SPL",
		Texte: "Le bordereau de novembre est incomplet : il manque la pièce justificative n°3.", Objet: xdemat.Lien{Ecran: "bordereaux", ID: "2026-11"}},
	{Type: xdemat.NotificationHorsLigne, Severite: xdemat.SeveriteUrgent, Titre: "Le poste ne joint plus la SPL depuis hier",
		Texte: "Vérifiez la connexion internet de la mairie ; les envois attendent sur le poste.", Objet: xdemat.Lien{Ecran: "diagnostic"}},
	{Type: xdemat.NotificationPosteEnrole, Severite: xdemat.SeveriteAttention, Titre: "Un nouveau poste a été relié à la commune",
		Texte: "Le poste « Accueil » a été enrôlé par le technicien de la SPL.", Objet: xdemat.Lien{Ecran: "parametres"}},
	{Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo, Titre: "Nouvelle version de xdemat la semaine prochaine",
		Texte: "Rien à faire : la mise à jour s'installera seule pendant la nuit."},
}

func run(data string, n int) error {
	if data == "" {
		return xdemat.Errorf(xdemat.EINVALID, "Indiquez le dossier de l'agent : -data DOSSIER.")
	}
	c, err := localapi.Dial(data)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx := context.Background()
	ps, err := c.Utilisateurs(ctx)
	if err != nil {
		return err
	}
	var id string
	if len(ps) > 0 {
		id = ps[0].ID
	} else {
		// A poste not enrolled has no commune: only the SPL's roles fit.
		p, err := c.EnregistrerUtilisateur(ctx, xdemat.Utilisateur{Prenom: "Marie", Nom: "Martin", Role: xdemat.RoleTechnicien, Actif: true}, "")
		if err != nil {
			return err
		}
		id = p.ID
	}
	if _, err := c.OuvrirSession(ctx, id, ""); err != nil {
		return err
	}
	now := time.Now()
	for i := range n {
		var no xdemat.Notification
		if i < len(exemples) {
			no = exemples[i]
		} else {
			no = xdemat.Notification{Type: xdemat.NotificationMessageSPL, Severite: xdemat.SeveriteInfo,
				Titre: fmt.Sprintf("Message de la SPL n°%d", i+1), Texte: "Message de test pour la mesure de l'application."}
		}
		no.ID = uuid()
		no.CreeLe = now.Add(-time.Duration(i) * time.Minute)
		switch i {
		case 0:
			no.Echeance = now.AddDate(0, 0, 8)
		case 1:
			no.Echeance = now.AddDate(0, 0, -2) // late
		}
		if _, err := c.LeverNotification(ctx, no); err != nil {
			return err
		}
	}
	fmt.Println(id)
	return nil
}

// uuid returns a random (version 4) UUID.
func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
