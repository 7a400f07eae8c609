package provider

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
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

// pifsFingerprint is what "as it was before" means for IP interfaces and
// management: every PIF's IP configuration, whether it is plugged, whether
// it may be unplugged, its purpose, and whether it carries management.
// Whether the NICs of bonded are plugged is left out: Bond.destroy plugs
// the members again, whatever they were before.
func pifsFingerprint(snap *poolnet.Snapshot, bonded ...string) map[string]string {
	f := map[string]string{}
	for p := range snap.PIFs.Values() {
		attached := fmt.Sprint(p.CurrentlyAttached)
		if p.Physical && slices.Contains(bonded, p.Device) {
			attached = "(as Bond.destroy leaves it)"
		}
		f[p.UUID] = fmt.Sprintf("%s/%d %s %s/%s gw=%s dns=%s attached=%s disallow=%t purpose=%q management=%t",
			p.Device, p.VLAN, p.IPConfigurationMode, p.IP, p.Netmask, p.Gateway, p.DNS, attached, p.DisallowUnplug,
			p.OtherConfig[poolnet.PurposeKey], p.Management)
	}
	return f
}

// pifsAsBefore checks, after destroy, that every PIF there was before is
// as it was (see pifsFingerprint for bonded), and that the pool has
// nothing else.
func (p *testPool) pifsAsBefore(t *testing.T, bonded ...string) resource.TestCheckFunc {
	t.Helper()
	before := pifsFingerprint(p.snapshot(t), bonded...)
	networks := p.baseline(t)
	return func(s *terraform.State) error {
		if err := p.pifsUnchanged(before, nil, bonded...); err != nil {
			return err
		}
		return p.nothingLeftOver(networks)(s)
	}
}

// pifsUnchanged checks that every PIF of before is as it was, and that
// every other PIF is a NIC, without an address unless it carries
// management, of a host that joined since: one not among hostsBefore, by
// UUID (nil when no host was to join).
func (p *testPool) pifsUnchanged(before map[string]string, hostsBefore map[string]bool, bonded ...string) error {
	snap, err := poolnet.TakeSnapshot(bg, p.client)
	if err != nil {
		return err
	}
	after := pifsFingerprint(snap, bonded...)
	var diffs []string
	for uuid, b := range before {
		if after[uuid] != b {
			diffs = append(diffs, fmt.Sprintf("PIF %s: %s, was %s", uuid, after[uuid], b))
		}
	}
	for pif := range snap.PIFs.Values() {
		if _, ok := before[pif.UUID]; ok {
			continue
		}
		fresh := pif.Physical && (pif.IPConfigurationMode == xenapi.IPConfigurationNone) != pif.Management &&
			!pif.DisallowUnplug && len(pif.OtherConfig) == 0
		if hostsBefore == nil || hostsBefore[snap.Hosts.Get(pif.Host).UUID] || !fresh {
			diffs = append(diffs, fmt.Sprintf("PIF %s of host %s is new: %s %v", pif.UUID, snap.Hosts.Get(pif.Host).NameLabel, after[pif.UUID], pif.OtherConfig))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return fmt.Errorf("the PIFs are not as they were before the test:\n%s", strings.Join(diffs, "\n"))
	}
	return nil
}

// ipWant is what every host's PIF on an IP interface's network should be,
// host i (the pool's order, master first) having addresses[i].
type ipWant struct {
	addresses []string
	netmask   string
	purpose   string
	disallow  bool
}

// ipOnEveryHost checks through the client that every host's PIF on the
// interface's network has its address, netmask, purpose and
// disallow_unplug, is plugged, and carries xsnet's record.
func (p *testPool) ipOnEveryHost(address string, want ipWant) statecheck.StateCheck {
	return poolCheck(func(s *tfjson.State) error {
		id, err := stateID(s, address)
		if err != nil {
			return err
		}
		snap, err := poolnet.TakeSnapshot(bg, p.client)
		if err != nil {
			return err
		}
		netRef, _, ok := snap.NetworkByUUID(id)
		if !ok {
			return fmt.Errorf("%s: network %s is not in the pool", address, id)
		}
		if len(snap.HostRefs()) != len(want.addresses) {
			return fmt.Errorf("the pool has %d hosts, the check %d addresses", len(snap.HostRefs()), len(want.addresses))
		}
		for i, host := range snap.HostRefs() {
			_, pif, ok := snap.NetworkPIF(host, netRef)
			name := snap.Hosts.Get(host).NameLabel
			switch {
			case !ok:
				return fmt.Errorf("host %s has no PIF on %s", name, id)
			case pif.IPConfigurationMode != xenapi.IPConfigurationStatic || pif.IP != want.addresses[i] || pif.Netmask != want.netmask:
				return fmt.Errorf("host %s: %s %s/%s, want Static %s/%s", name, pif.IPConfigurationMode, pif.IP, pif.Netmask,
					want.addresses[i], want.netmask)
			case !pif.CurrentlyAttached:
				return fmt.Errorf("host %s: PIF %s is not plugged", name, pif.Device)
			case pif.DisallowUnplug != want.disallow || pif.OtherConfig[poolnet.PurposeKey] != want.purpose:
				return fmt.Errorf("host %s: disallow_unplug %t purpose %q, want %t %q", name, pif.DisallowUnplug,
					pif.OtherConfig[poolnet.PurposeKey], want.disallow, want.purpose)
			case pif.OtherConfig["xsnet_ip_before"] == "":
				return fmt.Errorf("host %s: PIF %s has no record of what it had before", name, pif.Device)
			}
		}
		return nil
	})
}

// hostNames are the pool's host names, master first.
func (p *testPool) hostNames(t *testing.T) []string {
	t.Helper()
	snap := p.snapshot(t)
	var names []string
	for _, ref := range snap.HostRefs() {
		names = append(names, snap.Hosts.Get(ref).NameLabel)
	}
	return names
}

// The whole life of a storage interface on a NIC's network, whose PIFs
// are unplugged until then: create numbered from a start address, import,
// update in place with addresses by name, drift put right, and destroy,
// after which every PIF is as it was, unplugged again.
func TestAccIPInterface_lifecycle(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	network := pool.nicNetwork(t, "eth3")
	names := pool.hostNames(t)
	const addr = "xsnet_ip_interface.storage"
	numbered := pool.config(fmt.Sprintf(`
resource "xsnet_ip_interface" "storage" {
  network_id    = %q
  mode          = "static"
  start_address = "10.0.30.11"
  netmask       = "255.255.255.0"
  dns           = ["10.0.30.2"]
  purpose       = "Storage"
}`, network))
	byName := pool.config(fmt.Sprintf(`
resource "xsnet_ip_interface" "storage" {
  network_id      = %q
  mode            = "static"
  addresses       = { %q = "10.0.30.21", %q = "10.0.30.22", %q = "10.0.30.23", %q = "10.0.30.24" }
  prefix_length   = 24
  purpose         = "iSCSI"
  disallow_unplug = false
}`, network, names[0], names[1], names[2], names[3]))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             pool.pifsAsBefore(t),
		Steps: []resource.TestStep{
			{
				Config: numbered,
				ConfigStateChecks: []statecheck.StateCheck{
					pool.ipOnEveryHost(addr, ipWant{addresses: []string{"10.0.30.11", "10.0.30.12", "10.0.30.13", "10.0.30.14"},
						netmask: "255.255.255.0", purpose: "Storage", disallow: true}),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hosts"), knownvalue.MapSizeExact(4)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(network)),
				},
			},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				// Imported, the addresses are read back one by one.
				ImportStateVerifyIgnore: []string{"start_address", "addresses"},
			},
			{
				Config: byName,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					pool.ipOnEveryHost(addr, ipWant{addresses: []string{"10.0.30.21", "10.0.30.22", "10.0.30.23", "10.0.30.24"},
						netmask: "255.255.255.0", purpose: "iSCSI"}),
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"prefix_length", "netmask"}},
			{
				// Changed by hand: one host's address, another's PIF
				// unplugged. The plan puts both right.
				PreConfig: func() {
					snap := pool.snapshot(t)
					netRef, _, _ := snap.NetworkByUUID(network)
					hosts := snap.HostRefs()
					a, _, _ := snap.NetworkPIF(hosts[1], netRef)
					if err := pool.client.PIFReconfigureIP(bg, a, xenapi.IPConfigurationStatic, "10.0.30.99", "255.255.255.0", "", ""); err != nil {
						t.Fatal(err)
					}
					b, _, _ := snap.NetworkPIF(hosts[2], netRef)
					if err := pool.client.PIFUnplug(bg, b); err != nil {
						t.Fatal(err)
					}
				},
				Config: byName,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					pool.ipOnEveryHost(addr, ipWant{addresses: []string{"10.0.30.21", "10.0.30.22", "10.0.30.23", "10.0.30.24"},
						netmask: "255.255.255.0", purpose: "iSCSI"}),
				},
			},
		},
	})
}

// A storage VLAN with an address per host, as examples/pool-networking
// has it; a host that joins the pool later shows as a change and takes
// the next address; destroy leaves the pool as it was.
func TestAccIPInterface_hostJoinsLater(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4, Standalone: 1})
	address, joiner := pool.standalone(t)
	before := pifsFingerprint(pool.snapshot(t))
	hostsBefore := map[string]bool{}
	for h := range pool.snapshot(t).Hosts.Values() {
		hostsBefore[h.UUID] = true
	}
	const addr = "xsnet_ip_interface.storage"
	config := pool.config(`
data "xsnet_network" "eth2" {
  device = "eth2"
}

resource "xsnet_vlan" "storage" {
  name_label        = "Storage"
  tag               = 20
  parent_network_id = data.xsnet_network.eth2.id
}

resource "xsnet_ip_interface" "storage" {
  network_id    = xsnet_vlan.storage.id
  mode          = "static"
  start_address = "10.0.20.11"
  netmask       = "255.255.255.0"
  purpose       = "Storage"
}`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// The joined host's PIFs are as pool.join left them.
		CheckDestroy: func(*terraform.State) error { return pool.pifsUnchanged(before, hostsBefore) },
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					pool.ipOnEveryHost(addr, ipWant{addresses: []string{"10.0.20.11", "10.0.20.12"}, netmask: "255.255.255.0",
						purpose: "Storage", disallow: true}),
				},
			},
			{
				PreConfig: func() {
					if err := pool.model.JoinHost(bg, joiner, address, pool.sim.Username(), pool.sim.Password()); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					pool.ipOnEveryHost(addr, ipWant{addresses: []string{"10.0.20.11", "10.0.20.12", "10.0.20.13"}, netmask: "255.255.255.0",
						purpose: "Storage", disallow: true}),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hosts"), knownvalue.MapSizeExact(3)),
				},
			},
		},
	})
}

// The guardrails of an IP interface, at plan, with the pool untouched.
func TestAccIPInterface_guardrails(t *testing.T) {
	t.Run("an address the pool has already", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		// 192.0.2.12 is the management address of the second host.
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_ip_interface" "storage" {
  network_id    = %q
  mode          = "static"
  start_address = "192.0.2.11"
  netmask       = "255.255.255.0"
}`, pool.nicNetwork(t, "eth3")), `(?s)IP Address Used Twice.*Address 192.0.2.11 would be on host.*ip-address-unique`)
	})
	t.Run("the network that carries management", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_ip_interface" "management" {
  network_id = %q
  mode       = "dhcp"
}`, pool.nicNetwork(t, "eth0")), `(?s)No IP Interface On The Management Network.*ip-interface-management`)
	})
	t.Run("a management purpose on a jumbo VLAN", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, `
resource "xsnet_bond" "trunk" {
  name_label = "Trunk"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}

resource "xsnet_vlan" "jumbo" {
  name_label        = "Jumbo"
  tag               = 30
  parent_network_id = xsnet_bond.trunk.id
  mtu               = 9000
}

resource "xsnet_ip_interface" "secondary" {
  network_id    = xsnet_vlan.jumbo.id
  mode          = "static"
  start_address = "10.0.30.11"
  netmask       = "255.255.255.0"
  purpose       = "Secondary management"
}`, `(?s)Management Interface MTU Must Be 1500.*Secondary management`)
	})
	t.Run("a host left without an address", func(t *testing.T) {
		pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 4})
		pool.refusedAtPlan(t, fmt.Sprintf(`
resource "xsnet_ip_interface" "storage" {
  network_id = %q
  mode       = "static"
  addresses  = { %q = "10.0.30.11" }
  netmask    = "255.255.255.0"
}`, pool.nicNetwork(t, "eth3"), pool.hostNames(t)[0]), `(?s)IP Configuration Must Fit Its Subnet.*gives no address to host`)
	})
}
