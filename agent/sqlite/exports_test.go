package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

func TestDossiersDExportDuLogicielComptable(t *testing.T) {
	st, _ := openTest(t)
	ctx := context.Background()
	c, err := st.ConfigExports(ctx)
	if err != nil || len(c.Dossiers) != 0 {
		t.Fatalf("avant tout réglage : %+v %v", c, err)
	}
	dir := t.TempDir()
	ok := &agent.ConfigExports{Dossiers: []agent.DossierExport{{Logiciel: "jvs", Chemin: filepath.Join(dir, "PES")}}}
	if err := st.SaveConfigExports(ctx, ok, "technicien", time.Now()); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.ConfigExports(ctx); len(c.Dossiers) != 1 || c.Dossiers[0].Logiciel != "jvs" {
		t.Fatalf("relu : %+v", c)
	}
	for nom, c := range map[string]*agent.ConfigExports{
		"chemin relatif":    {Dossiers: []agent.DossierExport{{Chemin: "PES"}}},
		"dossier en double": {Dossiers: []agent.DossierExport{{Chemin: dir}, {Chemin: dir + "/"}}},
	} {
		if err := st.SaveConfigExports(ctx, c, "technicien", time.Now()); xdemat.ErrorCode(err) != xdemat.EINVALID {
			t.Errorf("%s : %v", nom, err)
		}
	}
}
