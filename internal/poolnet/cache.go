package poolnet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/table"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// cachedClasses are the classes the pool model keeps, as event.from names
// them.
var cachedClasses = []string{"pool", "host", "host_metrics", "network", "PIF", "Bond", "VLAN"}

// unreadFields are the fields the model leaves out of the records it
// keeps: the many sides of relations it indexes from the one side, which
// every record carries (a PIF's host, a VLAN's tagged PIF). In a pool of a
// thousand VLANs a host's PIFs and a bond master's VLAN_slave_of list a
// thousand references each, and every VLAN made or destroyed sends them
// again for every host.
var unreadFields = map[string][]string{
	"host": {"PIFs"},
	"pif":  {"VLAN_slave_of"},
}

// DefaultMaxAge is how long a snapshot serves readers when nothing in this
// process has changed the pool since it was taken. Within a plan xsnet
// writes nothing, so one catch-up serves a burst of reads; a change made
// outside Terraform shows at the latest this long after it happened, and
// always in the next plan, which is a new process.
const DefaultMaxAge = time.Second

// cache keeps one snapshot of the pool current with event.from: the first
// reader loads every object of the cached classes in one call, and later
// readers catch up with one event.from at timeout 0, which returns only
// what changed. Concurrent readers share one catch-up.
type cache struct {
	client *xenapi.Client
	maxAge time.Duration
	// off reads the pool whole for every snapshot, the way xsnet did before
	// it kept a model: the benchmark's baseline, and a way out should an
	// event stream ever mislead.
	off bool
	now func() time.Time

	mu  sync.Mutex
	cur *Snapshot
	// token is event.from's token for cur; "" when cur was read whole.
	token string
	// takenAt is when the catch-up that made cur started.
	takenAt time.Time
	// epoch counts the changes this process made to the pool; curEpoch is
	// the epoch the catch-up that made cur started in. A snapshot older
	// than a change this process made never serves a reader.
	epoch, curEpoch uint64
	// flight is the catch-up in progress.
	flight *catchUp
	// noEvents is set when the pool does not serve event.from (XenServer
	// before 5.6 FP1): every catch-up then reads the pool whole.
	noEvents bool
}

// catchUp is one catch-up in progress, shared by every reader it covers.
type catchUp struct {
	epoch uint64
	done  chan struct{}
	snap  *Snapshot
	err   error
}

func newCache(c *xenapi.Client, maxAge time.Duration, off bool) *cache {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	return &cache{client: c, maxAge: maxAge, off: off, now: time.Now}
}

// changed records that this process has changed the pool: the next reader
// catches up, so that it sees the change.
func (c *cache) changed() {
	c.mu.Lock()
	c.epoch++
	c.mu.Unlock()
}

// latest returns the last snapshot taken, however old, without catching
// up; nil before the first. It serves what no change alters, such as the
// UUID of a network this process made and has read since.
func (c *cache) latest() *Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// snapshot returns a snapshot that includes every change this process made
// before the call, and is at most maxAge old.
func (c *cache) snapshot(ctx context.Context) (*Snapshot, error) {
	if c.off {
		return TakeSnapshot(ctx, c.client)
	}
	c.mu.Lock()
	need := c.epoch
	for {
		if c.cur != nil && c.curEpoch >= need && c.now().Sub(c.takenAt) < c.maxAge {
			s := c.cur
			c.mu.Unlock()
			return s, nil
		}
		f := c.flight
		if f == nil {
			f = &catchUp{epoch: c.epoch, done: make(chan struct{})}
			c.flight = f
			go c.run(context.WithoutCancel(ctx), f)
		}
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("reading the pool: %w", context.Cause(ctx))
		}
		if f.epoch >= need {
			return f.snap, f.err
		}
		// That catch-up began before this reader's change: it may not
		// include it. Take the next one.
		c.mu.Lock()
	}
}

// run performs one catch-up on behalf of every reader waiting for f. It
// runs on a context of its own so that one reader giving up does not fail
// the others; the client's own timeouts bound it.
func (c *cache) run(ctx context.Context, f *catchUp) {
	c.mu.Lock()
	cur, token, noEvents := c.cur, c.token, c.noEvents
	c.mu.Unlock()
	started := c.now()

	snap, next, err := c.catchUp(ctx, cur, token, noEvents)

	c.mu.Lock()
	if err == nil {
		c.cur, c.token, c.takenAt, c.curEpoch = snap, next, started, f.epoch
	}
	if errors.Is(err, errNoEvents) {
		c.noEvents = true
		snap, err = TakeSnapshot(ctx, c.client)
		if err == nil {
			c.cur, c.token, c.takenAt, c.curEpoch = snap, "", started, f.epoch
		}
	}
	c.flight = nil
	c.mu.Unlock()
	f.snap, f.err = snap, err
	close(f.done)
}

// errNoEvents says the pool does not serve event.from.
var errNoEvents = errors.New("the pool does not serve event.from")

// catchUp brings cur up to date: the changes since token when there is a
// token, otherwise the whole pool. Whatever goes wrong with the changes (a
// token xapi no longer knows, lost events, an expired session), it reads
// the pool whole instead: a reload costs one call more, a wrong model
// costs an outage.
func (c *cache) catchUp(ctx context.Context, cur *Snapshot, token string, noEvents bool) (*Snapshot, string, error) {
	if noEvents {
		s, err := TakeSnapshot(ctx, c.client)
		return s, "", err
	}
	if cur != nil && token != "" {
		changes := cur.changes()
		batch, err := c.client.EventsFrom(ctx, cachedClasses, token, 0, unreadFields, changes.add)
		if err == nil {
			next, err := changes.done()
			if err == nil && next.counts(batch.ValidRefCounts) {
				return next, batch.Token, nil
			}
		}
	}
	return c.load(ctx)
}

// load reads the pool whole, one class at a time. A pool of sixteen hosts
// and a thousand VLANs answers tens of megabytes at once; a class at a
// time keeps the provider's memory to what the largest class needs. The
// token is the first answer's: what changes while the other classes load
// comes again at the next catch-up, and applies the same twice.
func (c *cache) load(ctx context.Context) (*Snapshot, string, error) {
	s := &Snapshot{}
	token := ""
	for i, class := range cachedClasses {
		changes := s.changes()
		batch, err := c.client.EventsFrom(ctx, []string{class}, "", 0, unreadFields, changes.add)
		if xenapi.IsCode(err, xenapi.ErrMessageMethodUnknown) {
			return nil, "", errNoEvents
		}
		if err != nil {
			return nil, "", err
		}
		if i == 0 {
			token = batch.Token
		}
		if s, err = changes.done(); err != nil {
			return nil, "", err
		}
	}
	return s, token, nil
}

// snapshotChanges is a new snapshot being made from prev an event at a
// time, as event.from's answer is read: prev itself is left as it was,
// since readers may hold it. The records are gathered by class and made
// into the new snapshot's tables at the end, which share with prev's all
// that did not change.
type snapshotChanges struct {
	prev, next *Snapshot
	changed    []changedRecord

	hosts       pending[xenapi.Host]
	hostMetrics pending[xenapi.HostMetrics]
	networks    pending[xenapi.Network]
	pifs        pending[xenapi.PIF]
	bonds       pending[xenapi.Bond]
	vlans       pending[xenapi.VLAN]
}

func (s *Snapshot) changes() *snapshotChanges {
	return &snapshotChanges{prev: s, next: &Snapshot{PoolRef: s.PoolRef, Pool: s.Pool}}
}

// add applies one event.
func (c *snapshotChanges) add(ev xenapi.Event) error {
	c.changed = append(c.changed, changedRecord{ev.Class, ev.Ref})
	switch ev.Class {
	case "pool":
		return applyPool(c.next, ev)
	case "host":
		return c.hosts.add(ev)
	case "host_metrics":
		return c.hostMetrics.add(ev)
	case "network":
		return c.networks.add(ev)
	case "pif":
		return c.pifs.add(ev)
	case "bond":
		return c.bonds.add(ev)
	case "vlan":
		return c.vlans.add(ev)
	}
	return nil
}

// done returns the new snapshot, its index derived from prev's.
func (c *snapshotChanges) done() (*Snapshot, error) {
	if len(c.changed) == 0 && c.prev.PoolRef != "" {
		// Nothing changed: the same snapshot, its indexes and end state
		// built already, serves on.
		return c.prev, nil
	}
	next, prev := c.next, c.prev
	if next.PoolRef == "" {
		return nil, errors.New("xapi reported no pool object; a XenServer host always belongs to exactly one")
	}
	next.Hosts = c.hosts.applyTo(prev.Hosts)
	next.HostMetrics = c.hostMetrics.applyTo(prev.HostMetrics)
	next.Networks = c.networks.applyTo(prev.Networks)
	next.PIFs = c.pifs.applyTo(prev.PIFs)
	next.Bonds = c.bonds.applyTo(prev.Bonds)
	next.VLANs = c.vlans.applyTo(prev.VLANs)
	if i := prev.idx.Load(); i != nil {
		next.idx.Store(i.derive(prev, next, c.changed))
	}
	if e := prev.end.Load(); e != nil {
		if e, ok := e.derive(prev, next, c.changed); ok {
			next.end.Store(e)
		}
	}
	return next, nil
}

// pending are one class's records that events changed, by reference; nil
// for one destroyed. The last event for a record is the one that counts.
type pending[T xenapi.Record] map[xenapi.Ref]*T

func (p *pending[T]) add(ev xenapi.Event) error {
	if *p == nil {
		*p = pending[T]{}
	}
	if ev.Operation == xenapi.EventDel {
		(*p)[ev.Ref] = nil
		return nil
	}
	rec, err := xenapi.UnmarshalSnapshot[T](ev)
	if err != nil {
		return fmt.Errorf("reading the %s event for %s: %w", ev.Class, ev.Ref, err)
	}
	(*p)[ev.Ref] = &rec
	return nil
}

// applyTo returns records with the changes. Into an empty table, as when
// the pool is first read, they go in at once.
func (p pending[T]) applyTo(records table.Map[xenapi.Ref, T]) table.Map[xenapi.Ref, T] {
	if records.Len() == 0 && len(p) > 0 {
		all := make(map[xenapi.Ref]T, len(p))
		for ref, rec := range p {
			if rec != nil {
				all[ref] = *rec
			}
		}
		return table.Of(all)
	}
	for ref, rec := range p {
		if rec == nil {
			records = records.Without(ref)
		} else {
			records = records.With(ref, *rec)
		}
	}
	return records
}

func applyPool(s *Snapshot, ev xenapi.Event) error {
	if ev.Operation == xenapi.EventDel {
		if s.PoolRef == ev.Ref {
			s.PoolRef, s.Pool = "", xenapi.Pool{}
		}
		return nil
	}
	p, err := xenapi.UnmarshalSnapshot[xenapi.Pool](ev)
	if err != nil {
		return fmt.Errorf("reading the pool event: %w", err)
	}
	s.PoolRef, s.Pool = ev.Ref, p
	return nil
}

// counts reports whether the snapshot holds as many objects of each class
// as xapi counts. xapi keeps only the latest deletions of each class, and
// an event.from from an older token misses the rest without a word: a
// count that disagrees is how the model notices, and reloads.
func (s *Snapshot) counts(valid map[string]int64) bool {
	have := map[string]int{
		"host": s.Hosts.Len(), "host_metrics": s.HostMetrics.Len(), "network": s.Networks.Len(),
		"pif": s.PIFs.Len(), "bond": s.Bonds.Len(), "vlan": s.VLANs.Len(),
	}
	for class, n := range have {
		if want, ok := valid[class]; ok && int64(n) != want {
			return false
		}
	}
	return true
}
