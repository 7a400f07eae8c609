package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// pifChecks is what xsnet_pif, and an entry of xsnet_pifs, should say of a
// PIF, as the pool has it.
func pifChecks(snap *poolnet.Snapshot, p xenapi.PIF) map[string]knownvalue.Check {
	checks := map[string]knownvalue.Check{
		"id":                    knownvalue.StringExact(p.UUID),
		"network_id":            knownvalue.StringExact(snap.Networks.Get(p.Network).UUID),
		"mac":                   knownvalue.StringExact(p.MAC),
		"mtu":                   knownvalue.Int64Exact(p.MTU),
		"vlan":                  knownvalue.Int64Exact(p.VLAN),
		"physical":              knownvalue.Bool(p.Physical),
		"currently_attached":    knownvalue.Bool(p.CurrentlyAttached),
		"management":            knownvalue.Bool(p.Management),
		"ip_configuration_mode": knownvalue.StringExact(string(p.IPConfigurationMode)),
		"ip":                    knownvalue.StringExact(p.IP),
		"netmask":               knownvalue.StringExact(p.Netmask),
		"gateway":               knownvalue.StringExact(p.Gateway),
		"dns":                   knownvalue.ListExact(dnsChecks(p.DNS)),
		"disallow_unplug":       knownvalue.Bool(p.DisallowUnplug),
		"purpose":               knownvalue.StringExact(p.OtherConfig[poolnet.PurposeKey]),
		"bond_master_of":        knownvalue.Null(),
		"bond_slave_of":         knownvalue.Null(),
	}
	if len(p.BondMasterOf) > 0 {
		checks["bond_master_of"] = knownvalue.StringExact(snap.Bonds.Get(p.BondMasterOf[0]).UUID)
	}
	if !p.BondSlaveOf.IsNull() {
		checks["bond_slave_of"] = knownvalue.StringExact(snap.Bonds.Get(p.BondSlaveOf).UUID)
	}
	return checks
}

// dnsChecks are xapi's comma-separated name servers as a list.
func dnsChecks(dns string) []knownvalue.Check {
	checks := []knownvalue.Check{}
	for _, s := range poolnet.SplitDNS(dns) {
		checks = append(checks, knownvalue.StringExact(s))
	}
	return checks
}

// devicePIF is the host's PIF of the device, or the test stops.
func devicePIF(t *testing.T, snap *poolnet.Snapshot, host xenapi.Ref, device string) xenapi.PIF {
	t.Helper()
	_, pif, ok := snap.DevicePIF(host, device)
	if !ok {
		t.Fatalf("host %s has no %s", snap.Hosts.Get(host).NameLabel, device)
	}
	return pif
}

func TestAccPIFDataSource_managementNICOfTheMaster(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	_, mgmt, ok := snap.ManagementPIF(snap.Pool.Master)
	if !ok {
		t.Fatal("the master has no management PIF")
	}
	checks := pifChecks(snap, mgmt)
	if pool.sim != nil {
		// The preset: management on eth0 with a static address.
		checks["management"] = knownvalue.Bool(true)
		checks["currently_attached"] = knownvalue.Bool(true)
		checks["physical"] = knownvalue.Bool(true)
		checks["ip_configuration_mode"] = knownvalue.StringExact("Static")
		checks["vlan"] = knownvalue.Int64Exact(-1)
		checks["device"] = knownvalue.StringExact("eth0")
	}
	checks["host"] = knownvalue.StringExact(master.NameLabel)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
data "xsnet_pif" "mgmt" {
  host   = "` + master.NameLabel + `"
  device = "` + mgmt.Device + `"
}`),
			ConfigStateChecks: expectAttributes("data.xsnet_pif.mgmt", checks),
		}},
	})
}

func TestAccPIFDataSource_memberNICByHostUUID(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	snap := pool.snapshot(t)
	refs := snap.HostRefs()
	member := refs[len(refs)-1]
	eth1 := devicePIF(t, snap, member, "eth1")
	checks := pifChecks(snap, eth1)
	checks["host"] = knownvalue.StringExact(snap.Hosts.Get(member).UUID)
	checks["device"] = knownvalue.StringExact("eth1")
	if pool.sim != nil {
		checks["management"] = knownvalue.Bool(false)
		checks["ip_configuration_mode"] = knownvalue.StringExact("None")
		checks["ip"] = knownvalue.StringExact("")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
data "xsnet_pif" "eth1" {
  host   = "` + snap.Hosts.Get(member).UUID + `"
  device = "eth1"
}`),
			ConfigStateChecks: expectAttributes("data.xsnet_pif.eth1", checks),
		}},
	})
}

func TestAccPIFDataSource_bondMasterAndMember(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	config := pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
}

data "xsnet_pif" "bond" {
  host   = "` + master.NameLabel + `"
  device = xsnet_bond.vm.hosts["` + master.UUID + `"].device
}

data "xsnet_pif" "eth2" {
  host       = "` + master.NameLabel + `"
  device     = "eth2"
  depends_on = [xsnet_bond.vm]
}`)
	bondID := tfjsonpath.New("hosts").AtMapKey(master.UUID).AtMapKey("bond_id")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs("data.xsnet_pif.bond", tfjsonpath.New("bond_master_of"), "xsnet_bond.vm", bondID, compare.ValuesSame()),
				statecheck.CompareValuePairs("data.xsnet_pif.eth2", tfjsonpath.New("bond_slave_of"), "xsnet_bond.vm", bondID, compare.ValuesSame()),
				statecheck.CompareValuePairs("data.xsnet_pif.bond", tfjsonpath.New("network_id"), "xsnet_bond.vm", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.xsnet_pif.bond", tfjsonpath.New("physical"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.xsnet_pif.bond", tfjsonpath.New("bond_slave_of"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.xsnet_pif.eth2", tfjsonpath.New("bond_master_of"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.xsnet_pif.eth2", tfjsonpath.New("physical"), knownvalue.Bool(true)),
			},
		}},
	})
}

func TestAccPIFDataSource_unknownDeviceListsTheHostsDevices(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	says := []string{"PIF Not Found", `no device "eth42"`}
	if pool.sim != nil {
		says = append(says, "eth0, eth1.")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
data "xsnet_pif" "p" {
  host   = "` + master.NameLabel + `"
  device = "eth42"
}`),
			ExpectError: errorSays(says...),
		}},
	})
}

func TestAccPIFDataSource_unknownHostListsThePoolsHosts(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
data "xsnet_pif" "p" {
  host   = "no-such-host"
  device = "eth0"
}`),
			ExpectError: errorSays("Host Not Found", `"no-such-host"`, `"`+master.NameLabel+`" (`+master.UUID+`)`),
		}},
	})
}
