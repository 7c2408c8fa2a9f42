// Package xades signs and verifies PES (Hélios) files with enveloped XAdES
// signatures, in the profile the DGFiP and the tiers de télétransmission use
// (see shared/reference/protocols-actes-helios.md §6): XAdES 1.1.1 with the
// xad: prefix, exclusive canonicalisation, RSA-SHA256 (or ECDSA-SHA256) and
// SHA-256, one signature per Bordereau or one for the whole PES_Aller,
// SigningTime, SigningCertificate, the DGFiP signature policy, the
// production place and the signer's claimed role.
//
// Signing is done in two steps (package signature): Preparer writes the
// signatures with an empty SignatureValue and returns the digests of each
// SignedInfo; the token signs them; Assembler checks and writes the values.
// The XML is never re-serialised: the PES keeps its bytes (and its
// ISO-8859-1 encoding) and the signatures are inserted where they belong.
//
// The package has its own streaming reader and exclusive canonicaliser
// rather than a DOM library: a PES can be tens of megabytes and only the
// signed elements need to be canonicalised.
package xades

// Namespaces.
const (
	nsDS       = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES    = "http://uri.etsi.org/01903/v1.1.1#" // the version the PES XSD imports
	nsXAdES132 = "http://uri.etsi.org/01903/v1.3.2#"
	nsPES      = "http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller"
	nsExcC14N  = "http://www.w3.org/2001/10/xml-exc-c14n#"
)

// Algorithm identifiers.
const (
	algExcC14N     = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algEnveloppe   = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algSHA256      = "http://www.w3.org/2001/04/xmlenc#sha256"
	algSHA1        = "http://www.w3.org/2000/09/xmldsig#sha1"
	algRSASHA256   = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA1     = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
)

// Politique is a signature policy written in SignaturePolicyIdentifier.
type Politique struct {
	Identifiant string `json:"identifiant"` // urn:oid:…
	Description string `json:"description"`
	Empreinte   string `json:"empreinte"` // base64 SHA-256 of the policy document
	URI         string `json:"uri"`       // SPURI qualifier
}

// EmpreintePolitiqueHelios is the SigPolicyHash we write for the DGFiP
// policy 1.7. Three values circulate for the same policy (reference doc
// §6.3). We take roF9…u5E= because two independent, recent producers agree
// on it: S2LOW's current signer configuration and the Berger-Levrault 2019
// PES accepted by STELA (fixture PESALR2_25060187900027_190328_001.xml).
// pYtF…YAk= (a 2018 DGCP test file, and S2LOW's template for policy 1.4)
// and GbP1…IJ4= (a PHP library) are still accepted by Verifier. Which one
// Hélios really checks is unconfirmed: recompute it from the official PDF
// when it can be downloaded, and change only this constant.
const EmpreintePolitiqueHelios = "roF9+cfRHNPtVJolhdqfIqGMVuUXX8aR4rpiquf0u5E="

// PolitiqueHelios is the DGFiP signature policy for Hélios, version 1.7.
var PolitiqueHelios = Politique{
	Identifiant: "urn:oid:1.2.250.1.131.1.5.18.21.1.7",
	Description: "Politique de signature Helios de la DGFiP",
	Empreinte:   EmpreintePolitiqueHelios,
	URI:         "https://www.collectivites-locales.gouv.fr/files/files/finances_locales/dematerialisation/ps_helios_dgfip.pdf",
}

// politiquesConnues lists the policies Verifier accepts, with the hash
// values seen for each; another hash only raises a warning since no
// authority confirms which is right.
var politiquesConnues = map[string][]string{
	"urn:oid:1.2.250.1.131.1.5.18.21.1.7": {EmpreintePolitiqueHelios, "pYtFgzn09kQWZywqdIGVd1fFI07tjKmEAyQHr0l/YAk=", "GbP1WjbTrHp6h9zlsz5RN7AqkJbnDNDOAQzgm1qzIJ4="},
	// Legacy SHA-1 era policy, still found in files signed before 2018.
	"urn:oid:1.2.250.1.131.1.5.18.21.1.4": {"Jkdb+aba0Hz6+ZPKmKNhPByzQ+Q=", "pYtFgzn09kQWZywqdIGVd1fFI07tjKmEAyQHr0l/YAk="},
}
