package protocol_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/central/protocol"
)

// t0 is the server's clock in these tests; whole seconds, as the signed date.
var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const posteID = "0b9a4c1e-7f3d-4a52-9e61-2c8d5f0a1b34"

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// signedRequest returns a request signed by key for poste at signedAt, and
// the hash of the body the server would read.
func signedRequest(t *testing.T, key ed25519.PrivateKey, poste, method, target string, body []byte, signedAt time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	protocol.Signer(r, key, poste, protocol.HashBody(body), signedAt)
	return r
}

// wantCode checks that err is a domain error of code whose French message
// contains msg.
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *xdemat.Error
	if !errors.As(err, &e) {
		t.Fatalf("erreur %v (%T), erreur xdemat %s attendue", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code %q (%s), %q attendu", e.Code, e.Message, code)
	}
	if !strings.Contains(e.Message, msg) {
		t.Fatalf("message %q, %q attendu dedans", e.Message, msg)
	}
}

func TestHashBody(t *testing.T) {
	tests := []struct {
		nom  string
		body []byte
		want string
	}{
		{"corps absent", nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"corps vide", []byte{}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", []byte("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			if got := protocol.HashBody(tt.body); got != tt.want {
				t.Fatalf("HashBody = %s, %s attendu", got, tt.want)
			}
		})
	}
}

func TestChaineASigner(t *testing.T) {
	got := string(protocol.ChaineASigner("POST", "/v1/operations?x=1", "2026-11-25T09:30:00Z", posteID, "abc"))
	want := "XDEMAT-ED25519-1\nPOST\n/v1/operations?x=1\n2026-11-25T09:30:00Z\n" + posteID + "\nabc"
	if got != want {
		t.Fatalf("chaîne signée %q, %q attendue", got, want)
	}
}

func TestSignerPoseLesEnTetes(t *testing.T) {
	key := newKey(t)
	body := []byte(`{"operations":[]}`)
	// A clock in another time zone, with sub-second precision: the header is
	// UTC to the second.
	local := time.Date(2026, 11, 25, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
	r := signedRequest(t, key, posteID, http.MethodPost, "/v1/operations", body, local)
	tests := []struct{ entete, want string }{
		{protocol.HeaderVersion, "1"},
		{protocol.HeaderDate, "2026-11-25T09:30:00Z"},
		{protocol.HeaderPoste, posteID},
		{protocol.HeaderContenu, protocol.HashBody(body)},
	}
	for _, tt := range tests {
		if got := r.Header.Get(tt.entete); got != tt.want {
			t.Errorf("%s = %q, %q attendu", tt.entete, got, tt.want)
		}
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(protocol.HeaderSignature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		t.Fatalf("signature %q illisible : %v", r.Header.Get(protocol.HeaderSignature), err)
	}
	// Enrollment is signed without a poste: no header at all.
	e := signedRequest(t, key, "", http.MethodPost, "/v1/enrolement", body, t0)
	if _, ok := e.Header[protocol.HeaderPoste]; ok {
		t.Fatalf("en-tête %s posé pour un enrôlement : %q", protocol.HeaderPoste, e.Header.Get(protocol.HeaderPoste))
	}
}

func TestVerifier(t *testing.T) {
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	body := []byte(`{"operations":[{"seq":1}],"enAttente":0}`)
	const target = "/v1/evenements?apres=12&attente=25"

	tests := []struct {
		nom string
		// request returns the request as the server receives it, and the
		// body the server read.
		request func(t *testing.T) (*http.Request, []byte)
		pub     ed25519.PublicKey
		now     time.Time
		code    string // "" = accepted
		message string
	}{
		{"requête signée par le poste", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0), body
		}, pub, t0, "", ""},
		{"requête sans corps signée par le poste", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodGet, "/v1/poste", nil, t0), nil
		}, pub, t0, "", ""},
		{"enrôlement signé avec la nouvelle clé", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, "", http.MethodPost, "/v1/enrolement", body, t0), body
		}, pub, t0, "", ""},
		{"horloge en retard de cinq minutes tout juste", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0.Add(-protocol.DecalageHorlogeMax)), body
		}, pub, t0, "", ""},
		{"horloge en avance de cinq minutes tout juste", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0.Add(protocol.DecalageHorlogeMax)), body
		}, pub, t0, "", ""},

		{"signature d'un autre poste", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, newKey(t), posteID, http.MethodPost, target, body, t0), body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"méthode modifiée en route", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Method = http.MethodPut
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"chemin modifié en route", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.URL.Path = "/v1/operations"
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"curseur modifié dans la requête", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.URL.RawQuery = "apres=0&attente=25"
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"paramètre ajouté à la requête", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodGet, "/v1/poste", nil, t0)
			r.URL.RawQuery = "x=1"
			return r, nil
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"date modifiée d'une seconde", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Set(protocol.HeaderDate, t0.Add(time.Second).Format(time.RFC3339))
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"même date écrite autrement", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Set(protocol.HeaderDate, t0.In(time.FixedZone("CET", 3600)).Format(time.RFC3339))
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"poste remplacé par un autre", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Set(protocol.HeaderPoste, "5e1f0c2a-8b7d-4e63-a1f0-9d2c3b4a5e6f")
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"poste retiré", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Del(protocol.HeaderPoste)
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"poste ajouté à un enrôlement", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, "", http.MethodPost, "/v1/enrolement", body, t0)
			r.Header.Set(protocol.HeaderPoste, posteID)
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"corps altéré en route", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			return r, bytes.Replace(body, []byte(`"seq":1`), []byte(`"seq":2`), 1)
		}, pub, t0, xdemat.EINVALID, "la transmission a été altérée"},
		{"corps tronqué en route", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			return r, body[:len(body)-1]
		}, pub, t0, xdemat.EINVALID, "la transmission a été altérée"},
		{"empreinte du corps absente", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Del(protocol.HeaderContenu)
			return r, body
		}, pub, t0, xdemat.EINVALID, "la transmission a été altérée"},
		{"corps et empreinte remplacés ensemble", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			other := []byte(`{"operations":[]}`)
			r.Header.Set(protocol.HeaderContenu, protocol.HashBody(other))
			return r, other
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"empreinte en majuscules", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Set(protocol.HeaderContenu, strings.ToUpper(protocol.HashBody(body)))
			return r, body
		}, pub, t0, xdemat.EINVALID, "la transmission a été altérée"},
		{"horloge du poste en retard de plus de cinq minutes", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0.Add(-protocol.DecalageHorlogeMax-time.Second)), body
		}, pub, t0, xdemat.EUNAUTHORIZED, "L'horloge de ce poste est décalée de 5m1s : remettez le PC à l'heure"},
		{"horloge du poste en avance de plus de cinq minutes", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0.Add(protocol.DecalageHorlogeMax+time.Second)), body
		}, pub, t0, xdemat.EUNAUTHORIZED, "L'horloge de ce poste est décalée de -5m1s : remettez le PC à l'heure"},
		{"requête rejouée une heure plus tard", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0), body
		}, pub, t0.Add(time.Hour), xdemat.EUNAUTHORIZED, "horloge"},
		{"date absente", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Del(protocol.HeaderDate)
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "date absente"},
		{"date illisible", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Set(protocol.HeaderDate, "mercredi 25 novembre 2026")
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "date absente"},
		{"date au format HTTP", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Set(protocol.HeaderDate, t0.Format(http.TimeFormat))
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "date absente"},
		{"signature absente", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Del(protocol.HeaderSignature)
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"signature hors base64", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			r.Header.Set(protocol.HeaderSignature, "pas de la base64 !")
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"signature tronquée", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			sig, _ := base64.StdEncoding.DecodeString(r.Header.Get(protocol.HeaderSignature))
			r.Header.Set(protocol.HeaderSignature, base64.StdEncoding.EncodeToString(sig[:ed25519.SignatureSize-1]))
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"signature avec un bit inversé", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			sig, _ := base64.StdEncoding.DecodeString(r.Header.Get(protocol.HeaderSignature))
			sig[10] ^= 0x01
			r.Header.Set(protocol.HeaderSignature, base64.StdEncoding.EncodeToString(sig))
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"signature en base64 URL", func(t *testing.T) (*http.Request, []byte) {
			r := signedRequest(t, key, posteID, http.MethodPost, target, body, t0)
			sig, _ := base64.StdEncoding.DecodeString(r.Header.Get(protocol.HeaderSignature))
			r.Header.Set(protocol.HeaderSignature, base64.RawURLEncoding.EncodeToString(sig))
			return r, body
		}, pub, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"clé publique enregistrée abîmée", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0), body
		}, pub[:ed25519.PublicKeySize-1], t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
		{"clé publique absente", func(t *testing.T) (*http.Request, []byte) {
			return signedRequest(t, key, posteID, http.MethodPost, target, body, t0), body
		}, nil, t0, xdemat.EUNAUTHORIZED, "Signature du poste invalide"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			r, read := tt.request(t)
			err := protocol.Verifier(r, tt.pub, protocol.HashBody(read), tt.now)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("requête refusée : %v", err)
				}
				return
			}
			wantCode(t, err, tt.code, tt.message)
		})
	}
}
