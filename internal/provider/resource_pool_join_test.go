package provider

import (
	"fmt"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// A standalone host whose management is on a tagged VLAN cannot join a
// pool whose master's is untagged: xapi refuses with
// POOL_JOINING_HOST_MANAGEMENT_VLAN_DOES_NOT_MATCH. The plan says so,
// before anything joins.
func TestAccPool_joinRefusedOnAnotherManagementVLAN(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2, Standalone: 1})
	address, joiner := pool.standalone(t)
	snap, err := poolnet.TakeSnapshot(bg, joiner)
	if err != nil {
		t.Fatal(err)
	}
	host := snap.HostRefs()[0]
	eth1, _, _ := snap.DevicePIF(host, "eth1")
	_, mgmt, _ := snap.ManagementPIF(host)
	network, err := joiner.NetworkCreate(bg, xenapi.Network{NameLabel: "Management", OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	vlan, err := joiner.VLANCreate(bg, eth1, 10, network)
	if err != nil {
		t.Fatal(err)
	}
	v, err := xenapi.GetRecord[xenapi.VLAN](bg, joiner, vlan)
	if err != nil {
		t.Fatal(err)
	}
	if err := joiner.PIFReconfigureIP(bg, v.UntaggedPIF, mgmt.IPConfigurationMode, mgmt.IP, mgmt.Netmask, mgmt.Gateway, mgmt.DNS); err != nil {
		t.Fatal(err)
	}
	// xapi resets its connections as it rebuilds the management
	// interface: a reply lost that way is judged by the pool.
	if err := joiner.HostManagementReconfigure(bg, v.UntaggedPIF); err != nil && !xenapi.IsOutcomeUnknown(err) {
		t.Fatal(err)
	}
	if p, err := xenapi.GetRecord[xenapi.PIF](bg, joiner, v.UntaggedPIF); err != nil || !p.Management {
		t.Fatalf("the standalone host's management is not on VLAN 10: %v", err)
	}
	pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_pool" "this" {
  join = {
    %q = { %s = %q }
  }
}`, address, joinPasswordAttribute(), pool.sim.Password()),
		`(?s)Host Cannot Join The Pool As It Is.*management on VLAN 10, and the pool master's would be\s+untagged.*POOL_JOINING_HOST_MANAGEMENT_VLAN_DOES_NOT_MATCH`)
	if got := pool.snapshot(t).Hosts.Len(); got != 2 {
		t.Errorf("the pool has %d hosts after the refused plan, want 2", got)
	}
}
