package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
)

// The topology xsnet comes from, applied from examples/pool-networking
// exactly as a user would: four hosts, a management bond at MTU 1500, a VM
// bond at MTU 9000 with VLANs 100-103 over it, and a private network.
func TestAccExample_poolNetworking(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	if pool.sim != nil {
		t.Setenv(envHost, pool.sim.URL())
		t.Setenv(envUsername, pool.sim.Username())
		t.Setenv(envPassword, pool.sim.Password())
	}
	// The example names its provider xsnet/xsnet, as users will.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "xsnet")
	before := pool.baseline(t)

	checks := []resource.TestCheckFunc{
		pool.bondOnEveryHost("xsnet_bond.management", bondWant{members: []string{"eth0", "eth1"}, mode: "balance-slb", mtu: 1500, management: true}),
		pool.bondOnEveryHost("xsnet_bond.vm", bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}),
		pool.managementOn("bond0"),
		pool.networkIs("xsnet_network.private", "Private (VM to VM)", 1500),
	}
	for tag := 100; tag <= 103; tag++ {
		checks = append(checks, pool.vlanOnEveryHost(fmt.Sprintf("xsnet_vlan.vm[\"%d\"]", tag), int64(tag), 9000))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{
				ConfigDirectory: config.StaticDirectory("../../examples/pool-networking"),
				Check:           resource.ComposeAggregateTestCheckFunc(checks...),
			},
			{
				// Applied again, nothing changes.
				ConfigDirectory:    config.StaticDirectory("../../examples/pool-networking"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
		},
	})
}
