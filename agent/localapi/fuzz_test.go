package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"xdemat"
	"xdemat/agent"
)

// trickleReader hands out its bytes a few at a time, as a slow socket does.
type trickleReader struct {
	data []byte
	n    int
}

func (r *trickleReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n, len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// sseReference parses stream as the WHATWG "server-sent events" algorithm
// does, for streams whose lines end with LF or CRLF and that do not start
// with a byte order mark (what the agent sends, and all readSSE claims to
// read). The id and retry fields are ignored: a BusEvent has neither.
func sseReference(stream []byte) []agent.BusEvent {
	lines := strings.Split(string(stream), "\n")
	lines = lines[:len(lines)-1] // an unterminated last line is never processed
	var evs []agent.BusEvent
	var typ, data string
	for _, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "":
			if data != "" {
				ev := agent.BusEvent{Type: typ, Data: json.RawMessage(strings.TrimSuffix(data, "\n"))}
				if ev.Type == "" {
					ev.Type = "message"
				}
				evs = append(evs, ev)
			}
			typ, data = "", ""
		case line[0] == ':':
		default:
			field, value := line, ""
			if i := strings.IndexByte(line, ':'); i >= 0 {
				field, value = line[:i], strings.TrimPrefix(line[i+1:], " ")
			}
			switch field {
			case "event":
				typ = value
			case "data":
				data += value + "\n"
			}
		}
	}
	return evs
}

// parse runs readSSE over stream, read chunk bytes at a time, and returns
// the events it emitted. It fails if readSSE does not return.
func parse(t *testing.T, stream []byte, chunk int) []agent.BusEvent {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := make(chan agent.BusEvent)
	done := make(chan struct{})
	go func() {
		defer close(done)
		readSSE(c, &trickleReader{data: stream, n: chunk}, ch)
	}()
	var evs []agent.BusEvent
	for {
		select {
		case ev := <-ch:
			evs = append(evs, ev)
		case <-done:
			return evs
		case <-c.Done():
			t.Fatalf("readSSE bloqué sur un flux de %d octets", len(stream))
		}
	}
}

func sameBusEvents(t *testing.T, what string, got, want []agent.BusEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s : %d événements %q, %d attendus %q", what, len(got), got, len(want), want)
	}
	for i := range want {
		g, ok := got[i].Data.(json.RawMessage)
		if !ok {
			t.Fatalf("%s : donnée %T, json.RawMessage attendu", what, got[i].Data)
		}
		if got[i].Type != want[i].Type || string(g) != string(want[i].Data.(json.RawMessage)) {
			t.Fatalf("%s : événement %d = {%q %q}, {%q %q} attendu", what, i, got[i].Type, g, want[i].Type, want[i].Data)
		}
	}
}

// FuzzReadSSE feeds readSSE arbitrary streams. Whatever the stream: no
// panic, readSSE returns once the stream ends, and returns too when the
// subscriber is gone even if nobody reads its events; every event has a
// type on one line. On streams with LF or CRLF line ends, the events are
// exactly those of the WHATWG algorithm. And the input read as events that
// the agent's Flux sends (JSON data, heartbeats between them) comes back
// exactly, with no event more or less.
func FuzzReadSSE(f *testing.F) {
	for _, s := range []string{
		"event: etat\ndata: {\"enLigne\":true}\n\n",
		": xdemat\n\n: ping\n\nevent: evenement.recu\ndata: {\"curseur\":3}\n\n",
		"event: etat\r\ndata: 3\r\n\r\n",
		"event: etat\ndata: [1,\ndata: 2]\n\n",
		"data: 4\n\n",
		"data:\n\n",
		"data\n\n",
		"event:\ndata:x\n\n",
		"event: a\nevent: b\ndata: 1\nid: 7\nretry: 10\n\n",
		"event: etat\ndata: 5\n",
		"event: etat\ndata: 5",
		"\n\n\n\n",
		"event: a\rdata: 1\r\r",
		"\ufeffevent: bom\ndata: 1\n\n",
		"data: \xff\xfe\x00\n\n",
		": commentaire sans fin",
		"event: etat\x00op\ndata: 1\x00\x00operation.creee\x00{\"seq\":1}",
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, stream []byte, mode uint8) {
		if len(stream) > 1<<20 {
			t.Skip("flux plus long que les plus longues lignes acceptées")
		}
		chunk := int(mode>>2)%32 + 1

		// Any stream.
		got := parse(t, stream, chunk)
		for _, ev := range got {
			if ev.Type == "" || strings.Contains(ev.Type, "\n") {
				t.Fatalf("type d'événement %q", ev.Type)
			}
			if _, ok := ev.Data.(json.RawMessage); !ok {
				t.Fatalf("donnée %T, json.RawMessage attendu", ev.Data)
			}
		}
		if n := bytes.Count(stream, []byte("\n")); len(got) > n/2 {
			t.Fatalf("%d événements pour %d lignes", len(got), n)
		}
		lf := !bytes.HasPrefix(stream, []byte("\ufeff"))
		for i, b := range stream {
			if b == '\r' && (i+1 == len(stream) || stream[i+1] != '\n') {
				lf = false // a lone CR, which the agent never sends
			}
		}
		if lf {
			sameBusEvents(t, "flux quelconque", got, sseReference(stream))
		}

		// The subscriber went away: readSSE must not wait for it.
		gone, cancel := context.WithCancel(context.Background())
		cancel()
		returned := make(chan struct{})
		go func() {
			defer close(returned)
			readSSE(gone, bytes.NewReader(stream), make(chan agent.BusEvent))
		}()
		select {
		case <-returned:
		case <-time.After(10 * time.Second):
			t.Fatal("readSSE attend un abonné parti")
		}

		// The input read as the events Flux would send.
		var want []agent.BusEvent
		var sent bytes.Buffer
		nl := "\n"
		if mode&1 != 0 {
			nl = "\r\n"
		}
		sent.WriteString(": xdemat" + nl + nl)
		for i, part := range bytes.Split(stream, []byte{0}) {
			typ := strings.NewReplacer("\r", "", "\n", "").Replace(string(part[:len(part)/2]))
			data, err := json.Marshal(string(part[len(part)/2:]))
			if err != nil {
				t.Fatal(err)
			}
			sent.WriteString("event: " + typ + nl + "data: " + string(data) + nl + nl)
			if mode&2 != 0 && i%2 == 0 {
				sent.WriteString(": ping" + nl + nl)
			}
			if typ == "" {
				typ = "message"
			}
			want = append(want, agent.BusEvent{Type: typ, Data: json.RawMessage(data)})
		}
		sameBusEvents(t, "flux de l'agent", parse(t, sent.Bytes(), chunk), want)
	})
}

// FuzzCorpsJSON feeds the bodies of the users, sessions, notifications and
// preferences routes to the strict decoder: whatever arrives, the answer is
// a value or a French EINVALID/ETOOLARGE, never a panic nor another code.
func FuzzCorpsJSON(f *testing.F) {
	for _, s := range []string{
		`{"utilisateur":{"nom":"Dupont","prenom":"Anne","role":"secretaire","actif":true,"telephone":"06 12 34 56 78"},"motDePasse":"motdepasse-anne"}`,
		`{"utilisateur":{"id":"4b7e2a9c-1f3d-4e5a-9b8c-0d1e2f3a4b5c","nom":"Dupont","role":"maire","motDePasse":"pbkdf2-sha256$1$AA$AA"},"retirerMotDePasse":true}`,
		`{"utilisateur":null,"motDePasse":null}`,
		`{"utilisateurId":"4b7e2a9c-1f3d-4e5a-9b8c-0d1e2f3a4b5c","motDePasse":"secret"}`,
		`{"utilisateurId":42}`,
		`{"type":"spl.message","severite":"info","titre":"Bienvenue","objet":{"ecran":"diagnostic"},"echeance":"2026-12-01T00:00:00Z"}`,
		`{"type":"spl.alerte","severite":"critique","titre":"t","creeLe":"pas une date"}`,
		`{"utilisateurId":"u","parType":{"spl.alerte":{"app":false,"email":false,"sms":true}},"resume":true}`,
		`{"parType":{"":{}},"resume":"oui"}`,
		`{"inconnu":1}`,
		`{} {}`,
		"",
		"\x00",
	} {
		for kind := range uint8(4) {
			f.Add([]byte(s), kind)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, kind uint8) {
		var v any
		switch kind % 4 {
		case 0:
			v = &UtilisateurRequest{}
		case 1:
			v = &SessionRequest{}
		case 2:
			v = &xdemat.Notification{}
		default:
			v = &xdemat.Preferences{}
		}
		err := decodeStrict(bytes.NewReader(body), v)
		if err == nil {
			switch x := v.(type) {
			case *UtilisateurRequest:
				_, _ = xdemat.NormaliserTelephone(x.Utilisateur.Telephone)
				_ = x.Utilisateur.Validate()
			case *xdemat.Notification:
				_ = x.Validate()
			case *xdemat.Preferences:
				_ = x.Validate()
			}
			return
		}
		if code := xdemat.ErrorCode(err); code != xdemat.EINVALID && code != xdemat.ETOOLARGE {
			t.Fatalf("code %q pour %q", code, body)
		}
		if msg := xdemat.ErrorMessage(err); !strings.HasPrefix(msg, "Requête illisible") && !strings.HasPrefix(msg, "La requête dépasse") {
			t.Fatalf("message %q", msg)
		}
	})
}
