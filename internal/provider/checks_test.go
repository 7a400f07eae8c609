package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var bg = context.Background()

// The checks below look at the pool through the client, not through
// Terraform: what Terraform believes is only worth something if the pool
// agrees.

// poolCheck is a check of the pool run after a step, with the step's
// state to find the objects' IDs in. It reads the state Terraform writes
// (for_each keys and all), not the legacy shim.
type poolCheck func(state *tfjson.State) error

func (f poolCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// stateID returns the id of the resource at address, such as
// xsnet_vlan.vm["100"].
func stateID(state *tfjson.State, address string) (string, error) {
	if state != nil && state.Values != nil && state.Values.RootModule != nil {
		for _, r := range state.Values.RootModule.Resources {
			if r.Address == address {
				id, _ := r.AttributeValues["id"].(string)
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("%s is not in the state", address)
}

// bondWant is what every host's bond should be.
type bondWant struct {
	members    []string
	mode       string
	mtu        int64
	management bool
}

// bondOnEveryHost checks that every host has the bond, with the members,
// mode and management asked for, and that the MTU took effect on each bond
// master PIF and on the network.
func (p *testPool) bondOnEveryHost(address string, want bondWant) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		id, err := stateID(s, address)
		if err != nil {
			return err
		}
		snap, err := poolnet.TakeSnapshot(bg, p.client)
		if err != nil {
			return err
		}
		pb, ok := poolnet.ReadBond(snap, id)
		if !ok {
			return fmt.Errorf("%s: network %s is not in the pool", address, id)
		}
		if len(pb.Missing) > 0 || len(pb.Hosts) != snap.Hosts.Len() {
			return fmt.Errorf("%s: hosts without the bond: %v", address, pb.Missing)
		}
		if pb.NetworkMTU != want.mtu {
			return fmt.Errorf("%s: network MTU %d, want %d", address, pb.NetworkMTU, want.mtu)
		}
		members := slices.Sorted(slices.Values(want.members))
		for hostUUID, hb := range pb.Hosts {
			switch {
			case !slices.Equal(hb.Members, members):
				return fmt.Errorf("%s on host %s: members %v, want %v", address, hostUUID, hb.Members, members)
			case string(hb.Mode) != want.mode:
				return fmt.Errorf("%s on host %s: mode %s, want %s", address, hostUUID, hb.Mode, want.mode)
			case hb.MTU != want.mtu:
				return fmt.Errorf("%s on host %s: bond master %s has MTU %d, want %d", address, hostUUID, hb.Device, hb.MTU, want.mtu)
			case hb.Management != want.management:
				return fmt.Errorf("%s on host %s: management on the bond is %t, want %t", address, hostUUID, hb.Management, want.management)
			}
		}
		return nil
	})
}

// vlanOnEveryHost checks that every host has the VLAN over its PIF on the
// parent network, with the MTU in effect on its untagged PIF.
func (p *testPool) vlanOnEveryHost(address string, tag, mtu int64) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		id, err := stateID(s, address)
		if err != nil {
			return err
		}
		snap, err := poolnet.TakeSnapshot(bg, p.client)
		if err != nil {
			return err
		}
		pv, ok := poolnet.ReadVLAN(snap, id)
		if !ok {
			return fmt.Errorf("%s: network %s is not in the pool", address, id)
		}
		if len(pv.Missing) > 0 || len(pv.Hosts) != snap.Hosts.Len() {
			return fmt.Errorf("%s: hosts without the VLAN: %v", address, pv.Missing)
		}
		if pv.Tag != tag {
			return fmt.Errorf("%s: tag %d, want %d", address, pv.Tag, tag)
		}
		for hostUUID, hv := range pv.Hosts {
			if hv.MTU != mtu {
				return fmt.Errorf("%s on host %s: untagged PIF has MTU %d, want %d", address, hostUUID, hv.MTU, mtu)
			}
		}
		return nil
	})
}

// managementOn checks that every host's management interface is on a PIF
// with the device.
func (p *testPool) managementOn(device string) statecheck.StateCheck {
	return poolCheck(func(*tfjson.State) error {
		snap, err := poolnet.TakeSnapshot(bg, p.client)
		if err != nil {
			return err
		}
		for _, ref := range snap.HostRefs() {
			_, pif, ok := snap.ManagementPIF(ref)
			if !ok || pif.Device != device {
				return fmt.Errorf("host %s: management on %q, want %q", snap.Hosts.Get(ref).NameLabel, pif.Device, device)
			}
			if pif.IP == "" {
				return fmt.Errorf("host %s: management PIF %s has no IP", snap.Hosts.Get(ref).NameLabel, pif.Device)
			}
		}
		return nil
	})
}

// fingerprint is what "nothing left over" compares: every network, bond and
// VLAN, each NIC's MTU, and where each host's management lives.
func fingerprint(snap *poolnet.Snapshot) map[string]string {
	f := map[string]string{}
	for n := range snap.Networks.Values() {
		f["network "+n.UUID] = fmt.Sprintf("%s mtu=%d", n.NameLabel, n.MTU)
	}
	for p := range snap.PIFs.Values() {
		if p.Physical && p.VLAN < 0 {
			// Not whether it is plugged: Bond.destroy plugs the members
			// again, whatever they were before.
			f["pif "+p.UUID] = fmt.Sprintf("%s mtu=%d", p.Device, p.MTU)
		}
	}
	for b := range snap.Bonds.Values() {
		f["bond "+b.UUID] = snap.PIFs.Get(b.Master).Device
	}
	for v := range snap.VLANs.Values() {
		f["vlan "+v.UUID] = fmt.Sprint(v.Tag)
	}
	for ref, h := range snap.Hosts.All() {
		_, pif, _ := snap.ManagementPIF(ref)
		f["management "+h.UUID] = fmt.Sprintf("%s %s", pif.Device, pif.IP)
	}
	return f
}

// baseline records the pool before a test, for nothingLeftOver.
func (p *testPool) baseline(t *testing.T) map[string]string {
	t.Helper()
	return fingerprint(p.snapshot(t))
}

// nothingLeftOver checks, after destroy, that the pool has exactly the
// networks, bonds and VLANs it had before the test, and management where it
// was.
func (p *testPool) nothingLeftOver(before map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		snap, err := poolnet.TakeSnapshot(bg, p.client)
		if err != nil {
			return err
		}
		after := fingerprint(snap)
		if maps.Equal(before, after) {
			return nil
		}
		var diffs []string
		for k, v := range after {
			if before[k] != v {
				diffs = append(diffs, fmt.Sprintf("+ %s: %s", k, v))
			}
		}
		for k, v := range before {
			if after[k] != v {
				diffs = append(diffs, fmt.Sprintf("- %s: %s", k, v))
			}
		}
		sort.Strings(diffs)
		return fmt.Errorf("the pool is not as it was before the test:\n%v", diffs)
	}
}

func poolnetSnapshot(p *testPool) (*poolnet.Snapshot, error) {
	return poolnet.TakeSnapshot(bg, p.client)
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// bondByHand bonds the NICs on every host straight through the client, as
// an operator with xe or XenCenter would: no xsnet marks on it.
func (p *testPool) bondByHand(t *testing.T, name string, devices ...string) string {
	t.Helper()
	snap := p.snapshot(t)
	net, err := p.client.NetworkCreate(bg, xenapi.Network{NameLabel: name, OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range snap.HostRefs() {
		var members []xenapi.Ref
		for _, d := range devices {
			ref, _, ok := snap.DevicePIF(host, d)
			if !ok {
				t.Fatalf("host %s has no %s", snap.Hosts.Get(host).NameLabel, d)
			}
			members = append(members, ref)
		}
		if _, err := p.client.BondCreate(bg, net, members, "", xenapi.BondModeBalanceSLB, nil); err != nil {
			t.Fatal(err)
		}
	}
	return p.snapshot(t).Networks.Get(net).UUID
}

// vlanByHand makes a pool-wide VLAN straight through the client.
func (p *testPool) vlanByHand(t *testing.T, name, parent string, tag int64) string {
	t.Helper()
	snap := p.snapshot(t)
	parentRef, _, ok := snap.NetworkByUUID(parent)
	if !ok {
		t.Fatalf("no network %s", parent)
	}
	pif, _, ok := snap.NetworkPIF(snap.Pool.Master, parentRef)
	if !ok {
		t.Fatalf("the master has no PIF on %s", parent)
	}
	net, err := p.client.NetworkCreate(bg, xenapi.Network{NameLabel: name, OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.client.PoolCreateVLANFromPIF(bg, pif, net, tag); err != nil {
		t.Fatal(err)
	}
	return p.snapshot(t).Networks.Get(net).UUID
}
