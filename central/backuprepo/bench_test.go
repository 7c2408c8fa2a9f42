package backuprepo

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkDepotPaquets measures the REST backend's throughput: POST of
// 8 MiB pack files over TLS (hash check, fsync, link), as restic sends them.
// MB/s is reported by the testing package (b.SetBytes).
func BenchmarkDepotPaquets(b *testing.B) {
	const taille = 8 << 20
	s := &Server{Dir: b.TempDir(), Logger: slog.New(slog.DiscardHandler),
		Acces: func(*http.Request, string, string) (string, error) { return communeA, nil },
		Quota: func(string) int64 { return 1 << 50 },
	}
	mux := http.NewServeMux()
	mux.Handle(Prefix, s)
	ts := httptest.NewTLSServer(mux)
	defer ts.Close()
	client := ts.Client()
	base := ts.URL + Prefix + communeA + "/"
	post := func(url string, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.SetBasicAuth(posteA, "jeton")
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("HTTP %d", resp.StatusCode)
		}
	}
	post(base+"?create=true", nil)
	paquet := make([]byte, taille)
	rand.Read(paquet)
	b.SetBytes(taille)
	for i := 0; b.Loop(); i++ {
		// A different pack each time: the name is its hash, never overwritten.
		paquet[0], paquet[1], paquet[2], paquet[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		h := sha256.Sum256(paquet)
		post(base+"data/"+hex.EncodeToString(h[:]), paquet)
	}
}
