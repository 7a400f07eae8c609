package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// networkChecks is what xsnet_network should say of a network, as the pool
// has it; its PIFs are listed host by host, master first.
func networkChecks(snap *poolnet.Snapshot, ref xenapi.Ref) map[string]knownvalue.Check {
	n := snap.Networks.Get(ref)
	otherConfig := map[string]knownvalue.Check{}
	for k, v := range poolnet.UserOtherConfig(n.OtherConfig) {
		otherConfig[k] = knownvalue.StringExact(v)
	}
	pifIDs := []knownvalue.Check{}
	for _, host := range snap.HostRefs() {
		for _, p := range sortedHostPIFs(snap, host) {
			if p.Network == ref {
				pifIDs = append(pifIDs, knownvalue.StringExact(p.UUID))
			}
		}
	}
	return map[string]knownvalue.Check{
		"id":               knownvalue.StringExact(n.UUID),
		"name_label":       knownvalue.StringExact(n.NameLabel),
		"name_description": knownvalue.StringExact(n.NameDescription),
		"mtu":              knownvalue.Int64Exact(n.MTU),
		"bridge":           knownvalue.StringExact(n.Bridge),
		"other_config":     knownvalue.MapExact(otherConfig),
		"pif_ids":          knownvalue.ListExact(pifIDs),
	}
}

func TestAccNetworkDataSource_byDeviceIsTheNICsPoolWideNetwork(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	snap := pool.snapshot(t)
	network := devicePIF(t, snap, snap.Pool.Master, "eth1").Network
	checks := networkChecks(snap, network)
	checks["device"] = knownvalue.StringExact("eth1")
	// One PIF per host: each host's eth1, and nothing else.
	var eth1s []knownvalue.Check
	for _, host := range snap.HostRefs() {
		eth1s = append(eth1s, knownvalue.StringExact(devicePIF(t, snap, host, "eth1").UUID))
	}
	checks["pif_ids"] = knownvalue.ListExact(eth1s)
	if pool.sim != nil {
		// As xapi names and bridges the network of a NIC.
		checks["name_label"] = knownvalue.StringExact("Pool-wide network associated with eth1")
		checks["bridge"] = knownvalue.StringExact("xenbr1")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            pool.config(`data "xsnet_network" "eth1" { device = "eth1" }`),
			ConfigStateChecks: expectAttributes("data.xsnet_network.eth1", checks),
		}},
	})
}

func TestAccNetworkDataSource_byNameLabel(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
	snap := pool.snapshot(t)
	network := devicePIF(t, snap, snap.Pool.Master, "eth2").Network
	checks := networkChecks(snap, network)
	checks["device"] = knownvalue.Null()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            pool.config(`data "xsnet_network" "eth2" { name_label = "` + snap.Networks.Get(network).NameLabel + `" }`),
			ConfigStateChecks: expectAttributes("data.xsnet_network.eth2", checks),
		}},
	})
}

func TestAccNetworkDataSource_privateNetworkHasNoPIFs(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	before := pool.baseline(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.nothingLeftOver(before),
		Steps: []resource.TestStep{{
			Config: pool.config(`
resource "xsnet_network" "private" {
  name_label       = "xsnet private"
  name_description = "VM to VM"
  mtu              = 9000
  other_config     = { owner = "platform" }
}

data "xsnet_network" "private" {
  name_label = xsnet_network.private.name_label
  depends_on = [xsnet_network.private]
}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs("data.xsnet_network.private", tfjsonpath.New("id"), "xsnet_network.private", tfjsonpath.New("id"), compare.ValuesSame()),
				statecheck.CompareValuePairs("data.xsnet_network.private", tfjsonpath.New("bridge"), "xsnet_network.private", tfjsonpath.New("bridge"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.xsnet_network.private", tfjsonpath.New("name_description"), knownvalue.StringExact("VM to VM")),
				statecheck.ExpectKnownValue("data.xsnet_network.private", tfjsonpath.New("mtu"), knownvalue.Int64Exact(9000)),
				statecheck.ExpectKnownValue("data.xsnet_network.private", tfjsonpath.New("other_config"), knownvalue.MapExact(map[string]knownvalue.Check{
					"owner": knownvalue.StringExact("platform"),
				})),
				statecheck.ExpectKnownValue("data.xsnet_network.private", tfjsonpath.New("pif_ids"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestAccNetworkDataSource_sharedNameListsTheCandidates(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	snap := pool.snapshot(t)
	eth1 := snap.Networks.Get(devicePIF(t, snap, snap.Pool.Master, "eth1").Network)
	// xapi lets two networks share a name: make a second one with eth1's.
	ref, err := pool.client.NetworkCreate(bg, xenapi.Network{NameLabel: eth1.NameLabel, MTU: 1500, OtherConfig: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pool.client.NetworkDestroy(bg, ref); err != nil {
			t.Errorf("destroying the second network: %v", err)
		}
	})
	second := pool.snapshot(t).Networks.Get(ref)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: pool.config(`data "xsnet_network" "n" { name_label = "` + eth1.NameLabel + `" }`),
				ExpectError: errorSays("Ambiguous Network Name", "2 networks", min(eth1.UUID, second.UUID), max(eth1.UUID, second.UUID),
					"look it up by device instead"),
			},
			{
				// The way out the error names works.
				Config: pool.config(`data "xsnet_network" "n" { device = "eth1" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.xsnet_network.n", tfjsonpath.New("id"), knownvalue.StringExact(eth1.UUID)),
				},
			},
		},
	})
}

func TestAccNetworkDataSource_unknownNameListsTheNetworks(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	snap := pool.snapshot(t)
	eth0 := snap.Networks.Get(devicePIF(t, snap, snap.Pool.Master, "eth0").Network)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      pool.config(`data "xsnet_network" "n" { name_label = "no-such-network" }`),
			ExpectError: errorSays("Network Not Found", `named "no-such-network"`, `"`+eth0.NameLabel+`"`),
		}},
	})
}

func TestAccNetworkDataSource_deviceNoHostHasIsAnError(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2})
	says := []string{"NIC Not Found", `NIC named "eth42"`}
	if pool.sim != nil {
		says = append(says, "eth0, eth1.")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      pool.config(`data "xsnet_network" "n" { device = "eth42" }`),
			ExpectError: errorSays(says...),
		}},
	})
}

func TestAccNetworkDataSource_takesExactlyOneOfNameLabelAndDevice(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 1, NICs: 1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      pool.config(`data "xsnet_network" "n" {}`),
				ExpectError: errorSays("Missing Attribute Configuration", "Exactly one of these attributes must be configured: [name_label,device]"),
			},
			{
				Config: pool.config(`data "xsnet_network" "n" {
  name_label = "Pool-wide network associated with eth0"
  device     = "eth0"
}`),
				ExpectError: errorSays("Invalid Attribute Combination", "name_label", "device"),
			},
		},
	})
}

// A pool whose hosts' NICs of one device are not all on one network, as
// after a PIF is forgotten and reintroduced: xapisim cannot make one, so
// these cases run over a snapshot made by hand.
func handMadePool() (*poolnet.Snapshot, map[string]xenapi.Ref) {
	refs := map[string]xenapi.Ref{}
	ref := func(name string) xenapi.Ref {
		refs[name] = xenapi.Ref("OpaqueRef:" + name)
		return refs[name]
	}
	snap := &poolnet.Snapshot{Pool: xenapi.Pool{Master: ref("xs1")}}
	for _, h := range []string{"xs1", "xs2", "xs3"} {
		snap.Hosts = snap.Hosts.With(ref(h), xenapi.Host{UUID: h + "-uuid", NameLabel: h})
	}
	for _, n := range []string{"net-eth0", "net-eth1", "net-eth1-again", "net-eth2", "net-bond"} {
		snap.Networks = snap.Networks.With(ref(n), xenapi.Network{UUID: n + "-uuid", NameLabel: n})
	}
	pif := func(name, host, device, network string, physical bool) {
		snap.PIFs = snap.PIFs.With(ref(name), xenapi.PIF{UUID: name, Host: refs[host], Device: device, Network: refs[network], VLAN: -1, Physical: physical})
	}
	for _, h := range []string{"xs1", "xs2", "xs3"} {
		pif(h+"-eth0", h, "eth0", "net-eth0", true)
		pif(h+"-bond0", h, "bond0", "net-bond", false)
	}
	pif("xs1-eth1", "xs1", "eth1", "net-eth1", true)
	pif("xs2-eth1", "xs2", "eth1", "net-eth1", true)
	pif("xs3-eth1", "xs3", "eth1", "net-eth1-again", true)
	pif("xs1-eth2", "xs1", "eth2", "net-eth2", true)
	pif("xs2-eth2", "xs2", "eth2", "net-eth2", true)
	return snap, refs
}

func TestNetworkOfDevice(t *testing.T) {
	snap, refs := handMadePool()
	tests := []struct {
		device string
		want   xenapi.Ref
		says   []string
	}{
		{device: "eth0", want: refs["net-eth0"]},
		{device: "eth1", says: []string{"Hosts Disagree on the NIC's Network", `on "xs3" it is on "net-eth1-again"`, "by name_label instead"}},
		{device: "eth2", says: []string{"NIC Not On Every Host", `"xs3" (xs3-uuid)`, "by name_label instead"}},
		{device: "bond0", says: []string{"NIC Not Found", "bond master", "by name_label instead"}},
		{device: "eth9", says: []string{"NIC Not Found", `NIC named "eth9"`, "eth0, eth1, eth2."}},
	}
	for _, tt := range tests {
		t.Run(tt.device, func(t *testing.T) {
			var diags diag.Diagnostics
			got, ok := networkOfDevice(snap, path.Root("device"), tt.device, &diags)
			if tt.says == nil {
				if !ok || got != tt.want || diags.HasError() {
					t.Fatalf("networkOfDevice(%q) = %s, %t, %v; want %s", tt.device, got, ok, diags, tt.want)
				}
				return
			}
			if ok || diags.ErrorsCount() != 1 {
				t.Fatalf("networkOfDevice(%q) = %s, %t, %v; want one error", tt.device, got, ok, diags)
			}
			d := diags.Errors()[0]
			if text := d.Summary() + "\n" + d.Detail(); !errorSays(tt.says...).MatchString(text) {
				t.Errorf("networkOfDevice(%q) says\n%s\nwant it to say %q", tt.device, text, tt.says)
			}
			if withPath, isAttr := d.(diag.DiagnosticWithPath); !isAttr || !withPath.Path().Equal(path.Root("device")) {
				t.Errorf("networkOfDevice(%q): the error should point at device", tt.device)
			}
		})
	}
}
