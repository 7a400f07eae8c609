package xenapi

import (
	"context"
	"sync"
)

// rebuildGate keeps a client's changes apart from the calls that rebuild a
// host's management interface. XenServer resets every connection to a host
// when it rebuilds the host's management bridge (a bond made or destroyed
// over the management NIC, a management_reconfigure, a reconfigure_ip of
// the management PIF), and a change whose reply is lost that way has an
// unknown outcome: a VLAN xapi made, or did not, that the caller must then
// read the pool to learn about. So changes hold the gate shared for as long
// as they run (an Async call until its task ends), and Rebuilding holds it
// alone. Reads are not held: a reset read is sent again.
type rebuildGate struct {
	mu sync.RWMutex
}

// gateKey marks a context whose calls run inside the gate already: the
// calls a Rebuilding function makes, and the task polls and re-logins of
// a change that holds it. sync.RWMutex must not be read-locked twice by
// one caller while a writer waits.
type gateKey struct{}

func holdsGate(ctx context.Context) bool { return ctx.Value(gateKey{}) != nil }

// enter holds the gate shared for a change unless ctx holds it already,
// and returns the context its calls go on with and the release.
func (g *rebuildGate) enter(ctx context.Context) (context.Context, func()) {
	if holdsGate(ctx) {
		return ctx, func() {}
	}
	g.mu.RLock()
	return context.WithValue(ctx, gateKey{}, true), g.mu.RUnlock
}

// Rebuilding runs fn, whose calls may rebuild a host's management
// interface, once no other change of this client is in flight, and keeps
// new changes waiting until it returns. fn makes its calls on the context
// it is given.
func (c *Client) Rebuilding(ctx context.Context, fn func(context.Context) error) error {
	if holdsGate(ctx) {
		return fn(ctx)
	}
	c.gate.mu.Lock()
	defer c.gate.mu.Unlock()
	return fn(context.WithValue(ctx, gateKey{}, true))
}
