package surveillance

import (
	"strings"
	"testing"
)

func TestDossiersParDefaut(t *testing.T) {
	env := map[string]string{"USERPROFILE": `C:\Users\secretaire`, "HOME": "/home/secretaire"}
	get := func(k string) string { return env[k] }
	for _, code := range []string{"jvs", "berger-levrault", "segilog", "cosoluce", "ciril", "nfi"} {
		t.Run(code, func(t *testing.T) {
			l, ok := LogicielParCode(strings.ToUpper(code))
			if !ok {
				t.Fatal("logiciel inconnu")
			}
			w := l.Dossiers("windows", get)
			if len(w) < 2 || w[len(w)-1] != `C:\Users\secretaire\Downloads` || !strings.HasPrefix(w[0], `C:\`) {
				t.Errorf("windows : %v", w)
			}
			if lx := l.Dossiers("linux", get); len(lx) != 1 || lx[0] != "/home/secretaire/Téléchargements" {
				t.Errorf("linux : %v", lx)
			}
		})
	}
	// Without USERPROFILE the Téléchargements folder is not guessed.
	l, _ := LogicielParCode("nfi")
	if w := l.Dossiers("windows", func(string) string { return "" }); len(w) != 1 || w[0] != `C:\NFI\PES` {
		t.Errorf("%v", w)
	}
	if _, ok := LogicielParCode("inconnu"); ok {
		t.Error("code inconnu")
	}
}
