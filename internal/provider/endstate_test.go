package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
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
	resource.Test(t, resource.TestCase{
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
	resource.Test(t, resource.TestCase{
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

// refusal matches a refusal in terraform's output, which wraps long lines:
// each fragment in turn, its spaces matching any run of white space.
func refusal(fragments ...string) *regexp.Regexp {
	parts := make([]string, len(fragments))
	for i, f := range fragments {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(f)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// unchangedSince fails the test if the pool differs from a baseline: a
// refused plan or apply changes nothing.
func (p *testPool) unchangedSince(t *testing.T, mark map[string]string) {
	t.Helper()
	if err := p.nothingLeftOver(mark)(nil); err != nil {
		t.Error(err)
	}
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
		if len(snap.Bonds) > 0 {
			return fmt.Errorf("%d bonds are left in the pool", len(snap.Bonds))
		}
		for _, ref := range snap.HostRefs() {
			if _, pif, ok := snap.ManagementPIF(ref); !ok || pif.MTU != 1500 {
				return fmt.Errorf("host %s: management on %q at MTU %d", snap.Hosts[ref].NameLabel, pif.Device, pif.MTU)
			}
		}
		return nil
	}
}
