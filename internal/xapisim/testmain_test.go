package xapisim

import (
	"os"
	"testing"
)

// TestMain makes every commit of the tests check the store's indexes and
// change detection against a walk of every object (see verifyStore); the
// benchmarks switch it off, as it costs the pool's size.
func TestMain(m *testing.M) {
	verifyStore = true
	os.Exit(m.Run())
}
