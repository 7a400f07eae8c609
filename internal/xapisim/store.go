package xapisim

import (
	"crypto/rand"
	"fmt"
	"reflect"
	"slices"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// The classes the simulator stores, in the order get_all walks them and
// the state file lists them.
var storedClasses = []string{
	"pool", "host", "host_metrics", "network", "PIF", "PIF_metrics",
	"Bond", "VLAN", "task", "session",
}

// classed is what every stored record type answers: its class name.
type classed interface{ Class() string }

// classOf names the class of record type T.
func classOf[T any]() string {
	var zero T
	rec, ok := any(zero).(classed)
	if !ok {
		panic(fmt.Sprintf("xapisim: %T is not a record type", zero))
	}
	return rec.Class()
}

// newUUID makes a random (version 4) UUID, as xapi does.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("xapisim: no randomness: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// refFor is the reference of an object with the given UUID. xapi's
// references are random too; tying them to the UUID makes traces readable.
func refFor(uuid string) xenapi.Ref { return xenapi.Ref("OpaqueRef:" + uuid) }

// table holds one class's records in creation order, as xapi's database
// returns them.
type table struct {
	order []xenapi.Ref
	rows  map[xenapi.Ref]any
}

// db is one pool's database: what a pool's master holds and its members
// read. Every pool of the simulator (the main pool and each standalone host)
// has one. All access happens under Sim.mu.
type db struct {
	tables map[string]*table

	// Event bookkeeping: a generation counter bumped by every change, and
	// for each object the generations it was created and last changed in.
	gen     int64
	meta    map[xenapi.Ref]*objMeta
	deleted []deletion
	// changed is closed and replaced at every commit that changed
	// something, waking event.from callers.
	changed chan struct{}

	// bridgeCounter numbers the bridges network.create chooses, "xapiN".
	bridgeCounter int
}

type objMeta struct {
	class             string
	created, modified int64
	last              map[string]any
}

// maxDeletions bounds the deletions kept for event.from; a token older
// than the oldest kept misses the deletions dropped.
const maxDeletions = 10000

type deletion struct {
	class   string
	ref     xenapi.Ref
	created int64
	gen     int64
}

func newDB() *db {
	d := &db{
		tables:  map[string]*table{},
		meta:    map[xenapi.Ref]*objMeta{},
		changed: make(chan struct{}),
	}
	for _, c := range storedClasses {
		d.tables[c] = &table{rows: map[xenapi.Ref]any{}}
	}
	return d
}

// insert adds a record (a pointer to one of xenapi's record types) under ref.
func (d *db) insert(ref xenapi.Ref, rec classed) {
	t := d.tables[rec.Class()]
	if _, ok := t.rows[ref]; !ok {
		t.order = append(t.order, ref)
	}
	t.rows[ref] = rec
}

// remove deletes ref from its class's table.
func (d *db) remove(class string, ref xenapi.Ref) {
	t := d.tables[class]
	if _, ok := t.rows[ref]; !ok {
		return
	}
	delete(t.rows, ref)
	t.order = slices.DeleteFunc(t.order, func(r xenapi.Ref) bool { return r == ref })
}

// lookup returns the record of class behind ref.
func (d *db) lookup(class string, ref xenapi.Ref) (any, bool) {
	t, ok := d.tables[class]
	if !ok {
		return nil, false
	}
	rec, ok := t.rows[ref]
	return rec, ok
}

// get returns the record of type T behind ref, or nil.
func get[T any](d *db, ref xenapi.Ref) *T {
	rec, ok := d.lookup(classOf[T](), ref)
	if !ok {
		return nil
	}
	t, ok := rec.(*T)
	if !ok {
		return nil
	}
	return t
}

// mustGet is get for a reference a caller passed: a reference to nothing
// of the class is xapi's HANDLE_INVALID [class; ref].
func mustGet[T any](d *db, ref xenapi.Ref) (*T, error) {
	if rec := get[T](d, ref); rec != nil {
		return rec, nil
	}
	return nil, failure(xenapi.ErrHandleInvalid, classOf[T](), string(ref))
}

// row is one record with its reference.
type row[T any] struct {
	Ref xenapi.Ref
	R   *T
}

// all returns every record of type T in creation order.
func all[T any](d *db) []row[T] {
	t := d.tables[classOf[T]()]
	out := make([]row[T], 0, len(t.order))
	for _, ref := range t.order {
		if r, ok := t.rows[ref].(*T); ok {
			out = append(out, row[T]{ref, r})
		}
	}
	return out
}

// where returns the records of type T that match.
func where[T any](d *db, match func(*T) bool) []row[T] {
	var out []row[T]
	for _, r := range all[T](d) {
		if match(r.R) {
			out = append(out, r)
		}
	}
	return out
}

// refsOf returns the references of rows.
func refsOf[T any](rows []row[T]) []xenapi.Ref {
	out := make([]xenapi.Ref, len(rows))
	for i, r := range rows {
		out[i] = r.Ref
	}
	return out
}

// byUUID finds the object of class with the given UUID.
func (d *db) byUUID(class, uuid string) (xenapi.Ref, bool) {
	t := d.tables[class]
	for _, ref := range t.order {
		if uuidOf(t.rows[ref]) == uuid {
			return ref, true
		}
	}
	return "", false
}

func uuidOf(rec any) string {
	return reflect.ValueOf(rec).Elem().FieldByName("UUID").String()
}

// The relations below are one-to-many links xapi keeps on both sides. The
// store keeps only the owning side (PIF.host, PIF.network, PIF.bond_slave_of,
// Bond.master, VLAN.tagged_PIF, VLAN.untagged_PIF) and computes the other
// when a record is read, so the two can never disagree.

func (d *db) pifsOfHost(host xenapi.Ref) []row[xenapi.PIF] {
	return where(d, func(p *xenapi.PIF) bool { return p.Host == host })
}

func (d *db) pifsOnNetwork(network xenapi.Ref) []row[xenapi.PIF] {
	return where(d, func(p *xenapi.PIF) bool { return p.Network == network })
}

// bondSlaves returns a bond's members, in the order xapi lists them.
func (d *db) bondSlaves(bond xenapi.Ref) []row[xenapi.PIF] {
	return where(d, func(p *xenapi.PIF) bool { return p.BondSlaveOf == bond })
}

// bondOfMaster returns the bond whose master PIF is pif.
func (d *db) bondOfMaster(pif xenapi.Ref) (xenapi.Ref, *xenapi.Bond) {
	for _, b := range all[xenapi.Bond](d) {
		if b.R.Master == pif {
			return b.Ref, b.R
		}
	}
	return "", nil
}

// vlansOnTagged returns the VLANs whose tagged PIF is pif.
func (d *db) vlansOnTagged(pif xenapi.Ref) []row[xenapi.VLAN] {
	return where(d, func(v *xenapi.VLAN) bool { return v.TaggedPIF == pif })
}

// vlanOfUntagged returns the VLAN whose untagged PIF is pif.
func (d *db) vlanOfUntagged(pif xenapi.Ref) (xenapi.Ref, *xenapi.VLAN) {
	for _, v := range all[xenapi.VLAN](d) {
		if v.R.UntaggedPIF == pif {
			return v.Ref, v.R
		}
	}
	return "", nil
}

// derived returns a copy of a stored record with the computed sides of its
// relations filled in.
func (d *db) derived(ref xenapi.Ref, rec any) any {
	switch r := rec.(type) {
	case *xenapi.Host:
		c := *r
		c.PIFs = refsOf(d.pifsOfHost(ref))
		return c
	case *xenapi.Network:
		c := *r
		c.PIFs = refsOf(d.pifsOnNetwork(ref))
		return c
	case *xenapi.Bond:
		c := *r
		c.Slaves = refsOf(d.bondSlaves(ref))
		return c
	case *xenapi.PIF:
		c := *r
		c.BondMasterOf = []xenapi.Ref{}
		if b, _ := d.bondOfMaster(ref); b != "" {
			c.BondMasterOf = []xenapi.Ref{b}
		}
		c.VLANSlaveOf = refsOf(d.vlansOnTagged(ref))
		c.VLANMasterOf, _ = d.vlanOfUntagged(ref)
		return c
	}
	return reflect.ValueOf(rec).Elem().Interface()
}

// commit records what the last change did, for event.from: every object
// created, changed or deleted since the previous commit gets the next
// generation, and waiting event.from calls wake up.
func (d *db) commit() {
	next := d.gen + 1
	dirty := false
	seen := map[xenapi.Ref]bool{}
	for _, class := range storedClasses {
		t := d.tables[class]
		for _, ref := range t.order {
			seen[ref] = true
			m, ok := d.meta[ref]
			if ok && class == "session" {
				// Sessions never change once made; there may be many.
				continue
			}
			snap := xenapi.MarshalRecord(d.derived(ref, t.rows[ref]))
			switch {
			case !ok:
				d.meta[ref] = &objMeta{class: class, created: next, modified: next, last: snap}
				dirty = true
			case !reflect.DeepEqual(m.last, snap):
				m.modified, m.last = next, snap
				dirty = true
			}
		}
	}
	for ref, m := range d.meta {
		if !seen[ref] {
			if len(d.deleted) >= maxDeletions {
				d.deleted = slices.Delete(d.deleted, 0, maxDeletions/10)
			}
			d.deleted = append(d.deleted, deletion{class: m.class, ref: ref, created: m.created, gen: next})
			delete(d.meta, ref)
			dirty = true
		}
	}
	if !dirty {
		return
	}
	d.gen = next
	close(d.changed)
	d.changed = make(chan struct{})
}
