package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

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

func TestAccBond_lifecycle(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	before := pool.baseline(t)
	const addr = "xsnet_bond.vm"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{
				Config: pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.bondOnEveryHost(addr, bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("mode"), knownvalue.StringExact("balance-slb")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("management"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hosts"), knownvalue.MapSizeExact(4)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hashing_algorithm"), knownvalue.Null()),
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Mode and MTU change in place, and the MTU must reach every
				// bond master PIF.
				Config: pool.configAllowing(`"balance-slb", "active-backup"`, `
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3 (VM)"
  members    = ["eth2", "eth3"]
  mode       = "active-backup"
  mtu        = 1500
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost(addr, bondWant{members: []string{"eth2", "eth3"}, mode: "active-backup", mtu: 1500})},
			},
			{
				// Members make a new bond.
				Config: pool.configAllowing(`"balance-slb", "active-backup"`, `
resource "xsnet_bond" "vm" {
  name_label = "Bond 1+2+3 (VM)"
  members    = ["eth1", "eth2", "eth3"]
  mode       = "active-backup"
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost(addr, bondWant{members: []string{"eth1", "eth2", "eth3"}, mode: "active-backup", mtu: 1500})},
			},
		},
	})
}

func TestAccBond_managementBond(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	before := pool.baseline(t)
	const addr = "xsnet_bond.management"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// Destroying the bond leaves management on eth0, its primary member,
		// with the same IP: exactly as before.
		CheckDestroy: pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{
				Config: pool.config(`
resource "xsnet_bond" "management" {
  name_label = "Bond 0+1 (management)"
  members    = ["eth0", "eth1"]
  management = true
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.bondOnEveryHost(addr, bondWant{members: []string{"eth0", "eth1"}, mode: "balance-slb", mtu: 1500, management: true}),
					pool.managementOn("bond0"),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
		},
	})
}

// A bond over the management NIC carries management whatever the
// configuration says, because xapi moves it there: the plan says so.
func TestAccBond_managementMemberShowsInPlan(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
resource "xsnet_bond" "management" {
  name_label = "Bond 0+1"
  members    = ["eth0", "eth1"]
}`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("xsnet_bond.management", tfjsonpath.New("management"), knownvalue.Bool(true)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("bond0")},
		}},
	})
}

// Management moves onto a bond of other NICs and, set back to false, back
// where it came from.
func TestAccBond_managementMovesOnAndOff(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 4})
	before := pool.baseline(t)
	bond := func(management bool) string {
		return pool.config(`
resource "xsnet_bond" "mgmt" {
  name_label = "Bond 2+3 (management)"
  members    = ["eth2", "eth3"]
  management = ` + map[bool]string{true: "true", false: "false"}[management] + `
}`)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{Config: bond(true), ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("bond0")}},
			{Config: bond(false), ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("eth0")}},
			{Config: bond(true), ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("bond0")}},
		},
	})
}

// A host that lacks the bond, here because it was destroyed by hand, shows
// as a change, and apply bonds it again.
func TestAccBond_hostWithoutBondIsRepaired(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	config := pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}`)
	want := bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost("xsnet_bond.vm", want)}},
			{
				PreConfig: func() { pool.destroyOneBond(t) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xsnet_bond.vm", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost("xsnet_bond.vm", want)},
			},
		},
	})
}

// A member that lost its bond gets it back from the master when its
// toolstack starts, as after a reboot (xapi's sync of networking at start
// of day): xsnet's plan shows the missing bond until then, and nothing to
// do afterwards, as a reboot and an apply agree.
func TestAccBond_memberRebootRestoresWhatThePlanShowed(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, RebootTime: 100 * time.Millisecond})
	if pool.sim == nil {
		t.Skip("rebooting a member needs the simulated pool")
	}
	config := pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}`)
	want := bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost("xsnet_bond.vm", want)}},
			{
				PreConfig:          func() { pool.destroyOneBond(t) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() { pool.rebootMember(t) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost("xsnet_bond.vm", want)},
			},
		},
	})
}

// rebootMember reboots the last host and waits until it is back, enabled,
// live, and has copied the master's bonds and VLANs.
func (p *testPool) rebootMember(t *testing.T) {
	t.Helper()
	snap := p.snapshot(t)
	hosts := snap.HostRefs()
	member := hosts[len(hosts)-1]
	if err := p.client.HostDisable(bg, member); err != nil {
		t.Fatal(err)
	}
	if err := p.client.HostReboot(bg, member); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	// host.reboot returns before the host goes down: wait for it to go,
	// then for it to come back (xapi enables it again as it starts).
	for p.snapshot(t).Live(member) {
		select {
		case <-ctx.Done():
			t.Fatal("the member did not go down for its reboot")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := p.model.WaitForHost(ctx, snap.Hosts.Get(member).UUID); err != nil {
		t.Fatal(err)
	}
}

// destroyOneBond destroys the bond of the last host, behind Terraform's back.
func (p *testPool) destroyOneBond(t *testing.T) {
	t.Helper()
	snap := p.snapshot(t)
	hosts := snap.HostRefs()
	last := hosts[len(hosts)-1]
	for ref, b := range snap.Bonds.All() {
		if snap.PIFs.Get(b.Master).Host == last {
			if err := p.client.BondDestroy(bg, ref); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("no bond to destroy")
}

// An MTU changed behind Terraform's back shows as a change.
func TestAccBond_mtuDriftShowsInPlan(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	config := pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					snap := pool.snapshot(t)
					for ref, n := range snap.Networks.All() {
						if n.NameLabel == "Bond 2+3" {
							if err := pool.client.NetworkSetMTU(bg, ref, 1500); err != nil {
								t.Fatal(err)
							}
						}
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xsnet_bond.vm", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost("xsnet_bond.vm", bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000})},
			},
		},
	})
}

// A bond that fails on one host is undone on every host: no half-made bond,
// no orphaned network.
func TestAccBond_failureLeavesNothingBehind(t *testing.T) {
	faults, err := xapisim.ParseFaults("Bond.create#3=INTERNAL_ERROR")
	if err != nil {
		t.Fatal(err)
	}
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4, Faults: faults})
	if pool.sim == nil {
		t.Skip("fault injection needs the simulated pool")
	}
	before := pool.baseline(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
}`),
			ExpectError: regexp.MustCompile(`(?s)Cannot Create Bond.*INTERNAL_ERROR.*xsnet undid what it had made.*Nothing was left behind`),
		}},
	})
	if err := pool.nothingLeftOver(before)(nil); err != nil {
		t.Error(err)
	}
}

// A bond removed outside Terraform leaves the state, and the plan makes it
// again.
func TestAccBond_removedOutsideTerraform(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	config := pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
}`)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{poolCheck(func(s *tfjson.State) (err error) {
					id, err = stateID(s, "xsnet_bond.vm")
					return err
				})},
			},
			{
				PreConfig: func() {
					if err := pool.model.DestroyBond(bg, id); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xsnet_bond.vm", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// A mode changed by hand on one host shows in the plan, and apply sets it
// back on that host.
func TestAccBond_modeDriftShowsInPlan(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 4})
	config := pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
}`)
	want := bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 1500}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost("xsnet_bond.vm", want)}},
			{
				PreConfig: func() {
					snap := pool.snapshot(t)
					for ref, b := range snap.Bonds.All() {
						if snap.PIFs.Get(b.Master).Host != snap.Pool.Master {
							if err := pool.client.BondSetMode(bg, ref, xenapi.BondModeActiveBackup); err != nil {
								t.Fatal(err)
							}
							return
						}
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xsnet_bond.vm", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.bondOnEveryHost("xsnet_bond.vm", want)},
			},
		},
	})
}

// Members changed by hand on one host make the plan replace the bond, the
// only way to change members.
func TestAccBond_memberDriftShowsInPlan(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	config := pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
}`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					snap := pool.snapshot(t)
					host := snap.HostRefs()[1]
					for ref, b := range snap.Bonds.All() {
						master := snap.PIFs.Get(b.Master)
						if master.Host != host {
							continue
						}
						if err := pool.client.BondDestroy(bg, ref); err != nil {
							t.Fatal(err)
						}
						eth1, _, _ := snap.DevicePIF(host, "eth1")
						eth2, _, _ := snap.DevicePIF(host, "eth2")
						if _, err := pool.client.BondCreate(bg, master.Network, []xenapi.Ref{eth1, eth2}, "", xenapi.BondModeBalanceSLB, map[string]string{}); err != nil {
							t.Fatal(err)
						}
						return
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xsnet_bond.vm", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					pool.bondOnEveryHost("xsnet_bond.vm", bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 1500}),
				},
			},
		},
	})
}

// Under a policy that allows it, an LACP bond takes its hashing algorithm,
// changes it in place, and drops it when the mode goes back to balance-slb.
func TestAccBond_lacpHashingInPlace(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	const addr = "xsnet_bond.vm"
	bond := func(body string) string {
		return pool.configAllowing(`"balance-slb", "lacp"`, `
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
`+body+`
}`)
	}
	hashing := func(want string) statecheck.StateCheck {
		return poolCheck(func(s *tfjson.State) error {
			id, err := stateID(s, addr)
			if err != nil {
				return err
			}
			pb, _ := poolnet.ReadBond(pool.snapshot(t), id)
			for host, hb := range pb.Hosts {
				if got := hb.Properties["hashing_algorithm"]; got != want {
					return fmt.Errorf("host %s: hashing_algorithm %q, want %q", host, got, want)
				}
			}
			return nil
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{
				Config: bond(`  mode = "lacp"
  hashing_algorithm = "src_mac"`),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.bondOnEveryHost(addr, bondWant{members: []string{"eth2", "eth3"}, mode: "lacp", mtu: 1500}),
					hashing("src_mac"),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				Config: bond(`  mode = "lacp"
  hashing_algorithm = "tcpudp_ports"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{hashing("tcpudp_ports")},
			},
			{
				Config: bond(`  mode = "balance-slb"`),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.bondOnEveryHost(addr, bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 1500}),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hashing_algorithm"), knownvalue.Null()),
					hashing(""),
				},
			},
		},
	})
}
