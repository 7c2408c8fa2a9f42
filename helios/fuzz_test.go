package helios

import (
	"os"
	"path/filepath"
	"testing"
)

// graines adds the real samples (when the fixtures are there) and a few
// hand-made ones.
func graines(f *testing.F, fichiers ...string) {
	for _, n := range fichiers {
		if b, err := os.ReadFile(filepath.Join(dossierFixtures(f), "protocols", "helios", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(nonAcquitExemple))
	f.Add([]byte(`<n:PES_ACQUIT xmlns:n="x"><Enveloppe><Parametres><NomFic V="a"/></Parametres></Enveloppe><ACQUIT><ElementACQUIT><DomaineAck V="5"/><EtatAck V="0"/><DetailPiece><NumPiece V="1"/></DetailPiece></ElementACQUIT></ACQUIT></n:PES_ACQUIT>`))
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><n:PES_Retour xmlns:n=\"x\"><EnTetePES><IdColl V=\"1\"/></EnTetePES><PES_RecetteRetour><Bordereau><Piece><BlocPiece><EtatPce V=\"04\"/></BlocPiece><LigneDePiece/></Piece></Bordereau></PES_RecetteRetour></n:PES_Retour>"))
	f.Add([]byte(""))
}

func FuzzLireAcquit(f *testing.F) {
	graines(f, "pes_acquit.xml", "acquit-ko/006111_190130123456-ACK-A3020100_A0000MIX_KO.xml", "acquit-ko/006111_190130123456-ACK-A3020100_A0000IDL_KO.xml")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := LireAcquit(b)
		if err != nil {
			return
		}
		// Whatever was read can be explained and written back.
		for _, x := range a.Anomalies() {
			_ = x.String()
		}
		if len(a.Elements) == 0 {
			return
		}
		out, err := EcrireAcquit(a)
		if err != nil {
			t.Fatal(err)
		}
		relu, err := LireAcquit(out)
		if err != nil {
			t.Fatalf("acquit écrit illisible : %v\n%s", err, out)
		}
		if len(relu.Elements) != len(a.Elements) || len(relu.Anomalies()) != len(a.Anomalies()) {
			t.Fatalf("acquit relu différent")
		}
	})
}

func FuzzLireNonAcquit(f *testing.F) {
	graines(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := LireNonAcquit(b)
		if err != nil {
			return
		}
		_ = n.Explication()
		out, err := EcrireNonAcquit(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := LireNonAcquit(out); err != nil {
			t.Fatalf("non-acquit écrit illisible : %v\n%s", err, out)
		}
	})
}

func FuzzLireRetour(f *testing.F) {
	graines(f, "HELIOS_SIMU_RETOUR_1565181244_184723364.xml")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := LireRetour(b)
		if err != nil {
			return
		}
		for _, p := range r.Pieces() {
			_ = p.Phrase()
		}
	})
}

func FuzzLireMessage(f *testing.F) {
	graines(f, "pes_acquit.xml", "HELIOS_SIMU_RETOUR_1565181244_184723364.xml", "PES_ex.xml")
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := LireMessage(b)
		if err == nil && m.NomFic() == "" && m.Retour == nil {
			t.Fatal("un acquit ou non-acquit lu doit avoir un NomFic")
		}
	})
}
