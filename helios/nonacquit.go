package helios

// NonAcquit is a PES_NonAcquit: Hélios refused the whole file (unreadable,
// unknown sender…), with a motive.
type NonAcquit struct {
	Enveloppe Enveloppe `json:"enveloppe"`
	NomFic    string    `json:"nom_fic"` // the refused file, from the NonAcquit block
	Motif     string    `json:"motif"`
}

type xmlNonAcquit struct {
	Enveloppe xmlEnveloppe `xml:"Enveloppe"`
	NonAcquit struct {
		NomFic v `xml:"NomFic"`
		Motif  v `xml:"Motif"`
	} `xml:"NonAcquit"`
}

// LireNonAcquit reads a PES_NonAcquit.
func LireNonAcquit(b []byte) (*NonAcquit, error) {
	var x xmlNonAcquit
	if err := lireRacine(b, MessageNonAcquit, "fichier de non-acquit", &x); err != nil {
		return nil, err
	}
	n := &NonAcquit{Enveloppe: x.Enveloppe.valeur(), NomFic: x.NonAcquit.NomFic.V, Motif: x.NonAcquit.Motif.V}
	if n.NomFicAller() == "" {
		return nil, erreur(ErrStructure, nil, "Le refus d'Hélios ne dit pas quel fichier il refuse (NomFic absent) : il ne peut pas être rattaché à un envoi. Prévenez le support de la SPL.")
	}
	return n, nil
}

// NomFicAller is the name of the refused PES_Aller: the NonAcquit block's,
// else the Enveloppe's (which S2LOW uses).
func (n *NonAcquit) NomFicAller() string {
	if n.NomFic != "" {
		return n.NomFic
	}
	return n.Enveloppe.NomFic
}

// Explication is the sentence for the secrétaire.
func (n *NonAcquit) Explication() string {
	s := "Hélios a refusé le fichier « " + n.NomFicAller() + " » en entier : aucun bordereau n'a été pris en compte."
	if n.Motif != "" {
		s += " Motif donné par la DGFiP : « " + n.Motif + " »."
	}
	return s + " Vérifiez le fichier exporté par le logiciel de comptabilité, corrigez-le puis faites-le signer et envoyer de nouveau ; si le motif n'est pas clair, appelez la Trésorerie."
}

// EcrireNonAcquit writes n as in the DGFiP sample (ISO-8859-1, namespace
// http://www.minefi.gouv.fr/cp/helios/pes).
func EcrireNonAcquit(n *NonAcquit) ([]byte, error) {
	if n.NomFicAller() == "" {
		return nil, erreur(ErrStructure, nil, "Un non-acquit doit nommer le fichier refusé (NomFic).")
	}
	const racine = "PES_NonAcquit"
	w := nouvelEcrivain(racine, NamespaceNonAcquit)
	env := n.Enveloppe
	if env.Version == "" {
		env.Version = "2"
	}
	if env.NomFic == "" {
		env.NomFic = n.NomFicAller()
	}
	ecrireEnveloppe(w, env, true)
	w.ouvrir("NonAcquit")
	w.valeur("NomFic", n.NomFicAller())
	w.valeur("Motif", n.Motif)
	w.fermer("NonAcquit")
	return w.terminer(racine), nil
}
