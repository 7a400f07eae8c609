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

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
)

func TestAccNetwork_lifecycle(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	before := pool.baseline(t)
	const addr = "xsnet_network.private"
	network := func(name string, mtu int) string {
		return pool.config(fmt.Sprintf(`
resource "xsnet_network" "private" {
  name_label       = %q
  name_description = "VM to VM"
  mtu              = %d
  other_config     = { owner = "platform" }
}`, name, mtu))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{
				Config: network("private", 1500),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.networkIs(addr, "private", 1500),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("bridge"), knownvalue.StringRegexp(regexpMust(`^xapi\d+$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("other_config"), knownvalue.MapExact(map[string]knownvalue.Check{
						"owner": knownvalue.StringExact("platform"),
					})),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				Config: network("private-jumbo", 9000),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.networkIs(addr, "private-jumbo", 9000)},
			},
		},
	})
}

func (p *testPool) networkIs(address, name string, mtu int64) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		id, err := stateID(s, address)
		if err != nil {
			return err
		}
		snap, err := poolnetSnapshot(p)
		if err != nil {
			return err
		}
		_, n, ok := snap.NetworkByUUID(id)
		switch {
		case !ok:
			return fmt.Errorf("network %s is not in the pool", id)
		case n.NameLabel != name || n.MTU != mtu:
			return fmt.Errorf("network %s is %q with MTU %d, want %q with MTU %d", id, n.NameLabel, n.MTU, name, mtu)
		}
		return nil
	})
}
