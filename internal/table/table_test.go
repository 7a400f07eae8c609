package table

import (
	"maps"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// A Map answers as a Go map given the same changes would, and every Map
// made on the way keeps answering as it did when it was made, whatever
// the hashes: spread as maphash spreads them, equal for many keys (chained
// entries), or agreeing on all but their last bits (the deepest nodes).
func TestMapIsAMapThatNeverChanges(t *testing.T) {
	hashes := map[string]func(int) uint64{
		"maphash":       hash[int],
		"colliding":     func(k int) uint64 { return uint64(k % 7) },
		"deep":          func(k int) uint64 { return bits.Reverse64(uint64(k % 50)) },
		"deep-and-same": func(k int) uint64 { return bits.Reverse64(uint64(k%5)) | 0x0f0f },
	}
	for name, h := range hashes {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			want := map[int]int{}
			for k := range 40 {
				want[k] = -k
			}
			m := of(want, h)
			type version struct {
				m    Map[int, int]
				want map[int]int
			}
			var versions []version
			for step := range 5000 {
				k := rng.IntN(120)
				if rng.IntN(3) == 0 {
					m = m.without(k, h(k))
					delete(want, k)
				} else {
					m = m.with(k, step, h(k))
					want[k] = step
				}
				if step%97 == 0 {
					versions = append(versions, version{m, maps.Clone(want)})
				}
				if step%13 == 0 {
					same(t, m, want, h)
				}
			}
			for _, v := range versions {
				same(t, v.m, v.want, h)
			}
			for k := range want {
				m = m.without(k, h(k))
			}
			if m.Len() != 0 || m.root != nil {
				t.Errorf("emptied: Len %d, root %v", m.Len(), m.root)
			}
		})
	}
}

func same(t *testing.T, m Map[int, int], want map[int]int, h func(int) uint64) {
	t.Helper()
	if m.Len() != len(want) {
		t.Fatalf("Len %d, want %d", m.Len(), len(want))
	}
	got := map[int]int{}
	for k, v := range m.All() {
		if _, twice := got[k]; twice {
			t.Fatalf("All yields %d twice", k)
		}
		got[k] = v
	}
	if !maps.Equal(got, want) {
		t.Fatalf("All yields %v, want %v", got, want)
	}
	for k := range 120 {
		v, ok := m.lookup(k, h(k))
		w, wok := want[k]
		if v != w || ok != wok {
			t.Fatalf("lookup(%d) = %d, %v; want %d, %v", k, v, ok, w, wok)
		}
	}
}

// The exported methods hash as Of does.
func TestMapWithRealKeys(t *testing.T) {
	m := Of(map[string]int{"OpaqueRef:a": 1, "OpaqueRef:b": 2})
	m = m.With("OpaqueRef:c", 3).Without("OpaqueRef:a").With("OpaqueRef:b", 4)
	if v, ok := m.Lookup("OpaqueRef:a"); ok {
		t.Errorf("a removed, still %d", v)
	}
	if m.Get("OpaqueRef:b") != 4 || m.Get("OpaqueRef:c") != 3 || m.Get("OpaqueRef:x") != 0 || m.Len() != 2 {
		t.Errorf("b %d, c %d, x %d, Len %d", m.Get("OpaqueRef:b"), m.Get("OpaqueRef:c"), m.Get("OpaqueRef:x"), m.Len())
	}
	var zero Map[string, int]
	if zero.Len() != 0 || zero.Get("x") != 0 || zero.Without("x").Len() != 0 {
		t.Error("the zero Map is not empty")
	}
	n := 0
	for range zero.All() {
		n++
	}
	for range m.Keys() {
		n++
	}
	for range m.Values() {
		n++
	}
	if n != 4 {
		t.Errorf("yielded %d keys and values, want 4", n)
	}
}
