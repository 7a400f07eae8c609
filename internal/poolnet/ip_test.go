package poolnet_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// An IP interface on every host: what it sets, what it gives back, and
// what it leaves alone.

// pifState is what a test compares of one PIF.
type pifState struct {
	Mode                     xenapi.IPConfigurationMode
	IP, Netmask, Gateway     string
	DNS                      string
	Attached, DisallowUnplug bool
	Purpose                  string
	HasPurpose               bool
}

func stateOf(p xenapi.PIF) pifState {
	purpose, has := p.OtherConfig[poolnet.PurposeKey]
	return pifState{Mode: p.IPConfigurationMode, IP: p.IP, Netmask: p.Netmask, Gateway: p.Gateway, DNS: p.DNS,
		Attached: p.CurrentlyAttached, DisallowUnplug: p.DisallowUnplug, Purpose: purpose, HasPurpose: has}
}

// networkPIFs reads every host's PIF on the network, by host name, and
// whether any carries a key of xsnet's.
func networkPIFs(t *testing.T, c *xenapi.Client, network string) (map[string]pifState, bool) {
	t.Helper()
	snap, err := poolnet.TakeSnapshot(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	netRef, _, ok := snap.NetworkByUUID(network)
	if !ok {
		t.Fatalf("no network %s", network)
	}
	out := map[string]pifState{}
	marked := false
	for _, host := range snap.HostRefs() {
		_, p, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			t.Fatalf("host %s has no PIF on %s", snap.Hosts.Get(host).NameLabel, network)
		}
		out[snap.Hosts.Get(host).NameLabel] = stateOf(p)
		for k := range p.OtherConfig {
			marked = marked || len(k) > 6 && k[:6] == "xsnet_"
		}
	}
	return out, marked
}

// addressesFrom numbers the pool's hosts, master first, from 10.0.20.n.
func addressesFrom(t *testing.T, m *poolnet.Model, n int) map[string]string {
	t.Helper()
	snap := snapshot(t, m)
	out := map[string]string{}
	for i, host := range snap.HostRefs() {
		out[snap.Hosts.Get(host).UUID] = fmt.Sprintf("10.0.20.%d", n+i)
	}
	return out
}

func storageIP(network string, addresses map[string]string) poolnet.IPSpec {
	return poolnet.IPSpec{NetworkUUID: network, Mode: xenapi.IPConfigurationStatic, Addresses: addresses,
		Netmask: "255.255.255.0", DNS: []string{"10.0.20.2"}, Purpose: "Storage", DisallowUnplug: true}
}

func TestIPInterfaceOnAVLANComesAndGoesWholly(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 4, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	p := &planPool{t: t, client: c, history: m}
	vlan := p.vlan("storage", p.nicNetwork("eth2"), 20, 1500)
	// VLAN.create plugs the new PIF; two hosts have theirs unplugged, as
	// a reboot leaves a VLAN PIF without an address.
	unplug(t, c, vlan, "xs-host-2", "xs-host-4")
	before, _ := networkPIFs(t, c, vlan)
	if before["xs-host-2"].Attached || !before["xs-host-3"].Attached {
		t.Fatalf("before: %+v", before)
	}

	if err := m.CreateIP(ctx, storageIP(vlan, addressesFrom(t, m, 11))); err != nil {
		t.Fatal(err)
	}
	got, _ := networkPIFs(t, c, vlan)
	for i, host := range []string{"xs-host-1", "xs-host-2", "xs-host-3", "xs-host-4"} {
		want := pifState{Mode: xenapi.IPConfigurationStatic, IP: fmt.Sprintf("10.0.20.%d", 11+i), Netmask: "255.255.255.0",
			DNS: "10.0.20.2", Attached: true, DisallowUnplug: true, Purpose: "Storage", HasPurpose: true}
		if got[host] != want {
			t.Errorf("host %s after create: %+v, want %+v", host, got[host], want)
		}
	}
	pi, ok := poolnet.ReadIP(snapshot(t, m), vlan)
	if !ok || len(pi.Hosts) != 4 || len(pi.Missing) != 0 {
		t.Fatalf("ReadIP: %+v, %t", pi, ok)
	}
	for _, h := range pi.Hosts {
		if !h.Recorded || h.Mode != xenapi.IPConfigurationStatic || !slices.Equal(h.DNS, []string{"10.0.20.2"}) {
			t.Errorf("ReadIP on host %s: %+v", h.HostName, h)
		}
	}

	// In place: other addresses, another purpose, unplug allowed.
	spec := storageIP(vlan, addressesFrom(t, m, 21))
	spec.Purpose, spec.DisallowUnplug = "iSCSI", false
	if err := m.UpdateIP(ctx, spec); err != nil {
		t.Fatal(err)
	}
	got, _ = networkPIFs(t, c, vlan)
	if s := got["xs-host-2"]; s.IP != "10.0.20.22" || s.Purpose != "iSCSI" || s.DisallowUnplug || !s.Attached {
		t.Errorf("host xs-host-2 after update: %+v", s)
	}

	if err := m.DestroyIP(ctx, vlan, false); err != nil {
		t.Fatal(err)
	}
	after, marked := networkPIFs(t, c, vlan)
	for host := range before {
		if after[host] != before[host] {
			t.Errorf("host %s after destroy: %+v, want it as it was: %+v", host, after[host], before[host])
		}
	}
	if marked {
		t.Error("xsnet's record stays on a PIF after destroy")
	}
	if _, ok := poolnet.ReadIP(snapshot(t, m), vlan); ok {
		t.Error("ReadIP finds an interface after destroy")
	}
}

// unplug unplugs the hosts' PIFs on the network.
func unplug(t *testing.T, c *xenapi.Client, network string, hosts ...string) {
	t.Helper()
	snap, err := poolnet.TakeSnapshot(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	netRef, _, _ := snap.NetworkByUUID(network)
	for _, name := range hosts {
		host := snap.HostsByNameLabel(name)[0]
		ref, _, _ := snap.NetworkPIF(host, netRef)
		if err := c.PIFUnplug(context.Background(), ref); err != nil {
			t.Fatal(err)
		}
	}
}

// A NIC's PIF is plugged at start of day whatever its address: destroy
// leaves it plugged, with disallow_unplug as it was, and a purpose it had
// comes back.
func TestIPInterfaceOnANICGivesBackWhatWasThere(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	p := &planPool{t: t, client: c, history: m}
	nic := p.nicNetwork("eth3")
	snap := snapshot(t, m)
	netRef, _, _ := snap.NetworkByUUID(nic)
	for _, host := range snap.HostRefs() {
		ref, _, _ := snap.NetworkPIF(host, netRef)
		if err := c.PIFPlug(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if err := c.PIFAddToOtherConfig(ctx, ref, poolnet.PurposeKey, "Backup"); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := networkPIFs(t, c, nic)

	spec := storageIP(nic, addressesFrom(t, m, 31))
	if err := m.CreateIP(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := m.DestroyIP(ctx, nic, false); err != nil {
		t.Fatal(err)
	}
	after, _ := networkPIFs(t, c, nic)
	for host := range before {
		if after[host] != before[host] {
			t.Errorf("host %s after destroy: %+v, want %+v", host, after[host], before[host])
		}
	}
}

// A PIF with an IP configuration comes back plugged after a reboot: xapi
// brings up every PIF that has one at start of day.
func TestIPInterfaceStaysPluggedAcrossAReboot(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 4, RebootTime: 200 * time.Millisecond}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	p := &planPool{t: t, client: c, history: m}
	vlan := p.vlan("storage", p.nicNetwork("eth2"), 20, 1500)
	if err := m.CreateIP(ctx, storageIP(vlan, addressesFrom(t, m, 11))); err != nil {
		t.Fatal(err)
	}
	snap := snapshot(t, m)
	member := snap.HostRefs()[1]
	if err := c.HostDisable(ctx, member); err != nil {
		t.Fatal(err)
	}
	if err := c.HostReboot(ctx, member); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, member, false)
	waitFor(t, c, member, true)
	got, _ := networkPIFs(t, c, vlan)
	if s := got["xs-host-2"]; !s.Attached || s.IP != "10.0.20.12" {
		t.Errorf("after the reboot: %+v, want plugged with its address", s)
	}
}

// A PIF that carries management is management's: an IP interface refuses
// it before it changes anything.
func TestIPInterfaceRefusesTheManagementPIF(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 2}, poolnet.Options{MaxAge: time.Nanosecond})
	p := &planPool{t: t, client: c, history: m}
	eth0 := p.nicNetwork("eth0")
	before, _ := networkPIFs(t, c, eth0)
	err := m.CreateIP(context.Background(), storageIP(eth0, addressesFrom(t, m, 11)))
	if err == nil {
		t.Fatal("an IP interface on the management network was made")
	}
	var f *poolnet.Failure
	if !errors.As(err, &f) || len(f.Left) > 0 {
		t.Errorf("error %v, want a failure that left nothing", err)
	}
	after, marked := networkPIFs(t, c, eth0)
	if marked || after["xs-host-1"] != before["xs-host-1"] {
		t.Errorf("the management PIF changed: %+v", after["xs-host-1"])
	}
}

// A create that fails half-way gives back every PIF it changed.
func TestIPInterfaceCreateThatFailsGivesEverythingBack(t *testing.T) {
	// The third is the last host's, the master's: the others are
	// configured by then.
	_, c, m := newModel(t, xapisim.Config{Hosts: 3, NICs: 4, Faults: faults(t, "PIF.set_disallow_unplug#3=INTERNAL_ERROR:injected")},
		poolnet.Options{MaxAge: time.Nanosecond})
	p := &planPool{t: t, client: c, history: m}
	vlan := p.vlan("storage", p.nicNetwork("eth2"), 20, 1500)
	before, _ := networkPIFs(t, c, vlan)
	err := m.CreateIP(context.Background(), storageIP(vlan, addressesFrom(t, m, 11)))
	var f *poolnet.Failure
	if !errors.As(err, &f) || len(f.Undone) == 0 || len(f.Left) > 0 || f.Remains != "" {
		t.Fatalf("error %v, want a failure that undid what it made and left nothing", err)
	}
	after, marked := networkPIFs(t, c, vlan)
	for host := range before {
		if after[host] != before[host] {
			t.Errorf("host %s: %+v, want %+v", host, after[host], before[host])
		}
	}
	if marked {
		t.Error("xsnet's record stays after the failed create")
	}
}

// An imported interface, which xsnet never recorded, goes back on destroy
// to what XenServer gives a PIF nobody configured.
func TestImportedIPInterfaceIsCleared(t *testing.T) {
	_, c, m := newModel(t, xapisim.Config{Hosts: 2, NICs: 4}, poolnet.Options{MaxAge: time.Nanosecond})
	ctx := context.Background()
	p := &planPool{t: t, client: c, history: m}
	vlan := p.vlan("storage", p.nicNetwork("eth2"), 20, 1500)
	snap := snapshot(t, m)
	netRef, _, _ := snap.NetworkByUUID(vlan)
	for i, host := range snap.HostRefs() {
		ref, _, _ := snap.NetworkPIF(host, netRef)
		// As XenCenter's "Configure IP Addresses" leaves it.
		if err := c.PIFReconfigureIP(ctx, ref, xenapi.IPConfigurationStatic, fmt.Sprintf("10.0.20.%d", 11+i), "255.255.255.0", "", ""); err != nil {
			t.Fatal(err)
		}
		if err := c.PIFSetDisallowUnplug(ctx, ref, true); err != nil {
			t.Fatal(err)
		}
		if err := c.PIFPlug(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := poolnet.ReadIP(snapshot(t, m), vlan); !ok {
		t.Fatal("ReadIP does not find the interface XenCenter made")
	}
	for _, update := range []bool{false, true} {
		if update {
			// Changed once under xsnet after the import: the record
			// written then is what XenServer gives a fresh PIF.
			spec := storageIP(vlan, addressesFrom(t, m, 11))
			spec.Adopted = true
			if err := m.UpdateIP(ctx, spec); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.DestroyIP(ctx, vlan, true); err != nil {
			t.Fatal(err)
		}
		after, marked := networkPIFs(t, c, vlan)
		for host, s := range after {
			if s != (pifState{Mode: xenapi.IPConfigurationNone}) || marked {
				t.Errorf("updated %t, host %s: %+v, want no address, unplugged, unplug allowed", update, host, s)
			}
		}
		// As XenCenter would configure it again.
		if !update {
			for i, host := range snap.HostRefs() {
				ref, _, _ := snap.NetworkPIF(host, netRef)
				if err := c.PIFReconfigureIP(ctx, ref, xenapi.IPConfigurationStatic, fmt.Sprintf("10.0.20.%d", 11+i), "255.255.255.0", "", ""); err != nil {
					t.Fatal(err)
				}
				if err := c.PIFPlug(ctx, ref); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
