package helios

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The DGFiP receives PES files by FTP (passive) with one login per
// collectivité; before the upload the tiers de télétransmission sends three
// site commands: P_DEST (the receiving server), P_APPLI GHELPES2 and
// P_MSG PES#<CodCol>#<IdPost>#<CodBud> (S2LOW HeliosEnvoiControler and
// HeliosNamesGenerator; STELA sends the same as SITE commands). Acquits and
// retours are then fetched from the same server. Reference doc §7.1–7.2.

// AppliHelios is the P_APPLI value for PES V2.
const AppliHelios = "GHELPES2"

// PrefixeMessage is the first field of P_MSG. S2LOW writes the literal PES;
// STELA writes the file's TypFic instead: which one the DGFiP expects is
// unconfirmed, and our simulator accepts both.
const PrefixeMessage = "PES"

// ServeursDGFiP are the P_DEST values STELA knows (ServerCode.java).
var ServeursDGFiP = []string{"VHPCE11", "VHPCE21", "VHPCE31", "VHPCE51", "MHPCE11", "MHPCE21", "MHPCE31", "MHPCE41", "MHPCE51", "VHICE21", "VHPCE71"}

// TailleMaxDepot is the largest PES we send: S2LOW's upload limit
// (HELIOS_MAX_UPLOAD_SIZE, 128 MiB). The DGFiP's own limit is unconfirmed.
const TailleMaxDepot = 128 << 20

// Depot is what goes with one file on the transport.
type Depot struct {
	NomFichier string `json:"nom_fichier"` // PESALR2_<siret>_<aammjj>_<nnn>.xml
	PDest      string `json:"p_dest"`
	PAppli     string `json:"p_appli"`
	PMsg       string `json:"p_msg"`
}

// NouveauDepot gives the transport parameters of a PES_Aller whose EnTetePES
// is e, sent to server pdest under nomFichier.
func NouveauDepot(nomFichier, pdest string, e EnTetePES) Depot {
	return Depot{NomFichier: nomFichier, PDest: pdest, PAppli: AppliHelios, PMsg: PMsg(PrefixeMessage, e)}
}

// PMsg builds P_MSG: <prefixe>#<CodCol>#<IdPost>#<CodBud>.
func PMsg(prefixe string, e EnTetePES) string {
	return strings.Join([]string{prefixe, e.CodCol, e.IdPost, e.CodBud}, "#")
}

// Commandes are the site commands sent before the upload, in order.
func (d Depot) Commandes() []string {
	return []string{"P_DEST " + d.PDest, "P_APPLI " + d.PAppli, "P_MSG " + d.PMsg}
}

// Verifier checks d against the PES_Aller it carries (its EnTetePES and
// TypFic), as the receiving server routes on them: a file whose P_MSG does
// not match its content would reach the wrong Trésorerie.
func (d Depot) Verifier(e EnTetePES, typFic string) error {
	if d.PDest == "" {
		return erreur(ErrStructure, nil, "Le serveur de la DGFiP destinataire (P_DEST) n'est pas indiqué : vérifiez le paramétrage Hélios de la collectivité.")
	}
	if d.PAppli != AppliHelios {
		return erreur(ErrStructure, nil, fmt.Sprintf("L'application destinataire (P_APPLI) doit être %s, pas « %s ».", AppliHelios, d.PAppli))
	}
	champs := strings.Split(d.PMsg, "#")
	if len(champs) != 4 {
		return erreur(ErrStructure, nil, fmt.Sprintf("Le paramètre P_MSG « %s » n'a pas la forme PES#CodCol#IdPost#CodBud.", d.PMsg))
	}
	if champs[0] != PrefixeMessage && (typFic == "" || champs[0] != typFic) {
		return erreur(ErrStructure, nil, fmt.Sprintf("Le paramètre P_MSG commence par « %s » au lieu de %s.", champs[0], PrefixeMessage))
	}
	if champs[1] != e.CodCol || champs[2] != e.IdPost || champs[3] != e.CodBud {
		return erreur(ErrStructure, nil, fmt.Sprintf("Le paramètre P_MSG (%s) ne correspond pas au fichier (collectivité %s, poste comptable %s, budget %s) : le fichier irait à la mauvaise Trésorerie. Vérifiez le paramétrage Hélios de la collectivité.", d.PMsg, e.CodCol, e.IdPost, e.CodBud))
	}
	return d.verifierNom()
}

func (d Depot) verifierNom() error {
	if d.NomFichier == "" || strings.ContainsAny(d.NomFichier, "/\\\x00") || len(d.NomFichier) > 255 {
		return erreur(ErrNomFichier, nil, fmt.Sprintf("Le nom de fichier « %s » n'est pas admis sur le transport Hélios.", d.NomFichier))
	}
	return nil
}

// NomFichier is the name under which a PES_Aller is transmitted:
// PESALR2_<identifiant>_<aammjj>_<numéro>.xml, the identifiant being the
// collectivité's SIRET (STELA; S2LOW passes the SIREN) and the numéro the
// rank of the file sent that day, on three digits. The official rule is
// unconfirmed; a Pastell fixture shows a four-digit number.
type NomFichier struct {
	Identifiant string    `json:"identifiant"`
	Date        time.Time `json:"date"`
	Numero      int       `json:"numero"`
}

var reNomFichier = regexp.MustCompile(`^PESALR2_([0-9]{9}|[0-9]{14})_([0-9]{6})_([0-9]{3,4})\.xml$`)

// String writes the name; Date is taken in Paris time by the caller.
func (n NomFichier) String() string {
	return fmt.Sprintf("PESALR2_%s_%s_%03d.xml", n.Identifiant, n.Date.Format("060102"), n.Numero)
}

// NouveauNomFichier checks its parts and gives the name of the numero-th file
// sent on date by the collectivité with this SIRET (or SIREN).
func NouveauNomFichier(siret string, date time.Time, numero int) (NomFichier, error) {
	n := NomFichier{Identifiant: siret, Date: date, Numero: numero}
	if !chiffres(siret) || (len(siret) != 14 && len(siret) != 9) {
		return n, erreur(ErrNomFichier, nil, fmt.Sprintf("Le SIRET « %s » de la collectivité doit compter 14 chiffres (ou 9 pour un SIREN) : corrigez-le dans la fiche de la collectivité.", siret))
	}
	if numero < 1 || numero > 9999 {
		return n, erreur(ErrNomFichier, nil, fmt.Sprintf("Le numéro d'envoi du jour (%d) doit être compris entre 1 et 9999.", numero))
	}
	return n, nil
}

// LireNomFichier reads a name written by NomFichier.String (or by another
// tiers de télétransmission with the same rule).
func LireNomFichier(nom string) (NomFichier, error) {
	m := reNomFichier.FindStringSubmatch(nom)
	if m == nil {
		return NomFichier{}, erreur(ErrNomFichier, nil, fmt.Sprintf("« %s » n'est pas un nom de fichier PES transmis (PESALR2_<SIRET>_<aammjj>_<numéro>.xml attendu).", nom))
	}
	d, err := time.Parse("060102", m[2])
	if err != nil {
		return NomFichier{}, erreur(ErrNomFichier, err, fmt.Sprintf("La date « %s » du nom de fichier « %s » n'existe pas.", m[2], nom))
	}
	num, _ := strconv.Atoi(m[3])
	return NomFichier{Identifiant: m[1], Date: d, Numero: num}, nil
}

// NomAcquit is the name we give to the acquit of the file nomAller, as the
// Pastell fixtures do (ACQUIT_<nom du PES_Aller>).
func NomAcquit(nomAller string) string { return "ACQUIT_" + nomAller }

// NomNonAcquit is the name we give to a non-acquit.
func NomNonAcquit(nomAller string) string { return "NONACQUIT_" + nomAller }

// ServeurConnu says whether pdest is one of ServeursDGFiP.
func ServeurConnu(pdest string) bool { return slices.Contains(ServeursDGFiP, pdest) }

func chiffres(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
