package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"xdemat"
)

// annexeChoisie is a file the secretary joined to a new acte, with the
// typologie de pièce she gave it.
type annexeChoisie struct {
	chemin    string
	taille    int64
	typePiece string
}

// champAnnexes is the part of the "Nouvel acte" form that lists the
// annexes: each file with its typologie de pièce (from the préfecture's
// classification for the acte's nature once it has reached the poste) and a
// button to take it out, then the total weighed against what the préfecture
// accepts, so that an acte too heavy is seen before anything is uploaded.
type champAnnexes struct {
	u         *UI
	annexes   []*annexeChoisie
	lignes    *fyne.Container
	defile    *container.Scroll // the rows, four at most in sight
	total     *widget.Label
	principal func() int64 // size of the main document, 0 when none is chosen
	types     []xdemat.TypePieceClassification
	objet     fyne.CanvasObject
	// relayout is called once the list changed, so that the dialog
	// holding it makes room for the rows added.
	relayout func()
}

func (u *UI) champAnnexes(principal func() int64) *champAnnexes {
	c := &champAnnexes{u: u, lignes: container.NewVBox(), total: widget.NewLabel(""), principal: principal}
	ajouter := widget.NewButtonWithIcon("Ajouter une annexe…", theme.ContentAddIcon(), func() {
		u.choisirFichier(func(p string) {
			st, err := os.Stat(p)
			if err != nil {
				u.erreur(xdemat.Errorf(xdemat.EINVALID, "Le fichier %s ne s'ouvre pas (%v).", filepath.Base(p), err))
				return
			}
			c.annexes = append(c.annexes, &annexeChoisie{chemin: p, taille: st.Size(), typePiece: xdemat.TypeAnnexeParDefaut})
			c.rafraichir()
		})
	})
	c.defile = container.NewVScroll(c.lignes)
	c.objet = container.NewVBox(c.defile, container.NewBorder(nil, nil, nil, ajouter, c.total))
	c.rafraichir()
	return c
}

// typologies sets the typologies the préfecture allows for the nature of
// the acte (its classification, once received); the annexes keep theirs
// when still allowed.
func (c *champAnnexes) typologies(types []xdemat.TypePieceClassification) {
	c.types = types
	c.rafraichir()
}

// typologiesDe returns the typologies the classification c allows for the
// nature n; nil without a classification.
func typologiesDe(c *xdemat.ClassificationPrefecture, n xdemat.NatureActe) []xdemat.TypePieceClassification {
	if c == nil {
		return nil
	}
	for _, nc := range c.Natures {
		if nc.Code == n {
			return nc.TypesPieces
		}
	}
	return nil
}

// libelles returns the choices of typologie, the label of each code, and
// the code given to an annexe whose typologie is not (or no longer) allowed.
func (c *champAnnexes) libelles() ([]string, map[string]string, string) {
	types := c.types
	if len(types) == 0 {
		types = []xdemat.TypePieceClassification{{Code: xdemat.TypeAnnexeParDefaut, Libelle: "Autre document"}}
	}
	opts := make([]string, len(types))
	par := map[string]string{}
	for i, t := range types {
		opts[i] = t.Code + " " + t.Libelle
		par[t.Code] = opts[i]
	}
	defaut := types[0].Code
	if _, ok := par[xdemat.TypeAnnexeParDefaut]; ok {
		defaut = xdemat.TypeAnnexeParDefaut
	}
	return opts, par, defaut
}

// rafraichir redraws the list of annexes and the total.
func (c *champAnnexes) rafraichir() {
	opts, par, defaut := c.libelles()
	c.lignes.RemoveAll()
	for i, a := range c.annexes {
		if _, ok := par[a.typePiece]; !ok {
			a.typePiece = defaut
		}
		choix := widget.NewSelect(opts, func(s string) {
			for code, l := range par {
				if l == s {
					a.typePiece = code
				}
			}
		})
		choix.SetSelected(par[a.typePiece])
		retirer := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			c.annexes = append(c.annexes[:i:i], c.annexes[i+1:]...)
			c.rafraichir()
		})
		nom := widget.NewLabel(fmt.Sprintf("%s (%s)", filepath.Base(a.chemin), xdemat.Octets(a.taille)))
		nom.Truncation = fyne.TextTruncateEllipsis
		// The typologie keeps a readable width ("22_PN Plan"), the file name
		// gives way.
		largeur := container.NewGridWrap(fyne.NewSize(240, choix.MinSize().Height), choix)
		c.lignes.Add(container.NewBorder(nil, nil, nil, container.NewHBox(largeur, retirer), nom))
	}
	// A plan local d'urbanisme comes with a dozen annexes: past four rows,
	// the list scrolls and the dialog stays within the screen.
	hauteur := float32(0)
	for i, o := range c.lignes.Objects {
		if i < 4 {
			hauteur += o.MinSize().Height + theme.Padding()
		}
	}
	c.defile.SetMinSize(fyne.NewSize(0, hauteur))
	total := c.poids()
	switch {
	case len(c.annexes) == 0:
		c.total.SetText("Aucune annexe (PDF, XML, PNG ou JPEG)")
	case total > xdemat.TailleMaxActe:
		c.total.SetText(fmt.Sprintf("Trop lourd : %s pour %s au plus", xdemat.Octets(total), xdemat.Octets(xdemat.TailleMaxActe)))
	default:
		c.total.SetText(fmt.Sprintf("%s, %s avec l'acte (%s au plus)", pluriel(int64(len(c.annexes)), "annexe", "annexes"), xdemat.Octets(total), xdemat.Octets(xdemat.TailleMaxActe)))
	}
	if c.relayout != nil {
		c.relayout()
	}
}

// poids is the acte's weight with its annexes.
func (c *champAnnexes) poids() int64 {
	n := c.principal()
	for _, a := range c.annexes {
		n += a.taille
	}
	return n
}

// verifier says, before anything is uploaded, what the préfecture would
// refuse on weight alone.
func (c *champAnnexes) verifier() error {
	if n := c.poids(); n > xdemat.TailleMaxActe {
		return xdemat.Errorf(xdemat.ETOOLARGE, "L'acte et ses annexes pèsent %s : la préfecture en accepte %s au plus ; compressez les PDF (scan en 200 dpi, noir et blanc) ou retirez des annexes.", xdemat.Octets(n), xdemat.Octets(xdemat.TailleMaxActe))
	}
	return nil
}

// envoyer uploads the annexes to the agent and returns them as pieces of the acte.
func (c *champAnnexes) envoyer(ctx context.Context, ag Agent) ([]xdemat.PieceActe, error) {
	var pieces []xdemat.PieceActe
	for _, a := range c.annexes {
		doc, err := envoyerFichier(ctx, ag, a.chemin)
		if err != nil {
			return nil, err
		}
		pieces = append(pieces, xdemat.PieceActe{SHA256: doc.SHA256, Nom: doc.NomOriginal, TypeMedia: doc.TypeMedia, Taille: doc.Taille, TypePiece: a.typePiece})
	}
	return pieces, nil
}

// envoyerFichier adds the file at chemin to the agent's documents.
func envoyerFichier(ctx context.Context, ag Agent, chemin string) (*xdemat.Document, error) {
	f, err := os.Open(chemin)
	if err != nil {
		return nil, xdemat.Errorf(xdemat.EINVALID, "Le fichier %s ne s'ouvre pas (%v).", filepath.Base(chemin), err)
	}
	defer f.Close()
	return ag.AjouterDocument(ctx, filepath.Base(chemin), "", f)
}
