package centralclient_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent/centralclient"
	"xdemat/central/protocol"
)

// wantError checks an error of an exchange with central: its HTTP status (0
// when central was not reached), whether it is worth retrying, its code and
// its French message.
func wantError(t *testing.T, err error, status int, transient bool, code, msg string) {
	t.Helper()
	var ce *centralclient.Error
	if !errors.As(err, &ce) {
		t.Fatalf("erreur %v (%T), *centralclient.Error attendue", err, err)
	}
	if ce.Status != status {
		t.Errorf("statut %d, %d attendu (%v)", ce.Status, status, err)
	}
	if ce.Transient != transient || centralclient.IsTransient(err) != transient {
		t.Errorf("temporaire = %v, %v attendu (%v)", ce.Transient, transient, err)
	}
	if got := xdemat.ErrorCode(err); got != code {
		t.Errorf("code %q, %q attendu (%v)", got, code, err)
	}
	if got := xdemat.ErrorMessage(err); !strings.Contains(got, msg) {
		t.Errorf("message %q, %q attendu dedans", got, msg)
	}
}

func TestEnrolement(t *testing.T) {
	c := newCentral(t)
	commune := c.Commune("Charleville-Mézières")
	used := c.Code(commune.ID)
	if _, _, err := centralclient.Enroll(context.Background(), c.Srv.URL, used, "PC-1", newKey(t), ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		nom    string
		url    string
		code   func() string
		pin    string
		status int
		errCod string // "" = enrolled
		msg    string
	}{
		{"premier contact : l'empreinte du serveur est relevée", c.Srv.URL, func() string { return c.Code(commune.ID) }, "", 0, "", ""},
		{"empreinte remise par la SPL avec le code", c.Srv.URL + "/", func() string { return c.Code(commune.ID) }, c.Pin, 0, "", ""},
		{"code saisi en minuscules avec tirets", c.Srv.URL, func() string {
			code := strings.ToLower(c.Code(commune.ID))
			return code[:4] + "-" + code[4:8] + "-" + code[8:]
		}, "", 0, "", ""},
		{"serveur qui n'est pas celui de la SPL", c.Srv.URL, func() string { return c.Code(commune.ID) }, strings.Repeat("ab", 32), 0, xdemat.EFORBIDDEN, "certificat inattendu"},
		{"code inconnu", c.Srv.URL, func() string { return "ABCDEFGHJKMN" }, "", http.StatusNotFound, xdemat.ENOTFOUND, "Ce code d'enrôlement est inconnu"},
		{"code déjà servi", c.Srv.URL, func() string { return used }, "", http.StatusForbidden, xdemat.EFORBIDDEN, "a déjà servi"},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			key := newKey(t)
			code := tt.code()
			before := c.Requests.Load()
			resp, pin, err := centralclient.Enroll(context.Background(), tt.url, code, "PC-SECRETARIAT", key, tt.pin)
			if tt.errCod != "" {
				wantError(t, err, tt.status, false, tt.errCod, tt.msg)
				if tt.status == 0 {
					if n := c.Requests.Load() - before; n != 0 {
						t.Fatalf("%d requête(s) reçue(s) par central malgré le certificat inattendu", n)
					}
					codes, err := c.Store.ListCodes(context.Background(), commune.ID)
					if err != nil {
						t.Fatal(err)
					}
					for _, cd := range codes {
						if cd.Code == code && !cd.UtiliseLe.IsZero() {
							t.Fatal("le code a été consommé")
						}
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("enrôlement refusé : %v", err)
			}
			if pin != c.Pin {
				t.Fatalf("empreinte relevée %q, %q attendue", pin, c.Pin)
			}
			if resp.Commune.ID != commune.ID || resp.Commune.Nom != commune.Nom {
				t.Fatalf("commune %+v", resp.Commune)
			}
			p, err := c.Store.FindPoste(context.Background(), resp.PosteID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p.ClePublique, key.Public().(ed25519.PublicKey)) || p.Nom != "PC-SECRETARIAT" || p.CommuneID != commune.ID {
				t.Fatalf("poste enregistré %+v", p)
			}
			// The pinned client is the poste from now on.
			cl := centralclient.New(c.Srv.URL, resp.PosteID, key, pin)
			defer cl.HTTP.CloseIdleConnections()
			who, err := cl.Poste(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if who.Poste.ID != resp.PosteID || who.Commune.ID != commune.ID {
				t.Fatalf("poste %+v", who)
			}
		})
	}
	t.Run("adresse sans https", func(t *testing.T) {
		before := c.Requests.Load()
		_, _, err := centralclient.Enroll(context.Background(), "http"+strings.TrimPrefix(c.Srv.URL, "https"), c.Code(commune.ID), "PC", newKey(t), "")
		if xdemat.ErrorCode(err) != xdemat.EINVALID || !strings.Contains(xdemat.ErrorMessage(err), "doit commencer par https://") {
			t.Fatalf("erreur %v", err)
		}
		if c.Requests.Load() != before {
			t.Fatal("requête envoyée en clair")
		}
	})
}

func TestErreursDesEchanges(t *testing.T) {
	c := newCentral(t)
	commune := c.Commune("Revin")

	// A gateway in front of central, as an SPL may run one.
	gateway := func(status int, body string) string {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "|" + centralclient.Fingerprint(srv.Certificate().Raw)
	}
	down := httptest.NewTLSServer(http.NotFoundHandler())
	downURL, downPin := down.URL, centralclient.Fingerprint(down.Certificate().Raw)
	down.Close()

	tests := []struct {
		nom string
		// client returns the client to call Ack with.
		client    func(t *testing.T) *centralclient.Client
		status    int
		transient bool
		offline   bool
		code      string
		msg       string
	}{
		{"serveur de la SPL éteint", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			return centralclient.New(downURL, cl.PosteID, cl.Key, downPin)
		}, 0, true, true, xdemat.EUNAVAILABLE, "Le serveur de la SPL est injoignable : les envois attendent sur ce poste"},
		{"certificat inattendu", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			return centralclient.New(c.Srv.URL, cl.PosteID, cl.Key, strings.Repeat("0", 64))
		}, 0, false, false, xdemat.EFORBIDDEN, "Le serveur joint n'est pas celui de la SPL (certificat inattendu) : rien n'a été envoyé."},
		{"passerelle en maintenance (503 sans JSON)", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			url, pin, _ := strings.Cut(gateway(http.StatusServiceUnavailable, "<h1>Maintenance</h1>"), "|")
			return centralclient.New(url, cl.PosteID, cl.Key, pin)
		}, http.StatusServiceUnavailable, true, false, xdemat.EUNAVAILABLE, "a répondu par une erreur (503 Service Unavailable) : l'envoi sera repris"},
		{"passerelle sans réponse de central (502)", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			url, pin, _ := strings.Cut(gateway(http.StatusBadGateway, ""), "|")
			return centralclient.New(url, cl.PosteID, cl.Key, pin)
		}, http.StatusBadGateway, true, false, xdemat.EUNAVAILABLE, "502 Bad Gateway"},
		{"trop de requêtes (429)", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			url, pin, _ := strings.Cut(gateway(http.StatusTooManyRequests, `{"code":"indisponible","message":"Trop de requêtes : patientez."}`), "|")
			return centralclient.New(url, cl.PosteID, cl.Key, pin)
		}, http.StatusTooManyRequests, true, false, xdemat.EUNAVAILABLE, "Trop de requêtes : patientez."},
		{"réponse coupée en plein JSON", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			url, pin, _ := strings.Cut(gateway(http.StatusOK, `{"ack":`), "|")
			return centralclient.New(url, cl.PosteID, cl.Key, pin)
		}, 0, true, true, xdemat.EUNAVAILABLE, "Réponse incomplète du serveur de la SPL"},
		{"horloge du poste en avance de dix minutes", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			cl.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
			return cl
		}, http.StatusUnauthorized, false, false, xdemat.EUNAUTHORIZED, "L'horloge de ce poste est décalée"},
		{"poste inconnu de central", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			return centralclient.New(c.Srv.URL, "7c9e6679-7425-40de-944b-e07fc1f90ae7", cl.Key, c.Pin)
		}, http.StatusUnauthorized, false, false, xdemat.EUNAUTHORIZED, "Ce poste est inconnu du serveur central"},
		{"poste révoqué par la SPL", func(t *testing.T) *centralclient.Client {
			cl := c.enroll(commune.ID)
			if err := c.Store.RevokePoste(context.Background(), cl.PosteID, time.Date(2026, 11, 20, 10, 0, 0, 0, time.Local)); err != nil {
				t.Fatal(err)
			}
			return cl
		}, http.StatusForbidden, false, false, xdemat.EFORBIDDEN,
			"Ce poste a été révoqué par la SPL le 20/11/2026 : il ne peut plus se synchroniser. Contactez la SPL pour l'enrôler à nouveau."},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			cl := tt.client(t)
			defer cl.HTTP.CloseIdleConnections()
			before := c.Requests.Load()
			_, err := cl.Ack(context.Background())
			// "Offline" is for the status bar: central not reached, retry later.
			if got := centralclient.IsOffline(err); got != tt.offline {
				t.Errorf("hors ligne = %v, %v attendu (%v)", got, tt.offline, err)
			}
			if tt.status == 0 && !tt.offline && c.Requests.Load() != before {
				t.Errorf("requête reçue par central")
			}
			if tt.nom == "réponse coupée en plein JSON" {
				// Decoding failed after a 2xx: no status to tell.
				var ce *centralclient.Error
				if errors.As(err, &ce) && ce.Status != 0 {
					t.Errorf("statut %d", ce.Status)
				}
			}
			wantError(t, err, tt.status, tt.transient, tt.code, tt.msg)
		})
	}
	t.Run("base de central indisponible (500)", func(t *testing.T) {
		c := newCentral(t)
		cl := c.enroll(c.Commune("Fumay").ID)
		c.CloseStore()
		_, err := cl.Ack(context.Background())
		wantError(t, err, http.StatusInternalServerError, true, xdemat.EINTERNAL, "Erreur interne")
		if centralclient.IsOffline(err) {
			t.Error("central a répondu : pas hors ligne")
		}
	})
	t.Run("envoi annulé par l'agent", func(t *testing.T) {
		cl := c.enroll(commune.ID)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := cl.Ack(ctx)
		if !errors.Is(err, context.Canceled) || centralclient.IsTransient(err) || centralclient.IsOffline(err) {
			t.Fatalf("erreur %v : annulation non temporaire attendue", err)
		}
	})
}

func TestOperations(t *testing.T) {
	c := newCentral(t)
	cl := c.enroll(c.Commune("Rocroi").ID)
	ctx := context.Background()
	lot := operations(1, 3)
	tests := []struct {
		nom       string
		ops       []*xdemat.Operation
		enAttente int64
		ack       int64
		status    int // 0 = accepted
		msg       string
		stockees  int
	}{
		{"lot de trois opérations", lot, 4, 3, 0, "", 3},
		{"lot rejoué après une réponse perdue", lot, 4, 3, 0, "", 3},
		{"suite du lot avec un rejeu", append(lot[2:3:3], operations(4, 2)...), 0, 5, 0, "", 5},
		{"trou dans la séquence", operations(7, 1), 1, 0, http.StatusConflict, "Opération n°7 reçue alors que la n°6 est attendue", 5},
		{"opération déjà reçue sous un autre identifiant", operations(2, 1), 1, 0, http.StatusConflict, "autre identifiant", 5},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			ack, err := cl.PushOperations(ctx, tt.ops, tt.enAttente)
			if tt.status != 0 {
				wantError(t, err, tt.status, false, xdemat.ECONFLICT, tt.msg)
			} else if err != nil {
				t.Fatal(err)
			} else if ack != tt.ack {
				t.Fatalf("ack %d, %d attendu", ack, tt.ack)
			}
			got, err := cl.Ack(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != int64(tt.stockees) {
				t.Fatalf("Ack = %d, %d attendu", got, tt.stockees)
			}
			ops, err := c.Store.ListOperations(c.PosteCtx(cl.PosteID))
			if err != nil {
				t.Fatal(err)
			}
			if len(ops) != tt.stockees {
				t.Fatalf("%d opérations chez central, %d attendues", len(ops), tt.stockees)
			}
			p, err := c.Store.FindPoste(ctx, cl.PosteID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.status == 0 && p.EnAttente != tt.enAttente {
				t.Fatalf("opérations en attente selon central : %d, %d attendu", p.EnAttente, tt.enAttente)
			}
		})
	}
}

// partSize returns how many bytes central holds of an upload in progress
// (-1 when there is none).
func (c *central) partSize(communeID, sha string) int64 {
	c.t.Helper()
	fi, err := os.Stat(filepath.Join(c.UploadDir, communeID, sha+".part"))
	if errors.Is(err, os.ErrNotExist) {
		return -1
	} else if err != nil {
		c.t.Fatal(err)
	}
	return fi.Size()
}

func TestTeleversementRepris(t *testing.T) {
	c := newCentral(t)
	commune := c.Commune("Sedan")
	cl := c.enroll(commune.ID)
	cl.BlocSize = 1 << 20
	rec := record(cl)
	content, doc := document(5<<19 + 777) // 2.5 Mo and a bit: three chunks

	// The line is cut after the first chunk.
	ctx, cancel := context.WithCancel(context.Background())
	var progress []int64
	err := cl.Upload(ctx, doc, bytes.NewReader(content), func(done int64) {
		progress = append(progress, done)
		cancel()
	})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("premier envoi : %v, annulation attendue", err)
	}
	if len(progress) != 1 || progress[0] != 1<<20 {
		t.Fatalf("progression %v, [%d] attendu", progress, 1<<20)
	}
	if got := c.partSize(commune.ID, doc.SHA256); got != 1<<20 {
		t.Fatalf("central tient %d octets, %d attendus", got, 1<<20)
	}
	if len(c.documents(cl)) != 0 {
		t.Fatal("document enregistré avant d'être complet")
	}
	_, firstBytes := rec.sent(http.MethodPut)

	// Sent again: it resumes where central stopped.
	progress = nil
	if err := cl.Upload(context.Background(), doc, bytes.NewReader(content), func(done int64) { progress = append(progress, done) }); err != nil {
		t.Fatal(err)
	}
	puts, allBytes := rec.sent(http.MethodPut)
	again := allBytes - firstBytes
	if again != doc.Taille-(1<<20) {
		t.Fatalf("%d octets renvoyés, %d attendus (le reste seulement)", again, doc.Taille-(1<<20))
	}
	if again >= doc.Taille {
		t.Fatalf("reprise : %d octets envoyés pour un document de %d", again, doc.Taille)
	}
	if want := []int64{2 << 20, doc.Taille}; len(progress) != 2 || progress[0] != want[0] || progress[1] != want[1] {
		t.Fatalf("progression %v, %v attendu", progress, want)
	}
	if puts < 3 {
		t.Fatalf("%d blocs envoyés", puts)
	}
	docs := c.documents(cl)
	if len(docs) != 1 || docs[0].SHA256 != doc.SHA256 || docs[0].Taille != doc.Taille {
		t.Fatalf("documents chez central : %+v", docs)
	}
	var got bytes.Buffer
	if err := cl.Download(context.Background(), doc.SHA256, &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), content) {
		t.Fatal("le document relu de central diffère de l'original")
	}
	if c.partSize(commune.ID, doc.SHA256) != -1 {
		t.Fatal("fichier de téléversement restant chez central")
	}

	// A third time: central already holds it, not a byte is sent.
	_, before := rec.sent(http.MethodPut)
	if err := cl.Upload(context.Background(), doc, bytes.NewReader(content), nil); err != nil {
		t.Fatal(err)
	}
	if _, after := rec.sent(http.MethodPut); after != before {
		t.Fatalf("%d octets renvoyés pour un document déjà reçu", after-before)
	}
}

func TestBlocAltereEnRoute(t *testing.T) {
	tests := []struct {
		nom    string
		taille int
		// bloc is the chunk (0-based) altered on the way.
		bloc int
	}{
		{"document en un seul bloc", 300 << 10, 0},
		{"premier bloc d'un gros document", 5<<19 + 1, 0},
		{"deuxième bloc d'un gros document", 5<<19 + 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			c := newCentral(t)
			commune := c.Commune("Mouzon")
			cl := c.enroll(commune.ID)
			cl.BlocSize = 1 << 20
			rec := record(cl)
			puts := 0
			rec.alter = func(r *http.Request, body []byte) []byte {
				if r.Method != http.MethodPut {
					return body
				}
				if puts++; puts-1 == tt.bloc {
					body[len(body)/2] ^= 0x20
				}
				return body
			}
			content, doc := document(tt.taille)
			err := cl.Upload(context.Background(), doc, bytes.NewReader(content), nil)
			wantError(t, err, http.StatusBadRequest, false, xdemat.EINVALID, "la transmission a été altérée")
			if docs := c.documents(cl); len(docs) != 0 {
				t.Fatalf("documents chez central : %+v", docs)
			}
			if c.Blobs.Has(doc.SHA256) {
				t.Fatal("le document altéré est dans le magasin de central")
			}
			// Only the chunks before the altered one are held.
			held := c.partSize(commune.ID, doc.SHA256)
			if want := int64(tt.bloc) << 20; max(held, 0) != want {
				t.Fatalf("central tient %d octets, %d attendus", held, want)
			}
		})
	}
}

func TestEvenements(t *testing.T) {
	c := newCentral(t)
	commune := c.Commune("Givet")
	cl := c.enroll(commune.ID)
	ctx := context.Background()

	// What happened already comes at once: this poste's enrollment.
	start := time.Now()
	resp, err := cl.Events(ctx, 0, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("événements déjà là rendus en %s", time.Since(start))
	}
	// (Central may follow it with the notification it raises: Xpostit.)
	if len(resp.Evenements) == 0 || resp.Evenements[0].Type != xdemat.EvenementPosteEnrole || resp.Curseur != resp.Evenements[len(resp.Evenements)-1].Curseur {
		t.Fatalf("événements %+v, curseur %d", resp.Evenements, resp.Curseur)
	}
	cursor := resp.Curseur

	// Nothing new: the poll waits, then answers with the same cursor.
	start = time.Now()
	resp, err = cl.Events(ctx, cursor, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 10*time.Second {
		t.Fatalf("attente de %s pour une seconde demandée", d)
	}
	if len(resp.Evenements) != 0 || resp.Curseur != cursor {
		t.Fatalf("événements %+v, curseur %d (%d attendu)", resp.Evenements, resp.Curseur, cursor)
	}

	// Another poste of the commune sends an operation while this one waits.
	type result struct {
		resp *protocol.EvenementsResponse
		err  error
		took time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		resp, err := cl.Events(ctx, cursor, 30*time.Second)
		done <- result{resp, err, time.Since(start)}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for c.API.WaitingPolls() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("l'attente n'a jamais commencé chez central")
		}
		time.Sleep(5 * time.Millisecond)
	}
	other := c.enroll(commune.ID)
	op := operations(1, 1)
	if _, err := other.PushOperations(ctx, op, 0); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.took > 20*time.Second {
		t.Fatalf("réveil en %s", r.took)
	}
	// The other poste's enrollment, then its operation (which may come in a
	// later poll if the first woke up in between).
	evs := r.resp.Evenements
	for len(evs) == 0 || evs[len(evs)-1].Type != xdemat.EvenementOperationRecue {
		more, err := cl.Events(ctx, r.resp.Curseur, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(more.Evenements) == 0 {
			t.Fatalf("événements %+v : l'opération de l'autre poste manque", evs)
		}
		evs = append(evs, more.Evenements...)
		r.resp = more
	}
	last := evs[len(evs)-1]
	if last.Objet != op[0].ID || last.PosteID != other.PosteID || last.Curseur <= cursor {
		t.Fatalf("dernier événement %+v", last)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Curseur <= evs[i-1].Curseur {
			t.Fatalf("curseurs dans le désordre : %+v", evs)
		}
	}
}
