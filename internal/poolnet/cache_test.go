package poolnet_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// The pool model's cache: what each read costs the pool, and that a read
// never misses a change it should see.

// counter measures the calls the simulated pool receives between two
// points.
type counter struct {
	sim    *xapisim.Sim
	before map[string]int
}

func count(sim *xapisim.Sim) *counter { return &counter{sim: sim, before: sim.Calls()} }

// since returns the calls by method since the counter was made, logins
// left out: they are the client's business, not the model's.
func (c *counter) since() map[string]int {
	out := map[string]int{}
	for method, n := range c.sim.Calls() {
		if d := n - c.before[method]; d > 0 && method != "session.login_with_password" {
			out[method] = d
		}
	}
	return out
}

func newModel(t *testing.T, cfg xapisim.Config, o poolnet.Options) (*xapisim.Sim, *xenapi.Client, *poolnet.Model) {
	t.Helper()
	sim := xapisim.Run(t, cfg)
	c, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c, poolnet.NewModel(c, o)
}

func snapshot(t *testing.T, m *poolnet.Model) *poolnet.Snapshot {
	t.Helper()
	s, err := m.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("reading the pool: %v", err)
	}
	return s
}

func wantCalls(t *testing.T, got, want map[string]int) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("calls: got %v, want %v", got, want)
	}
}

// loadCalls is what loading the pool costs: one event.from per class the
// model keeps (pool, host, host_metrics, network, PIF, Bond, VLAN).
const loadCalls = 7

func TestModelLoadsThePoolWithOneEventFromPerClass(t *testing.T) {
	sim, c, m := newModel(t, xapisim.Config{Hosts: 4, NICs: 4}, poolnet.Options{MaxAge: time.Hour})
	calls := count(sim)
	s := snapshot(t, m)
	wantCalls(t, calls.since(), map[string]int{"event.from": loadCalls})

	whole, err := poolnet.TakeSnapshot(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Hosts.Len() != 4 || s.PIFs.Len() != whole.PIFs.Len() || s.Networks.Len() != whole.Networks.Len() || s.PoolRef != whole.PoolRef {
		t.Errorf("loaded %d hosts, %d PIFs, %d networks, pool %s; the pool has 4, %d, %d, %s",
			s.Hosts.Len(), s.PIFs.Len(), s.Networks.Len(), s.PoolRef, whole.PIFs.Len(), whole.Networks.Len(), whole.PoolRef)
	}
	for ref, p := range whole.PIFs.All() {
		if s.PIFs.Get(ref).UUID != p.UUID || s.PIFs.Get(ref).Device != p.Device || s.PIFs.Get(ref).Management != p.Management {
			t.Errorf("PIF %s: loaded %+v, the pool has %+v", ref, s.PIFs.Get(ref), p)
		}
	}
}

func TestModelServesReadsWithoutCallsWhileNothingChanges(t *testing.T) {
	sim, _, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2}, poolnet.Options{MaxAge: time.Hour})
	first := snapshot(t, m)
	calls := count(sim)
	for range 100 {
		if s := snapshot(t, m); s != first {
			t.Fatal("a read with nothing changed got a new snapshot")
		}
	}
	wantCalls(t, calls.since(), map[string]int{})
}

func TestModelSharesOneCatchUpAmongConcurrentReaders(t *testing.T) {
	sim, _, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2, Latency: 50 * time.Millisecond}, poolnet.Options{MaxAge: time.Hour})
	calls := count(sim)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := m.Snapshot(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wantCalls(t, calls.since(), map[string]int{"event.from": loadCalls})
}

func TestModelSeesItsOwnChangesAtOnce(t *testing.T) {
	sim, _, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2}, poolnet.Options{MaxAge: time.Hour})
	snapshot(t, m)
	uuid, err := m.CreateNetwork(context.Background(), poolnet.NetworkSpec{NameLabel: "private", MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	calls := count(sim)
	if _, _, ok := snapshot(t, m).NetworkByUUID(uuid); !ok {
		t.Fatal("the network the model just made is not in its next snapshot")
	}
	// The create's own read-back caught up already; at most one more
	// small catch-up, never a reload.
	if got := calls.since(); got["event.from"] > 1 || len(got) > 1 {
		t.Errorf("reading after a change cost %v, want at most one event.from", got)
	}
}

// Making a VLAN reads the pool twice: before it begins, and once the VLAN's
// PIFs exist, to see their MTU. In between, the network it has just made
// has no PIFs to read, and its UUID does not change after: on a pool of a
// thousand VLANs each catch-up after a VLAN is made carries every host's
// record whole.
func TestModelCreatesAVLANWithTwoCatchUps(t *testing.T) {
	sim, _, m := newModel(t, xapisim.Config{Hosts: 4, NICs: 4}, poolnet.Options{MaxAge: time.Hour})
	parent := masterNICNetwork(t, snapshot(t, m), "eth1")
	calls := count(sim)
	uuid, err := m.CreateVLAN(context.Background(), poolnet.VLANSpec{NameLabel: "VLAN 7", Tag: 7, ParentNetworkUUID: parent, MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	got := calls.since()
	if got["event.from"] != 2 || got["network.create"] != 1 || got["Async.pool.create_VLAN_from_PIF"] != 1 {
		t.Errorf("making a VLAN cost %v, want two event.from around one network.create and one pool.create_VLAN_from_PIF", got)
	}
	_, vlan, ok := snapshot(t, m).NetworkByUUID(uuid)
	if !ok || len(vlan.PIFs) != 4 {
		t.Errorf("the VLAN's network %s is not in the model with a PIF on each of the four hosts: %+v", uuid, vlan)
	}
}

// Destroying a VLAN reads the pool before it begins, before it destroys
// the VLAN on each host, and after, to see that nothing moved onto the
// network meanwhile.
func TestModelDestroysAVLANWithThreeCatchUps(t *testing.T) {
	sim, _, m := newModel(t, xapisim.Config{Hosts: 4, NICs: 4}, poolnet.Options{MaxAge: time.Hour})
	parent := masterNICNetwork(t, snapshot(t, m), "eth1")
	ctx := context.Background()
	uuid, err := m.CreateVLAN(ctx, poolnet.VLANSpec{NameLabel: "VLAN 7", Tag: 7, ParentNetworkUUID: parent, MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	calls := count(sim)
	if err := m.DestroyVLAN(ctx, uuid); err != nil {
		t.Fatal(err)
	}
	got := calls.since()
	if got["event.from"] != 3 || got["Async.VLAN.destroy"] != 4 || got["network.destroy"] != 1 {
		t.Errorf("destroying a VLAN cost %v, want three event.from, one VLAN.destroy per host and one network.destroy", got)
	}
	if _, _, ok := snapshot(t, m).NetworkByUUID(uuid); ok {
		t.Errorf("the VLAN's network %s is still in the model", uuid)
	}
}

func TestModelSeesChangesMadeOutsideAfterMaxAge(t *testing.T) {
	sim, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2}, poolnet.Options{MaxAge: 20 * time.Millisecond})
	snapshot(t, m)
	other := poolnet.NewModel(c, poolnet.Options{})
	uuid, err := other.CreateNetwork(context.Background(), poolnet.NetworkSpec{NameLabel: "made by someone else", MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	calls := count(sim)
	if _, _, ok := snapshot(t, m).NetworkByUUID(uuid); !ok {
		t.Fatal("a network made outside this model is not in a snapshot taken after MaxAge")
	}
	wantCalls(t, calls.since(), map[string]int{"event.from": 1})
}

func TestModelCatchUpBringsChangesDeletionsToo(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	bond, err := m.CreateBond(ctx, poolnet.BondSpec{NameLabel: "b", Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 9000})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DestroyBond(ctx, bond); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, m)
	whole, err := poolnet.TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bonds.Len() != 0 || got.PIFs.Len() != whole.PIFs.Len() || got.Networks.Len() != whole.Networks.Len() {
		t.Errorf("after create and destroy the model has %d bonds, %d PIFs, %d networks; the pool has %d, %d, %d",
			got.Bonds.Len(), got.PIFs.Len(), got.Networks.Len(), whole.Bonds.Len(), whole.PIFs.Len(), whole.Networks.Len())
	}
	for ref, p := range whole.PIFs.All() {
		if got.PIFs.Get(ref).MTU != p.MTU || got.PIFs.Get(ref).BondSlaveOf != p.BondSlaveOf {
			t.Errorf("PIF %s: the model has MTU %d, bond %s; the pool has %d, %s", p.Device, got.PIFs.Get(ref).MTU, got.PIFs.Get(ref).BondSlaveOf, p.MTU, p.BondSlaveOf)
		}
	}
}

func TestModelReloadsWhenEventsAreLost(t *testing.T) {
	for _, code := range []string{"EVENTS_LOST", "EVENT_FROM_TOKEN_INVALID", "SESSION_INVALID"} {
		t.Run(code, func(t *testing.T) {
			// The first catch-up, after the load, fails.
			faults, err := xapisim.ParseFaults(fmt.Sprintf("event.from#%d=%s", loadCalls+1, code))
			if err != nil {
				t.Fatal(err)
			}
			sim, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2, Faults: faults}, poolnet.Options{MaxAge: time.Nanosecond})
			snapshot(t, m)
			ref, err := c.NetworkCreate(context.Background(), xenapi.Network{NameLabel: "made outside", OtherConfig: map[string]string{}})
			if err != nil {
				t.Fatal(err)
			}
			calls := count(sim)
			if _, ok := snapshot(t, m).Networks.Lookup(ref); !ok {
				t.Fatalf("after %s the model did not reload: the new network is missing", code)
			}
			// The failed catch-up, then a reload (for SESSION_INVALID the
			// client logs in again and repeats the catch-up itself).
			want := 1 + loadCalls
			if code == "SESSION_INVALID" {
				want = 2
			}
			if got := calls.since()["event.from"]; got != want {
				t.Errorf("event.from calls: got %d, want %d", got, want)
			}
		})
	}
}

func TestModelReadsThePoolWholeWhereEventFromIsMissing(t *testing.T) {
	faults, err := xapisim.ParseFaults("event.from=MESSAGE_METHOD_UNKNOWN:event.from")
	if err != nil {
		t.Fatal(err)
	}
	sim, _, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2, Faults: faults}, poolnet.Options{MaxAge: time.Hour})
	calls := count(sim)
	s := snapshot(t, m)
	if s.Hosts.Len() != 2 {
		t.Fatalf("got %d hosts, want 2", s.Hosts.Len())
	}
	got := calls.since()
	if got["event.from"] != 1 || got["PIF.get_all_records"] != 1 || got["network.get_all_records"] != 1 {
		t.Errorf("calls: got %v, want one failed event.from, then each class's get_all_records", got)
	}
	// It does not ask for event.from again.
	uuid, err := m.CreateNetwork(context.Background(), poolnet.NetworkSpec{NameLabel: "n", MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := snapshot(t, m).NetworkByUUID(uuid); !ok {
		t.Fatal("the new network is missing")
	}
	if got := calls.since()["event.from"]; got != 1 {
		t.Errorf("event.from calls: got %d, want 1", got)
	}
}

func TestModelWithTheCacheOffReadsThePoolWholeEachTime(t *testing.T) {
	sim, _, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2}, poolnet.Options{CacheOff: true})
	calls := count(sim)
	snapshot(t, m)
	snapshot(t, m)
	got := calls.since()
	if got["event.from"] != 0 || got["PIF.get_all_records"] != 2 {
		t.Errorf("calls: got %v, want two whole reads and no event.from", got)
	}
}

// The indexes answer as a walk over the records would.
func TestSnapshotIndexesAgreeWithTheRecords(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	bond, err := m.CreateBond(ctx, poolnet.BondSpec{NameLabel: "b", Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.CreateVLAN(ctx, poolnet.VLANSpec{NameLabel: "v", Tag: 7, ParentNetworkUUID: bond, MTU: 1500}); err != nil {
		t.Fatal(err)
	}
	s := snapshot(t, m)
	for ref, p := range s.PIFs.All() {
		if got, _, ok := s.NetworkPIF(p.Host, p.Network); !ok || got != ref {
			t.Errorf("NetworkPIF(%s, %s) = %s, want %s", p.Host, p.Network, got, ref)
		}
		if _, got, ok := s.PIFByUUID(p.UUID); !ok || got.UUID != p.UUID {
			t.Errorf("PIFByUUID(%s) missed", p.UUID)
		}
		if p.VLAN < 0 {
			if got, _, ok := s.DevicePIF(p.Host, p.Device); !ok || got != ref {
				t.Errorf("DevicePIF(%s, %s) = %s, want %s", p.Host, p.Device, got, ref)
			}
		}
		if p.Management {
			if got, _, _ := s.ManagementPIF(p.Host); got != ref {
				t.Errorf("ManagementPIF(%s) = %s, want %s", p.Host, got, ref)
			}
		}
	}
	for ref, b := range s.Bonds.All() {
		if got, _, ok := s.BondOfMaster(b.Master); !ok || got != ref {
			t.Errorf("BondOfMaster(%s) = %s, want %s", b.Master, got, ref)
		}
	}
	for ref, v := range s.VLANs.All() {
		if got, _, ok := s.VLANOfUntagged(v.UntaggedPIF); !ok || got != ref {
			t.Errorf("VLANOfUntagged(%s) = %s, want %s", v.UntaggedPIF, got, ref)
		}
		if on := s.VLANsOn(v.TaggedPIF); len(on) != 1 || on[0] != ref {
			t.Errorf("VLANsOn(%s) = %v, want [%s]", v.TaggedPIF, on, ref)
		}
	}
	for ref, n := range s.Networks.All() {
		if len(s.NetworkPIFs(ref)) != len(n.PIFs) {
			t.Errorf("NetworkPIFs(%s) has %d PIFs, the record %d", n.NameLabel, len(s.NetworkPIFs(ref)), len(n.PIFs))
		}
	}
	// The model leaves a host's PIFs out of the records it keeps: the
	// host's own record, read from the pool, has them.
	hosts, err := xenapi.GetAllRecords[xenapi.Host](ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for ref, h := range s.Hosts.All() {
		if len(h.PIFs) != 0 || len(s.HostPIFs(ref)) != len(hosts[ref].PIFs) {
			t.Errorf("HostPIFs(%s) has %d PIFs, the host's record %d, the model's record %d",
				h.NameLabel, len(s.HostPIFs(ref)), len(hosts[ref].PIFs), len(h.PIFs))
		}
		if got, _, ok := s.HostByAddress(h.Address); !ok || got != ref {
			t.Errorf("HostByAddress(%s) = %s, want %s", h.Address, got, ref)
		}
	}
}

// xapi keeps only the latest deletions of each class: a catch-up from an
// older token misses the others without a word. The counts xapi returns
// with the events tell the model, and it reloads.
func TestModelNoticesDeletionsXapiNoLongerReports(t *testing.T) {
	sim, c, m := newModel(t, xapisim.Config{Hosts: 1, NICs: 1}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	var made []xenapi.Ref
	for range 1200 {
		ref, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: "short-lived", OtherConfig: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, ref)
	}
	if got := snapshot(t, m).Networks.Len(); got < 1200 {
		t.Fatalf("the model has %d networks, want the 1200 made and the pool's own", got)
	}
	for _, ref := range made {
		if err := c.NetworkDestroy(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	calls := count(sim)
	for ref := range snapshot(t, m).Networks.All() {
		if slices.Contains(made, ref) {
			t.Fatalf("network %s, destroyed, is still in the model", ref)
		}
	}
	if got := calls.since()["event.from"]; got != 1+loadCalls {
		t.Errorf("event.from calls: got %d, want %d (the catch-up that missed deletions, and the reload)", got, 1+loadCalls)
	}
}
