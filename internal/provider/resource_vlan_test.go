package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
)

// nicNetwork returns the UUID of the pool-wide network of a NIC device.
func (p *testPool) nicNetwork(t *testing.T, device string) string {
	t.Helper()
	snap := p.snapshot(t)
	_, pif, ok := snap.DevicePIF(snap.Pool.Master, device)
	if !ok {
		t.Fatalf("the master has no %s", device)
	}
	return snap.Networks.Get(pif.Network).UUID
}

func TestAccVLAN_lifecycle(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	before := pool.baseline(t)
	parent := pool.nicNetwork(t, "eth1")
	const addr = "xsnet_vlan.web"
	vlan := func(name string, tag, mtu int) string {
		return pool.config(fmt.Sprintf(`
resource "xsnet_vlan" "web" {
  name_label        = %q
  tag               = %d
  parent_network_id = %q
  mtu               = %d
}`, name, tag, parent, mtu))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{
				Config: vlan("web", 100, 1500),
				ConfigStateChecks: []statecheck.StateCheck{
					pool.vlanOnEveryHost(addr, 100, 1500),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hosts"), knownvalue.MapSizeExact(4)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("parent_network_id"), knownvalue.StringExact(parent)),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				Config: vlan("web (renamed)", 100, 1500),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.vlanOnEveryHost(addr, 100, 1500)},
			},
			{
				Config: vlan("web", 200, 1500),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.vlanOnEveryHost(addr, 200, 1500)},
			},
		},
	})
}

// VLANs over a jumbo bond take the bond's MTU, and a lower one in place.
func TestAccVLAN_overBondMTU(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	before := pool.baseline(t)
	config := func(vlanMTU int) string {
		return pool.config(fmt.Sprintf(`
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}

resource "xsnet_vlan" "app" {
  name_label        = "VLAN 101"
  tag               = 101
  parent_network_id = xsnet_bond.vm.id
  mtu               = %d
}`, vlanMTU))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{
			{Config: config(9000), ConfigStateChecks: []statecheck.StateCheck{pool.vlanOnEveryHost("xsnet_vlan.app", 101, 9000)}},
			{Config: config(1500), ConfigStateChecks: []statecheck.StateCheck{pool.vlanOnEveryHost("xsnet_vlan.app", 101, 1500)}},
		},
	})
}

// A VLAN missing on a host, destroyed by hand, shows as a change and apply
// puts it back.
func TestAccVLAN_hostWithoutVLANIsRepaired(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 2})
	parent := pool.nicNetwork(t, "eth1")
	config := pool.config(fmt.Sprintf(`
resource "xsnet_vlan" "web" {
  name_label        = "VLAN 100"
  tag               = 100
  parent_network_id = %q
}`, parent))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{pool.vlanOnEveryHost("xsnet_vlan.web", 100, 1500)}},
			{
				PreConfig: func() {
					snap := pool.snapshot(t)
					for ref, v := range snap.VLANs.All() {
						if v.Tag == 100 && snap.PIFs.Get(v.TaggedPIF).Host != snap.Pool.Master {
							if err := pool.client.VLANDestroy(bg, ref); err != nil {
								t.Fatal(err)
							}
							return
						}
					}
					t.Fatal("no VLAN to destroy")
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xsnet_vlan.web", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{pool.vlanOnEveryHost("xsnet_vlan.web", 100, 1500)},
			},
		},
	})
}

// A state written when hosts held each host's VLAN object and tagged PIF
// as well reads as hosts holds now, each host's PIF alone, and plans no
// change without a refresh.
func TestAccVLAN_upgradesStateOfVersion0(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	w := newWorkdir(t, nil)
	w.inProcess = t
	w.write(t, "main.tf", requiredProviders+pool.config(fmt.Sprintf(`
resource "xsnet_vlan" "web" {
  name_label        = "web"
  tag               = 100
  parent_network_id = %q
}`, pool.nicNetwork(t, "eth1"))))
	if out, code := w.exec("apply", "-auto-approve"); code != 0 {
		t.Fatalf("apply:\n%s", out)
	}
	statePath := filepath.Join(w.dir, "terraform.tfstate")
	var state map[string]any
	readJSON(t, statePath, &state)
	attrs := state["resources"].([]any)[0].(map[string]any)["instances"].([]any)[0].(map[string]any)
	hosts := attrs["attributes"].(map[string]any)["hosts"].(map[string]any)
	if len(hosts) != 2 {
		t.Fatalf("hosts %v, want 2", hosts)
	}
	v0 := map[string]any{}
	for host, pif := range hosts {
		v0[host] = map[string]any{"vlan_id": "vlan-" + host, "tagged_pif_id": "tagged-" + host, "untagged_pif_id": pif}
	}
	attrs["attributes"].(map[string]any)["hosts"] = v0
	attrs["schema_version"] = 0
	writeJSON(t, statePath, state)

	if out, code := w.exec("plan", "-refresh=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan of the upgraded state is not empty (exit %d):\n%s", code, out)
	}
	// An apply with nothing to do writes the state as the provider
	// upgraded it, without reading the pool.
	if out, code := w.exec("apply", "-refresh=false", "-auto-approve"); code != 0 {
		t.Fatalf("apply of the upgraded state:\n%s", out)
	}
	readJSON(t, statePath, &state)
	attrs = state["resources"].([]any)[0].(map[string]any)["instances"].([]any)[0].(map[string]any)
	if v := attrs["schema_version"]; v != 1.0 {
		t.Errorf("schema_version %v, want 1", v)
	}
	if got := attrs["attributes"].(map[string]any)["hosts"]; !reflect.DeepEqual(got, hosts) {
		t.Errorf("hosts after the upgrade %v, want %v", got, hosts)
	}
	if out, code := w.exec("destroy", "-auto-approve"); code != 0 {
		t.Fatalf("destroy:\n%s", out)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
