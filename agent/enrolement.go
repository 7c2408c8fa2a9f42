package agent

// DemandeEnrolement is what the technician gives to enroll a poste: the
// address of the SPL's central server, the one-time code the SPL issued for
// the commune, optionally the SHA-256 fingerprint of central's certificate
// (to pin it from the first exchange), and the poste's name.
type DemandeEnrolement struct {
	Central   string `json:"central"`
	Code      string `json:"code"`
	Empreinte string `json:"empreinte,omitempty"`
	Nom       string `json:"nom,omitempty"`
}

// DossierExport is a folder where the accounting software of the mairie
// writes its PES files, watched by the agent (Hélios).
type DossierExport struct {
	Logiciel string `json:"logiciel"` // code of the software ("jvs", "berger-levrault"…), "" when unknown
	Chemin   string `json:"chemin"`   // absolute path
}

// ConfigExports are the watched export folders of this poste.
type ConfigExports struct {
	Dossiers []DossierExport `json:"dossiers"`
}

// EtatExports is what the installation wizard shows: the folders chosen,
// and the usual folders of the known software found on this PC.
type EtatExports struct {
	Config       ConfigExports   `json:"config"`
	Propositions []DossierExport `json:"propositions,omitempty"`
}
