package protocol_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"xdemat"
	"xdemat/central/protocol"
)

// fuzzRequest builds the request a server would see, without the validation
// of http.NewRequest: a fuzzed method or target must reach Verifier as is.
func fuzzRequest(method, target string) *http.Request {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		u = &url.URL{Path: "/v1/poste"}
	}
	return &http.Request{Method: method, URL: u, RequestURI: target, Header: http.Header{}}
}

// checkRefusal checks that Verifier refused with a domain error a poste can
// act on: EUNAUTHORIZED or EINVALID, with a French message.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var e *xdemat.Error
	if !errors.As(err, &e) {
		t.Fatalf("refus %v (%T), erreur xdemat attendue", err, err)
	}
	if e.Code != xdemat.EUNAUTHORIZED && e.Code != xdemat.EINVALID {
		t.Fatalf("code %q (%s), non_authentifie ou invalide attendu", e.Code, e.Message)
	}
	if e.Message == "" || !utf8.ValidString(e.Message) {
		t.Fatalf("message %q", e.Message)
	}
}

// FuzzVerifier throws arbitrary headers and bodies at Verifier. Whatever the
// input: no panic; a request whose headers come from the input never
// verifies (the key is made at run time, no input can hold its signature);
// a request signed with the key verifies exactly when its date is within the
// tolerated skew, and stops verifying as soon as one signed part is changed.
func FuzzVerifier(f *testing.F) {
	type seed struct {
		method, target, poste string
		body                  []byte
		skew                  int64 // seconds between the poste's clock and the server's
		date, contenu, sig    string
		part                  uint8 // which signed part the alteration replaces
		alt                   string
	}
	hash := protocol.HashBody([]byte(`{"operations":[]}`))
	for _, s := range []seed{
		{"POST", "/v1/operations", posteID, []byte(`{"operations":[]}`), 0, t0.Format(time.RFC3339), hash, "", 0, "PUT"},
		{"GET", "/v1/evenements?apres=3&attente=25", posteID, nil, -300, t0.Format(time.RFC3339), protocol.HashBody(nil), "AAAA", 1, "/v1/evenements?apres=4&attente=25"},
		{"GET", "/v1/poste", posteID, nil, 301, "2026-11-25T09:30:00+01:00", "", base64.StdEncoding.EncodeToString(make([]byte, 64)), 2, "2026-11-25T09:30:01Z"},
		{"POST", "/v1/enrolement", "", []byte(`{"code":"ABCD-EFGH-JKMN"}`), 299, "", "", "!!!", 3, posteID},
		{"PUT", "/v1/televersements/" + hash + "?offset=0", posteID, []byte{0, 1, 2, 0xff}, -301, "lundi", hash, "==", 4, hash},
		{"POST", "/v1/operations", "x\ny", []byte("\x00"), 1 << 40, "0000-01-01T00:00:00Z", "e3b0", "\n", 5, "AAAA\n"},
		{"", "*", "", nil, -1 << 62, "9999-12-31T23:59:59Z", "", "", 6, ""},
	} {
		f.Add(s.method, s.target, s.poste, s.body, s.skew, s.date, s.contenu, s.sig, s.part, s.alt)
	}
	key := newKey(f)
	pub := key.Public().(ed25519.PublicKey)

	f.Fuzz(func(t *testing.T, method, target, poste string, body []byte, skew int64, date, contenu, sig string, part uint8, alt string) {
		bodyHash := protocol.HashBody(body)

		// Headers as an attacker sends them, without the key.
		r := fuzzRequest(method, target)
		for h, v := range map[string]string{protocol.HeaderPoste: poste, protocol.HeaderDate: date, protocol.HeaderContenu: contenu, protocol.HeaderSignature: sig} {
			if v != "" {
				r.Header.Set(h, v)
			}
		}
		err := protocol.Verifier(r, pub, bodyHash, t0)
		if err == nil {
			t.Fatalf("requête vérifiée sans la clé : %s %s %v", method, target, r.Header)
		}
		checkRefusal(t, err)

		// Headers of the poste holding the key, its clock off by skew.
		skew %= 1 << 32 // keeps the date within the years RFC 3339 can write
		signedAt := t0.Add(time.Duration(skew) * time.Second)
		r = fuzzRequest(method, target)
		protocol.Signer(r, key, poste, bodyHash, signedAt)
		withinSkew := skew >= -int64(protocol.DecalageHorlogeMax/time.Second) && skew <= int64(protocol.DecalageHorlogeMax/time.Second)
		err = protocol.Verifier(r, pub, bodyHash, t0)
		if withinSkew && err != nil {
			t.Fatalf("requête signée refusée (décalage %d s) : %v", skew, err)
		}
		if !withinSkew {
			if err == nil {
				t.Fatalf("requête signée %d s d'écart acceptée", skew)
			}
			checkRefusal(t, err)
			return
		}

		// One signed part replaced by alt: refused unless alt says the same.
		same := false
		switch part % 6 {
		case 0:
			same = alt == r.Method
			r.Method = alt
		case 1:
			before := r.URL.RequestURI()
			if u, err := url.ParseRequestURI(alt); err == nil {
				r.URL = u
			}
			same = r.URL.RequestURI() == before
		case 2:
			same = alt == r.Header.Get(protocol.HeaderDate)
			r.Header.Set(protocol.HeaderDate, alt)
		case 3:
			same = alt == r.Header.Get(protocol.HeaderPoste)
			if alt == "" {
				r.Header.Del(protocol.HeaderPoste)
			} else {
				r.Header.Set(protocol.HeaderPoste, alt)
			}
		case 4:
			// The body the server read differs from the signed one.
			same = alt == string(body)
			bodyHash = protocol.HashBody([]byte(alt))
		case 5:
			// Base64 has several spellings of the same bytes (line breaks
			// are skipped, padding bits ignored): what counts is the
			// signature itself.
			orig, _ := base64.StdEncoding.DecodeString(r.Header.Get(protocol.HeaderSignature))
			got, err := base64.StdEncoding.DecodeString(alt)
			same = err == nil && bytes.Equal(orig, got)
			r.Header.Set(protocol.HeaderSignature, alt)
		}
		err = protocol.Verifier(r, pub, bodyHash, t0)
		switch {
		case same && err != nil:
			t.Fatalf("partie %d remplacée par la même valeur %q : refusée (%v)", part%6, alt, err)
		case !same && err == nil:
			t.Fatalf("partie %d remplacée par %q : requête toujours vérifiée", part%6, alt)
		case err != nil:
			checkRefusal(t, err)
		}
	})
}

// TestFuzzVerifierCasLimites pins a few inputs of FuzzVerifier whose outcome
// depends on details of the encodings.
func TestFuzzVerifierCasLimites(t *testing.T) {
	key := newKey(t)
	pub := key.Public().(ed25519.PublicKey)
	sign := func() *http.Request {
		r := fuzzRequest(http.MethodGet, "/v1/poste")
		protocol.Signer(r, key, posteID, protocol.HashBody(nil), t0)
		return r
	}
	tests := []struct {
		nom    string
		alter  func(r *http.Request)
		valide bool
	}{
		{"signature coupée par un saut de ligne", func(r *http.Request) {
			s := r.Header.Get(protocol.HeaderSignature)
			r.Header.Set(protocol.HeaderSignature, s[:40]+"\n"+s[40:])
		}, true},
		{"date sans le Z final", func(r *http.Request) {
			r.Header.Set(protocol.HeaderDate, t0.Format("2006-01-02T15:04:05"))
		}, false},
		{"date avec fraction de seconde", func(r *http.Request) {
			r.Header.Set(protocol.HeaderDate, t0.Format(time.RFC3339Nano)[:19]+".000Z")
		}, false},
		{"version de protocole modifiée", func(r *http.Request) {
			// Not signed: central checks it apart (checkVersion).
			r.Header.Set(protocol.HeaderVersion, strconv.Itoa(protocol.Version+1))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			r := sign()
			tt.alter(r)
			err := protocol.Verifier(r, pub, protocol.HashBody(nil), t0)
			if tt.valide && err != nil {
				t.Fatalf("refusée : %v", err)
			}
			if !tt.valide {
				if err == nil {
					t.Fatal("acceptée")
				}
				checkRefusal(t, err)
			}
		})
	}
}
