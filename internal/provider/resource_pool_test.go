package provider

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// standalone returns the address of the simulator's first standalone host
// and a client logged in to it.
func (p *testPool) standalone(t *testing.T) (string, *xenapi.Client) {
	t.Helper()
	if p.sim == nil {
		t.Skip("joining a host needs the simulated pool's standalone hosts")
	}
	u, err := url.Parse(p.sim.StandaloneURLs()[0])
	if err != nil {
		t.Fatal(err)
	}
	c, err := xenapi.NewClient(xenapi.Config{URL: u.String(), Username: p.sim.Username(), Password: p.sim.Password()})
	if err != nil {
		t.Fatal(err)
	}
	return u.Host, c
}

// lateString is a configuration variable whose value is read when the step
// runs, not when the test case is written.
type lateString struct{ v *string }

func (l lateString) MarshalJSON() ([]byte, error) { return json.Marshal(*l.v) }

// poolHas checks through the client how many hosts the pool has, and that
// every one is enabled and live.
func (p *testPool) poolHas(n int) statecheck.StateCheck {
	return poolCheck(func(*tfjson.State) error {
		snap, err := poolnet.TakeSnapshot(bg, p.client)
		if err != nil {
			return err
		}
		if snap.Hosts.Len() != n {
			return fmt.Errorf("the pool has %d hosts, want %d", snap.Hosts.Len(), n)
		}
		for ref, h := range snap.Hosts.All() {
			if !h.Enabled || !snap.Live(ref) {
				return fmt.Errorf("host %s: enabled=%t live=%t", h.NameLabel, h.Enabled, snap.Live(ref))
			}
		}
		return nil
	})
}

func TestAccPool_adoptNameJoinEject(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2, Standalone: 1})
	address, _ := pool.standalone(t)
	var joined string
	const addr = "xsnet_pool.this"
	join := fmt.Sprintf(`
  join = {
    %q = { %s = %q }
  }`, address, joinPasswordAttribute(), pool.sim.Password())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Adopting changes only what it is told to.
				Config: pool.config(`
resource "xsnet_pool" "this" {
  name_label = "production"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name_label"), knownvalue.StringExact("production")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hosts"), knownvalue.ListSizeExact(2)),
					pool.poolHas(2),
					poolCheck(func(*tfjson.State) error {
						if name := pool.snapshot(t).Pool.NameLabel; name != "production" {
							return fmt.Errorf("the pool is named %q", name)
						}
						return nil
					}),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				// Joining waits until the host is an enabled, live member.
				Config: pool.config(`
resource "xsnet_pool" "this" {
  name_label = "production"` + join + `
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.poolHas(3),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hosts"), knownvalue.ListSizeExact(3)),
				},
			},
			{
				// A host already in the pool is a no-op.
				Config: pool.config(`
resource "xsnet_pool" "this" {
  name_label = "production"` + join + `
}`),
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					ref, _, ok := pool.snapshot(t).HostByAddress(address)
					if !ok {
						t.Fatalf("%s is not in the pool", address)
					}
					joined = pool.snapshot(t).Hosts.Get(ref).UUID
				},
				Config: pool.config(`
variable "joined" {
  type = string
}

resource "xsnet_pool" "this" {
  name_label = "production"
  eject      = [var.joined]
}`),
				// The UUID is known only once the host has joined.
				ConfigVariables:   config.Variables{"joined": lateString{&joined}},
				ConfigStateChecks: []statecheck.StateCheck{pool.poolHas(2)},
			},
		},
	})
}

// A host xapi would refuse is refused at plan: here, one that has a bond.
func TestAccPool_joiningHostWithBondIsRefusedAtPlan(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Standalone: 1})
	address, joiner := pool.standalone(t)
	if _, err := poolnet.NewModel(joiner, poolnet.Options{}).CreateBond(bg, poolnet.BondSpec{NameLabel: "local bond", Members: []string{"eth2", "eth3"}, Mode: xenapi.BondModeBalanceSLB, MTU: 1500}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(fmt.Sprintf(`
resource "xsnet_pool" "this" {
  join = {
    %q = { %s = %q }
  }
}`, address, joinPasswordAttribute(), pool.sim.Password())),
			ExpectError: regexp.MustCompile(`(?s)Host Cannot Join The Pool As It Is.*pool-join-host`),
		}},
	})
	if snap := pool.snapshot(t); snap.Hosts.Len() != 2 {
		t.Errorf("the pool has %d hosts after a refused join", snap.Hosts.Len())
	}
}

func TestAccPool_ejectingTheMasterIsRefused(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`
data "xsnet_pool" "this" {}

resource "xsnet_pool" "this" {
  eject = [data.xsnet_pool.this.master]
}`),
			ExpectError: regexp.MustCompile(`Cannot Eject the Pool Master`),
		}},
	})
}
