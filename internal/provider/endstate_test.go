package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// The pool as the plan leaves it. Each test builds the history an operator
// would have (earlier applies, changes made by hand with xe or XenCenter),
// then plans a change that, judged on its own resource, looks harmless, and
// checks that xsnet judges where management and every MTU end up.

// Management went onto bond y, then onto bond x, and xsnet recorded y as
// where it came from; y later became a storage bond at MTU 9000. An
// operator who then sets management = false on x, removes x, or runs
// terraform destroy would have sent every host's management back onto y, a
// jumbo bond: on XenServer 6.1, the hosts drop out of the pool at their
// next reboot.
func TestAccEndState_managementReturnsOntoAJumboBond(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 6})
	var mark map[string]string
	steps := append(managementOnXFromJumboY(pool), returningOntoYRefused(t, pool, &mark)...)
	// What the message says to do: y at MTU 1500 first, then destroy.
	steps = append(steps, resource.TestStep{
		PreConfig: func() { pool.unchangedSince(t, mark) },
		Config:    bondsXY(pool, "management = true\n  depends_on = [xsnet_bond.y]", `management = false`, 1500),
		ConfigStateChecks: []statecheck.StateCheck{
			// Destroying x first returns management to a y that is still
			// there.
			destroyedBefore("xsnet_bond.x", "xsnet_bond.y"),
		},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.noBondsLeft(),
		Steps:                    steps,
	})
}

// returningOntoYRefused are the three changes that would return management
// onto y, each refused with the pool left as it was: management = false on
// x, x removed, and terraform destroy. The first records the pool in mark.
func returningOntoYRefused(t *testing.T, pool *testPool, mark *map[string]string) []resource.TestStep {
	return []resource.TestStep{
		{
			PreConfig:   func() { *mark = pool.baseline(t) },
			Config:      bondsXY(pool, `management = false`, `management = false`, 9000),
			ExpectError: refusal("Management Interface MTU Must Be 1500", `bond "y" (MTU 9000)`, `management = false on bond "x" returns management to bond "y"`),
		},
		{
			PreConfig: func() { pool.unchangedSince(t, *mark) },
			Config: pool.config(`
resource "xsnet_bond" "y" {
  name_label = "y"
  members    = ["eth2", "eth3"]
  management = false
  mtu        = 9000
}`),
			ExpectError: refusal("Management Interface MTU Must Be 1500", `bond "y" (MTU 9000)`, `destroying bond "x" returns management to bond "y"`),
		},
		{
			PreConfig:   func() { pool.unchangedSince(t, *mark) },
			Config:      bondsXY(pool, `management = true`, `management = false`, 9000),
			Destroy:     true,
			ExpectError: refusal("Management Interface MTU Must Be 1500", `bond "y" (MTU 9000)`, "do it in two applies", "management = true on that bond"),
		},
	}
}

// bondsXY is the configuration of the bonds x (eth4+eth5) and y
// (eth2+eth3), with each one's extra lines and y's MTU.
func bondsXY(pool *testPool, x, y string, yMTU int) string {
	return pool.config(fmt.Sprintf(`
resource "xsnet_bond" "x" {
  name_label = "x"
  members    = ["eth4", "eth5"]
  %s
}

resource "xsnet_bond" "y" {
  name_label = "y"
  members    = ["eth2", "eth3"]
  mtu        = %d
  %s
}`, x, yMTU, y))
}

// managementOnXFromJumboY is the history of the first test: management
// onto bond y, then onto bond x, which records y as where it came from,
// then y to MTU 9000.
func managementOnXFromJumboY(pool *testPool) []resource.TestStep {
	return []resource.TestStep{
		{
			Config: pool.config(`
resource "xsnet_bond" "y" {
  name_label = "y"
  members    = ["eth2", "eth3"]
  management = true
}`),
			ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("bond0")},
		},
		{
			// Terraform applies x and y at once unless told otherwise:
			// depends_on has y let management go only once x has it.
			Config: bondsXY(pool, `management = true`, "management = false\n  depends_on = [xsnet_bond.x]", 1500),
			ConfigStateChecks: []statecheck.StateCheck{
				pool.managementOn("bond1"),
				pool.managementCameFrom("xsnet_bond.x", "xsnet_bond.y"),
			},
		},
		{
			Config: bondsXY(pool, `management = true`, `management = false`, 9000),
			ConfigStateChecks: []statecheck.StateCheck{
				pool.managementOn("bond1"),
				pool.bondOnEveryHost("xsnet_bond.y", bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}),
			},
		},
	}
}

// A management bond made over eth0 and eth1, whose members an operator
// changes to eth0 and eth2 at MTU 9000: a new bond, over the management
// NIC, so xapi moves management onto it at MTU 9000.
func TestAccEndState_replacedManagementBondTakesManagementAtJumbo(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	bond := func(members string, mtu int) string {
		return pool.config(fmt.Sprintf(`
resource "xsnet_bond" "mgmt" {
  name_label = "mgmt"
  members    = [%s]
  mtu        = %d
}`, members, mtu))
	}
	var mark map[string]string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{Config: bond(`"eth0", "eth1"`, 1500), ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("bond0")}},
			{
				PreConfig:   func() { mark = pool.baseline(t) },
				Config:      bond(`"eth0", "eth2"`, 9000),
				ExpectError: refusal("Management Interface MTU Must Be 1500", `bond "mgmt" (MTU 9000)`, `eth0 is a member of bond "mgmt"`),
			},
			{
				PreConfig: func() { pool.unchangedSince(t, mark) },
				Config:    bond(`"eth0", "eth1"`, 1500),
				PlanOnly:  true,
			},
		},
	})
}

// A standalone host whose management NIC is eth1 joins a pool that has a
// storage bond at MTU 9000 over eth1 and eth2. pool.join makes the pool's
// bonds on the host, over the same NICs, and xapi moves the host's
// management onto the jumbo bond with eth1.
func TestAccEndState_joiningHostLandsManagementOnAJumboBond(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Standalone: 1})
	address, joiner := pool.standalone(t)
	var mark map[string]string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: storageBondOverEth1(pool, "")},
			{
				PreConfig: func() {
					managementToDevice(t, joiner, "eth1")
					mark = pool.baseline(t)
				},
				Config: storageBondOverEth1(pool, joinConfig(pool, address, joinAfterStorage)),
				ExpectError: refusal("Error running pre-apply plan", "Management Interface MTU Must Be 1500", "with xsnet_pool.this",
					address, "host xs-host-3", `bond "storage" (MTU 9000)`, "its management NIC eth1 is a member"),
			},
			{
				PreConfig: func() { pool.unchangedSince(t, mark) },
				Config:    storageBondOverEth1(pool, ""),
				PlanOnly:  true,
			},
		},
	})
}

// The same join with the host's management on eth0, which no bond of the
// pool takes, and the storage bond made by xsnet from another
// configuration: the host joins, and takes the bond.
func TestAccEndState_joiningHostKeepsManagementOffTheJumboBond(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Standalone: 1})
	address, _ := pool.standalone(t)
	storage, err := pool.model.CreateBond(bg, poolnet.BondSpec{NameLabel: "storage", Members: []string{"eth1", "eth2"},
		Mode: xenapi.BondModeBalanceSLB, MTU: 9000})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(joinConfig(pool, address, "")),
			ConfigStateChecks: []statecheck.StateCheck{
				pool.poolHas(3),
				pool.managementOn("eth0"),
				poolCheck(func(*tfjson.State) error {
					snap, err := poolnetSnapshot(pool)
					if err != nil {
						return err
					}
					if pb, _ := poolnet.ReadBond(snap, storage); len(pb.Hosts) != 3 {
						return fmt.Errorf("the storage bond is on %d hosts, want 3", len(pb.Hosts))
					}
					return nil
				}),
			},
		}},
	})
}

// The storage bond made by xsnet from another configuration: this one
// never plans it, so plan cannot tell whether that configuration lowers
// its MTU, and lets the join through. Apply refuses it before pool.join,
// against the bond as the pool has it.
func TestAccEndState_joiningOntoABondManagedElsewhereIsRefusedAtApply(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Standalone: 1})
	address, joiner := pool.standalone(t)
	if _, err := pool.model.CreateBond(bg, poolnet.BondSpec{NameLabel: "storage", Members: []string{"eth1", "eth2"},
		Mode: xenapi.BondModeBalanceSLB, MTU: 9000}); err != nil {
		t.Fatal(err)
	}
	managementToDevice(t, joiner, "eth1")
	before := pool.baseline(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      pool.config(joinConfig(pool, address, "")),
			ExpectError: refusal("Error running apply", "Management Interface MTU Must Be 1500", "host xs-host-3", `bond "storage" (MTU 9000)`),
		}},
	})
	pool.unchangedSince(t, before)
}

func storageBondOverEth1(pool *testPool, more string) string {
	return pool.config(`
resource "xsnet_bond" "storage" {
  name_label = "storage"
  members    = ["eth1", "eth2"]
  mtu        = 9000
}
` + more)
}

// joinConfig is an xsnet_pool that joins the host at address, with more
// lines such as depends_on.
func joinConfig(pool *testPool, address, more string) string {
	return fmt.Sprintf(`
resource "xsnet_pool" "this" {
  join = {
    %q = { %s = %q }
  }
  %s
}`, address, joinPasswordAttribute(), pool.sim.Password(), more)
}

// joinAfterStorage joins once the pool's networking is in place: planned
// after the bond, the join is the change refused.
const joinAfterStorage = "depends_on = [xsnet_bond.storage]"

// Management on an xsnet_vlan over a trunk bond at MTU 9000, moved there
// by hand after the VLAN was applied: the VLAN's own MTU is the management
// MTU, and raising it to match the trunk puts management at MTU 9000.
func TestAccEndState_raisingAManagementVLAN(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	var mark map[string]string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{Config: trunkWithVLAN(pool, 9000, 1500)},
			{
				PreConfig: func() {
					pool.managementToVLAN(t, "mgmt")
					mark = pool.baseline(t)
				},
				Config:      trunkWithVLAN(pool, 9000, 9000),
				ExpectError: refusal("Management Interface MTU Must Be 1500", `VLAN "mgmt" (MTU 9000)`),
			},
			{
				// xapi refuses to destroy a VLAN that carries management:
				// the operator moves it back first.
				PreConfig: func() {
					pool.unchangedSince(t, mark)
					managementToDevice(t, pool.client, "eth0")
				},
				Config:   trunkWithVLAN(pool, 9000, 1500),
				PlanOnly: true,
			},
		},
	})
}

// The XenCenter layout for storage and management on one bond: a
// management VLAN at MTU 1500 on a trunk. Raising the trunk to MTU 9000
// leaves the management interface, the VLAN, at 1500, and applies.
func TestAccEndState_raisingTheTrunkUnderAManagementVLAN(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{Config: trunkWithVLAN(pool, 1500, 1500)},
			{
				PreConfig: func() { pool.managementToVLAN(t, "mgmt") },
				Config:    trunkWithVLAN(pool, 9000, 1500),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.bondOnEveryHost("xsnet_bond.trunk", bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}),
					pool.vlanOnEveryHost("xsnet_vlan.mgmt", 10, 1500),
					pool.managementOnNetwork("xsnet_vlan.mgmt"),
				},
			},
			{
				PreConfig: func() { managementToDevice(t, pool.client, "eth0") },
				Config:    trunkWithVLAN(pool, 9000, 1500),
				PlanOnly:  true,
			},
		},
	})
}

func trunkWithVLAN(pool *testPool, trunkMTU, vlanMTU int) string {
	return pool.config(fmt.Sprintf(`
resource "xsnet_bond" "trunk" {
  name_label = "trunk"
  members    = ["eth2", "eth3"]
  mtu        = %d
}

resource "xsnet_vlan" "mgmt" {
  name_label        = "mgmt"
  tag               = 10
  parent_network_id = xsnet_bond.trunk.id
  mtu               = %d
}`, trunkMTU, vlanMTU))
}

// A pool whose management is on a jumbo bond made by hand, before xsnet:
// a configuration that manages only other networking on it plans, and
// every plan warns, naming the hosts and the bond, until someone fixes it.
func TestAccEndState_preexistingJumboManagementBondWarns(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	bond := pool.bondByHand(t, "by hand", "eth0", "eth1")
	pool.mtuByHand(t, bond, 9000)
	out, ok := terraformCLI(t, requiredProviders+pool.config(fmt.Sprintf(`
resource "xsnet_vlan" "vm" {
  name_label        = "vm"
  tag               = 100
  parent_network_id = %q
}`, pool.nicNetwork(t, "eth3"))), nil, "plan")
	if !ok {
		t.Fatalf("terraform plan failed:\n%s", out)
	}
	wantOutput(t, out, "Warning: The Pool Breaks A Guardrail Already: Management Interface MTU Must Be 1500",
		"hosts xs-host-1, xs-host-2", `bond "by hand" (MTU 9000)`, bond, "management-mtu")
	wantOutput(t, out, "Plan: 1 to add, 0 to change, 0 to destroy")
}

// The same for a VLAN made by hand above its parent's MTU: the warning
// names the VLAN and its parent, and blocks nothing else.
func TestAccEndState_preexistingVLANAboveItsParentWarns(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	vlan := pool.vlanByHand(t, "by hand", pool.nicNetwork(t, "eth2"), 200)
	pool.mtuByHand(t, vlan, 9000)
	out, ok := terraformCLI(t, requiredProviders+pool.config(`
resource "xsnet_bond" "vm" {
  name_label = "vm"
  members    = ["eth1", "eth3"]
}`), nil, "plan")
	if !ok {
		t.Fatalf("terraform plan failed:\n%s", out)
	}
	wantOutput(t, out, "Warning: The Pool Breaks A Guardrail Already: VLAN MTU Must Not Exceed Its Parent's",
		`VLAN "by hand" would have MTU 9000`, "MTU 1500", vlan, "vlan-mtu-parent")
	wantOutput(t, out, "Plan: 1 to add, 0 to change, 0 to destroy")
}

// Two resources of one plan that each pass alone and clash together:
// whichever Terraform plans second is refused, and nothing reaches the
// pool.
func TestAccEndState_twoResourcesOfOnePlanClash(t *testing.T) {
	t.Parallel()
	t.Run("two VLANs with one parent and tag", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		parent := pool.nicNetwork(t, "eth2")
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_vlan" "a" {
  name_label        = "a"
  tag               = 100
  parent_network_id = %[1]q
}

resource "xsnet_vlan" "b" {
  name_label        = "b"
  tag               = 100
  parent_network_id = %[1]q
}`, parent), refusal("VLAN Tag Already Used On This Parent", "would all use tag 100 on NIC network").String())
	})
	t.Run("a VLAN at 9000 over a bond planned at 1500", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "x" {
  name_label = "x"
  members    = ["eth2", "eth3"]
  mtu        = 1500
}

resource "xsnet_vlan" "v" {
  name_label        = "v"
  tag               = 100
  parent_network_id = xsnet_bond.x.id
  mtu               = 9000
}`, refusal("VLAN MTU Must Not Exceed Its Parent's", `VLAN "v" would have MTU 9000 over bond "x" with MTU 1500`).String())
	})
	t.Run("a parent lowered under its VLAN", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		before := pool.baseline(t)
		var mark map[string]string
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             pool.nothingLeftOver(before),
			Steps: []resource.TestStep{
				{Config: trunkWithVLAN(pool, 9000, 9000)},
				{
					PreConfig:   func() { mark = pool.baseline(t) },
					Config:      trunkWithVLAN(pool, 1500, 9000),
					ExpectError: refusal("VLAN MTU Must Not Exceed Its Parent's", `VLAN "mgmt" would have MTU 9000 over bond "trunk" with MTU 1500`),
				},
				{
					PreConfig: func() { pool.unchangedSince(t, mark) },
					Config:    trunkWithVLAN(pool, 9000, 9000),
					PlanOnly:  true,
				},
			},
		})
	})
	t.Run("two bonds with management = true", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 6})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "a" {
  name_label = "a"
  members    = ["eth2", "eth3"]
  management = true
}

resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth4", "eth5"]
  management = true
}`, refusal("One Interface Carries Management", "ask for the management interface (management = true)").String())
	})
	t.Run("two bonds claiming one NIC", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 6})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "a" {
  name_label = "a"
  members    = ["eth2", "eth3"]
}

resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth3", "eth4"]
}`, refusal("Bond Members Must Be Free NICs", "NIC eth3 of hosts xs-host-1, xs-host-2 would be a member of both").String())
	})
}

// allowedModesFrom is a provider block whose guardrails policy comes from
// a terraform_data's output: unknown at plan, known at apply.
func allowedModesFrom(pool *testPool, modes, hcl string) string {
	return fmt.Sprintf(`
resource "terraform_data" "modes" {
  input = [%s]
}

provider "xsnet" {
%s  guardrails {
    allowed_bond_modes = terraform_data.modes.output
  }
}
`, modes, pool.providerSettings) + hcl
}

const lacpBond = `
resource "xsnet_bond" "vm" {
  name_label = "vm"
  members    = ["eth2", "eth3"]
  mode       = "lacp"
}`

// A guardrails policy that comes from another resource is not known at
// plan. An LACP bond plans, with a warning that its mode is not checked
// yet, and apply refuses it before it changes the pool when the policy
// turns out to allow balance-slb only.
func TestAccEndState_unknownPolicyRefusesLACPBeforeApply(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	cfg := allowedModesFrom(pool, `"balance-slb"`, lacpBond)
	out, ok := terraformCLI(t, requiredProviders+cfg, nil, "plan")
	if !ok {
		t.Fatalf("terraform plan failed:\n%s", out)
	}
	wantOutput(t, out, "Warning: Bond Mode Not Checked Yet", "with xsnet_bond.vm", `mode = "lacp" needs the provider's guardrails policy`,
		"refuses it then unless the policy allows it")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      cfg,
			ExpectError: refusal("Bond Mode Must Be Allowed", `mode = "lacp" is not allowed`),
		}},
	})
	if err := pool.nothingLeftOver(before)(nil); err != nil {
		t.Error(err)
	}
}

// The same, with a policy that turns out to allow lacp: the bond applies.
func TestAccEndState_unknownPolicyAllowsLACPAtApply(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{{
			Config: allowedModesFrom(pool, `"balance-slb", "lacp"`, lacpBond),
			ConfigStateChecks: []statecheck.StateCheck{
				pool.bondOnEveryHost("xsnet_bond.vm", bondWant{members: []string{"eth2", "eth3"}, mode: "lacp", mtu: 1500}),
			},
		}},
	})
}

// Changes the per-resource checks refused, and the pool as the plan
// leaves it allows: each must apply.
func TestAccEndState_changesThatEndWellApply(t *testing.T) {
	t.Parallel()
	t.Run("an LACP bond with hashing_algorithm left out", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		before := pool.baseline(t)
		const addr = "xsnet_bond.vm"
		bond := func(mode string) string {
			return pool.configAllowing(`"balance-slb", "lacp"`, fmt.Sprintf(`
resource "xsnet_bond" "vm" {
  name_label = "vm"
  members    = ["eth2", "eth3"]
  mode       = %q
}`, mode))
		}
		// xapi gives an LACP bond tcpudp_ports hashing: the plan says so,
		// and the plan after apply is empty.
		tcpudp := plancheck.ExpectKnownValue(addr, tfjsonpath.New("hashing_algorithm"), knownvalue.StringExact("tcpudp_ports"))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             pool.nothingLeftOver(before),
			Steps: []resource.TestStep{
				{
					Config:           bond("lacp"),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{tcpudp}},
					ConfigStateChecks: []statecheck.StateCheck{
						pool.bondOnEveryHost(addr, bondWant{members: []string{"eth2", "eth3"}, mode: "lacp", mtu: 1500}),
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("hashing_algorithm"), knownvalue.StringExact("tcpudp_ports")),
					},
				},
				{Config: bond("lacp"), PlanOnly: true},
				{
					Config: bond("balance-slb"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(addr, tfjsonpath.New("hashing_algorithm"), knownvalue.Null()),
					},
				},
				{
					// From balance-slb to lacp in place.
					Config: bond("lacp"),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate), tcpudp,
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						pool.bondOnEveryHost(addr, bondWant{members: []string{"eth2", "eth3"}, mode: "lacp", mtu: 1500}),
					},
				},
				{Config: bond("lacp"), PlanOnly: true},
			},
		})
	})

	t.Run("management moved from bond a to bond b in one apply", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 4})
		before := pool.baseline(t)
		ab := func(a, b string) string {
			return pool.config(fmt.Sprintf(`
resource "xsnet_bond" "a" {
  name_label = "a"
  members    = ["eth0", "eth1"]
  %s
}

resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth2", "eth3"]
  %s
}`, a, b))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             pool.nothingLeftOver(before),
			Steps: []resource.TestStep{
				{
					// eth0 is every host's management NIC: xapi moves
					// management onto a.
					Config: pool.config(`
resource "xsnet_bond" "a" {
  name_label = "a"
  members    = ["eth0", "eth1"]
}`),
					ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("bond0")},
				},
				{
					Config: ab(`management = false`, `management = true`),
					ConfigStateChecks: []statecheck.StateCheck{
						pool.managementOn("bond1"),
						statecheck.ExpectKnownValue("xsnet_bond.a", tfjsonpath.New("management"), knownvalue.Bool(false)),
						statecheck.ExpectKnownValue("xsnet_bond.b", tfjsonpath.New("management"), knownvalue.Bool(true)),
					},
				},
				{
					// Destroying b first returns management to a, and
					// destroying a then leaves it on eth0, where it began.
					Config:            ab(`management = false`, "management = true\n  depends_on = [xsnet_bond.a]"),
					ConfigStateChecks: []statecheck.StateCheck{destroyedBefore("xsnet_bond.b", "xsnet_bond.a")},
				},
			},
		})
	})

	t.Run("a 1500 management bond replaced by a 9000 bond on other NICs", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		before := pool.baseline(t)
		const addr = "xsnet_bond.bond"
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             pool.nothingLeftOver(before),
			Steps: []resource.TestStep{
				{
					Config: pool.config(`
resource "xsnet_bond" "bond" {
  name_label = "bond"
  members    = ["eth0", "eth1"]
}`),
					ConfigStateChecks: []statecheck.StateCheck{pool.managementOn("bond0")},
				},
				{
					// Members make a new bond: the old one goes first and
					// returns management to eth0, its primary member.
					Config: pool.config(`
resource "xsnet_bond" "bond" {
  name_label = "bond"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}`),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						pool.managementOn("eth0"),
						pool.bondOnEveryHost(addr, bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}),
					},
				},
			},
		})
	})

	t.Run("bonding NICs that carry VLANs", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		before := pool.baseline(t)
		eth2 := pool.nicNetwork(t, "eth2")
		const vlanAddr = "xsnet_vlan.storage"
		vlan := func(parent string) string {
			return fmt.Sprintf(`
resource "xsnet_vlan" "storage" {
  name_label        = "storage"
  tag               = 20
  parent_network_id = %s
}
`, parent)
		}
		const bond = `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth2", "eth3"]
}`
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             pool.nothingLeftOver(before),
			Steps: []resource.TestStep{
				{Config: pool.config(vlan(fmt.Sprintf("%q", eth2)))},
				{
					// The bond's plan says what xapi moves onto it.
					PreConfig: func() {
						out, ok := terraformCLI(t, requiredProviders+pool.config(bond), nil, "plan")
						if !ok {
							t.Fatalf("terraform plan failed:\n%s", out)
						}
						wantOutput(t, out, "Warning: Bonding Moves What Is On The Members", "with xsnet_bond.b",
							`xapi moves VLAN "storage" of hosts xs-host-1, xs-host-2 onto this bond`,
							"without replacing the VLAN")
					},
					Config: pool.config(vlan(fmt.Sprintf("%q", eth2)) + bond),
					ConfigStateChecks: []statecheck.StateCheck{
						pool.vlanOnEveryHost(vlanAddr, 20, 1500),
						statecheck.ExpectKnownValue(vlanAddr, tfjsonpath.New("parent_network_id"), knownvalue.StringExact(eth2)),
					},
				},
				{Config: pool.config(vlan(fmt.Sprintf("%q", eth2)) + bond), PlanOnly: true},
				{
					// The configuration catches up with the pool in place.
					Config: pool.config(vlan("xsnet_bond.b.id") + bond),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(vlanAddr, plancheck.ResourceActionUpdate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						pool.vlanOnEveryHost(vlanAddr, 20, 1500),
						statecheck.CompareValuePairs(vlanAddr, tfjsonpath.New("parent_network_id"), "xsnet_bond.b", tfjsonpath.New("id"), compare.ValuesSame()),
					},
				},
			},
		})
	})

	t.Run("a bond and its VLAN raised to 9000 together", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		before := pool.baseline(t)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             pool.nothingLeftOver(before),
			Steps: []resource.TestStep{
				{Config: trunkWithVLAN(pool, 1500, 1500)},
				{
					Config: trunkWithVLAN(pool, 9000, 9000),
					ConfigStateChecks: []statecheck.StateCheck{
						pool.bondOnEveryHost("xsnet_bond.trunk", bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}),
						pool.vlanOnEveryHost("xsnet_vlan.mgmt", 10, 9000),
					},
				},
			},
		})
	})
}

// A NIC listed twice is refused at terraform validate, from the
// configuration alone, with the NIC named: xapi would fold it and make a
// bond of one NIC fewer than the configuration shows.
func TestAccEndState_memberListedTwiceAtValidate(t *testing.T) {
	t.Parallel()
	out, ok := terraformCLI(t, requiredProviders+`
resource "xsnet_bond" "vm" {
  name_label = "vm"
  members    = ["eth2", "eth2", "eth3"]
}`, nil, "validate")
	if ok {
		t.Fatalf("terraform validate accepted a NIC listed twice:\n%s", out)
	}
	wantOutput(t, out, "Bond Needs 2 To 4 Distinct NICs", `members lists "eth2" twice (members[0] and members[1])`, "bond-member-count")
}

// The same list from a module's variable: validate cannot see it, plan
// refuses it.
func TestAccEndState_memberListedTwiceFromAVariable(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	pool.refusedAtPlanWith(t, `
variable "members" {
  type = list(string)
}

resource "xsnet_bond" "vm" {
  name_label = "vm"
  members    = var.members
}`, config.Variables{"members": config.ListVariable(config.StringVariable("eth2"), config.StringVariable("eth3"), config.StringVariable("eth2"))},
		refusal("Bond Needs 2 To 4 Distinct NICs", `members lists "eth2" twice (members[0] and members[2])`).String())
}

// quirkRebootTime is how long a reboot keeps a simulated host out; a host
// the quirk strikes drops out half of it after coming back.
const quirkRebootTime = 400 * time.Millisecond

// On a pool that fails as XenServer 6.1 did, each change refused above is
// refused through terraform apply, the pool is left as it was, and a pool
// member rebooted afterwards stays in the pool: the outage did not happen.
func TestAccEndState_refusedChangesKeepHostsInThePool(t *testing.T) {
	t.Parallel()
	quirky := func(cfg xapisim.Config) xapisim.Config {
		cfg.Quirks, cfg.RebootTime = []string{xapisim.QuirkJumboManagementBond}, quirkRebootTime
		return cfg
	}
	t.Run("management returned onto a jumbo bond", func(t *testing.T) {
		pool := newTestPool(t, quirky(xapisim.Config{Hosts: 3, NICs: 6}))
		if pool.sim == nil {
			t.Skip("the 6.1 quirk needs the simulated pool")
		}
		var mark map[string]string
		steps := append(managementOnXFromJumboY(pool), returningOntoYRefused(t, pool, &mark)...)
		steps = append(steps,
			resource.TestStep{
				PreConfig: func() {
					pool.unchangedSince(t, mark)
					pool.rebootStaysLive(t)
				},
				Config:   bondsXY(pool, `management = true`, `management = false`, 9000),
				PlanOnly: true,
			},
			resource.TestStep{Config: bondsXY(pool, "management = true\n  depends_on = [xsnet_bond.y]", `management = false`, 1500)},
		)
		resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
	})
	t.Run("a host joining onto a jumbo bond", func(t *testing.T) {
		pool := newTestPool(t, quirky(xapisim.Config{Hosts: 2, NICs: 4, Standalone: 1}))
		address, joiner := pool.standalone(t)
		var mark map[string]string
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: storageBondOverEth1(pool, "")},
				{
					PreConfig: func() {
						managementToDevice(t, joiner, "eth1")
						mark = pool.baseline(t)
					},
					Config:      storageBondOverEth1(pool, joinConfig(pool, address, joinAfterStorage)),
					ExpectError: refusal("Management Interface MTU Must Be 1500"),
				},
				{
					PreConfig: func() {
						pool.unchangedSince(t, mark)
						pool.rebootStaysLive(t)
					},
					Config:   storageBondOverEth1(pool, ""),
					PlanOnly: true,
				},
			},
		})
	})
	t.Run("a host joining onto a jumbo bond managed elsewhere", func(t *testing.T) {
		pool := newTestPool(t, quirky(xapisim.Config{Hosts: 2, NICs: 4, Standalone: 1}))
		address, joiner := pool.standalone(t)
		if _, err := pool.model.CreateBond(bg, poolnet.BondSpec{NameLabel: "storage", Members: []string{"eth1", "eth2"},
			Mode: xenapi.BondModeBalanceSLB, MTU: 9000}); err != nil {
			t.Fatal(err)
		}
		managementToDevice(t, joiner, "eth1")
		before := pool.baseline(t)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      pool.config(joinConfig(pool, address, "")),
				ExpectError: refusal("Error running apply", "Management Interface MTU Must Be 1500"),
			}},
		})
		pool.unchangedSince(t, before)
		pool.rebootStaysLive(t)
	})
	t.Run("a management VLAN raised to 9000", func(t *testing.T) {
		pool := newTestPool(t, quirky(xapisim.Config{Hosts: 2, NICs: 4}))
		if pool.sim == nil {
			t.Skip("the 6.1 quirk needs the simulated pool")
		}
		var mark map[string]string
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: trunkWithVLAN(pool, 9000, 1500)},
				{
					PreConfig: func() {
						pool.managementToVLAN(t, "mgmt")
						mark = pool.baseline(t)
					},
					Config:      trunkWithVLAN(pool, 9000, 9000),
					ExpectError: refusal("Management Interface MTU Must Be 1500"),
				},
				{
					PreConfig: func() {
						pool.unchangedSince(t, mark)
						pool.rebootStaysLive(t)
						managementToDevice(t, pool.client, "eth0")
					},
					Config:   trunkWithVLAN(pool, 9000, 1500),
					PlanOnly: true,
				},
			},
		})
	})
}

// rebootStaysLive reboots a pool member as an operator would (disable,
// reboot), waits for it to go down and come back, and checks that it is
// still live well after the quirk would have dropped it out.
func (p *testPool) rebootStaysLive(t *testing.T) {
	t.Helper()
	member := p.snapshot(t).HostRefs()[1]
	if err := p.client.HostDisable(bg, member); err != nil {
		t.Fatal(err)
	}
	if err := p.client.HostReboot(bg, member); err != nil {
		t.Fatal(err)
	}
	p.waitForLive(t, member, false)
	p.waitForLive(t, member, true)
	// The quirk strikes half a reboot's time after the host comes back.
	time.Sleep(3 * quirkRebootTime)
	if !p.live(t, member) {
		t.Fatal("the rebooted host dropped out of the pool")
	}
}

func (p *testPool) live(t *testing.T, host xenapi.Ref) bool {
	t.Helper()
	h, err := xenapi.GetRecord[xenapi.Host](bg, p.client, host)
	if err != nil {
		t.Fatal(err)
	}
	m, err := xenapi.GetRecord[xenapi.HostMetrics](bg, p.client, h.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	return m.Live
}

// waitForLive polls until the host's liveness is want, for at most ten
// reboots' time: the machines CI runs on are slow at times.
func (p *testPool) waitForLive(t *testing.T, host xenapi.Ref, want bool) {
	t.Helper()
	deadline := time.Now().Add(10 * quirkRebootTime)
	for time.Now().Before(deadline) {
		if p.live(t, host) == want {
			return
		}
		time.Sleep(quirkRebootTime / 50)
	}
	t.Fatalf("the rebooted host did not become live=%t", want)
}

// refusal matches a refusal in terraform's output, which wraps long lines:
// each fragment in turn, its spaces matching any run of white space.
func refusal(fragments ...string) *regexp.Regexp {
	parts := make([]string, len(fragments))
	for i, f := range fragments {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(f)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// wantOutput checks that terraform's output holds the fragments, in order.
func wantOutput(t *testing.T, out string, fragments ...string) {
	t.Helper()
	if !refusal(fragments...).MatchString(out) {
		t.Errorf("terraform's output lacks %q, in that order:\n%s", fragments, out)
	}
}

// unchangedSince fails the test if the pool differs from a baseline: a
// refused plan or apply changes nothing.
func (p *testPool) unchangedSince(t *testing.T, mark map[string]string) {
	t.Helper()
	if err := p.nothingLeftOver(mark)(nil); err != nil {
		t.Error(err)
	}
}

// mtuByHand sets a network's MTU and plugs its PIFs again so that they
// take it, as an operator with xe would.
func (p *testPool) mtuByHand(t *testing.T, network string, mtu int64) {
	t.Helper()
	snap := p.snapshot(t)
	ref, _, ok := snap.NetworkByUUID(network)
	if !ok {
		t.Fatalf("no network %s", network)
	}
	if err := p.client.NetworkSetMTU(bg, ref, mtu); err != nil {
		t.Fatal(err)
	}
	for _, pif := range snap.NetworkPIFs(ref) {
		if err := p.client.PIFPlug(bg, pif); err != nil {
			t.Fatal(err)
		}
	}
}

// managementToVLAN moves every host's management onto its PIF of the VLAN
// network named, by hand.
func (p *testPool) managementToVLAN(t *testing.T, name string) {
	t.Helper()
	refs := p.snapshot(t).NetworksByNameLabel(name)
	if len(refs) != 1 {
		t.Fatalf("%d networks named %q", len(refs), name)
	}
	moveManagementByHand(t, p.client, func(s *poolnet.Snapshot, host xenapi.Ref) (xenapi.Ref, bool) {
		ref, _, ok := s.NetworkPIF(host, refs[0])
		return ref, ok
	})
}

// managementToDevice moves the management of every host c reaches onto
// its NIC with the device, by hand.
func managementToDevice(t *testing.T, c *xenapi.Client, device string) {
	t.Helper()
	moveManagementByHand(t, c, func(s *poolnet.Snapshot, host xenapi.Ref) (xenapi.Ref, bool) {
		ref, _, ok := s.DevicePIF(host, device)
		return ref, ok
	})
}

// moveManagementByHand moves each host's management interface onto the
// PIF pick chooses, as XenCenter does: the IP configuration copied onto
// the new PIF (PIF.reconfigure_ip), host.management_reconfigure, then the
// old PIF's IP configuration cleared.
func moveManagementByHand(t *testing.T, c *xenapi.Client, pick func(*poolnet.Snapshot, xenapi.Ref) (xenapi.Ref, bool)) {
	t.Helper()
	snap, err := poolnet.TakeSnapshot(bg, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range snap.HostRefs() {
		name := snap.Hosts.Get(host).NameLabel
		fromRef, from, ok := snap.ManagementPIF(host)
		if !ok {
			t.Fatalf("host %s has no management interface", name)
		}
		to, ok := pick(snap, host)
		if !ok {
			t.Fatalf("host %s has no PIF to move management onto", name)
		}
		if to == fromRef {
			continue
		}
		if err := c.PIFReconfigureIP(bg, to, from.IPConfigurationMode, from.IP, from.Netmask, from.Gateway, from.DNS); err != nil {
			t.Fatal(err)
		}
		if err := c.HostManagementReconfigure(bg, to); err != nil {
			t.Fatal(err)
		}
		if err := c.PIFReconfigureIP(bg, fromRef, xenapi.IPConfigurationNone, "", "", "", ""); err != nil {
			t.Fatal(err)
		}
	}
}

// managementOnNetwork checks that every host's management interface is its
// PIF on the network of the resource at address.
func (p *testPool) managementOnNetwork(address string) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		id, err := stateID(s, address)
		if err != nil {
			return err
		}
		snap, err := poolnetSnapshot(p)
		if err != nil {
			return err
		}
		for _, ref := range snap.HostRefs() {
			_, pif, ok := snap.ManagementPIF(ref)
			if !ok || snap.Networks.Get(pif.Network).UUID != id {
				return fmt.Errorf("host %s: management is not on %s", snap.Hosts.Get(ref).NameLabel, address)
			}
		}
		return nil
	})
}

// managementCameFrom checks that xsnet recorded, on the bond at address,
// the network of the resource from as where it moved management from.
func (p *testPool) managementCameFrom(address, from string) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		id, err := stateID(s, address)
		if err != nil {
			return err
		}
		fromID, err := stateID(s, from)
		if err != nil {
			return err
		}
		snap, err := poolnetSnapshot(p)
		if err != nil {
			return err
		}
		_, n, ok := snap.NetworkByUUID(id)
		if !ok {
			return fmt.Errorf("%s: network %s is not in the pool", address, id)
		}
		if got := n.OtherConfig["xsnet_management_from"]; got != fromID {
			return fmt.Errorf("%s records management as coming from %q, want %s (%s)", address, got, fromID, from)
		}
		return nil
	})
}

// destroyedBefore checks that the state records first as depending on
// then, so that terraform destroy destroys first before then.
func destroyedBefore(first, then string) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		if s != nil && s.Values != nil && s.Values.RootModule != nil {
			for _, r := range s.Values.RootModule.Resources {
				if r.Address == first {
					for _, d := range r.DependsOn {
						if d == then {
							return nil
						}
					}
					return fmt.Errorf("%s depends on %v, not on %s", first, r.DependsOn, then)
				}
			}
		}
		return fmt.Errorf("%s is not in the state", first)
	})
}

// noBondsLeft checks, after destroy, that no bond is left and that every
// host's management interface is at MTU 1500.
func (p *testPool) noBondsLeft() resource.TestCheckFunc {
	return func(*terraform.State) error {
		snap, err := poolnetSnapshot(p)
		if err != nil {
			return err
		}
		if snap.Bonds.Len() > 0 {
			return fmt.Errorf("%d bonds are left in the pool", snap.Bonds.Len())
		}
		for _, ref := range snap.HostRefs() {
			if _, pif, ok := snap.ManagementPIF(ref); !ok || pif.MTU != 1500 {
				return fmt.Errorf("host %s: management on %q at MTU %d", snap.Hosts.Get(ref).NameLabel, pif.Device, pif.MTU)
			}
		}
		return nil
	}
}
