package public_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/public"
)

// BenchmarkPageCommune reads the public page of a commune with 1,000 actes
// online (first page of 50, séances listed), over HTTP.
func BenchmarkPageCommune(b *testing.B) {
	s, blobs := ouvrirSite(b)
	m := nouvelleMairie(b, s, blobs, "Auve", "215100009", 412)
	for i := 1; i <= 1000; i++ {
		m.acte(xdemat.NatureDeliberation, fmt.Sprintf("DE2026_%04d", i), fmt.Sprintf("Délibération n° %d", i), true)
	}
	srv := httptest.NewServer((&public.Server{Store: s, Documents: blobs, Now: func() time.Time { return t1.AddDate(0, 0, 1) }}).Handler())
	b.Cleanup(srv.Close)
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.Get(srv.URL + "/communes/215100009/")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}
