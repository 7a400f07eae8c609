package xapisim

import (
	"crypto/rand"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// The classes the simulator stores, in the order get_all walks them and
// the state file lists them.
var storedClasses = []string{
	"pool", "host", "host_metrics", "network", "PIF", "PIF_metrics",
	"Bond", "VLAN", "task", "session",
}

// classIndex numbers the stored classes in storedClasses' order, the order
// event.from reports them in.
var classIndex = func() map[string]int {
	out := map[string]int{}
	for i, c := range storedClasses {
		out[c] = i
	}
	return out
}()

// classed is what every stored record type answers: its class name.
type classed interface{ Class() string }

// classNames maps each stored record type to its class.
var classNames = func() map[reflect.Type]string {
	out := map[reflect.Type]string{reflect.TypeFor[sessionRecord](): sessionRecord{}.Class()}
	for class, zero := range xenapi.RecordTypes() {
		out[reflect.TypeOf(zero)] = class
	}
	return out
}()

// classOf names the class of record type T.
func classOf[T any]() string { return classNames[reflect.TypeFor[T]()] }

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

// entry is one stored record and its place in its table's creation order.
type entry struct {
	rec any
	seq int64
	// extra holds, in wire form, fields of the class that the client's
	// record type does not carry (PIF.disallow_unplug, task.current_operations...).
	extra map[string]any
}

// slot is a place in a table's creation order.
type slot struct {
	ref xenapi.Ref
	seq int64
}

// table holds one class's records in creation order, as xapi's database
// returns them. A removed record leaves a hole in order until enough holes
// make it worth compacting, so that removing costs no walk of the table.
type table struct {
	order []slot
	rows  map[xenapi.Ref]*entry
	holes int
	seq   int64
}

// live reports whether s is still a record of the table.
func (t *table) live(s slot) bool {
	e := t.rows[s.ref]
	return e != nil && e.seq == s.seq
}

// refs returns the table's references in creation order.
func (t *table) refs() []xenapi.Ref {
	out := make([]xenapi.Ref, 0, len(t.rows))
	for _, s := range t.order {
		if t.live(s) {
			out = append(out, s.ref)
		}
	}
	return out
}

// db is one pool's database: what a pool's master holds and its members
// read. Every pool of the simulator (the main pool and each standalone host)
// has one. All access happens under Sim.mu.
type db struct {
	tables map[string]*table
	uuids  map[string]xenapi.Ref
	links  map[*relation]*link
	// vlanTags finds a VLAN by its tagged PIF and tag, which xapi checks
	// for at every VLAN.create.
	vlanTags map[vlanTag]xenapi.Ref

	// touched holds, by reference and class, every object a change may
	// have reached since the last commit: the records handed out for
	// writing, those made or removed, and those whose computed relations
	// moved. commit compares only these with what event.from last saw.
	touched map[xenapi.Ref]string

	// Event bookkeeping: a generation counter bumped by every change, and
	// for each object the generations it was created and last changed in.
	gen  int64
	meta map[xenapi.Ref]*objMeta
	// deleted are the deletions kept for event.from, by class, oldest
	// first.
	deleted map[string][]deletion
	// changes lists the objects added or changed, by generation, oldest
	// first; every generation after changesFrom is complete in it, so that
	// event.from since a recent token reads only what changed.
	changes     []change
	changesFrom int64
	// changed is closed and replaced at every commit that changed
	// something, waking event.from callers.
	changed chan struct{}
	// forced are objects event.inject touched: they count as changed at
	// the next commit whether or not they are.
	forced map[xenapi.Ref]bool
	// queue is event.next's: every event in order, each with its number,
	// the oldest dropped past maxQueue; nextID numbers the next one and
	// forgotten is the highest number dropped.
	queue     []queued
	nextID    int64
	forgotten int64

	// bridgeCounter numbers the bridges network.create chooses, "xapiN".
	bridgeCounter int

	// pendingLinks are bonds made since the Sim last looked, whose
	// links_up xapi's monitor has yet to count.
	pendingLinks []xenapi.Ref

	// managementMoves lists, since the Sim last looked, each host whose
	// management bridge was rebuilt, with the management IP it had before.
	managementMoves []managementMove

	// nicMaxMTU is the largest MTU each NIC device takes (Config.NICMaxMTU).
	nicMaxMTU map[string]int64
}

type managementMove struct {
	host  xenapi.Ref
	oldIP string
}

type vlanTag struct {
	tagged xenapi.Ref
	tag    int64
}

type objMeta struct {
	class             string
	created, modified int64
	last              reflect.Value // the record as event.from last reported it
	lastExtra         map[string]any
}

// queued is an event as event.next keeps it.
type queued struct {
	id        int64
	class, op string
	ref       xenapi.Ref
	// timestamp is when, as xapi writes it: OCaml's string_of_float of
	// the Unix time, "1700000000."
	timestamp string
}

// maxQueue bounds event.next's queue; a client that falls further behind
// gets EVENTS_LOST.
const maxQueue = 10000

type change struct {
	gen int64
	ref xenapi.Ref
}

// xapi keeps, for each table, the last deletions only (db_cache_types.ml):
// once a table has deletionsHigh, the newest deletionsLow stay. event.from
// with an older token silently misses the deletions dropped; a client sees
// them in valid_ref_counts.
const (
	deletionsHigh = 512
	deletionsLow  = 256
)

// maxChanges bounds the change list; a token older than its oldest
// generation is answered from every object.
const maxChanges = 200000

type deletion struct {
	class   string
	ref     xenapi.Ref
	created int64
	gen     int64
}

func newDB() *db {
	d := &db{
		tables:    map[string]*table{},
		uuids:     map[string]xenapi.Ref{},
		links:     map[*relation]*link{},
		vlanTags:  map[vlanTag]xenapi.Ref{},
		touched:   map[xenapi.Ref]string{},
		meta:      map[xenapi.Ref]*objMeta{},
		changed:   make(chan struct{}),
		forced:    map[xenapi.Ref]bool{},
		deleted:   map[string][]deletion{},
		forgotten: -1,
	}
	for _, c := range storedClasses {
		d.tables[c] = &table{rows: map[xenapi.Ref]*entry{}}
	}
	for _, r := range relations {
		d.links[r] = &link{children: map[xenapi.Ref][]slot{}, parentOf: map[xenapi.Ref]xenapi.Ref{}}
	}
	return d
}

// touch notes that the object may change before the next commit.
func (d *db) touch(class string, ref xenapi.Ref) { d.touched[ref] = class }

// insert adds a record (a pointer to one of xenapi's record types) under
// ref, or replaces the record stored there.
func (d *db) insert(ref xenapi.Ref, rec classed) {
	class := rec.Class()
	t := d.tables[class]
	if e, ok := t.rows[ref]; ok {
		d.unindex(class, ref)
		e.rec = rec
	} else {
		t.seq++
		t.rows[ref] = &entry{rec: rec, seq: t.seq}
		t.order = append(t.order, slot{ref, t.seq})
	}
	d.uuids[uuidOf(rec)] = ref
	d.index(class, ref, rec)
	d.touch(class, ref)
}

// remove deletes ref from its class's table.
func (d *db) remove(class string, ref xenapi.Ref) {
	t := d.tables[class]
	e, ok := t.rows[ref]
	if !ok {
		return
	}
	d.unindex(class, ref)
	if d.uuids[uuidOf(e.rec)] == ref {
		delete(d.uuids, uuidOf(e.rec))
	}
	delete(t.rows, ref)
	d.touch(class, ref)
	t.holes++
	if t.holes > 64 && t.holes > len(t.order)/2 {
		t.order = slices.DeleteFunc(t.order, func(s slot) bool { return !t.live(s) })
		t.holes = 0
	}
}

// peek returns the record of class behind ref, for reading only.
func (d *db) peek(class string, ref xenapi.Ref) (any, bool) {
	t, ok := d.tables[class]
	if !ok {
		return nil, false
	}
	e, ok := t.rows[ref]
	if !ok {
		return nil, false
	}
	return e.rec, true
}

// lookup returns the record of class behind ref, which the caller may
// change.
func (d *db) lookup(class string, ref xenapi.Ref) (any, bool) {
	rec, ok := d.peek(class, ref)
	if ok {
		d.touch(class, ref)
	}
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

// setExtra stores a field the record type does not carry, in wire form.
func (d *db) setExtra(class string, ref xenapi.Ref, field string, v any) {
	e := d.tables[class].rows[ref]
	if e == nil {
		return
	}
	if e.extra == nil {
		e.extra = map[string]any{}
	}
	e.extra[field] = v
	d.touch(class, ref)
}

// extraOf is a field stored by setExtra, or nil.
func (d *db) extraOf(class string, ref xenapi.Ref, field string) any {
	if e := d.tables[class].rows[ref]; e != nil {
		return e.extra[field]
	}
	return nil
}

// view returns the record of type T behind ref, or nil, for reading only:
// unlike get, it does not mark the record as possibly changed.
func view[T any](d *db, ref xenapi.Ref) *T {
	rec, ok := d.peek(classOf[T](), ref)
	if !ok {
		return nil
	}
	r, _ := rec.(*T)
	return r
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
	return rowsOf[T](d, d.tables[classOf[T]()].refs())
}

// rowsOf returns the records of type T behind refs, which the caller may
// change.
func rowsOf[T any](d *db, refs []xenapi.Ref) []row[T] {
	class := classOf[T]()
	t := d.tables[class]
	out := make([]row[T], 0, len(refs))
	for _, ref := range refs {
		if e := t.rows[ref]; e != nil {
			d.touch(class, ref)
			if r, ok := e.rec.(*T); ok {
				out = append(out, row[T]{ref, r})
			}
		}
	}
	return out
}

// scan calls fn with every record of type T in creation order, for
// reading only: unlike all, it does not mark the records as possibly
// changed, so that a look over a large table costs the next commit nothing.
func scan[T any](d *db, fn func(xenapi.Ref, *T) bool) {
	t := d.tables[classOf[T]()]
	for _, s := range t.order {
		if !t.live(s) {
			continue
		}
		if rec, ok := t.rows[s.ref].rec.(*T); ok && !fn(s.ref, rec) {
			return
		}
	}
}

// byUUID finds the object of class with the given UUID.
func (d *db) byUUID(class, uuid string) (xenapi.Ref, bool) {
	ref, ok := d.uuids[uuid]
	if !ok {
		return "", false
	}
	_, ok = d.peek(class, ref)
	return ref, ok
}

func uuidOf(rec any) string {
	return reflect.ValueOf(rec).Elem().FieldByName("UUID").String()
}

// The relations below are one-to-many links xapi keeps on both sides. The
// store keeps only the owning side in the records (PIF.host, PIF.network,
// PIF.bond_slave_of, Bond.master, VLAN.tagged_PIF, VLAN.untagged_PIF) and
// indexes it, so that the other side (host.PIFs, PIF.VLAN_slave_of...) is
// read from the index at the cost of its own length and the two can never
// disagree. Whoever changes an owning field calls reindex.

// relation is one owning field.
type relation struct {
	class  string // the class holding the field
	parent string // the class the field points to
	key    func(rec any) xenapi.Ref
}

// field reads one reference field of a record of type T; any other
// record has none.
func field[T any](get func(*T) xenapi.Ref) func(any) xenapi.Ref {
	return func(r any) xenapi.Ref {
		if rec, ok := r.(*T); ok {
			return get(rec)
		}
		return ""
	}
}

var (
	pifHost         = &relation{"PIF", "host", field(func(p *xenapi.PIF) xenapi.Ref { return p.Host })}
	pifNetwork      = &relation{"PIF", "network", field(func(p *xenapi.PIF) xenapi.Ref { return p.Network })}
	pifBondSlaveOf  = &relation{"PIF", "Bond", field(func(p *xenapi.PIF) xenapi.Ref { return p.BondSlaveOf })}
	bondMaster      = &relation{"Bond", "PIF", field(func(b *xenapi.Bond) xenapi.Ref { return b.Master })}
	vlanTaggedPIF   = &relation{"VLAN", "PIF", field(func(v *xenapi.VLAN) xenapi.Ref { return v.TaggedPIF })}
	vlanUntaggedPIF = &relation{"VLAN", "PIF", field(func(v *xenapi.VLAN) xenapi.Ref { return v.UntaggedPIF })}
	relations       = []*relation{pifHost, pifNetwork, pifBondSlaveOf, bondMaster, vlanTaggedPIF, vlanUntaggedPIF}
)

// link is a relation's index: each parent's children in creation order,
// and the parent each child is filed under.
type link struct {
	children map[xenapi.Ref][]slot
	parentOf map[xenapi.Ref]xenapi.Ref
}

func isNull(ref xenapi.Ref) bool { return ref == "" || ref.IsNull() }

// index files a record under the parents its owning fields name, and notes
// that those parents' computed fields changed.
func (d *db) index(class string, ref xenapi.Ref, rec any) {
	for _, r := range relations {
		if r.class != class {
			continue
		}
		parent := r.key(rec)
		if isNull(parent) {
			continue
		}
		l := d.links[r]
		seq := d.tables[class].rows[ref].seq
		kids := l.children[parent]
		i := sort.Search(len(kids), func(i int) bool { return kids[i].seq >= seq })
		l.children[parent] = slices.Insert(kids, i, slot{ref, seq})
		l.parentOf[ref] = parent
		d.touch(r.parent, parent)
		if v, ok := rec.(*xenapi.VLAN); ok && r == vlanTaggedPIF {
			d.vlanTags[vlanTag{parent, v.Tag}] = ref
		}
	}
}

// unindex takes a record out of the indexes, under the parents it was
// filed under.
func (d *db) unindex(class string, ref xenapi.Ref) {
	for _, r := range relations {
		if r.class != class {
			continue
		}
		l := d.links[r]
		parent, ok := l.parentOf[ref]
		if !ok {
			continue
		}
		delete(l.parentOf, ref)
		if v, ok := view[xenapi.VLAN](d, ref), r == vlanTaggedPIF; ok && v != nil {
			if key := (vlanTag{parent, v.Tag}); d.vlanTags[key] == ref {
				delete(d.vlanTags, key)
			}
		}
		kids := slices.DeleteFunc(l.children[parent], func(s slot) bool { return s.ref == ref })
		if len(kids) == 0 {
			delete(l.children, parent)
		} else {
			l.children[parent] = kids
		}
		d.touch(r.parent, parent)
	}
}

// reindex files the record again after a change to its owning fields.
func (d *db) reindex(class string, ref xenapi.Ref) {
	rec, ok := d.peek(class, ref)
	if !ok {
		return
	}
	for _, r := range relations {
		if r.class == class && d.links[r].parentOf[ref] != r.key(rec) {
			d.unindex(class, ref)
			d.index(class, ref, rec)
			return
		}
	}
}

// childRefs returns the children of parent under relation r, in creation
// order.
func (d *db) childRefs(r *relation, parent xenapi.Ref) []xenapi.Ref {
	kids := d.links[r].children[parent]
	out := make([]xenapi.Ref, len(kids))
	for i, s := range kids {
		out[i] = s.ref
	}
	return out
}

// firstChild returns the first child of parent under r, or "".
func (d *db) firstChild(r *relation, parent xenapi.Ref) xenapi.Ref {
	if kids := d.links[r].children[parent]; len(kids) > 0 {
		return kids[0].ref
	}
	return ""
}

func (d *db) pifsOfHost(host xenapi.Ref) []row[xenapi.PIF] {
	return rowsOf[xenapi.PIF](d, d.childRefs(pifHost, host))
}

func (d *db) pifsOnNetwork(network xenapi.Ref) []row[xenapi.PIF] {
	return rowsOf[xenapi.PIF](d, d.childRefs(pifNetwork, network))
}

// bondSlaves returns a bond's members, in the order xapi lists them.
func (d *db) bondSlaves(bond xenapi.Ref) []row[xenapi.PIF] {
	return rowsOf[xenapi.PIF](d, d.childRefs(pifBondSlaveOf, bond))
}

// bondOfMaster returns the bond whose master PIF is pif.
func (d *db) bondOfMaster(pif xenapi.Ref) (xenapi.Ref, *xenapi.Bond) {
	ref := d.firstChild(bondMaster, pif)
	if ref == "" {
		return "", nil
	}
	return ref, get[xenapi.Bond](d, ref)
}

// vlansOnTagged returns the VLANs whose tagged PIF is pif.
func (d *db) vlansOnTagged(pif xenapi.Ref) []row[xenapi.VLAN] {
	return rowsOf[xenapi.VLAN](d, d.childRefs(vlanTaggedPIF, pif))
}

// vlanWithTag returns the VLAN on tagged PIF pif with tag, or "".
func (d *db) vlanWithTag(pif xenapi.Ref, tag int64) xenapi.Ref {
	return d.vlanTags[vlanTag{pif, tag}]
}

// vlanOfUntagged returns the VLAN whose untagged PIF is pif.
func (d *db) vlanOfUntagged(pif xenapi.Ref) (xenapi.Ref, *xenapi.VLAN) {
	ref := d.firstChild(vlanUntaggedPIF, pif)
	if ref == "" {
		return "", nil
	}
	return ref, get[xenapi.VLAN](d, ref)
}

// derived returns a copy of a stored record with the computed sides of its
// relations filled in.
func (d *db) derived(ref xenapi.Ref, rec any) any {
	switch r := rec.(type) {
	case *xenapi.Host:
		c := *r
		c.PIFs = d.childRefs(pifHost, ref)
		return c
	case *xenapi.Network:
		c := *r
		c.PIFs = d.childRefs(pifNetwork, ref)
		return c
	case *xenapi.Bond:
		c := *r
		c.Slaves = d.childRefs(pifBondSlaveOf, ref)
		return c
	case *xenapi.PIF:
		c := *r
		c.BondMasterOf = []xenapi.Ref{}
		if b := d.firstChild(bondMaster, ref); b != "" {
			c.BondMasterOf = []xenapi.Ref{b}
		}
		c.VLANSlaveOf = d.childRefs(vlanTaggedPIF, ref)
		c.VLANMasterOf = d.firstChild(vlanUntaggedPIF, ref)
		return c
	}
	return reflect.ValueOf(rec).Elem().Interface()
}

// snapshot is the record as event.from would report it now, in a copy no
// later change reaches.
func (d *db) snapshot(ref xenapi.Ref, rec any) reflect.Value {
	v := reflect.ValueOf(d.derived(ref, rec))
	out := reflect.New(v.Type()).Elem()
	out.Set(v)
	for i := range out.NumField() {
		f := out.Field(i)
		switch f.Kind() {
		case reflect.Map:
			if !f.IsNil() {
				c := reflect.MakeMapWithSize(f.Type(), f.Len())
				for it := f.MapRange(); it.Next(); {
					c.SetMapIndex(it.Key(), it.Value())
				}
				f.Set(c)
			}
		case reflect.Slice:
			if !f.IsNil() {
				c := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
				reflect.Copy(c, f)
				f.Set(c)
			}
		}
	}
	return out
}

var (
	refType       = reflect.TypeFor[xenapi.Ref]()
	stringMapType = reflect.TypeFor[map[string]string]()
)

// sameRef compares references as the wire carries them: "" is the null
// reference.
func sameRef(a, b xenapi.Ref) bool { return a == b || isNull(a) && isNull(b) }

// sameRecord compares two snapshots as they would travel on the wire: an
// empty and a missing map or set are the same, and so are two times of the
// same instant.
func sameRecord(a, b reflect.Value) bool {
	for i := range a.NumField() {
		x, y := a.Field(i), b.Field(i)
		// The common field types first, without reflection per element.
		if x.Kind() == reflect.Map && x.Type() == stringMapType {
			xm, _ := x.Interface().(map[string]string)
			ym, _ := y.Interface().(map[string]string)
			if !maps.Equal(xm, ym) {
				return false
			}
			continue
		}
		switch x.Kind() {
		case reflect.Map:
			if x.Len() != y.Len() {
				return false
			}
			for it := x.MapRange(); it.Next(); {
				w := y.MapIndex(it.Key())
				if !w.IsValid() || !w.Equal(it.Value()) {
					return false
				}
			}
		case reflect.Slice:
			if x.Len() != y.Len() {
				return false
			}
			for j := range x.Len() {
				if xe, ye := x.Index(j), y.Index(j); xe.Kind() == reflect.String {
					if xe.String() != ye.String() {
						return false
					}
				} else if !xe.Equal(ye) {
					return false
				}
			}
		case reflect.Struct:
			if t, ok := x.Interface().(time.Time); ok {
				if u, _ := y.Interface().(time.Time); !t.Equal(u) {
					return false
				}
			} else if !x.Equal(y) {
				return false
			}
		case reflect.String:
			if x.Type() == refType {
				if !sameRef(xenapi.Ref(x.String()), xenapi.Ref(y.String())) {
					return false
				}
			} else if x.String() != y.String() {
				return false
			}
		default:
			if !x.Equal(y) {
				return false
			}
		}
	}
	return true
}

// commit records what the last change did, for event.from: every object
// created, changed or deleted since the previous commit gets the next
// generation, and waiting event.from calls wake up. Only the objects the
// change touched are compared.
func (d *db) commit() {
	next := d.gen + 1
	dirty := false
	for ref, class := range d.touched {
		if class == "session" {
			// Sessions are kept out of events, as in xapi's data model.
			continue
		}
		m, ok := d.meta[ref]
		e := d.tables[class].rows[ref]
		if e == nil {
			if !ok {
				continue
			}
			kept := d.deleted[m.class]
			// xapi's count includes a first entry that stands for none.
			if len(kept)+2 >= deletionsHigh {
				kept = slices.Clone(kept[len(kept)-deletionsLow:])
			}
			d.deleted[m.class] = append(kept, deletion{class: m.class, ref: ref, created: m.created, gen: next})
			d.enqueue(m.class, "del", ref)
			delete(d.meta, ref)
			dirty = true
			continue
		}
		snap := d.snapshot(ref, e.rec)
		switch {
		case !ok:
			d.meta[ref] = &objMeta{class: class, created: next, modified: next, last: snap, lastExtra: maps.Clone(e.extra)}
			d.enqueue(class, "add", ref)
		case d.forced[ref] || !sameRecord(m.last, snap) || !reflect.DeepEqual(m.lastExtra, e.extra) && len(m.lastExtra)+len(e.extra) > 0:
			m.modified, m.last, m.lastExtra = next, snap, maps.Clone(e.extra)
			d.enqueue(class, "mod", ref)
		default:
			continue
		}
		d.changes = append(d.changes, change{gen: next, ref: ref})
		dirty = true
	}
	clear(d.touched)
	clear(d.forced)
	if verifyStore {
		d.verify()
	}
	if !dirty {
		return
	}
	if len(d.changes) > maxChanges {
		drop := len(d.changes) - maxChanges*9/10
		d.changesFrom = d.changes[drop-1].gen
		d.changes = slices.Delete(d.changes, 0, drop)
	}
	d.gen = next
	close(d.changed)
	d.changed = make(chan struct{})
}

// enqueue adds an event to event.next's queue.
func (d *db) enqueue(class, op string, ref xenapi.Ref) {
	if len(d.queue) >= maxQueue {
		drop := maxQueue / 10
		d.forgotten = d.queue[drop-1].id
		d.queue = slices.Delete(d.queue, 0, drop)
	}
	d.queue = append(d.queue, queued{id: d.nextID, class: class, op: op, ref: ref,
		timestamp: strconv.FormatInt(time.Now().Unix(), 10) + "."})
	d.nextID++
}

// wake wakes every waiting event.from and event.next, for a session that
// ended.
func (d *db) wake() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// verifyStore makes every commit check the indexes and the change
// detection against a walk of every object; the package's tests set it, so
// that a change that escaped reindex or touch fails them.
var verifyStore = false

// verify panics when an index or an event snapshot disagrees with the
// records.
func (d *db) verify() {
	for _, r := range relations {
		want := map[xenapi.Ref][]xenapi.Ref{}
		t := d.tables[r.class]
		for _, ref := range t.refs() {
			if p := r.key(t.rows[ref].rec); !isNull(p) {
				want[p] = append(want[p], ref)
			}
		}
		got := map[xenapi.Ref][]xenapi.Ref{}
		for p := range d.links[r].children {
			got[p] = d.childRefs(r, p)
		}
		if !reflect.DeepEqual(got, want) {
			panic(fmt.Sprintf("xapisim: the %s index of %s is stale: %v, want %v", r.parent, r.class, got, want))
		}
	}
	tags := map[vlanTag]xenapi.Ref{}
	for _, v := range all[xenapi.VLAN](d) {
		tags[vlanTag{v.R.TaggedPIF, v.R.Tag}] = v.Ref
	}
	clear(d.touched)
	if !maps.Equal(tags, d.vlanTags) {
		panic(fmt.Sprintf("xapisim: the VLAN tag index is stale: %v, want %v", d.vlanTags, tags))
	}
	for _, class := range storedClasses {
		if class == "session" {
			continue
		}
		t := d.tables[class]
		for _, ref := range t.refs() {
			m := d.meta[ref]
			e := t.rows[ref]
			if m == nil || !sameRecord(m.last, d.snapshot(ref, e.rec)) || len(m.lastExtra)+len(e.extra) > 0 && !reflect.DeepEqual(m.lastExtra, e.extra) {
				panic(fmt.Sprintf("xapisim: a change to %s %s escaped the commit", class, ref))
			}
		}
	}
}
