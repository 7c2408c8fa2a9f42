package simulateur

import (
	"testing"

	"xdemat/helios"
)

// FuzzDeposer: any bytes received give either a transport refusal or a reply
// that our own reader accepts.
func FuzzDeposer(f *testing.F) {
	f.Add(pesAller("PES_F", []string{"PJ1"}, bord{num: "1", pieces: []string{"1"}}, bord{recette: true, num: "2", pieces: []string{"2"}}))
	f.Add([]byte("<n:PES_Aller/>"))
	f.Add([]byte{})
	s := Nouveau(Options{SansSignature: true})
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := s.Deposer(helios.NouveauDepot("PESALR2_21510108000019_260302_001.xml", "VHPCE21", enteteTest), b)
		if err != nil {
			return
		}
		contenu, ok := s.Contenu(res.Reponse)
		if !ok {
			t.Fatalf("réponse %q absente", res.Reponse)
		}
		if _, err := helios.LireMessage(contenu); err != nil {
			t.Fatalf("réponse illisible : %v\n%s", err, contenu)
		}
	})
}
