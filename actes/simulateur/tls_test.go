package simulateur

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"

	"xdemat/internal/pkitest"
)

// TestOperateurIdentifieParSonCertificat: over TLS, the operator is the
// CommonName of its client certificate, as the real platform identifies
// homologated operators.
func TestOperateurIdentifieParSonCertificat(t *testing.T) {
	sim, err := New(Config{Trigramme: "XDM", Operateur: "spl-xdemat"})
	if err != nil {
		t.Fatal(err)
	}
	ac := pkitest.NouvelleAC(t)
	srv := httptest.NewUnstartedServer(sim)
	pool := x509.NewCertPool()
	pool.AddCert(ac.Cert)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.StartTLS()
	defer srv.Close()

	for _, c := range []struct {
		nom  string
		cn   string
		code int
	}{
		{"certificat de l'opérateur homologué", "spl-xdemat", http.StatusOK},
		{"certificat d'un autre opérateur", "autre-operateur", http.StatusForbidden},
	} {
		t.Run(c.nom, func(t *testing.T) {
			key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			cert := ac.Emettre(t, key.Public(), pkitest.Signataire{Nom: c.cn})
			client := srv.Client()
			tr := client.Transport.(*http.Transport).Clone()
			tr.TLSClientConfig.Certificates = []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}}
			client = &http.Client{Transport: tr}
			// The header is ignored when a certificate is presented.
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/retours", nil)
			req.Header.Set(EnteteOperateur, "spl-xdemat")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.code {
				t.Fatalf("%d, attendu %d", resp.StatusCode, c.code)
			}
		})
	}
}
