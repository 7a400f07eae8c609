package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
)

// The topology xsnet comes from, applied from examples/pool-networking
// exactly as a user applies it, with the terraform command: four hosts, a
// management bond at MTU 1500, a VM bond at MTU 9000 with VLANs 100-103
// over it, a storage VLAN over it with an address on every host, and a
// private network. Then a second plan finds nothing to do,
// and destroy leaves the pool as it was.
func TestAccExample_poolNetworking(t *testing.T) {
	t.Parallel()
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	w := newWorkdir(t, pool.cliEnv())
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "pool-networking", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	w.write(t, "main.tf", string(src))
	before := pool.baseline(t)
	// Bond.destroy plugs the members again, whatever they were.
	pifsBefore := pool.pifsAsBefore(t, "eth0", "eth1", "eth2", "eth3")

	if out, ok := w.run("apply", "-auto-approve"); !ok {
		t.Fatalf("terraform apply failed:\n%s", out)
	}
	out, ok := w.run("show", "-json")
	if !ok {
		t.Fatalf("terraform show failed:\n%s", out)
	}
	var state tfjson.State
	if err := state.UnmarshalJSON([]byte(out)); err != nil {
		t.Fatalf("reading terraform show -json: %v", err)
	}
	checks := []statecheck.StateCheck{
		pool.bondOnEveryHost("xsnet_bond.management", bondWant{members: []string{"eth0", "eth1"}, mode: "balance-slb", mtu: 1500, management: true}),
		pool.bondOnEveryHost("xsnet_bond.vm", bondWant{members: []string{"eth2", "eth3"}, mode: "balance-slb", mtu: 9000}),
		pool.networkIs("xsnet_network.private", "Private (VM to VM)", 1500),
	}
	for tag := 100; tag <= 103; tag++ {
		checks = append(checks, pool.vlanOnEveryHost(fmt.Sprintf("xsnet_vlan.vm[\"%d\"]", tag), int64(tag), 9000))
	}
	checks = append(checks, pool.vlanOnEveryHost("xsnet_vlan.storage", 20, 9000),
		pool.ipOnEveryHost("xsnet_ip_interface.storage", ipWant{addresses: []string{"10.0.20.11", "10.0.20.12", "10.0.20.13", "10.0.20.14"},
			netmask: "255.255.255.0", purpose: "Storage", disallow: true}))
	for _, c := range checks {
		var resp statecheck.CheckStateResponse
		c.CheckState(bg, statecheck.CheckStateRequest{State: &state}, &resp)
		if resp.Error != nil {
			t.Error(resp.Error)
		}
	}

	if out, ok := w.run("plan", "-detailed-exitcode"); !ok {
		t.Errorf("a second plan is not empty (or failed):\n%s", out)
	}
	if out, ok := w.run("destroy", "-auto-approve"); !ok {
		t.Fatalf("terraform destroy failed:\n%s", out)
	}
	if err := pool.nothingLeftOver(before)(nil); err != nil {
		t.Error(err)
	}
	if err := pifsBefore(nil); err != nil {
		t.Error(err)
	}
}
