package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Each guardrail refuses its configuration before anything reaches the
// pool. Those that need only the configuration fire at validate, which
// runs before the provider is even configured: these tests give it no
// settings at all.
func TestAccGuardrails_atValidate(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"management bond at MTU 9000", `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth0", "eth1"]
  management = true
  mtu        = 9000
}`, `(?s)Management Interface MTU Must Be 1500.*management-mtu`},
		{"lacp bond under the default policy", `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth2", "eth3"]
  mode       = "lacp"
}`, `(?s)Bond Mode Must Be Allowed.*bond-mode`},
		{"MTU above XenCenter's limit", `
resource "xsnet_network" "n" {
  name_label = "n"
  mtu        = 9500
}`, `(?s)MTU Must Be 1500 To 9216.*mtu-range`},
		{"MTU below Ethernet's", `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth2", "eth3"]
  mtu        = 1400
}`, `(?s)MTU Must Be 1500 To 9216`},
		{"VLAN tag 0", `
resource "xsnet_vlan" "v" {
  name_label        = "v"
  tag               = 0
  parent_network_id = "6a1c0b7e-2d3f-4e5a-8b9c-0d1e2f3a4b5c"
}`, `(?s)VLAN Tag Must Be 1 To 4094.*vlan-tag-range`},
		{"VLAN tag 4095", `
resource "xsnet_vlan" "v" {
  name_label        = "v"
  tag               = 4095
  parent_network_id = "6a1c0b7e-2d3f-4e5a-8b9c-0d1e2f3a4b5c"
}`, `(?s)VLAN Tag Must Be 1 To 4094`},
		{"one bond member", `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth2"]
}`, `(?s)Bond Needs 2 To 4 Distinct NICs.*bond-member-count`},
		{"five bond members", `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth1", "eth2", "eth3", "eth4", "eth5"]
}`, `(?s)Bond Needs 2 To 4 Distinct NICs`},
		{"hashing without lacp", `
resource "xsnet_bond" "b" {
  name_label        = "b"
  members           = ["eth2", "eth3"]
  hashing_algorithm = "src_mac"
}`, `(?s)Hashing Algorithm Only With LACP.*hashing-algorithm-lacp`},
		{"a policy that allows no mode", `
provider "xsnet" {
  guardrails {
    allowed_bond_modes = []
  }
}
resource "xsnet_network" "n" {
  name_label = "n"
}`, `(?s)allowed_bond_modes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envHost, "")
			t.Setenv(envUsername, "")
			t.Setenv(envPassword, "")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tt.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tt.want),
				}},
			})
		})
	}
}

// The rules that need the pool's facts fire at plan, before any change.
func TestAccGuardrails_atPlan(t *testing.T) {
	t.Parallel()
	t.Run("a bond over the management NIC at MTU 9000", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth0", "eth1"]
  mtu        = 9000
}`, `(?s)Management Interface MTU Must Be 1500.*eth0 is a member of bond "b"`)
	})
	t.Run("management = false over the management NIC", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth0", "eth1"]
  management = false
}`, `(?s)Bond Over A Management PIF Carries Management.*management-member`)
	})
	t.Run("three members on the bridge backend", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Backend: "bridge"})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth1", "eth2", "eth3"]
}`, `(?s)Bond Needs 2 To 4 Distinct NICs.*bridge`)
	})
	t.Run("a member already bonded", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.bondByHand(t, "by hand", "eth2", "eth3")
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = ["eth1", "eth2"]
}`, `(?s)Bond Members Must Be Free NICs.*bond-member-free`)
	})
	t.Run("a VLAN above its parent's MTU", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_vlan" "v" {
  name_label        = "v"
  tag               = 100
  parent_network_id = %q
  mtu               = 9000
}`, pool.nicNetwork(t, "eth1")), `(?s)VLAN MTU Must Not Exceed Its Parent's.*vlan-mtu-parent`)
	})
	t.Run("a parent and tag already used", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
		parent := pool.nicNetwork(t, "eth1")
		pool.vlanByHand(t, "by hand", parent, 100)
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_vlan" "v" {
  name_label        = "v"
  tag               = 100
  parent_network_id = %q
}`, parent), `(?s)VLAN Tag Already Used On This Parent.*vlan-tag-unique`)
	})
}

// refusedAtPlan checks that plan refuses the configuration and that the
// pool is untouched.
func (p *testPool) refusedAtPlan(t *testing.T, hcl, want string) {
	t.Helper()
	p.refusedAtPlanWith(t, hcl, nil, want)
}

// A module whose MTU comes from a variable: validate cannot know it, plan
// can, and refuses it there.
func TestAccGuardrails_mtuFromVariableDecidesAtPlan(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
variable "management_mtu" {
  type = number
}

resource "xsnet_bond" "management" {
  name_label = "Bond 0+1"
  members    = ["eth0", "eth1"]
  management = true
  mtu        = var.management_mtu
}`),
			ConfigVariables: config.Variables{"management_mtu": config.IntegerVariable(9000)},
			ExpectError:     regexp.MustCompile(`(?s)Management Interface MTU Must Be 1500`),
		}},
	})
}

// A mode from a variable: the same, for rule 2.
func TestAccGuardrails_modeFromVariableDecidesAtPlan(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
variable "mode" {
  type = string
}

resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mode       = var.mode
}`),
			ConfigVariables: config.Variables{"mode": config.StringVariable("lacp")},
			ExpectError:     regexp.MustCompile(`(?s)Bond Mode Must Be Allowed`),
		}},
	})
}

// An MTU known only once another resource is applied: neither validate nor
// plan can decide, so apply does, before it changes anything.
func TestAccGuardrails_mtuUnknownAtPlanDecidesBeforeApply(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
resource "terraform_data" "mtu" {
  input = 9000
}

resource "xsnet_bond" "management" {
  name_label = "Bond 0+1"
  members    = ["eth0", "eth1"]
  management = true
  mtu        = terraform_data.mtu.output
}`),
			ExpectError: regexp.MustCompile(`(?s)Management Interface MTU Must Be 1500`),
		}},
	})
	if err := pool.nothingLeftOver(before)(nil); err != nil {
		t.Error(err)
	}
}

// Rule 5: a management bond made at MTU 9000 outside xsnet and imported
// shows the violation at plan, with the in-place fix, and the fix applies
// in place.
func TestAccGuardrails_importedJumboManagementBond(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	id, err := pool.model.CreateBond(bg, poolnet.BondSpec{
		NameLabel: "Bond 0+1", Members: []string{"eth0", "eth1"}, Mode: xenapi.BondModeBalanceSLB, MTU: 9000,
	})
	if err != nil {
		t.Fatal(err)
	}
	bond := func(mtu int) string {
		return pool.config(fmt.Sprintf(`
resource "xsnet_bond" "management" {
  name_label = "Bond 0+1"
  members    = ["eth0", "eth1"]
  management = true
  mtu        = %d
}`, mtu))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             bond(1500),
				ResourceName:       "xsnet_bond.management",
				ImportState:        true,
				ImportStateId:      id,
				ImportStatePersist: true,
			},
			{
				// The imported state says 9000; configuration at 9000 is refused
				// at plan with the in-place fix.
				Config:      bond(9000),
				ExpectError: regexp.MustCompile(`(?s)Management Interface MTU Must Be 1500.*mtu = 1500`),
			},
			{
				Config: bond(1500),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.bondOnEveryHost("xsnet_bond.management", bondWant{members: []string{"eth0", "eth1"}, mode: "balance-slb", mtu: 1500, management: true}),
				},
			},
		},
	})
}

// The rules validate decides from the configuration alone decide at plan
// when the value comes from a variable, as in a module.
func TestAccGuardrails_configRulesFromVariablesDecideAtPlan(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	tests := []struct {
		name, hcl string
		vars      config.Variables
		want      string
	}{
		{"mtu-range", `
variable "mtu" { type = number }
resource "xsnet_network" "n" {
  name_label = "n"
  mtu        = var.mtu
}`, config.Variables{"mtu": config.IntegerVariable(9500)}, `MTU Must Be 1500 To 9216`},
		{"vlan-tag-range", `
variable "tag" { type = number }
resource "xsnet_vlan" "v" {
  name_label        = "v"
  tag               = var.tag
  parent_network_id = "6a1c0b7e-2d3f-4e5a-8b9c-0d1e2f3a4b5c"
}`, config.Variables{"tag": config.IntegerVariable(4095)}, `VLAN Tag Must Be 1 To 4094`},
		{"bond-member-count", `
variable "members" { type = set(string) }
resource "xsnet_bond" "b" {
  name_label = "b"
  members    = var.members
}`, config.Variables{"members": config.SetVariable(config.StringVariable("eth2"))}, `Bond Needs 2 To 4 Distinct NICs`},
		{"hashing-algorithm-lacp", `
variable "hashing" { type = string }
resource "xsnet_bond" "b" {
  name_label        = "b"
  members           = ["eth2", "eth3"]
  hashing_algorithm = var.hashing
}`, config.Variables{"hashing": config.StringVariable("src_mac")}, `Hashing Algorithm Only With LACP`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool.refusedAtPlanWith(t, tt.hcl, tt.vars, `(?s)`+tt.want+`.*`+tt.name)
		})
	}
}

// refusedAtPlanWith is refusedAtPlan with configuration variables.
func (p *testPool) refusedAtPlanWith(t *testing.T, hcl string, vars config.Variables, want string) {
	t.Helper()
	before := p.baseline(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:          p.config(hcl),
			ConfigVariables: vars,
			ExpectError:     regexp.MustCompile(want),
		}},
	})
	if err := p.nothingLeftOver(before)(nil); err != nil {
		t.Error(err)
	}
}
