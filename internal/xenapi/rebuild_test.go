package xenapi

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// steps records, in order, what the tests of the rebuild gate saw happen.
type steps struct {
	mu   sync.Mutex
	seen []string
}

func (s *steps) add(step string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, step)
}

func (s *steps) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// TestRebuildingWaitsForTheChangesInFlight: a management move waits until
// a VLAN.create already running has finished, task and all, so that the
// reset it causes cuts no change off.
func TestRebuildingWaitsForTheChangesInFlight(t *testing.T) {
	f := newFake(t)
	f.taskPending = 5
	started := make(chan struct{})
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "Async.VLAN.create" {
			close(started)
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	var s steps
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := c.VLANCreate(context.Background(), "OpaqueRef:p", 100, "OpaqueRef:n"); err != nil {
			t.Errorf("VLANCreate: %v", err)
		}
		s.add("VLAN made")
	}()
	<-started
	err := c.Rebuilding(context.Background(), func(ctx context.Context) error {
		s.add("management moved")
		_, err := c.Call(ctx, "host.management_reconfigure", "OpaqueRef:pif")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	<-done
	if got, want := s.list(), []string{"VLAN made", "management moved"}; !slices.Equal(got, want) {
		t.Errorf("steps = %q, want %q", got, want)
	}
}

// TestChangesWaitForARebuild: while management moves, a change begun
// elsewhere waits for the move to end, and reads go on.
func TestChangesWaitForARebuild(t *testing.T) {
	f := newFake(t)
	var s steps
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "network.create" {
			s.add("network made")
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	done := make(chan struct{})
	err := c.Rebuilding(context.Background(), func(ctx context.Context) error {
		go func() {
			defer close(done)
			if _, err := c.NetworkCreate(context.Background(), Network{NameLabel: "storage"}); err != nil {
				t.Errorf("NetworkCreate: %v", err)
			}
		}()
		if _, err := c.Call(context.Background(), "network.get_all_records"); err != nil {
			return err
		}
		s.add("read")
		time.Sleep(50 * time.Millisecond)
		s.add("management moved")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-done
	if got, want := s.list(), []string{"read", "management moved", "network made"}; !slices.Equal(got, want) {
		t.Errorf("steps = %q, want %q", got, want)
	}
}
