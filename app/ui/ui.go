// Package ui is the xdemat desktop app: its window, its pages and its
// dialogs, in French. It is a client of the agent's local API (the Agent
// interface) and holds no business rule. It never imports
// fyne.io/fyne/v2/app, so that its tests run headless (no window, no GL);
// only cmd/xdemat creates the Fyne application. It talks to the signature
// token itself (pkcs11, hence cgo): the PIN never leaves the app.
//
// Threading: the UI thread never waits on the agent. Every call runs in a
// goroutine (enFond) and comes back to the UI thread with fyne.Do (surUI).
package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"xdemat"
	"xdemat/agent"
	"xdemat/app/apercu"
)

// Options are what cmd/xdemat knows and the pages show.
type Options struct {
	Version        string // of the app
	DossierDonnees string // the agent's data folder
	// AgentIntegre is true when the app started the agent itself because no
	// agent service answered.
	AgentIntegre bool
	// Lien is the screen to open once a session is open (command line).
	Lien xdemat.Lien
	// Utilisateur opens the session of that profile (ID or "Prénom Nom")
	// without asking, when it has no password: for shortcuts and benchmarks.
	Utilisateur string
	// Maintenant and Fuseau are the clock and time zone of displayed dates
	// (tests fix them); nil means time.Now and time.Local.
	Maintenant func() time.Time
	Fuseau     *time.Location
	// ModulePKCS11 is the token driver configured for this poste ("":
	// looked for among the known ones).
	ModulePKCS11 string
	// QuandPret is called once, on the UI thread, when the "À faire" list
	// is first filled (the app's benchmark measures up to there).
	QuandPret func()
}

// delaiAppel bounds one call to the local agent: it answers in milliseconds
// unless its disk is stuck, and the secretary must then get a message.
const delaiAppel = time.Minute

// UI is the app's window content and state. Its fields are touched on the UI
// thread only.
type UI struct {
	win  fyne.Window
	ag   Agent
	opts Options

	ctx    context.Context
	cancel context.CancelFunc

	// enFond runs work off the UI thread; surUI brings a function back to
	// it. Tests make both synchronous.
	enFond func(func())
	surUI  func(func())
	// lancerFlux starts following the agent's events; tests feed them by hand.
	lancerFlux func()

	identite *agent.Identity
	profil   *agent.Profil // the user at the keyboard; nil before login
	profils  []agent.Profil
	lien     xdemat.Lien // deep link waiting for a session
	ecran    string      // the page shown

	menu       *menu
	barre      *barre
	afaire     *pageAFaire
	historique *pageHistorique
	parametres *pageParametres
	diagnostic *pageDiagnostic
	sauvegarde *pageSauvegarde
	cle        *pageCle
	parapheur  *pageParapheur
	dossier    *vueDossier
	lecture    *vueLecture
	assistant  *assistant
	helios     *pageHelios
	actes      *pageActes
	// assistantApresConnexion opens the wizard at the next session: the
	// poste was just enrolled from the waiting page.
	assistantApresConnexion bool
	// apercu renders PDF pages; started on first use (moteurApercu).
	apercu    *apercu.Moteur
	apercuMu  sync.Mutex
	detail    *vueNotification
	connexion *pageConnexion
	corps     *fyne.Container // the page
	racine    *fyne.Container // menu + page + status bar, or the login
	principal fyne.CanvasObject
	demarre   bool

	// etatSauvegarde is the last backup state known (page and status bar).
	etatSauvegarde *agent.EtatSauvegarde
	// restauration is the restore dialog opened last, nil before.
	restauration *restauration
	// choisirDossier asks the secretary for a folder and calls ok with its
	// path, not at all when she cancels; tests answer it themselves.
	choisirDossier func(ok func(chemin string))
	// choisirFichier asks for a file the same way (tests answer it).
	choisirFichier func(ok func(chemin string))
	// enregistrerFichier asks where to save a file the app made (the
	// installation report) and writes it; tests keep the bytes.
	enregistrerFichier func(nom string, b []byte, ok func(chemin string))
}

// Screens: menu entries and deep link targets.
const (
	EcranAFaire       = "afaire"
	EcranHistorique   = "historique"
	EcranParametres   = "parametres"
	EcranDiagnostic   = "diagnostic"
	EcranNotification = "notification"
	EcranSauvegarde   = "sauvegarde" // xdemat.ServiceSauvegarde: the backup notifications link there
)

// New builds the UI in w; call Demarrer to load it.
func New(w fyne.Window, ag Agent, opts Options) *UI {
	ctx, cancel := context.WithCancel(context.Background())
	u := &UI{
		win: w, ag: ag, opts: opts, ctx: ctx, cancel: cancel,
		enFond: func(f func()) { go f() },
		surUI:  fyne.Do,
		lien:   opts.Lien,
	}
	u.lancerFlux = func() { go u.suivreFlux(u.ctx) }
	u.choisirDossier = u.dialogueDossier
	u.choisirFichier = u.dialogueFichier
	u.enregistrerFichier = u.dialogueEnregistrer
	u.barre = newBarre(u)
	u.menu = newMenu(u)
	u.afaire = newPageAFaire(u)
	u.historique = newPageHistorique(u)
	u.parametres = newPageParametres(u)
	u.diagnostic = newPageDiagnostic(u)
	u.sauvegarde = newPageSauvegarde(u)
	u.cle = newPageCle(u)
	u.parapheur = newPageParapheur(u)
	u.dossier = newVueDossier(u)
	u.lecture = newVueLecture(u)
	u.assistant = newAssistant(u)
	u.helios = newPageHelios(u)
	u.actes = newPageActes(u)
	u.detail = newVueNotification(u)
	u.connexion = newPageConnexion(u)
	u.corps = container.NewStack()
	u.principal = container.NewBorder(nil, u.barre.objet, u.menu.objet, nil, u.corps)
	u.racine = container.NewStack(widget.NewLabel("Chargement…"))
	w.SetContent(u.racine)
	return u
}

// Demarrer loads the poste's identity and asks who is working; it also
// starts following the agent's events.
func (u *UI) Demarrer() {
	if u.demarre {
		return
	}
	u.demarre = true
	u.rafraichirIdentite()
	u.barre.rafraichir()
	u.connexion.demander("")
	u.lancerFlux()
}

// Fermer stops the background work; pending calls are cancelled.
func (u *UI) Fermer() {
	u.cancel()
	u.lecture.fermer()
	u.apercuMu.Lock()
	if u.apercu != nil {
		u.apercu.Fermer()
		u.apercu = nil
	}
	u.apercuMu.Unlock()
}

// Ouvrir shows the screen of a deep link, after the login if none is open.
func (u *UI) Ouvrir(l xdemat.Lien) {
	if u.profil == nil {
		u.lien = l
		return
	}
	switch l.Ecran {
	case EcranAFaire, "":
		u.afficher(EcranAFaire)
	case EcranHistorique, "journal":
		u.afficher(EcranHistorique)
	case EcranParametres:
		u.afficher(EcranParametres)
	case EcranDiagnostic:
		u.afficher(EcranDiagnostic)
	case EcranSauvegarde:
		u.afficher(EcranSauvegarde)
	case EcranCle:
		u.afficher(EcranCle)
	case EcranHelios:
		u.afficher(EcranHelios)
	case EcranActes:
		u.afficher(EcranActes)
		if l.ID != "" {
			u.ouvrirActe(l.ID)
		}
	case EcranParapheur:
		if l.ID != "" {
			u.dossier.ouvrir(l.ID)
		} else {
			u.afficher(EcranParapheur)
		}
	case EcranNotification:
		u.detail.ouvrirParID(l.ID)
	default:
		// Screens of services this version does not have yet: the
		// notification that links there still says what to do.
		u.detail.ouvrirParID(l.ID)
	}
}

// afficher shows one of the menu's pages and reloads it.
func (u *UI) afficher(ecran string) {
	u.ecran = ecran
	var page fyne.CanvasObject
	switch ecran {
	case EcranHistorique:
		page = u.historique.objet
		u.historique.recharger()
	case EcranParametres:
		page = u.parametres.objet
		u.parametres.recharger()
	case EcranDiagnostic:
		page = u.diagnostic.objet
		u.diagnostic.recharger()
	case EcranSauvegarde:
		page = u.sauvegarde.objet
		u.sauvegarde.recharger()
	case EcranCle:
		page = u.cle.objet
		u.cle.recharger()
	case EcranParapheur:
		page = u.parapheur.objet
		u.parapheur.recharger()
	case EcranHelios:
		page = u.helios.objet
		u.helios.recharger()
	case EcranActes:
		page = u.actes.objet
		u.actes.recharger()
	case EcranNotification:
		page = u.detail.objet
		u.detail.recharger()
	default:
		u.ecran = EcranAFaire
		page = u.afaire.objet
		u.afaire.recharger()
	}
	u.corps.Objects = []fyne.CanvasObject{page}
	u.corps.Refresh()
	u.menu.selectionner(u.ecran)
}

// sessionOuverte switches from the login to the main window.
func (u *UI) sessionOuverte(p *agent.Profil) {
	u.profil = p
	u.menu.afficherProfil(p)
	u.barre.afficherProfil(p)
	u.racine.Objects = []fyne.CanvasObject{u.principal}
	u.racine.Refresh()
	l := u.lien
	u.lien = xdemat.Lien{}
	u.afficher(EcranAFaire)
	if u.assistantApresConnexion {
		u.assistantApresConnexion = false
		u.ouvrirAssistant()
		return
	}
	if !l.IsZero() {
		u.Ouvrir(l)
	}
}

// changerUtilisateur closes the session and asks again who is working.
func (u *UI) changerUtilisateur() {
	u.profil = nil
	u.enFond(func() {
		ctx, cancel := context.WithTimeout(u.ctx, delaiAppel)
		defer cancel()
		_ = u.ag.FermerSession(ctx) // the next login replaces it anyway
		u.surUI(func() { u.connexion.demander("") })
	})
}

// rafraichirIdentite sets the window title to the commune's name.
func (u *UI) rafraichirIdentite() {
	u.enFond(func() {
		ctx, cancel := context.WithTimeout(u.ctx, delaiAppel)
		defer cancel()
		id, err := u.ag.Identite(ctx)
		if err != nil {
			id = nil
		}
		u.surUI(func() { u.identiteConnue(id) })
	})
}

// identiteConnue shows the identity of the poste (nil: not enrolled, or
// unknown).
func (u *UI) identiteConnue(id *agent.Identity) {
	u.identite = id
	if id == nil {
		u.win.SetTitle("xdemat")
	} else {
		u.win.SetTitle("xdemat — " + id.Commune.Nom)
	}
	u.parametres.afficherCommune()
}

// appeler runs call off the UI thread, then ok on it with the result. A
// failure is shown as a French dialog, or brings back the login when the
// agent no longer knows the session.
func appeler[T any](u *UI, call func(ctx context.Context) (T, error), ok func(T)) {
	appelerSinon(u, call, ok, nil)
}

// appelerSinon is appeler with a hook run on the UI thread after a failure
// (to re-enable a button…); when it returns true, it has told the user.
func appelerSinon[T any](u *UI, call func(ctx context.Context) (T, error), ok func(T), echec func(error) bool) {
	u.enFond(func() {
		ctx, cancel := context.WithTimeout(u.ctx, delaiAppel)
		defer cancel()
		v, err := call(ctx)
		if u.ctx.Err() != nil {
			return // the window is closing
		}
		u.surUI(func() {
			if err != nil {
				if echec != nil && echec(err) {
					return
				}
				u.erreur(err)
				return
			}
			ok(v)
		})
	})
}

// sansValeur adapts a call that returns only an error to appeler.
func sansValeur(f func(ctx context.Context) error) func(ctx context.Context) (struct{}, error) {
	return func(ctx context.Context) (struct{}, error) { return struct{}{}, f(ctx) }
}

// erreur shows err to the secretary.
func (u *UI) erreur(err error) {
	switch {
	case errors.Is(err, context.Canceled):
		return
	case xdemat.ErrorCode(err) == xdemat.EUNAUTHORIZED:
		// The agent restarted or forgot the session: whoever works must
		// say again who they are before anything is recorded.
		u.profil = nil
		u.connexion.demander("La session a été interrompue (le service xdemat a redémarré). Choisissez à nouveau votre profil.")
		return
	case errors.Is(err, context.DeadlineExceeded):
		err = xdemat.Errorf(xdemat.EUNAVAILABLE, "Le service xdemat met trop de temps à répondre : réessayez dans un instant ; si cela persiste, redémarrez le PC.")
	}
	u.message("Impossible de continuer", xdemat.ErrorMessage(err))
}

// message shows a French dialog with a wrapped text.
func (u *UI) message(titre, texte string) {
	l := widget.NewLabel(texte)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(titre, "Fermer", largeurFixe(420, l), u.win)
	d.Show()
}

// sauvegardeConnue shows a new backup state on the page and the status bar.
func (u *UI) sauvegardeConnue(e *agent.EtatSauvegarde) {
	u.etatSauvegarde = e
	u.barre.afficherSauvegarde(e)
	u.sauvegarde.afficher(e)
}

// dialogueDossier is choisirDossier with Fyne's folder dialog.
func (u *UI) dialogueDossier(ok func(chemin string)) {
	dialog.ShowFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			u.erreur(xdemat.Errorf(xdemat.EINVALID, "Ce dossier ne peut pas être ouvert : choisissez-en un autre."))
			return
		}
		if l != nil {
			ok(l.Path())
		}
	}, u.win)
}

// dialogueFichier asks for a file with Fyne's dialog.
func (u *UI) dialogueFichier(ok func(chemin string)) {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.erreur(xdemat.Errorf(xdemat.EINVALID, "Ce fichier ne peut pas être ouvert : choisissez-en un autre."))
			return
		}
		if r != nil {
			r.Close()
			ok(r.URI().Path())
		}
	}, u.win)
}

// maintenant is the clock of displayed dates.
func (u *UI) maintenant() time.Time {
	if u.opts.Maintenant != nil {
		return u.opts.Maintenant()
	}
	return time.Now()
}

// fuseau is the time zone of displayed dates.
func (u *UI) fuseau() *time.Location {
	if u.opts.Fuseau != nil {
		return u.opts.Fuseau
	}
	return time.Local
}
