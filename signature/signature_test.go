package signature

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"xdemat/internal/pkitest"
)

func TestSignerPuisVerifier(t *testing.T) {
	rsaKey := pkitest.CleRSA(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("Délibération 2026-041"))
	for _, tc := range []struct {
		nom  string
		pss  bool
		want Algorithme
	}{
		{"clé RSA en PKCS#1 v1.5 par défaut", false, RSAPKCS1v15SHA256},
		{"clé RSA en PSS sur demande", true, RSAPSSSHA256},
		{"clé ECDSA", false, ECDSASHA256},
	} {
		t.Run(tc.nom, func(t *testing.T) {
			signer := any(rsaKey)
			pub := any(&rsaKey.PublicKey)
			if tc.want == ECDSASHA256 {
				signer, pub = ecKey, &ecKey.PublicKey
			}
			alg, err := AlgorithmePour(pub, tc.pss)
			if err != nil || alg != tc.want {
				t.Fatalf("algorithme %q, %v ; attendu %q", alg, err, tc.want)
			}
			e := Empreinte{Valeur: d[:], Algorithme: alg}
			var sig []byte
			switch s := signer.(type) {
			case *ecdsa.PrivateKey:
				sig, err = Signer(s, e)
			default:
				sig, err = Signer(rsaKey, e)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := Verifier(pub, e, sig); err != nil {
				t.Fatalf("signature valide refusée : %v", err)
			}
			autre := sha256.Sum256([]byte("autre document"))
			if Verifier(pub, Empreinte{Valeur: autre[:], Algorithme: alg}, sig) == nil {
				t.Fatal("signature acceptée pour un autre document")
			}
		})
	}
}

func TestEmpreinteDeMauvaiseTaille(t *testing.T) {
	if _, err := Signer(pkitest.CleRSA(t), Empreinte{Valeur: []byte("court"), Algorithme: RSAPKCS1v15SHA256}); err == nil {
		t.Fatal("une empreinte de 5 octets a été signée")
	}
}
