package poolnet_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Management on any interface: placed on a network, moved on, and
// returned where it was, every host keeping its IP configuration.

// managementState is where each host's management is, by host name:
// "<device>/<VLAN> <mode> <IP>".
func managementState(t *testing.T, m *poolnet.Model) map[string]string {
	t.Helper()
	mp := poolnet.ReadManagement(snapshot(t, m))
	out := map[string]string{}
	for _, h := range mp.Hosts {
		out[h.HostName] = fmt.Sprintf("%s/%d %s %s", h.Device, h.VLAN, h.Mode, h.IP)
	}
	return out
}

func TestManagementPlacedOnAVLANAndReturned(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 4, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	p := &planPool{t: t, client: c, history: m}
	eth0 := p.nicNetwork("eth0")
	mgmt := p.vlan("management", p.nicNetwork("eth1"), 10, 1500)
	before := managementState(t, m)
	if mp := poolnet.ReadManagement(snapshot(t, m)); mp.NetworkUUID != eth0 || mp.OriginUUID != "" {
		t.Fatalf("before: %+v, want every host on eth0's network and no origin", mp)
	}

	if err := m.PlaceManagement(ctx, mgmt); err != nil {
		t.Fatal(err)
	}
	mp := poolnet.ReadManagement(snapshot(t, m))
	if mp.NetworkUUID != mgmt || mp.OriginUUID != eth0 {
		t.Errorf("placed: network %s, origin %s; want %s from %s", mp.NetworkUUID, mp.OriginUUID, mgmt, eth0)
	}
	for i, host := range []string{"xs-host-1", "xs-host-2", "xs-host-3", "xs-host-4"} {
		want := fmt.Sprintf("eth1/10 Static 192.0.2.%d", 11+i)
		if got := managementState(t, m)[host]; got != want {
			t.Errorf("host %s: management %q, want %q: the host keeps its address", host, got, want)
		}
	}
	old, _ := networkPIFs(t, c, eth0)
	if s := old["xs-host-1"]; s.Mode != xenapi.IPConfigurationNone {
		t.Errorf("the old management PIF keeps %+v, want its address moved with management", s)
	}

	if err := m.ReturnManagement(ctx); err != nil {
		t.Fatal(err)
	}
	if got := managementState(t, m); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("returned: %v, want %v", got, before)
	}
	vlanPIFs, _ := networkPIFs(t, c, mgmt)
	if s := vlanPIFs["xs-host-3"]; s.Mode != xenapi.IPConfigurationNone {
		t.Errorf("the VLAN keeps %+v after management left it", s)
	}
	if mp := poolnet.ReadManagement(snapshot(t, m)); mp.OriginUUID != "" {
		t.Errorf("the pool still records origin %s", mp.OriginUUID)
	}
	// With nothing recorded, returning leaves management alone.
	if err := m.ReturnManagement(ctx); err != nil {
		t.Fatal(err)
	}
}

// Moved from one placement to another, management keeps its first
// origin, and returns there.
func TestManagementMovedOnKeepsItsOrigin(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	p := &planPool{t: t, client: c, history: m}
	eth0 := p.nicNetwork("eth0")
	a := p.vlan("a", p.nicNetwork("eth1"), 10, 1500)
	b := p.bond("b", 1500, false, "eth2", "eth3")
	before := managementState(t, m)
	for _, to := range []string{a, b} {
		if err := m.PlaceManagement(ctx, to); err != nil {
			t.Fatal(err)
		}
	}
	if mp := poolnet.ReadManagement(snapshot(t, m)); mp.NetworkUUID != b || mp.OriginUUID != eth0 {
		t.Errorf("network %s, origin %s; want %s from %s", mp.NetworkUUID, mp.OriginUUID, b, eth0)
	}
	if err := m.ReturnManagement(ctx); err != nil {
		t.Fatal(err)
	}
	if got := managementState(t, m); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("returned: %v, want %v", got, before)
	}
}

// Onto a network whose PIFs have addresses of their own, management takes
// them, and the old PIFs keep theirs: returning is a move of management
// alone, and the master's address changes both ways.
func TestManagementPlacedOnAnInterfaceWithItsOwnAddresses(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	p := &planPool{t: t, client: c, history: m}
	mgmt := p.vlan("management", p.nicNetwork("eth1"), 10, 1500)
	snap := snapshot(t, m)
	netRef, _, _ := snap.NetworkByUUID(mgmt)
	for i, host := range snap.HostRefs() {
		ref, _, _ := snap.NetworkPIF(host, netRef)
		if err := c.PIFReconfigureIP(ctx, ref, xenapi.IPConfigurationStatic, fmt.Sprintf("198.51.100.%d", 11+i), "255.255.255.0", "", ""); err != nil {
			t.Fatal(err)
		}
	}
	before := managementState(t, m)
	if err := m.PlaceManagement(ctx, mgmt); err != nil {
		t.Fatal(err)
	}
	if got := managementState(t, m)["xs-host-2"]; got != "eth1/10 Static 198.51.100.12" {
		t.Errorf("host xs-host-2: management %q, want on the VLAN with its own address", got)
	}
	old, _ := networkPIFs(t, c, p.nicNetwork("eth0"))
	if s := old["xs-host-2"]; s.IP != "192.0.2.12" {
		t.Errorf("the old management PIF has %+v, want its own address kept", s)
	}
	if err := m.ReturnManagement(ctx); err != nil {
		t.Fatal(err)
	}
	if got := managementState(t, m); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("returned: %v, want %v", got, before)
	}
	vlanPIFs, _ := networkPIFs(t, c, mgmt)
	if s := vlanPIFs["xs-host-2"]; s.IP != "198.51.100.12" {
		t.Errorf("the VLAN's PIF has %+v after management left, want its own address kept", s)
	}
}
