package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestPagesPubliquesServiesParCentral(t *testing.T) {
	m, _ := newTestMain(t.TempDir())
	if err := m.ParseFlags(context.Background(), []string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-public-addr", "127.0.0.1:0", "serve"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	resp, err := http.Get("http://" + m.PublicAddr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Aucune commune n'a encore publié d'acte.") {
		t.Fatalf("%d\n%s", resp.StatusCode, b)
	}
}

func TestAdressePubliqueDejaPrise(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	m, _ := newTestMain(t.TempDir())
	if err := m.ParseFlags(context.Background(), []string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-public-addr", ln.Addr().String(), "serve"}); err != nil {
		t.Fatal(err)
	}
	err = m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "pages publiques") {
		t.Fatalf("adresse choisie déjà prise : %v", err)
	}
}
