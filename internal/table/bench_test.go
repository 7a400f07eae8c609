package table

import (
	"fmt"
	"maps"
	"testing"
)

// record is about the size of a PIF record.
type record [37]int64

// A change to a table of 16,000 records, the PIFs of sixteen hosts with a
// thousand VLANs each: copying a Go map, against a Map's With.
func BenchmarkChange(b *testing.B) {
	m := map[string]record{}
	for i := range 16000 {
		m[fmt.Sprintf("OpaqueRef:%08d-1b2c-4d5e-8f90-a1b2c3d4e5f6", i)] = record{}
	}
	key := "OpaqueRef:00000042-1b2c-4d5e-8f90-a1b2c3d4e5f6"
	b.Run("map-clone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := maps.Clone(m)
			c[key] = record{}
		}
	})
	t := Of(m)
	b.Run("with", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = t.With(key, record{})
		}
	})
	b.Run("lookup", func(b *testing.B) {
		for b.Loop() {
			_, _ = t.Lookup(key)
		}
	})
	b.Run("map-lookup", func(b *testing.B) {
		for b.Loop() {
			_ = m[key]
		}
	})
}
