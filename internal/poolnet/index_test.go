package poolnet

import (
	"context"
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// catchingUpModel is a model of a simulated pool of three hosts with six
// NICs each that catches up on every read, as during an apply.
func catchingUpModel(t *testing.T) (*Model, context.Context) {
	t.Helper()
	sim := xapisim.Run(t, xapisim.Config{Hosts: 3, NICs: 6})
	c, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		t.Fatal(err)
	}
	return NewModel(c, Options{MaxAge: time.Nanosecond}), context.Background()
}

// An index derived change by change, as catch-ups derive it, is the index
// built afresh from the same records.
func TestDerivedIndexIsTheBuiltIndex(t *testing.T) {
	m, ctx := catchingUpModel(t)
	check := func(step string) {
		t.Helper()
		s, err := m.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.index() // derived, or built if this snapshot had no index to derive from
		d, b := s.idx.Load(), s.buildIndex()
		for name, pair := range map[string][2]any{
			"hostOrder": {d.hostOrder, b.hostOrder}, "hostByUUID": {d.hostByUUID, b.hostByUUID},
			"hostByAddress": {d.hostByAddress, b.hostByAddress}, "networkByUUID": {maps.Collect(d.networkByUUID.All()), maps.Collect(b.networkByUUID.All())},
			"pifByUUID": {maps.Collect(d.pifByUUID.All()), maps.Collect(b.pifByUUID.All())}, "pifsOfHost": {maps.Collect(d.pifsOfHost.All()), maps.Collect(b.pifsOfHost.All())},
			"pifsOfNetwork": {maps.Collect(d.pifsOfNetwork.All()), maps.Collect(b.pifsOfNetwork.All())}, "deviceRoot": {maps.Collect(d.deviceRoot.All()), maps.Collect(b.deviceRoot.All())},
			"networkPIF": {maps.Collect(d.networkPIF.All()), maps.Collect(b.networkPIF.All())}, "management": {maps.Collect(d.management.All()), maps.Collect(b.management.All())},
			"bondOfMaster": {maps.Collect(d.bondOfMaster.All()), maps.Collect(b.bondOfMaster.All())}, "vlanOfUntagged": {maps.Collect(d.vlanOfUntagged.All()), maps.Collect(b.vlanOfUntagged.All())},
			"vlansOfTagged": {maps.Collect(d.vlansOfTagged.All()), maps.Collect(b.vlansOfTagged.All())}, "networksByLabel": {maps.Collect(d.networksByLabel.All()), maps.Collect(b.networksByLabel.All())},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Errorf("after %s the derived %s differs from a built one:\nderived %v\nbuilt   %v", step, name, pair[0], pair[1])
			}
		}
	}
	check("the load")
	vm, err := m.CreateBond(ctx, BondSpec{NameLabel: "vm", Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 9000})
	if err != nil {
		t.Fatal(err)
	}
	check("a bond")
	var vlans []string
	for tag := int64(100); tag < 105; tag++ {
		id, err := m.CreateVLAN(ctx, VLANSpec{NameLabel: "vlan", Tag: tag, ParentNetworkUUID: vm, MTU: 1500})
		if err != nil {
			t.Fatal(err)
		}
		vlans = append(vlans, id)
		check("a VLAN")
	}
	if _, err := m.CreateBond(ctx, BondSpec{NameLabel: "mgmt", Members: []string{"eth0", "eth1"}, Mode: xenapi.BondModeBalanceSLB, MTU: 1500, Management: true}); err != nil {
		t.Fatal(err)
	}
	check("management moving onto a bond")
	if err := m.DestroyVLAN(ctx, vlans[2]); err != nil {
		t.Fatal(err)
	}
	check("a VLAN destroyed")
	if err := m.UpdateBond(ctx, vm, BondSpec{NameLabel: "vm renamed", Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 1500}); err != nil {
		t.Fatal(err)
	}
	check("a bond renamed and its MTU lowered")
	if err := m.DestroyBond(ctx, vm); err != nil {
		t.Fatal(err)
	}
	check("a bond destroyed, its VLANs moved onto a member")
}

// An end state derived change by change, as catch-ups derive it while an
// apply makes VLANs, is the end state built afresh from the same records;
// where a change reaches further than a network and its VLANs, the end
// state is built.
func TestDerivedEndStateIsTheBuiltEndState(t *testing.T) {
	m, ctx := catchingUpModel(t)
	check := func(step string, derived bool) {
		t.Helper()
		s, err := m.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if derived && s.end.Load() == nil {
			t.Errorf("after %s the end state was not derived", step)
		}
		s.endState() // built if not derived, for the next change to derive from
		if d, b := s.end.Load(), s.buildEndState(); !reflect.DeepEqual(d, b) {
			t.Errorf("after %s the derived end state differs from a built one:\nderived %+v\nbuilt   %+v", step, d, b)
		}
	}
	check("the load", false)
	vm, err := m.CreateBond(ctx, BondSpec{NameLabel: "vm", Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 9000})
	if err != nil {
		t.Fatal(err)
	}
	check("a bond", false)
	var vlans []string
	for tag := int64(100); tag < 104; tag++ {
		id, err := m.CreateVLAN(ctx, VLANSpec{NameLabel: "vlan", Tag: tag, ParentNetworkUUID: vm, MTU: 1500})
		if err != nil {
			t.Fatal(err)
		}
		vlans = append(vlans, id)
		check("a VLAN", true)
	}
	if err := m.UpdateVLAN(ctx, vlans[0], VLANSpec{NameLabel: "vlan renamed", Tag: 100, ParentNetworkUUID: vm, MTU: 9000}); err != nil {
		t.Fatal(err)
	}
	check("a VLAN renamed and its MTU raised", true)
	private, err := m.CreateNetwork(ctx, NetworkSpec{NameLabel: "private", MTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	check("a private network", true)
	if err := m.DestroyNetwork(ctx, private); err != nil {
		t.Fatal(err)
	}
	check("a private network destroyed", true)
	if err := m.DestroyVLAN(ctx, vlans[2]); err != nil {
		t.Fatal(err)
	}
	check("a VLAN destroyed", true)
	if _, err := m.CreateBond(ctx, BondSpec{NameLabel: "mgmt", Members: []string{"eth0", "eth1"}, Mode: xenapi.BondModeBalanceSLB, MTU: 1500, Management: true}); err != nil {
		t.Fatal(err)
	}
	check("management moving onto a bond", false)
	if err := m.DestroyBond(ctx, vm); err != nil {
		t.Fatal(err)
	}
	check("a bond destroyed, its VLANs moved onto a member", false)
}
