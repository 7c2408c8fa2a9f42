package paquets

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ligne is one row of an MSI table, by column name.
type ligne map[string]string

// table exports one table of msi with `msiinfo export`: a header of column
// names, one of column types, one naming the table and its keys, then one
// tab-separated row per line.
// Binary columns (Icon) are written as files beside: in a temporary folder.
func table(t *testing.T, msi, nom string) []ligne {
	t.Helper()
	abs, err := filepath.Abs(msi)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("msiinfo", "export", abs, nom)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("msiinfo export %s : %v\n%s", nom, err, out)
	}
	return lireTable(string(out))
}

func lireTable(export string) []ligne {
	lignes := strings.Split(strings.ReplaceAll(export, "\r\n", "\n"), "\n")
	if len(lignes) < 3 {
		return nil
	}
	cols := strings.Split(lignes[0], "\t")
	var rows []ligne
	for _, l := range lignes[3:] {
		if l == "" {
			continue
		}
		vals := strings.Split(l, "\t")
		r := ligne{}
		for i, c := range cols {
			if i < len(vals) {
				r[c] = vals[i]
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// trouver returns the first row whose column col equals val.
func trouver(rows []ligne, col, val string) ligne {
	for _, r := range rows {
		if r[col] == val {
			return r
		}
	}
	return nil
}

func TestLireTable(t *testing.T) {
	export := "Name\tValue\ns72\tl0\nProperty\tName\nALLUSERS\t1\nSecureCustomProperties\tA;B\n"
	rows := lireTable(export)
	if len(rows) != 2 || rows[1]["Name"] != "SecureCustomProperties" || rows[1]["Value"] != "A;B" {
		t.Fatalf("lignes lues : %v", rows)
	}
}
