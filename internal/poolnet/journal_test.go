package poolnet_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// What an interrupted or failed operation leaves, and what the next run
// makes of it.

func faults(t *testing.T, spec string) []xapisim.Fault {
	t.Helper()
	f, err := xapisim.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func storageBond(name string) poolnet.BondSpec {
	return poolnet.BondSpec{NameLabel: name, Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 9000}
}

// leftBehind is a half-made bond as a provider killed in the middle of
// CreateBond leaves it: the network with the journal, and the bond on the
// first host only. by names the provider that began it.
func leftBehind(t *testing.T, c *xenapi.Client, spec poolnet.BondSpec, by string, started time.Time) xenapi.Ref {
	t.Helper()
	return leftBehindIn(t, c, spec, by, "", started)
}

// leftBehindIn is leftBehind by a provider that wrote down the pid space
// its pid is in, as xsnet does where /proc says.
func leftBehindIn(t *testing.T, c *xenapi.Client, spec poolnet.BondSpec, by, pidSpace string, started time.Time) xenapi.Ref {
	t.Helper()
	ctx := context.Background()
	snap, err := poolnet.TakeSnapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	journal, err := json.Marshal(map[string]any{"id": "0123456789abcdef", "op": "create", "by": by,
		"started": started.Unix(), "pid_space": pidSpace, "bond": spec})
	if err != nil {
		t.Fatal(err)
	}
	net, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: spec.NameLabel, MTU: spec.MTU,
		OtherConfig: map[string]string{"xsnet_managed": "bond", "xsnet_journal": string(journal)}})
	if err != nil {
		t.Fatal(err)
	}
	host := snap.HostRefs()[1]
	var members []xenapi.Ref
	for _, d := range spec.Members {
		ref, _, _ := snap.DevicePIF(host, d)
		members = append(members, ref)
	}
	if _, err := c.BondCreate(ctx, net, members, "", spec.Mode, nil); err != nil {
		t.Fatal(err)
	}
	return net
}

func TestCreateBondTakesOverTheSameBondLeftUnfinished(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	installed := snapshot(t, m).Networks.Len()
	left := leftBehind(t, c, storageBond("storage"), "elsewhere:1", time.Now().Add(-time.Hour))

	unfinished, err := m.Unfinished(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(unfinished) != 1 || !unfinished[0].Abandoned || unfinished[0].What != "a bond of eth2, eth3" {
		t.Fatalf("unfinished work: %+v, want the abandoned bond of eth2, eth3", unfinished)
	}

	uuid, err := m.CreateBond(ctx, storageBond("storage"))
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot(t, m)
	ref, n, _ := s.NetworkByUUID(uuid)
	if ref != left {
		t.Errorf("CreateBond made network %s; want it to take over %s, left unfinished", ref, left)
	}
	pb, _ := poolnet.ReadBond(s, uuid)
	if len(pb.Missing) > 0 || len(pb.Hosts) != 3 {
		t.Errorf("hosts without the bond: %v", pb.Missing)
	}
	if _, ok := n.OtherConfig["xsnet_journal"]; ok {
		t.Error("the journal is still there after the work finished")
	}
	if s.Networks.Len() != installed+1 {
		t.Errorf("the pool has %d networks, want the %d it was installed with and the bond's", s.Networks.Len(), installed)
	}
}

func TestCreateBondUndoesUnfinishedWorkInItsWay(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	left := leftBehind(t, c, poolnet.BondSpec{NameLabel: "old", Members: []string{"eth1", "eth2"}, Mode: xenapi.BondModeBalanceSLB, MTU: 9000},
		"elsewhere:1", time.Now().Add(-time.Hour))
	uuid, err := m.CreateBond(ctx, storageBond("storage"))
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot(t, m)
	if _, ok := s.Networks.Lookup(left); ok {
		t.Error("the unfinished bond over eth1 and eth2 is still in the pool")
	}
	if pb, _ := poolnet.ReadBond(s, uuid); len(pb.Hosts) != 3 {
		t.Errorf("the new bond is on %d hosts, want 3", len(pb.Hosts))
	}
}

func TestCreateBondLeavesWorkInProgressAlone(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	// Begun a moment ago on another machine: its provider may be at it.
	left := leftBehind(t, c, storageBond("storage"), "elsewhere:1", time.Now())
	if _, err := m.CreateBond(context.Background(), storageBond("storage")); err == nil {
		t.Fatal("CreateBond took over work another provider may still be doing")
	}
	if _, ok := snapshot(t, m).Networks.Lookup(left); !ok {
		t.Error("the other provider's network is gone")
	}
}

func TestAFailedCreateSaysWhatItUndid(t *testing.T) {
	_, _, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4, Faults: faults(t, "Bond.create#2=INTERNAL_ERROR:injected")},
		poolnet.Options{MaxAge: time.Nanosecond})
	before := snapshot(t, m)
	_, err := m.CreateBond(context.Background(), storageBond("storage"))
	var f *poolnet.Failure
	if !errors.As(err, &f) {
		t.Fatalf("error %v, want a *poolnet.Failure", err)
	}
	if f.Remains != "" || len(f.Left) > 0 || !strings.Contains(err.Error(), "Nothing was left behind") {
		t.Errorf("failure: %v", err)
	}
	if !strings.Contains(err.Error(), `the bond on host`) || !strings.Contains(err.Error(), `network "storage"`) {
		t.Errorf("the message does not name what was undone: %v", err)
	}
	after := snapshot(t, m)
	if after.Networks.Len() != before.Networks.Len() || after.Bonds.Len() != 0 {
		t.Errorf("left behind: %d networks (was %d), %d bonds", after.Networks.Len(), before.Networks.Len(), after.Bonds.Len())
	}
}

// A VLAN whose pool.create_VLAN_from_PIF fails takes its network, just
// made, with it. The model serves reads from its last catch-up for an
// hour here, as it does for a second in the provider: undoing must read
// the pool after the network was made, not trust what it read before.
func TestAFailedVLANCreateTakesItsNetworkWithIt(t *testing.T) {
	_, _, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4, Faults: faults(t, "pool.create_VLAN_from_PIF#1=INTERNAL_ERROR:injected")},
		poolnet.Options{MaxAge: time.Hour})
	before := snapshot(t, m)
	parent := masterNICNetwork(t, before, "eth1")
	_, err := m.CreateVLAN(context.Background(), poolnet.VLANSpec{NameLabel: "VLAN 100", Tag: 100, ParentNetworkUUID: parent, MTU: 1500})
	var f *poolnet.Failure
	if !errors.As(err, &f) {
		t.Fatalf("error %v, want a *poolnet.Failure", err)
	}
	if f.Remains != "" || len(f.Left) > 0 || !strings.Contains(err.Error(), `network "VLAN 100"`) {
		t.Errorf("the failure does not say the VLAN's network was undone: %v", err)
	}
	if after := snapshot(t, m); after.Networks.Len() != before.Networks.Len() {
		t.Errorf("left behind: %d networks, was %d", after.Networks.Len(), before.Networks.Len())
	}
}

func TestAFailedCreateThatCannotBeUndoneSaysWhatIsLeft(t *testing.T) {
	_, _, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4,
		Faults: faults(t, "Bond.create#2=INTERNAL_ERROR:injected;Bond.destroy=INTERNAL_ERROR:injected")},
		poolnet.Options{MaxAge: time.Nanosecond})
	_, err := m.CreateBond(context.Background(), storageBond("storage"))
	var f *poolnet.Failure
	if !errors.As(err, &f) {
		t.Fatalf("error %v, want a *poolnet.Failure", err)
	}
	if f.Remains == "" || len(f.Left) == 0 || strings.Contains(err.Error(), "Nothing was left behind") {
		t.Errorf("failure: %v (remains %q)", err, f.Remains)
	}
	if _, _, ok := snapshot(t, m).NetworkByUUID(f.Remains); !ok {
		t.Errorf("Remains names network %s, which is not in the pool", f.Remains)
	}
}

// A destroy that fails half-way leaves the network, and with it the
// members' MTUs to restore, for the next destroy to finish.
func TestDestroyBondRestoresMembersBeforeTheNetworkGoes(t *testing.T) {
	_, _, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 4, Faults: faults(t, "network.destroy#1=INTERNAL_ERROR:injected")},
		poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	uuid, err := m.CreateBond(ctx, storageBond("storage"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DestroyBond(ctx, uuid); err == nil {
		t.Fatal("the first destroy should fail at network.destroy")
	}
	s := snapshot(t, m)
	for _, host := range s.HostRefs() {
		for _, d := range []string{"eth2", "eth3"} {
			if _, p, _ := s.DevicePIF(host, d); p.MTU != 1500 || s.Networks.Get(p.Network).MTU != 1500 {
				t.Errorf("%s on %s: MTU %d on network MTU %d after the failed destroy, want 1500", d, s.Hosts.Get(host).NameLabel, p.MTU, s.Networks.Get(p.Network).MTU)
			}
		}
	}
	if err := m.DestroyBond(ctx, uuid); err != nil {
		t.Fatalf("the second destroy: %v", err)
	}
	if _, _, ok := snapshot(t, m).NetworkByUUID(uuid); ok {
		t.Error("the network is still there after the second destroy")
	}
}
