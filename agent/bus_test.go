package agent

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestBusDistribueAChaqueAbonne(t *testing.T) {
	var b Bus // zero value is ready
	ch1, stop1 := b.Subscribe()
	ch2, stop2 := b.Subscribe()
	defer stop1()
	defer stop2()
	b.Publish(BusEvent{Type: "operation.creee", Data: 1})
	for i, ch := range []<-chan BusEvent{ch1, ch2} {
		select {
		case ev := <-ch:
			if ev.Type != "operation.creee" || ev.Data != 1 {
				t.Fatalf("abonné %d : reçu %+v", i, ev)
			}
		case <-time.After(time.Second):
			t.Fatalf("abonné %d : rien reçu", i)
		}
	}
}

func TestBusAbonneLentPerdLesPlusAnciensJamaisLeDernierEtat(t *testing.T) {
	tests := []struct {
		nom       string
		publies   int
		premierVu int // index of the first event still buffered
		nombreLus int
	}{
		{"file non pleine", 10, 0, 10},
		{"file juste pleine", busBuffer, 0, busBuffer},
		{"file débordée d'un", busBuffer + 1, 1, busBuffer},
		{"file très débordée", 10 * busBuffer, 9 * busBuffer, busBuffer},
	}
	for _, tt := range tests {
		t.Run(tt.nom, func(t *testing.T) {
			b := NewBus()
			ch, stop := b.Subscribe()
			defer stop()
			done := make(chan struct{})
			go func() { // the publisher must never block on a slow subscriber
				for i := 0; i < tt.publies-1; i++ {
					b.Publish(BusEvent{Type: "operation.creee", Data: i})
				}
				b.Publish(BusEvent{Type: "etat", Data: tt.publies - 1})
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Publish a bloqué sur un abonné lent")
			}
			var got []BusEvent
			for len(ch) > 0 {
				got = append(got, <-ch)
			}
			if len(got) != tt.nombreLus {
				t.Fatalf("%d événements reçus, attendu %d", len(got), tt.nombreLus)
			}
			if got[0].Data != tt.premierVu {
				t.Fatalf("premier événement conservé = %v, attendu %d", got[0].Data, tt.premierVu)
			}
			last := got[len(got)-1]
			if last.Type != "etat" || last.Data != tt.publies-1 {
				t.Fatalf("dernier événement = %+v, attendu l'état final", last)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Data.(int) != got[i-1].Data.(int)+1 {
					t.Fatalf("ordre rompu : %v puis %v", got[i-1].Data, got[i].Data)
				}
			}
		})
	}
}

func TestBusDesabonnementFermeLeCanal(t *testing.T) {
	b := NewBus()
	ch, stop := b.Subscribe()
	if b.Subscribers() != 1 {
		t.Fatalf("abonnés = %d", b.Subscribers())
	}
	stop()
	stop() // twice is harmless
	if _, ok := <-ch; ok {
		t.Fatal("le canal devrait être fermé")
	}
	if b.Subscribers() != 0 {
		t.Fatalf("abonnés après désabonnement = %d", b.Subscribers())
	}
	b.Publish(BusEvent{Type: "etat"}) // no subscriber, no panic
	var nilBus *Bus
	nilBus.Publish(BusEvent{Type: "etat"})
}

func TestBusPublicationsConcurrentes(t *testing.T) {
	b := NewBus()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch, stop := b.Subscribe()
			defer stop()
			for j := 0; j < 100; j++ {
				b.Publish(BusEvent{Type: fmt.Sprintf("test.%d", i), Data: j})
				select {
				case <-ch:
				default:
				}
			}
		}()
	}
	wg.Wait()
	if b.Subscribers() != 0 {
		t.Fatalf("abonnés restants = %d", b.Subscribers())
	}
}
