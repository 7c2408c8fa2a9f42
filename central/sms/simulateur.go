package sms

import (
	"context"
	"strconv"
	"strings"
	"sync"
)

// Simulateur is a Provider that sends nothing: it records the messages and
// reports them sent then delivered, except to numbers ending in 99, which it
// reports failed ("numéro injoignable"). For demonstrations and tests.
type Simulateur struct {
	mu      sync.Mutex
	sent    []Message
	report  func(Rapport)
	reports sync.WaitGroup
}

var _ Provider = (*Simulateur)(nil)

// NewSimulateur returns a simulator with no message.
func NewSimulateur() *Simulateur { return &Simulateur{} }

// Send records m and reports on it from another goroutine, as a real
// provider would, after Send has returned its reference.
func (s *Simulateur) Send(ctx context.Context, m Message) (string, error) {
	if err := checkNumber(m.To); err != nil {
		return "", err
	}
	s.mu.Lock()
	s.sent = append(s.sent, m)
	ref := "SIM-" + strconv.Itoa(len(s.sent))
	report := s.report
	s.mu.Unlock()
	if report != nil {
		s.reports.Add(1)
		go func() {
			defer s.reports.Done()
			report(Rapport{ID: m.ID, Reference: ref, Etat: EtatEnvoye})
			if strings.HasSuffix(m.To, "99") {
				report(Rapport{ID: m.ID, Reference: ref, Etat: EtatEchec, Erreur: "Numéro injoignable."})
				return
			}
			report(Rapport{ID: m.ID, Reference: ref, Etat: EtatLivre})
		}()
	}
	return ref, nil
}

// OnRapport sets where reports go.
func (s *Simulateur) OnRapport(fn func(Rapport)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.report = fn
}

// Messages returns the messages sent so far, in order.
func (s *Simulateur) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// Wait returns once every report due so far has been made.
func (s *Simulateur) Wait() { s.reports.Wait() }
