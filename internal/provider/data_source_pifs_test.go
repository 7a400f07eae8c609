package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// pifEntry is what an entry of xsnet_pifs should say of a PIF.
func pifEntry(snap *poolnet.Snapshot, p xenapi.PIF) knownvalue.Check {
	checks := pifChecks(snap, p)
	checks["host_id"] = knownvalue.StringExact(snap.Hosts.Get(p.Host).UUID)
	checks["device"] = knownvalue.StringExact(p.Device)
	return knownvalue.ObjectExact(checks)
}

// pifEntries is what xsnet_pifs should list: the PIFs that keep passes,
// host by host, master first.
func pifEntries(snap *poolnet.Snapshot, keep func(xenapi.PIF) bool) knownvalue.Check {
	entries := []knownvalue.Check{}
	for _, host := range snap.HostRefs() {
		for _, p := range sortedHostPIFs(snap, host) {
			if keep(p) {
				entries = append(entries, pifEntry(snap, p))
			}
		}
	}
	return knownvalue.ListExact(entries)
}

func TestAccPIFsDataSource_everyPIFMasterFirstThenByDevice(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 12})
	if pool.sim == nil {
		t.Skip("the order is specified here over the preset's hosts and NICs")
	}
	snap := pool.snapshot(t)
	// Named so that it would sort last by name: the master comes first anyway.
	if _, err := pool.client.Call(bg, "host.set_name_label", snap.Pool.Master, "zz-master"); err != nil {
		t.Fatal(err)
	}
	snap = pool.snapshot(t)
	hostsInOrder := []xenapi.Ref{snap.Pool.Master}
	for _, name := range []string{"xs-host-2", "xs-host-3"} {
		refs := snap.HostsByNameLabel(name)
		if len(refs) != 1 {
			t.Fatalf("the preset should have one host named %s, has %d", name, len(refs))
		}
		hostsInOrder = append(hostsInOrder, refs[0])
	}
	var entries []knownvalue.Check
	for _, host := range hostsInOrder {
		// eth2 before eth10, as people count.
		for n := range 12 {
			entries = append(entries, pifEntry(snap, devicePIF(t, snap, host, fmt.Sprintf("eth%d", n))))
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`data "xsnet_pifs" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pifs.all", tfjsonpath.New("pifs"), knownvalue.ListExact(entries)),
			},
		}},
	})
}

func TestAccPIFsDataSource_managementOnEveryHost(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	snap := pool.snapshot(t)
	var entries []knownvalue.Check
	for _, host := range snap.HostRefs() {
		_, p, ok := snap.ManagementPIF(host)
		if !ok {
			t.Fatalf("host %s has no management PIF", snap.Hosts.Get(host).NameLabel)
		}
		if pool.sim != nil && p.Device != "eth0" {
			t.Fatalf("the preset should put management on eth0, host %s has it on %s", snap.Hosts.Get(host).NameLabel, p.Device)
		}
		entries = append(entries, pifEntry(snap, p))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`data "xsnet_pifs" "mgmt" { management = true }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pifs.mgmt", tfjsonpath.New("pifs"), knownvalue.ListExact(entries)),
			},
		}},
	})
}

func TestAccPIFsDataSource_filtersCombine(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 4})
	snap := pool.snapshot(t)
	refs := snap.HostRefs()
	member := refs[len(refs)-1]
	name := snap.Hosts.Get(member).NameLabel
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
data "xsnet_pifs" "eth1" {
  device = "eth1"
}

data "xsnet_pifs" "member_not_management" {
  host       = "` + name + `"
  management = false
}

data "xsnet_pifs" "member_eth1" {
  host   = "` + snap.Hosts.Get(member).UUID + `"
  device = "eth1"
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pifs.eth1", tfjsonpath.New("pifs"),
					pifEntries(snap, func(p xenapi.PIF) bool { return p.Device == "eth1" })),
				statecheck.ExpectKnownValue("data.xsnet_pifs.member_not_management", tfjsonpath.New("pifs"),
					pifEntries(snap, func(p xenapi.PIF) bool { return p.Host == member && !p.Management })),
				statecheck.ExpectKnownValue("data.xsnet_pifs.member_eth1", tfjsonpath.New("pifs"),
					knownvalue.ListExact([]knownvalue.Check{pifEntry(snap, devicePIF(t, snap, member, "eth1"))})),
			},
		}},
	})
}

func TestAccPIFsDataSource_deviceIncludesItsVLANs(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	before := pool.baseline(t)
	config := pool.config(`
data "xsnet_network" "eth1" {
  device = "eth1"
}

resource "xsnet_vlan" "v100" {
  name_label        = "VLAN 100"
  tag               = 100
  parent_network_id = data.xsnet_network.eth1.id
}

resource "xsnet_vlan" "v20" {
  name_label        = "VLAN 20"
  tag               = 20
  parent_network_id = data.xsnet_network.eth1.id
}

data "xsnet_pifs" "eth1" {
  device     = "eth1"
  depends_on = [xsnet_vlan.v100, xsnet_vlan.v20]
}`)
	// Each host's NIC, then its VLAN PIFs by tag, the master's first.
	snap := pool.snapshot(t)
	want := map[int]knownvalue.Check{}
	for _, host := range snap.HostRefs() {
		for _, tag := range []int64{-1, 20, 100} {
			want[len(want)] = knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"host_id":  knownvalue.StringExact(snap.Hosts.Get(host).UUID),
				"device":   knownvalue.StringExact("eth1"),
				"vlan":     knownvalue.Int64Exact(tag),
				"physical": knownvalue.Bool(tag == -1),
			})
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pifs.eth1", tfjsonpath.New("pifs"), knownvalue.ListSizeExact(len(want))),
				statecheck.ExpectKnownValue("data.xsnet_pifs.eth1", tfjsonpath.New("pifs"), knownvalue.ListPartial(want)),
			},
		}},
	})
}

func TestAccPIFsDataSource_noMatchIsAnEmptyList(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`data "xsnet_pifs" "none" { device = "eth42" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pifs.none", tfjsonpath.New("pifs"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestAccPIFsDataSource_unknownHostIsAnError(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      pool.config(`data "xsnet_pifs" "p" { host = "no-such-host" }`),
			ExpectError: errorSays("Host Not Found", `"no-such-host"`, `"`+master.NameLabel+`"`),
		}},
	})
}

// Each host's IP configuration on one network, as an xsnet_ip_interface
// or XenCenter's "Configure IP Addresses" leaves it: the address, name
// servers, purpose and disallow_unplug of every host's PIF there.
func TestAccPIFsDataSource_ipConfigurationOfANetwork(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 4})
	network := pool.nicNetwork(t, "eth3")
	snap := pool.snapshot(t)
	netRef, _, _ := snap.NetworkByUUID(network)
	for i, host := range snap.HostRefs() {
		ref, _, _ := snap.NetworkPIF(host, netRef)
		if err := pool.client.PIFReconfigureIP(bg, ref, xenapi.IPConfigurationStatic, fmt.Sprintf("10.0.30.%d", 11+i),
			"255.255.255.0", "", "10.0.30.2,10.0.30.3"); err != nil {
			t.Fatal(err)
		}
		if err := pool.client.PIFAddToOtherConfig(bg, ref, poolnet.PurposeKey, "Storage"); err != nil {
			t.Fatal(err)
		}
		if err := pool.client.PIFSetDisallowUnplug(bg, ref, true); err != nil {
			t.Fatal(err)
		}
	}
	snap = pool.snapshot(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(fmt.Sprintf(`
data "xsnet_pifs" "storage" {
  network_id = %q
}`, network)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pifs.storage", tfjsonpath.New("pifs"),
					pifEntries(snap, func(p xenapi.PIF) bool { return p.Network == netRef })),
				statecheck.ExpectKnownValue("data.xsnet_pifs.storage", tfjsonpath.New("pifs").AtSliceIndex(1).AtMapKey("dns"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("10.0.30.2"), knownvalue.StringExact("10.0.30.3")})),
				statecheck.ExpectKnownValue("data.xsnet_pifs.storage", tfjsonpath.New("pifs").AtSliceIndex(2).AtMapKey("ip"),
					knownvalue.StringExact("10.0.30.13")),
			},
		}},
	})
}
