package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"xdemat/agent/localapi"
	"xdemat/central/postgres/postgrestest"
)

// TestCentralSurPostgreSQL runs the production set-up end to end: central on
// a real PostgreSQL, an agent enrolled by the command line, documents (one
// small, one in chunks) and operations committed through the local API while
// central is down, then delivered exactly once when it is back.
func TestCentralSurPostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("démarre un serveur PostgreSQL")
	}
	dbURL := postgrestest.Start(t)
	dir := t.TempDir()
	c := startCentralOn(t, dir, "127.0.0.1:0", dbURL)
	addr := c.Addr
	commune, code := newCommune(t, c.Store, "Commune de Démonstration", sirens[0])
	dataDir := shortTempDir(t)
	enrollAgent(t, c, code, dataDir)
	a := startAgent(t, dataDir)
	defer a.Close()
	c.Close()

	ctx := context.Background()
	cl, err := localapi.Dial(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{}
	for i, size := range []int{200_000, 2_500_000} {
		data := randomBytes(size)
		doc, err := cl.AjouterDocument(ctx, fmt.Sprintf("Délibération n°%d.pdf", i+1), "application/pdf", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		docs[doc.SHA256] = data
		if _, err := cl.CreerOperation(ctx, "document.ajoute", "secretaire", map[string]string{"nom": doc.NomOriginal}, []string{doc.SHA256}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cl.CreerOperation(ctx, "note.creee", "secretaire", map[string]string{"texte": "Réunion de chantier à 14 h"}, nil); err != nil {
		t.Fatal(err)
	}

	c = startCentralOn(t, dir, addr, dbURL)
	waitDrained(t, dataDir, 30*time.Second)
	exactlyOnce(t, c, c.PosteContext(t, commune.ID), 3, docs)
}
