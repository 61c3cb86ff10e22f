package trust

import (
	"context"
	"net"
	"net/netip"
)

// dialerKey is the context key of the checks' dialer.
type dialerKey struct{}

// withDialer returns ctx carrying the dialer every probe connects with:
// from env.SourceAddr, when set.
func withDialer(ctx context.Context, env *Env) context.Context {
	d := &net.Dialer{}
	if env.SourceAddr.IsValid() {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(env.SourceAddr, 0))
	}
	return context.WithValue(ctx, dialerKey{}, d)
}

// dialerFrom returns a copy of the dialer ctx carries, or a default one.
func dialerFrom(ctx context.Context) *net.Dialer {
	if d, ok := ctx.Value(dialerKey{}).(*net.Dialer); ok {
		c := *d
		return &c
	}
	return &net.Dialer{}
}

// dialContext dials with the dialer ctx carries, for http.Transport.
func dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return dialerFrom(ctx).DialContext(ctx, network, addr)
}
