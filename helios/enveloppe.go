package helios

// v is how PES values are carried: <IdPost V="080007"/>.
type v struct {
	V string `xml:"V,attr"`
}

// Enveloppe identifies a PES file: its type (PESALR1, PESALR2, PESRETOUR_DEP…)
// and name, which the acquit echoes so that it can be matched back.
type Enveloppe struct {
	Version          string `json:"version"`
	TypFic           string `json:"typ_fic"`
	NomFic           string `json:"nom_fic"`
	EmetteurSigle    string `json:"emetteur_sigle,omitempty"`
	EmetteurAdresse  string `json:"emetteur_adresse,omitempty"`
	RecepteurSigle   string `json:"recepteur_sigle,omitempty"`
	RecepteurAdresse string `json:"recepteur_adresse,omitempty"`
}

// EnTetePES identifies the collectivité and its Trésorerie. PES_Retour spells
// the collectivité code CodColl; both land in CodCol.
type EnTetePES struct {
	DteStr        string `json:"dte_str"` // date the file was produced, AAAA-MM-JJ
	IdPost        string `json:"id_post"` // codique of the poste comptable (Trésorerie)
	LibellePoste  string `json:"libelle_poste,omitempty"`
	IdColl        string `json:"id_coll"` // SIRET of the collectivité
	FinJur        string `json:"fin_jur,omitempty"`
	CodCol        string `json:"cod_col"` // collectivité code given by the DGFiP
	CodBud        string `json:"cod_bud"` // budget code
	LibelleColBud string `json:"libelle_col_bud,omitempty"`
}

type xmlEnveloppe struct {
	Parametres struct {
		Version v `xml:"Version"`
		TypFic  v `xml:"TypFic"`
		NomFic  v `xml:"NomFic"`
	} `xml:"Parametres"`
	Emetteur struct {
		Sigle   v `xml:"Sigle"`
		Adresse v `xml:"Adresse"`
	} `xml:"Emetteur"`
	Recepteur struct {
		Sigle   v `xml:"Sigle"`
		Adresse v `xml:"Adresse"`
	} `xml:"Recepteur"`
}

func (x xmlEnveloppe) valeur() Enveloppe {
	return Enveloppe{
		Version: x.Parametres.Version.V, TypFic: x.Parametres.TypFic.V, NomFic: x.Parametres.NomFic.V,
		EmetteurSigle: x.Emetteur.Sigle.V, EmetteurAdresse: x.Emetteur.Adresse.V,
		RecepteurSigle: x.Recepteur.Sigle.V, RecepteurAdresse: x.Recepteur.Adresse.V,
	}
}

type xmlEnTete struct {
	DteStr        v `xml:"DteStr"`
	IdPost        v `xml:"IdPost"`
	LibellePoste  v `xml:"LibellePoste"`
	IdColl        v `xml:"IdColl"`
	FinJur        v `xml:"FinJur"`
	CodCol        v `xml:"CodCol"`
	CodColl       v `xml:"CodColl"`
	CodBud        v `xml:"CodBud"`
	LibelleColBud v `xml:"LibelleColBud"`
}

func (x xmlEnTete) valeur() EnTetePES {
	e := EnTetePES{
		DteStr: x.DteStr.V, IdPost: x.IdPost.V, LibellePoste: x.LibellePoste.V, IdColl: x.IdColl.V,
		FinJur: x.FinJur.V, CodCol: x.CodCol.V, CodBud: x.CodBud.V, LibelleColBud: x.LibelleColBud.V,
	}
	if e.CodCol == "" {
		e.CodCol = x.CodColl.V
	}
	return e
}

// ecrireEnveloppe writes the Enveloppe; the acquit schema requires Emetteur.
func ecrireEnveloppe(w *ecrivain, e Enveloppe, emetteurObligatoire bool) {
	w.ouvrir("Enveloppe")
	w.ouvrir("Parametres")
	w.valeur("Version", e.Version)
	w.valeur("TypFic", e.TypFic)
	w.valeur("NomFic", e.NomFic)
	w.fermer("Parametres")
	if emetteurObligatoire || e.EmetteurSigle != "" || e.EmetteurAdresse != "" {
		w.ouvrir("Emetteur")
		w.valeur("Sigle", e.EmetteurSigle)
		w.valeur("Adresse", e.EmetteurAdresse)
		w.fermer("Emetteur")
	}
	if e.RecepteurSigle != "" || e.RecepteurAdresse != "" {
		w.ouvrir("Recepteur")
		w.valeurOption("Sigle", e.RecepteurSigle)
		w.valeurOption("Adresse", e.RecepteurAdresse)
		w.fermer("Recepteur")
	}
	w.fermer("Enveloppe")
}

// ecrireEnTete writes EnTetePES; codColl names the collectivité code as
// PES_Retour does.
func ecrireEnTete(w *ecrivain, e EnTetePES, codColl bool) {
	w.ouvrir("EnTetePES")
	w.valeur("DteStr", e.DteStr)
	w.valeur("IdPost", e.IdPost)
	w.valeurOption("LibellePoste", e.LibellePoste)
	w.valeur("IdColl", e.IdColl)
	w.valeurOption("FinJur", e.FinJur)
	if codColl {
		w.valeur("CodColl", e.CodCol)
	} else {
		w.valeur("CodCol", e.CodCol)
	}
	w.valeur("CodBud", e.CodBud)
	w.valeurOption("LibelleColBud", e.LibelleColBud)
	w.fermer("EnTetePES")
}
