// Package poolnet is xsnet's model of one pool: the pool as xsnet sees it,
// kept current by xapi's own event stream, and the pool-wide operations
// that change it. A pool-wide bond is one network plus one bond on every
// host, a pool-wide VLAN one network plus one VLAN on every host; poolnet
// makes them the way XenCenter does, undoes everything on any error, and
// answers every question a resource or data source asks from one indexed
// snapshot, so that the Terraform layer above it stays a thin translation.
//
// One Model serves a provider process. Terraform sends every read, plan and
// apply of a run to the same process, so one event-fed cache serves them
// all: a plan costs one event.from to load the pool and one small catch-up
// now and then, not a read of the whole pool per resource.
package poolnet

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Options tune a Model.
type Options struct {
	// MaxAge is how long a snapshot serves readers while this process
	// changes nothing; DefaultMaxAge when zero.
	MaxAge time.Duration
	// CacheOff reads the pool whole for every snapshot instead of keeping
	// it current with events.
	CacheOff bool
	// HandoffWait bounds how long management = false on a bond whose
	// members carried management waits for another change of the same
	// apply to take management; DefaultHandoffWait when zero.
	HandoffWait time.Duration
}

// DefaultHandoffWait is Options.HandoffWait's default: Terraform applies
// the change that takes management alongside, within seconds.
const DefaultHandoffWait = 2 * time.Minute

// Model is the pool as one provider process sees it, and the operations
// that change it. It is safe for concurrent use.
type Model struct {
	client      *xenapi.Client
	cache       *cache
	ledger      ledger
	handoffWait time.Duration
	// moves serialises management moves: two changes moving every host's
	// management at once would leave the hosts split between them.
	moves sync.Mutex
	// applying is set once this process has changed the pool: Terraform
	// plans each resource again just before it applies it, and from then
	// on the pool itself holds what the ledger's earlier changes did.
	applying atomic.Bool
}

// NewModel returns the model of the pool c is connected to. It reads
// nothing until the first question.
func NewModel(c *xenapi.Client, o Options) *Model {
	if o.HandoffWait <= 0 {
		o.HandoffWait = DefaultHandoffWait
	}
	return &Model{client: c, cache: newCache(c, o.MaxAge, o.CacheOff), handoffWait: o.HandoffWait}
}

// Client is the connection the model reads and changes the pool through.
func (m *Model) Client() *xenapi.Client { return m.client }

// Snapshot returns the pool as it is: a snapshot that includes every change
// this process has made, and at most Options.MaxAge old.
func (m *Model) Snapshot(ctx context.Context) (*Snapshot, error) {
	return m.cache.snapshot(ctx)
}

// fresh returns the pool as it is after the changes just made: an
// operation calls it between its own steps.
func (m *Model) fresh(ctx context.Context) (*Snapshot, error) {
	m.cache.changed()
	return m.cache.snapshot(ctx)
}

// changing marks the start of an operation that changes the pool. The
// function it returns marks the end: whoever reads after it, sees what the
// operation did, whether it succeeded or not.
func (m *Model) changing() func() {
	m.applying.Store(true)
	m.cache.changed()
	return m.cache.changed
}

// change runs fn, a change of the pool, holding every other change of this
// process off while it runs when rebuilds says it rebuilds a host's
// management interface: XenServer resets the connections to the host
// then, and a change cut off that way has an unknown outcome (see
// xenapi.Client.Rebuilding).
func (m *Model) change(ctx context.Context, rebuilds bool, fn func(context.Context) error) error {
	if !rebuilds {
		return fn(ctx)
	}
	return m.client.Rebuilding(ctx, fn)
}

// networkUUID reads the UUID of a network this process just made. A UUID
// never changes, and the create read the pool after making the network:
// the last snapshot taken has it, without catching up on the create's last
// steps. Otherwise it comes from a catch-up or, should that fail, from the
// network itself.
func (m *Model) networkUUID(ctx context.Context, ref xenapi.Ref) (string, error) {
	if snap := m.cache.latest(); snap != nil {
		if n, ok := snap.Networks.Lookup(ref); ok {
			return n.UUID, nil
		}
	}
	if snap, err := m.fresh(ctx); err == nil {
		if n, ok := snap.Networks.Lookup(ref); ok {
			return n.UUID, nil
		}
	}
	n, err := xenapi.GetRecord[xenapi.Network](ctx, m.client, ref)
	if err != nil {
		return "", fmt.Errorf("reading back network %s: %w", ref, err)
	}
	return n.UUID, nil
}
