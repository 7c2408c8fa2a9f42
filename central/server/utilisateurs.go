package server

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"xdemat"
	"xdemat/central/admin"
)

type userFlags struct {
	nom, prenom, email, telephone, role string
}

type notificationFlags struct {
	typ, titre, texte, echeance string
}

// findCommune returns the commune of a SIREN or an ID.
func (m *Main) findCommune(ctx context.Context, ref string) (*xdemat.Commune, error) {
	ref = strings.ReplaceAll(strings.TrimSpace(ref), " ", "")
	if xdemat.ValidSIREN(ref) {
		communes, err := m.store.ListCommunes(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range communes {
			if c.SIREN == ref {
				return c, nil
			}
		}
		return nil, xdemat.Errorf(xdemat.ENOTFOUND, "Aucune commune de SIREN %s : vérifiez le SIREN (voir « commune list »).", ref)
	}
	return m.store.FindCommune(ctx, ref)
}

func (m *Main) createUtilisateur(ctx context.Context, communeRef string, f userFlags) error {
	c, err := m.findCommune(ctx, communeRef)
	if err != nil {
		return err
	}
	role, err := admin.RoleParNom(f.role)
	if err != nil {
		return err
	}
	tel, err := xdemat.NormaliserTelephone(f.telephone)
	if err != nil {
		return err
	}
	u := &xdemat.Utilisateur{CommuneID: c.ID, Nom: strings.TrimSpace(f.nom), Prenom: strings.TrimSpace(f.prenom),
		Email: strings.TrimSpace(f.email), Telephone: tel, Role: role, Actif: true, ModifieLe: time.Now()}
	if err := m.store.SaveUtilisateur(ctx, u); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, u.ID)
	fmt.Fprintf(m.Stderr, "Utilisateur %s (%s) créé pour %s ; les postes de la commune le reçoivent à leur prochaine synchronisation.\n", u.NomComplet(), u.Role.Libelle(), c.Nom)
	return nil
}

func (m *Main) listUtilisateurs(ctx context.Context, communeRef string) error {
	c, err := m.findCommune(ctx, communeRef)
	if err != nil {
		return err
	}
	users, err := m.store.ListUtilisateurs(ctx, c.ID)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintf(m.Stdout, "Aucun utilisateur pour %s. Créez-en un : xdemat-central utilisateur create -commune %s -nom … -role …\n", c.Nom, c.SIREN)
		return nil
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "IDENTIFIANT\tNOM\tRÔLE\tCOURRIEL\tMOBILE\tACTIF")
	for _, u := range users {
		actif := "oui"
		if !u.Actif {
			actif = "non"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.NomComplet(), u.Role.Libelle(), dash(u.Email), dash(u.Telephone), actif)
	}
	return w.Flush()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (m *Main) sendNotification(ctx context.Context, communeRef string, f notificationFlags) error {
	c, err := m.findCommune(ctx, communeRef)
	if err != nil {
		return err
	}
	n, err := admin.NotificationSPL(c.ID, f.typ, f.titre, f.texte, f.echeance, time.Now())
	if err != nil {
		return err
	}
	if err := m.store.RaiseNotification(ctx, n); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, n.ID)
	fmt.Fprintf(m.Stderr, "Notification « %s » envoyée à %s (%s) : les postes la reçoivent à leur prochaine synchronisation, les courriels et SMS partent dans la minute.\n",
		n.Titre, c.Nom, admin.FormatDate(n.CreeLe))
	return nil
}
