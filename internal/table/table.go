// Package table holds the records of one class of a pool snapshot, the
// snapshot's indexes, and each host's VLANs in an end state of the pool,
// in maps that are never changed once made. A new snapshot is the last one
// with the changes event.from reported: it shares every record that did
// not change, so learning of a change costs the change, not the pool. With
// plain maps, each snapshot of a pool of sixteen hosts and a thousand
// VLANs copied some 16,000 PIF records for every VLAN made, and judging
// each VLAN made copied every host's list of VLANs.
//
// A Map is a hash array mapped trie: thirty-two ways at each level, each
// node holding only the branches it has, so a change copies a few small
// nodes on the path to its key.
package table

import (
	"hash/maphash"
	"iter"
	"math/bits"
)

// branches is how many ways a node branches, and shift how many bits of
// a key's hash pick one.
const (
	shift    = 5
	branches = 1 << shift
)

// seed hashes every key of every map in this process.
var seed = maphash.MakeSeed()

// Map is a map from K to V that is never changed: With and Without return
// a new Map, which shares with the old all that did not change. The zero
// Map is empty and ready to use.
type Map[K comparable, V any] struct {
	root *node[K, V]
	len  int
}

// node holds the branches of one level that have entries, in the order of
// their bits in bitmap.
type node[K comparable, V any] struct {
	bitmap uint32
	slots  []slot[K, V]
}

// slot is a branch: a node deeper down, or a chain of entries. A chain
// holds one key, or several whose whole hashes are equal, which no level
// below could tell apart.
type slot[K comparable, V any] struct {
	child *node[K, V]
	entry *entry[K, V]
}

// entry is one key and its value; next chains keys whose hashes are
// equal, which no level can tell apart.
type entry[K comparable, V any] struct {
	key   K
	value V
	hash  uint64
	next  *entry[K, V]
}

// Of makes a Map of the entries of m.
func Of[K comparable, V any](m map[K]V) Map[K, V] { return of(m, hash) }

func hash[K comparable](k K) uint64 { return maphash.Comparable(seed, k) }

// of is Of with the hash given, as are lookup, with and without: the
// tests give hashes that collide.
func of[K comparable, V any](m map[K]V, hash func(K) uint64) Map[K, V] {
	entries := make([]*entry[K, V], 0, len(m))
	for k, v := range m {
		entries = append(entries, &entry[K, V]{key: k, value: v, hash: hash(k)})
	}
	if len(entries) == 0 {
		return Map[K, V]{}
	}
	return Map[K, V]{root: build(entries, 0), len: len(entries)}
}

// build makes the node of entries at depth (a count of hash bits), their
// hashes agreeing on the bits above it.
func build[K comparable, V any](entries []*entry[K, V], depth uint) *node[K, V] {
	var groups [branches][]*entry[K, V]
	for _, e := range entries {
		i := index(e.hash, depth)
		groups[i] = append(groups[i], e)
	}
	n := &node[K, V]{}
	for i, group := range groups {
		if len(group) == 0 {
			continue
		}
		n.bitmap |= 1 << i
		n.slots = append(n.slots, branch(group, depth+shift))
	}
	return n
}

// branch makes the slot of entries whose hashes agree up to depth. The
// entries are Of's own, so it may chain them.
func branch[K comparable, V any](entries []*entry[K, V], depth uint) slot[K, V] {
	if len(entries) == 1 || sameHash(entries) {
		for i, e := range entries[1:] {
			entries[i].next = e
		}
		return slot[K, V]{entry: entries[0]}
	}
	return slot[K, V]{child: build(entries, depth)}
}

func sameHash[K comparable, V any](entries []*entry[K, V]) bool {
	for _, e := range entries[1:] {
		if e.hash != entries[0].hash {
			return false
		}
	}
	return true
}

func index(hash uint64, depth uint) uint32 { return uint32(hash>>depth) & (branches - 1) }

// at returns the position in slots of the branch for bit, and whether the
// node has it.
func (n *node[K, V]) at(bit uint32) (int, bool) {
	return bits.OnesCount32(n.bitmap & (bit - 1)), n.bitmap&bit != 0
}

// Len is the number of entries.
func (m Map[K, V]) Len() int { return m.len }

// Get returns the value for k, or V's zero value when there is none, as
// indexing a map does.
func (m Map[K, V]) Get(k K) V {
	v, _ := m.Lookup(k)
	return v
}

// Lookup returns the value for k and whether there is one.
func (m Map[K, V]) Lookup(k K) (V, bool) { return m.lookup(k, hash(k)) }

func (m Map[K, V]) lookup(k K, h uint64) (V, bool) {
	if m.root == nil {
		var zero V
		return zero, false
	}
	n := m.root
	for depth := uint(0); ; depth += shift {
		i, ok := n.at(1 << index(h, depth))
		if !ok {
			break
		}
		s := n.slots[i]
		if s.child != nil {
			n = s.child
			continue
		}
		for e := s.entry; e != nil; e = e.next {
			if e.hash == h && e.key == k {
				return e.value, true
			}
		}
		break
	}
	var zero V
	return zero, false
}

// With returns m with k set to v.
func (m Map[K, V]) With(k K, v V) Map[K, V] { return m.with(k, v, hash(k)) }

func (m Map[K, V]) with(k K, v V, h uint64) Map[K, V] {
	e := &entry[K, V]{key: k, value: v, hash: h}
	root, added := with(m.root, e, 0)
	if added {
		m.len++
	}
	m.root = root
	return m
}

// with returns a copy of n (a new node for a nil n) with e in it, and
// whether e's key is new.
func with[K comparable, V any](n *node[K, V], e *entry[K, V], depth uint) (*node[K, V], bool) {
	bit := uint32(1) << index(e.hash, depth)
	if n == nil {
		return &node[K, V]{bitmap: bit, slots: []slot[K, V]{{entry: e}}}, true
	}
	i, ok := n.at(bit)
	if !ok {
		c := &node[K, V]{bitmap: n.bitmap | bit, slots: make([]slot[K, V], 0, len(n.slots)+1)}
		c.slots = append(append(append(c.slots, n.slots[:i]...), slot[K, V]{entry: e}), n.slots[i:]...)
		return c, true
	}
	s := n.slots[i]
	added := false
	switch {
	case s.child != nil:
		s.child, added = with(s.child, e, depth+shift)
	case s.entry.hash == e.hash:
		// The hashes agree all the way down: chain the keys.
		chain, found := without(s.entry, e.key)
		e.next, added = chain, !found
		s.entry = e
	default:
		// Other keys: a node deeper down tells them apart. Their hashes
		// differ, so some level below this one does.
		below := &node[K, V]{bitmap: 1 << index(s.entry.hash, depth+shift), slots: []slot[K, V]{s}}
		s.child, added = with(below, e, depth+shift)
		s.entry = nil
	}
	c := &node[K, V]{bitmap: n.bitmap, slots: append([]slot[K, V](nil), n.slots...)}
	c.slots[i] = s
	return c, added
}

// without returns the chain of entries without the one for k, copying
// the entries before it, and whether it was there.
func without[K comparable, V any](chain *entry[K, V], k K) (*entry[K, V], bool) {
	if chain == nil {
		return nil, false
	}
	if chain.key == k {
		return chain.next, true
	}
	rest, found := without(chain.next, k)
	if !found {
		return chain, false
	}
	c := *chain
	c.next = rest
	return &c, true
}

// Without returns m with no entry for k.
func (m Map[K, V]) Without(k K) Map[K, V] { return m.without(k, hash(k)) }

func (m Map[K, V]) without(k K, h uint64) Map[K, V] {
	if m.root == nil {
		return m
	}
	root, removed := remove(m.root, k, h, 0)
	if !removed {
		return m
	}
	m.root, m.len = root, m.len-1
	return m
}

// remove returns a copy of n without k (nil when nothing is left), and
// whether k was there. A node left with one entry and no deeper node
// gives the entry back to its parent, so that a map emptied and refilled
// looks as one filled once does.
func remove[K comparable, V any](n *node[K, V], k K, h uint64, depth uint) (*node[K, V], bool) {
	bit := uint32(1) << index(h, depth)
	i, ok := n.at(bit)
	if !ok {
		return n, false
	}
	s := n.slots[i]
	if s.child != nil {
		child, removed := remove(s.child, k, h, depth+shift)
		if !removed {
			return n, false
		}
		switch {
		case child == nil:
			s = slot[K, V]{}
		case len(child.slots) == 1 && child.slots[0].child == nil:
			s = child.slots[0]
		default:
			s.child = child
		}
	} else {
		chain, found := without(s.entry, k)
		if !found {
			return n, false
		}
		s.entry = chain
	}
	if s.child == nil && s.entry == nil {
		if len(n.slots) == 1 {
			return nil, true
		}
		c := &node[K, V]{bitmap: n.bitmap &^ bit, slots: make([]slot[K, V], 0, len(n.slots)-1)}
		c.slots = append(append(c.slots, n.slots[:i]...), n.slots[i+1:]...)
		return c, true
	}
	c := &node[K, V]{bitmap: n.bitmap, slots: append([]slot[K, V](nil), n.slots...)}
	c.slots[i] = s
	return c, true
}

// All yields every entry, in no set order, as ranging over a map does.
func (m Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.root != nil {
			m.root.each(yield)
		}
	}
}

// Keys yields every key, in no set order.
func (m Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}

// Values yields every value, in no set order.
func (m Map[K, V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		for _, v := range m.All() {
			if !yield(v) {
				return
			}
		}
	}
}

func (n *node[K, V]) each(yield func(K, V) bool) bool {
	for _, s := range n.slots {
		if s.child != nil {
			if !s.child.each(yield) {
				return false
			}
			continue
		}
		for e := s.entry; e != nil; e = e.next {
			if !yield(e.key, e.value) {
				return false
			}
		}
	}
	return true
}
