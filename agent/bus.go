package agent

import "sync"

// BusEvent is a local event: something the desktop app may want to show at
// once (an operation committed, the sync state changed…). Type is a dotted
// name such as "operation.creee" or "etat"; Data is marshalled to JSON when it
// leaves the process.
type BusEvent struct {
	Type string `json:"type"`
	Data any    `json:"data,omitempty"`
}

// busBuffer is how many events a subscriber may lag behind before the oldest
// ones are dropped.
const busBuffer = 64

// Bus is an in-process publish/subscribe hub for local events. Publishing
// never blocks: a subscriber that does not keep up loses its oldest events,
// never the latest one, so that the last "etat" always reaches it. The zero
// value is ready to use; a nil *Bus ignores publications.
type Bus struct {
	mu   sync.Mutex
	subs map[chan BusEvent]struct{}
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{} }

// Publish hands ev to every subscriber without waiting for any of them.
func (b *Bus) Publish(ev BusEvent) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
			continue
		default:
		}
		// Full: drop the oldest event to make room. Only publishers send, and
		// they hold b.mu, so the second send cannot find the channel full.
		select {
		case <-ch:
		default:
		}
		select {
		case ch <- ev:
		default:
		}
	}
}

// Subscribe returns a channel of the events published from now on, and a
// function that ends the subscription and closes the channel. The function
// may be called more than once.
func (b *Bus) Subscribe() (<-chan BusEvent, func()) {
	ch := make(chan BusEvent, busBuffer)
	b.mu.Lock()
	if b.subs == nil {
		b.subs = make(map[chan BusEvent]struct{})
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, ch)
			close(ch)
			b.mu.Unlock()
		})
	}
}

// Subscribers returns how many subscriptions are open.
func (b *Bus) Subscribers() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
