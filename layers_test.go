package xdemat_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestLayers keeps the architecture honest: the domain imports no
// infrastructure, the agent and central never pull in Fyne, and the desktop app
// reaches data only through the agent's local API.
func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go introuvable dans le PATH")
	}
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Deps", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	type pkg struct {
		ImportPath string
		Deps       []string
	}
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("seulement %d paquets listés", len(pkgs))
	}

	type rule struct {
		name      string
		applies   func(path string) bool
		forbidden func(dep string) bool
	}
	under := func(prefixes ...string) func(string) bool {
		return func(p string) bool {
			for _, pre := range prefixes {
				if p == pre || strings.HasPrefix(p, pre+"/") {
					return true
				}
			}
			return false
		}
	}
	// What the agent and the app may share with central: the wire protocol
	// and the content-addressed file store.
	centralBeyondProtocol := func(d string) bool {
		return under("xdemat/central")(d) && !under("xdemat/central/protocol", "xdemat/central/blob")(d)
	}
	rules := []rule{
		{"le domaine n'importe ni base de données, ni HTTP, ni Fyne, ni PKCS#11, ni nos paquets",
			func(p string) bool { return p == "xdemat" },
			func(d string) bool {
				return d == "database/sql" || d == "net/http" || under("fyne.io", "modernc.org", "github.com/jackc", "github.com/miekg/pkcs11")(d) || strings.HasPrefix(d, "xdemat/")
			}},
		{"l'agent et central n'importent jamais Fyne",
			under("xdemat/agent", "xdemat/central", "xdemat/cmd/xdemat-agent", "xdemat/cmd/xdemat-central"),
			under("fyne.io")},
		// The token is the app's (the PIN is typed there), and PKCS#11
		// needs cgo, which the agent and central are built without.
		{"l'agent et central ne touchent jamais la clé de signature (PKCS#11)",
			under("xdemat/agent", "xdemat/central", "xdemat/cmd/xdemat-agent", "xdemat/cmd/xdemat-central"),
			under("xdemat/pkcs11", "github.com/miekg/pkcs11", "github.com/ThalesGroup/crypto11")},
		// The app's packages reach data only through the local API; its
		// program (cmd/xdemat) may also start an agent in-process
		// (agent/program, and with it the store) when no service answers.
		{"l'application n'importe ni le stockage, ni l'agent embarqué",
			under("xdemat/app"),
			func(d string) bool {
				return d == "database/sql" || under("xdemat/agent/sqlite", "xdemat/agent/program", "modernc.org", "github.com/jackc")(d)
			}},
		{"l'application n'utilise de central que le protocole et le magasin de fichiers (via l'API locale)",
			under("xdemat/app", "xdemat/cmd/xdemat"),
			centralBeyondProtocol},
		{"central n'importe ni l'agent, ni l'application",
			under("xdemat/central"),
			under("xdemat/agent", "xdemat/app")},
		{"l'agent n'utilise de central que le protocole et le magasin de fichiers",
			under("xdemat/agent", "xdemat/cmd/xdemat-agent"),
			func(d string) bool { return under("xdemat/app")(d) || centralBeyondProtocol(d) }},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			checked := 0
			for _, p := range pkgs {
				if !r.applies(p.ImportPath) || strings.HasSuffix(p.ImportPath, ".test") {
					continue
				}
				checked++
				for _, d := range p.Deps {
					if r.forbidden(d) {
						t.Errorf("%s dépend de %s", p.ImportPath, d)
					}
				}
			}
			if checked == 0 {
				t.Errorf("aucun paquet concerné : la règle ne vérifie rien")
			}
		})
	}
}
