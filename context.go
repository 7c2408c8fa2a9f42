package xdemat

import "context"

type posteKey struct{}

// NewContextWithPoste returns a copy of ctx that carries the authenticated poste.
// Central scopes every query by the commune of this poste, never by a value
// found in the request.
func NewContextWithPoste(ctx context.Context, p *Poste) context.Context {
	return context.WithValue(ctx, posteKey{}, p)
}

// PosteFromContext returns the authenticated poste, or nil.
func PosteFromContext(ctx context.Context) *Poste {
	p, _ := ctx.Value(posteKey{}).(*Poste)
	return p
}

// CommuneIDFromContext returns the commune of the authenticated poste, or "".
func CommuneIDFromContext(ctx context.Context) string {
	if p := PosteFromContext(ctx); p != nil {
		return p.CommuneID
	}
	return ""
}
