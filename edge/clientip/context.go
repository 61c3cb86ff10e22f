package clientip

import (
	"context"
	"net/netip"
)

type ctxKey struct{}

// WithAddr returns a copy of ctx carrying the resolved client address, for
// the layers after the resolver (bot policy, rate limit, audit).
func WithAddr(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, ctxKey{}, addr)
}

// Addr returns the client address stored by WithAddr. ok is false when
// none was stored or the stored address is the zero Addr.
func Addr(ctx context.Context) (addr netip.Addr, ok bool) {
	addr, _ = ctx.Value(ctxKey{}).(netip.Addr)
	return addr, addr.IsValid()
}
