package provider

import (
	"fmt"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// managementKeepsAddresses checks through the client that every host's
// management is on its PIF on the network of the resource at address
// (its id, or its network_id for a management interface), with the
// address the host had before the test: management moves keep it.
func (p *testPool) managementKeepsAddresses(address, attribute string, addresses map[string]string) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		var network string
		for _, r := range s.Values.RootModule.Resources {
			if r.Address == address {
				network, _ = r.AttributeValues[attribute].(string)
			}
		}
		if network == "" {
			return fmt.Errorf("%s has no %s in the state", address, attribute)
		}
		snap, err := poolnet.TakeSnapshot(bg, p.client)
		if err != nil {
			return err
		}
		mp := poolnet.ReadManagement(snap)
		if mp.NetworkUUID != network {
			return fmt.Errorf("management is on network %q, want %s: %+v", mp.NetworkUUID, network, mp.Hosts)
		}
		for uuid, h := range mp.Hosts {
			if h.IP != addresses[uuid] {
				return fmt.Errorf("host %s: management address %s, want %s", h.HostName, h.IP, addresses[uuid])
			}
		}
		return nil
	})
}

// managementAddresses are each host's management address, by host UUID.
func (p *testPool) managementAddresses(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for uuid, h := range poolnet.ReadManagement(p.snapshot(t)).Hosts {
		out[uuid] = h.IP
	}
	return out
}

// Management onto a tagged VLAN, then in place onto a bond, put back after
// a host's was moved by hand, and back where it was on destroy: every
// host keeps its address throughout, and every PIF ends as it was.
func TestAccManagementInterface_lifecycle(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	// A bond made in XenCenter: management goes onto it, and it stays
	// when the test is done.
	bond := pool.bondByHand(t, "Bond 2+3", "eth2", "eth3")
	addresses := pool.managementAddresses(t)
	eth0 := pool.nicNetwork(t, "eth0")
	const addr = "xsnet_management_interface.this"
	config := func(onto string) string {
		return pool.config(fmt.Sprintf(`
data "xsnet_network" "eth1" {
  device = "eth1"
}

data "xsnet_network" "bond" {
  name_label = "Bond 2+3"
}

resource "xsnet_vlan" "management" {
  name_label        = "Management"
  tag               = 10
  parent_network_id = data.xsnet_network.eth1.id
}

resource "xsnet_management_interface" "this" {
  network_id = %s
}`, onto))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.pifsAsBefore(t),
		Steps: []resource.TestStep{
			{
				Config: config("xsnet_vlan.management.id"),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.managementKeepsAddresses("xsnet_vlan.management", "id", addresses),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_network_id"), knownvalue.StringExact(eth0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hosts"), knownvalue.MapSizeExact(4)),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				Config: config("data.xsnet_network.bond.id"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					pool.managementKeepsAddresses(addr, "network_id", addresses),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("network_id"), knownvalue.StringExact(bond)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("origin_network_id"), knownvalue.StringExact(eth0)),
				},
			},
			{
				// One host's management moved by hand, back to eth0.
				PreConfig: func() {
					snap := pool.snapshot(t)
					host := snap.HostRefs()[2]
					from, pif, _ := snap.ManagementPIF(host)
					to, _, _ := snap.DevicePIF(host, "eth0")
					if err := pool.client.PIFReconfigureIP(bg, to, pif.IPConfigurationMode, pif.IP, pif.Netmask, pif.Gateway, pif.DNS); err != nil {
						t.Fatal(err)
					}
					// A reply lost as xapi rebuilds the interface is
					// judged by the pool.
					if err := pool.client.HostManagementReconfigure(bg, to); err != nil && !xenapi.IsOutcomeUnknown(err) {
						t.Fatal(err)
					}
					if _, p, _ := pool.snapshot(t).ManagementPIF(host); p.Device != "eth0" {
						t.Fatalf("host %s: management on %s, want eth0", snap.Hosts.Get(host).NameLabel, p.Device)
					}
					if err := pool.client.PIFReconfigureIP(bg, from, "None", "", "", "", ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("data.xsnet_network.bond.id"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.managementKeepsAddresses(addr, "network_id", addresses)},
			},
		},
	})
}

// The guardrails of where management goes, at plan, with the pool
// untouched.
func TestAccManagementInterface_guardrails(t *testing.T) {
	t.Run("a jumbo VLAN", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "trunk" {
  name_label = "Trunk"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}

resource "xsnet_vlan" "management" {
  name_label        = "Management"
  tag               = 10
  parent_network_id = xsnet_bond.trunk.id
  mtu               = 9000
}

resource "xsnet_management_interface" "this" {
  network_id = xsnet_vlan.management.id
}`, `(?s)Management Interface MTU Must Be 1500.*management-mtu`)
	})
	t.Run("beside a bond with management = true", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_bond" "management" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  management = true
}

resource "xsnet_management_interface" "this" {
  network_id = %q
}`, pool.nicNetwork(t, "eth1")), `(?s)One Interface Carries Management.*xsnet_management_interface.*management-single`)
	})
	t.Run("an IP interface on its network", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		network := pool.nicNetwork(t, "eth1")
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_management_interface" "this" {
  network_id = %q
}

resource "xsnet_ip_interface" "storage" {
  network_id    = %q
  mode          = "static"
  start_address = "10.0.10.11"
  netmask       = "255.255.255.0"
}`, network, network), `(?s)No IP Interface On The Management Network.*ip-interface-management`)
	})
}
