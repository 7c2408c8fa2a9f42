package helios

import (
	"errors"
	"strings"
	"testing"
)

// The DGFiP's sample (S2LOW 2.1/xsd/helios/PES_V2/Rev0/PES_Exemple_NAck.xml)
// is not in the fixtures; this one has its shape.
const nonAcquitExemple = `<?xml version="1.0" encoding="UTF-8"?>
<n:PES_NonAcquit xmlns:n="http://www.minefi.gouv.fr/cp/helios/pes" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	<Enveloppe>
		<Parametres><Version V="2"/><TypFic V="PESALR2"/><NomFic V="PESALR2_21510108000019_260302_001.xml"/></Parametres>
		<Emetteur><Sigle V="HELIOS"/><Adresse V="DGFiP"/></Emetteur>
	</Enveloppe>
	<NonAcquit>
		<NomFic V="PESALR2_21510108000019_260302_001.xml"/>
		<Motif V="Fichier non conforme : balise fermante manquante"/>
	</NonAcquit>
</n:PES_NonAcquit>`

func TestLireNonAcquit(t *testing.T) {
	n, err := LireNonAcquit([]byte(nonAcquitExemple))
	if err != nil {
		t.Fatal(err)
	}
	if n.NomFicAller() != "PESALR2_21510108000019_260302_001.xml" || !strings.Contains(n.Explication(), "balise fermante manquante") || !strings.Contains(n.Explication(), "en entier") {
		t.Errorf("%+v : %s", n, n.Explication())
	}
	m, err := LireMessage([]byte(nonAcquitExemple))
	if err != nil || m.Type != MessageNonAcquit || m.NomFic() != n.NomFic {
		t.Errorf("LireMessage : %+v %v", m, err)
	}
}

func TestEcrireNonAcquitRelu(t *testing.T) {
	b, err := EcrireNonAcquit(&NonAcquit{NomFic: "PES_é.xml", Motif: "Fichier illisible : « < & > »", Enveloppe: Enveloppe{TypFic: "PESALR2", EmetteurSigle: "HELIOS"}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := LireNonAcquit(b)
	if err != nil {
		t.Fatal(err)
	}
	if n.NomFic != "PES_é.xml" || n.Enveloppe.NomFic != "PES_é.xml" || n.Motif != "Fichier illisible : « < & > »" {
		t.Errorf("%+v", n)
	}
	if _, err := EcrireNonAcquit(&NonAcquit{}); !errors.Is(err, ErrStructure) {
		t.Errorf("sans NomFic : %v", err)
	}
}

func TestLireMessageDispatche(t *testing.T) {
	cas := []struct {
		nom, fichier string
		type_        TypeMessage
		nomFic       string
	}{
		{"acquit", "pes_acquit.xml", MessageAcquit, "HELIOS_SIMU_ALR2_1477486132_1155762524.xml"},
		{"acquit KO", "acquit-ko/006111_190130123456-ACK-A3020100_A0000SEN_KO.xml", MessageAcquit, "PesDepense-12-2018-209-2092019012917666666"},
		{"retour", "HELIOS_SIMU_RETOUR_1565181244_184723364.xml", MessageRetour, "HELIOS_SIMU_RETOUR_1565181244_184723364.xml"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			m, err := LireMessage(lireFixture(t, c.fichier))
			if err != nil {
				t.Fatal(err)
			}
			if m.Type != c.type_ || m.NomFic() != c.nomFic {
				t.Errorf("%s %s", m.Type, m.NomFic())
			}
		})
	}
}

func TestLireMessageRefuse(t *testing.T) {
	cas := []struct {
		nom     string
		doc     []byte
		code    error
		extrait string
	}{
		{"vide", []byte("  \n"), ErrXML, "vide"},
		{"pas du XML", []byte("%PDF-1.7"), ErrXML, "aucun élément"},
		{"un PES_Aller", []byte(`<n:PES_Aller xmlns:n="` + NamespaceAller + `"/>`), ErrTypeMessage, "bordereau (PES_Aller)"},
		{"tronqué", []byte(`<?xml version="1.0"?><n:PES_ACQUIT xmlns:n="x"><Enveloppe><Parametres><NomFic V="a"/>`), ErrXML, "incomplet"},
		{"UTF-8 annoncé, octets Latin-1", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?><n:PES_Retour xmlns:n=\"x\"><EnTetePES><IdColl V=\"1\"/><LibellePoste V=\"Tr\xE9sor\"/></EnTetePES></n:PES_Retour>"), ErrEncodage, "encodage"},
		{"encodage inconnu", []byte(`<?xml version="1.0" encoding="EBCDIC"?><a/>`), ErrEncodage, "encodage"},
		{"deux racines", []byte(`<n:PES_NonAcquit xmlns:n="x"><NonAcquit><NomFic V="a"/></NonAcquit></n:PES_NonAcquit><autre/>`), ErrXML, "second élément"},
		{"acquit sans NomFic", []byte(`<n:PES_ACQUIT xmlns:n="x"><Enveloppe/></n:PES_ACQUIT>`), ErrStructure, "NomFic absent"},
		{"EtatAck illisible", []byte(`<n:PES_ACQUIT xmlns:n="x"><Enveloppe><Parametres><NomFic V="a"/></Parametres></Enveloppe><ACQUIT><ElementACQUIT><DomaineAck V="5"/><EtatAck V="oui"/></ElementACQUIT></ACQUIT></n:PES_ACQUIT>`), ErrStructure, "EtatAck"},
	}
	for _, c := range cas {
		t.Run(c.nom, func(t *testing.T) {
			_, err := LireMessage(c.doc)
			if !errors.Is(err, c.code) || !strings.Contains(err.Error(), c.extrait) {
				t.Errorf("erreur %v, attendu %v contenant %q", err, c.code, c.extrait)
			}
		})
	}
}
