package guardrail

// Rule describes one guardrail, for diagnostics and for the guardrails
// guide.
type Rule struct {
	// ID is the rule's stable name in kebab-case, as diagnostics and the
	// guide show it.
	ID string
	// Title states the rule in Title Case; it is the summary of the
	// rule's errors.
	Title string
	// Resources are the resource types the rule applies to.
	Resources []string
	// Validate says what the rule decides from the configuration alone, at
	// terraform validate; empty when it needs the pool.
	Validate string
	// Plan says what the rule adds at terraform plan, with the pool's facts.
	Plan string
	// Why is one sentence that names the failure the rule prevents.
	Why string
	// Fix says what to write instead.
	Fix string
	// Bad and Good are HCL examples: a configuration the rule refuses, and
	// the same one fixed.
	Bad, Good string
}

// The rule IDs.
const (
	IDManagementMTU        = "management-mtu"
	IDManagementSingle     = "management-single"
	IDManagementKept       = "management-kept"
	IDManagementMember     = "management-member"
	IDBondMode             = "bond-mode"
	IDMTURange             = "mtu-range"
	IDVLANTagRange         = "vlan-tag-range"
	IDBondMemberCount      = "bond-member-count"
	IDHashingAlgorithmLACP = "hashing-algorithm-lacp"
	IDVLANMTUParent        = "vlan-mtu-parent"
	IDVLANTagUnique        = "vlan-tag-unique"
	IDBondMemberFree       = "bond-member-free"
	IDPoolJoinHost         = "pool-join-host"
	IDIPConfig             = "ip-config"
	IDIPAddressUnique      = "ip-address-unique"
	IDIPInterfaceMgmt      = "ip-interface-management"
)

var ruleManagementMTU = &Rule{
	ID:        IDManagementMTU,
	Title:     "Management Interface MTU Must Be 1500",
	Resources: []string{"xsnet_bond", "xsnet_vlan", "xsnet_network", "xsnet_pool", "xsnet_management_interface", "xsnet_ip_interface"},
	Validate:  "a bond with `management = true` and an `mtu` other than 1500.",
	Plan: "the pool as the plan leaves it: on every host, the interface that carries management, whatever it is (a " +
		"NIC, a bond, or a VLAN, over a jumbo bond or not), has MTU 1500, whichever change puts management there or " +
		"changes its MTU: a bond over a host's management NIC, `management = true` or `false`, an " +
		"`xsnet_management_interface` or its destroy, a destroyed bond returning management where it came from, a host " +
		"joining onto one of the pool's bonds, an MTU raised on the interface that carries management. An " +
		"`xsnet_ip_interface` whose `purpose` names management (such as XenCenter's \"Management\") is held to the " +
		"same MTU. A pool that has such a management interface already gets a warning on every plan.",
	Why: "XenServer 6.1 hosts whose management interface is on a bond with an MTU above 1500 drop out of the pool " +
		"after a reboot: xapi stops answering while SSH still works, and an emergency network reset helps only " +
		"until the next reboot.",
	Fix: "Set mtu = 1500 on the bond or VLAN that carries management (an in-place change), and carry jumbo frames " +
		"on a separate bond or VLAN for VM or storage traffic.",
	Bad: `resource "xsnet_bond" "management" {
  members    = ["eth0", "eth1"]
  management = true
  mtu        = 9000
}`,
	Good: `resource "xsnet_bond" "management" {
  members    = ["eth0", "eth1"]
  management = true
  mtu        = 1500
}

# Jumbo frames go on a bond of their own.
resource "xsnet_bond" "storage" {
  members = ["eth2", "eth3"]
  mtu     = 9000
}`,
}

var ruleManagementKept = &Rule{
	ID:        IDManagementKept,
	Title:     "The Interface That Carries Management Stays",
	Resources: []string{"xsnet_vlan", "xsnet_network"},
	Plan:      "destroying a VLAN or network that carries a host's management interface.",
	Why: "xapi refuses to destroy the PIF that carries management (PIF_IS_MANAGEMENT_INTERFACE) half-way through " +
		"the destroy, after the VLAN is gone from the other hosts.",
	Fix: "Move management off it first, in an apply of its own (management = true on a bond at MTU 1500, or " +
		"xe host-management-reconfigure), then destroy it.",
	Bad: `# Management was moved onto this VLAN by hand.
resource "xsnet_vlan" "mgmt" {
  parent_network_id = xsnet_bond.trunk.id
  tag               = 10
}`,
	Good: `# Management moved back onto the bond first, in an apply of its own.
resource "xsnet_bond" "trunk" {
  members    = ["eth0", "eth1"]
  management = true
}`,
}

var ruleManagementSingle = &Rule{
	ID:        IDManagementSingle,
	Title:     "One Interface Carries Management",
	Resources: []string{"xsnet_bond", "xsnet_management_interface"},
	Plan: "two requests for management, in the pool or in the plan: two bonds with `management = true`, two " +
		"`xsnet_management_interface` resources, or one of each.",
	Why: "A host has one management interface: the second move takes it from the first interface half-way through " +
		"the apply, and where management ends up depends on the order Terraform applies the two in.",
	Fix: "Ask for management in one place only: one bond with management = true, or one xsnet_management_interface. " +
		"To move management from one to the other, give it up on the old one (management = false, or remove the " +
		"resource) and ask for it on the new one in the same apply.",
	Bad: `resource "xsnet_bond" "a" {
  members    = ["eth0", "eth1"]
  management = true
}

resource "xsnet_bond" "b" {
  members    = ["eth2", "eth3"]
  management = true
}`,
	Good: `resource "xsnet_bond" "a" {
  members    = ["eth0", "eth1"]
  management = false
}

resource "xsnet_bond" "b" {
  members    = ["eth2", "eth3"]
  management = true
}`,
}

var ruleManagementMember = &Rule{
	ID:        IDManagementMember,
	Title:     "Bond Over A Management PIF Carries Management",
	Resources: []string{"xsnet_bond"},
	Plan: "a bond with `management = false` that would carry management all the same: a member is a host's " +
		"management NIC, or the bond being replaced carried it.",
	Why: "xapi moves a host's management interface onto a bond made from its management PIF whatever the " +
		"configuration says, so the bond's MTU becomes the management MTU and the apply ends in a state the " +
		"configuration contradicts.",
	Fix: "Set management = true (with mtu = 1500), or bond NICs that are not a host's management PIF.",
	Bad: `# eth0 is every host's management PIF.
resource "xsnet_bond" "vm" {
  members    = ["eth0", "eth1"]
  management = false
  mtu        = 9000
}`,
	Good: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
  mtu     = 9000
}`,
}

var ruleBondMode = &Rule{
	ID:        IDBondMode,
	Title:     "Bond Mode Must Be Allowed",
	Resources: []string{"xsnet_bond", "provider"},
	Validate: "a bond `mode` other than `balance-slb`, unless the provider's `guardrails` block allows it; " +
		"every plan under such a relaxed policy carries a warning on each bond.",
	Why: "XenServer's balance-slb bonds need no switch support, and switch ports set up as a LAG under one, " +
		"or an LACP bond without a LAG on the switch, give intermittent packet loss.",
	Fix: `Set mode = "balance-slb" and leave the switch ports out of any LAG. To use another mode on purpose, ` +
		`list it in the provider's guardrails { allowed_bond_modes } and configure the switch to match.`,
	Bad: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
  mode    = "lacp"
}`,
	Good: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
  mode    = "balance-slb"
}

# Or, deliberately, with the switch ports in an LACP LAG:
provider "xsnet" {
  guardrails {
    allowed_bond_modes = ["balance-slb", "lacp"]
  }
}`,
}

var ruleMTURange = &Rule{
	ID:        IDMTURange,
	Title:     "MTU Must Be 1500 To 9216",
	Resources: []string{"xsnet_bond", "xsnet_vlan", "xsnet_network"},
	Validate:  "an `mtu` below 1500 or above 9216.",
	Why: "xapi accepts any MTU and applies it only when a PIF is next plugged, often at a reboot: below 1500 " +
		"the host drops full-size frames from its peers, and above 9216 NIC drivers refuse it and the network " +
		"does not come up on that host.",
	Fix: "Set mtu between 1500 and 9216: 1500 for ordinary traffic, 9000 for jumbo frames the switches carry end to end.",
	Bad: `resource "xsnet_network" "storage" {
  name_label = "Storage"
  mtu        = 9600
}`,
	Good: `resource "xsnet_network" "storage" {
  name_label = "Storage"
  mtu        = 9000
}`,
}

var ruleVLANTagRange = &Rule{
	ID:        IDVLANTagRange,
	Title:     "VLAN Tag Must Be 1 To 4094",
	Resources: []string{"xsnet_vlan"},
	Validate:  "a `tag` outside 1 to 4094.",
	Why: "xapi refuses a tag above 4094 with VLAN_TAG_INVALID only halfway through the apply, and takes tag 0, " +
		"which is 802.1p priority tagging that switches put on the untagged native VLAN.",
	Fix: "Set tag to the 802.1Q VLAN ID the switch trunk carries, from 1 to 4094.",
	Bad: `resource "xsnet_vlan" "vm" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 0
}`,
	Good: `resource "xsnet_vlan" "vm" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 100
}`,
}

var ruleBondMemberCount = &Rule{
	ID:        IDBondMemberCount,
	Title:     "Bond Needs 2 To 4 Distinct NICs",
	Resources: []string{"xsnet_bond"},
	Validate:  "fewer than 2 or more than 4 distinct `members`, and a NIC listed twice.",
	Plan:      "more than 2 members on a pool with the bridge network backend.",
	Why: "A bond of one NIC fails over to nothing when that NIC or its switch port goes down, XenServer bonds " +
		"at most 4 NICs on openvswitch and 2 on the Linux bridge, and xapi silently folds a NIC listed twice.",
	Fix: "List 2 to 4 distinct NICs in members, exactly 2 on a pool with the bridge network backend.",
	Bad: `resource "xsnet_bond" "vm" {
  members = ["eth2"]
}`,
	Good: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
}`,
}

var ruleHashingAlgorithmLACP = &Rule{
	ID:        IDHashingAlgorithmLACP,
	Title:     "Hashing Algorithm Only With LACP",
	Resources: []string{"xsnet_bond"},
	Validate:  "`hashing_algorithm` on a bond whose mode is not `lacp`, or a value other than `src_mac` or `tcpudp_ports`.",
	Why: "xapi takes hashing_algorithm only on an LACP bond: on any other mode, or with another value, " +
		"Bond.create fails with INVALID_VALUE halfway through the apply, after the bond's network exists.",
	Fix: `Remove hashing_algorithm, or set mode = "lacp" (allowed by the provider's guardrails policy) with ` +
		`hashing_algorithm = "src_mac" or "tcpudp_ports".`,
	Bad: `resource "xsnet_bond" "vm" {
  members           = ["eth2", "eth3"]
  mode              = "balance-slb"
  hashing_algorithm = "src_mac"
}`,
	Good: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
  mode    = "balance-slb"
}`,
}

var ruleVLANMTUParent = &Rule{
	ID:        IDVLANMTUParent,
	Title:     "VLAN MTU Must Not Exceed Its Parent's",
	Resources: []string{"xsnet_vlan"},
	Plan: "the pool as the plan leaves it: a VLAN whose MTU is above its parent network's, whether the plan raises " +
		"the VLAN, lowers the parent, or makes both.",
	Why: "A VLAN's frames travel on its parent's PIFs, so a VLAN MTU above the parent's makes the host send " +
		"frames the parent drops: small packets pass and large transfers hang.",
	Fix: "Set the VLAN's mtu no higher than its parent network's, or raise the parent's mtu first.",
	Bad: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
  mtu     = 1500
}

resource "xsnet_vlan" "storage" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 20
  mtu               = 9000
}`,
	Good: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
  mtu     = 9000
}

resource "xsnet_vlan" "storage" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 20
  mtu               = 9000
}`,
}

var ruleVLANTagUnique = &Rule{
	ID:        IDVLANTagUnique,
	Title:     "VLAN Tag Already Used On This Parent",
	Resources: []string{"xsnet_vlan"},
	Plan: "two VLAN networks on the same parent network with the same `tag`, in the pool or planned in the same " +
		"configuration, whichever is planned second.",
	Why: "xapi refuses a second VLAN with the same tag on the same PIF (PIF_VLAN_EXISTS) only during the apply, " +
		"once pool.create_VLAN_from_PIF has begun and the new network exists.",
	Fix: "Keep one xsnet_vlan per parent and tag: import the existing VLAN network instead, or pick a free tag.",
	Bad: `resource "xsnet_vlan" "vm" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 100
}

resource "xsnet_vlan" "vm_again" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 100
}`,
	Good: `resource "xsnet_vlan" "vm" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 100
}

resource "xsnet_vlan" "backup" {
  parent_network_id = xsnet_bond.vm.id
  tag               = 101
}`,
}

var ruleBondMemberFree = &Rule{
	ID:        IDBondMemberFree,
	Title:     "Bond Members Must Be Free NICs",
	Resources: []string{"xsnet_bond"},
	Plan: "a member that a host lacks, or a NIC that two bonds claim, in the pool or planned in the same " +
		"configuration. A NIC that carries VLANs may be bonded: xapi moves its VLANs, and management on one of " +
		"them, onto the bond, and the plan says what moves.",
	Why: "xapi refuses a missing NIC or one already bonded (PIF_ALREADY_BONDED) halfway through a pool-wide bond, " +
		"after other hosts are bonded.",
	Fix: "Bond NICs every host has and no other bond uses: remove the other bond first, or choose other NICs.",
	Bad: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
}

resource "xsnet_bond" "storage" {
  members = ["eth3", "eth4"]
}`,
	Good: `resource "xsnet_bond" "vm" {
  members = ["eth2", "eth3"]
}

resource "xsnet_bond" "storage" {
  members = ["eth4", "eth5"]
}`,
}

var rulePoolJoinHost = &Rule{
	ID:        IDPoolJoinHost,
	Title:     "Host Cannot Join The Pool As It Is",
	Resources: []string{"xsnet_pool"},
	Plan: "a host to join that has bonds, VLANs other than management, or another network backend than the pool; " +
		"whose management is on a VLAN the pool master's management does not match, now or as the plan leaves it; " +
		"or whose NIC under one of the pool's bonds has refused that bond's MTU on its own network. Where the " +
		"joining host's management NIC is a member of one of the pool's bonds, the host's management lands on that " +
		"bond, and `management-mtu` judges it.",
	Why: "xapi's pool.join refuses a host with bonds (POOL_JOINING_HOST_HAS_BONDS), with VLANs other than " +
		"management (POOL_JOINING_HOST_HAS_NON_MANAGEMENT_VLANS), with management on another VLAN than the master's " +
		"(POOL_JOINING_HOST_MANAGEMENT_VLAN_DOES_NOT_MATCH) or with another network backend, in the middle of the " +
		"apply, and a host whose NICs cannot take a bond's MTU joins with a bond that drops the pool's jumbo frames.",
	Fix: "Remove the host's bonds and non-management VLANs, put its management on the pool's management VLAN (or " +
		"untagged, as the pool's is) and give it the pool's network backend before it joins; on joining it takes " +
		"the pool's bonds and VLANs, so its NICs must take their MTUs.",
	Bad: `# xs5 still has the bond0 it was installed with.
resource "xsnet_pool" "this" {
  join = {
    "xs5.example.com" = { password_wo = var.xs5_password }
  }
}`,
	Good: `# bond0 removed from xs5 first: the pool's bonds reach it on joining.
resource "xsnet_pool" "this" {
  join = {
    "xs5.example.com" = { password_wo = var.xs5_password }
  }
}`,
}

var ruleIPConfig = &Rule{
	ID:        IDIPConfig,
	Title:     "IP Configuration Must Fit Its Subnet",
	Resources: []string{"xsnet_ip_interface"},
	Validate: "a `static` interface without addresses or a subnet, a `dhcp` or `none` one with them, an address, " +
		"gateway or name server that is not IPv4, a netmask whose ones are not contiguous, an address that is its " +
		"subnet's own or broadcast address, a gateway outside the subnet.",
	Plan: "with the pool's hosts: `addresses` keys that name no host (or a name two hosts share), a host without " +
		"an address (such as one that joined since), and a `start_address` that numbers hosts past the end of " +
		"its subnet.",
	Why: "xapi applies any IPv4 configuration at once and checks none of it against the subnet, so a host given " +
		"the broadcast address, an address outside the subnet or a gateway it cannot reach loses the storage or " +
		"management traffic of that interface.",
	Fix: "Give every host an address strictly inside one subnet, with netmask or prefix_length, and a gateway in " +
		"that subnet or none.",
	Bad: `resource "xsnet_ip_interface" "storage" {
  network_id    = xsnet_vlan.storage.id
  mode          = "static"
  start_address = "10.0.20.254"
  netmask       = "255.255.255.0"
}`,
	Good: `resource "xsnet_ip_interface" "storage" {
  network_id    = xsnet_vlan.storage.id
  mode          = "static"
  start_address = "10.0.20.11"
  netmask       = "255.255.255.0"
}`,
}

var ruleIPAddressUnique = &Rule{
	ID:        IDIPAddressUnique,
	Title:     "IP Address Used Twice",
	Resources: []string{"xsnet_ip_interface"},
	Validate:  "the same address given to two hosts in `addresses`.",
	Plan: "the pool as the plan leaves it: an address an `xsnet_ip_interface` gives a host that another host's, " +
		"or another PIF's, already has or will have, whether that address is on a PIF xsnet configures or one " +
		"configured by hand (a management interface, an interface made in XenCenter).",
	Why: "xapi sets an address twice without a word, and two hosts answering ARP for one address split the " +
		"storage traffic between them: iSCSI and NFS sessions drop and multipath marks paths dead.",
	Fix: "Give each host an address no PIF of the pool has: choose another start_address, or change the clashing " +
		"address in addresses.",
	Bad: `# 192.0.2.11 is the management address of xs1.
resource "xsnet_ip_interface" "storage" {
  network_id = xsnet_vlan.storage.id
  mode       = "static"
  addresses  = { xs1 = "192.0.2.11", xs2 = "10.0.20.12" }
  netmask    = "255.255.255.0"
}`,
	Good: `resource "xsnet_ip_interface" "storage" {
  network_id = xsnet_vlan.storage.id
  mode       = "static"
  addresses  = { xs1 = "10.0.20.11", xs2 = "10.0.20.12" }
  netmask    = "255.255.255.0"
}`,
}

var ruleIPInterfaceManagement = &Rule{
	ID:        IDIPInterfaceMgmt,
	Title:     "No IP Interface On The Management Network",
	Resources: []string{"xsnet_ip_interface", "xsnet_management_interface"},
	Plan: "the pool as the plan leaves it: an `xsnet_ip_interface` on the network that carries a host's management, " +
		"whichever change puts management there (an `xsnet_management_interface`, a bond made over the management " +
		"NIC, a host joining).",
	Why: "The management interface's IP configuration is the host's address in the pool: an IP interface that " +
		"rewrites or clears it, or gives it back as None on destroy, which xapi refuses only then with " +
		"PIF_IS_MANAGEMENT_INTERFACE, cuts the host off from its pool.",
	Fix: "Leave the management network's IP configuration to management: move management with " +
		"xsnet_management_interface, which keeps each host's address, and put IP interfaces on other networks.",
	Bad: `resource "xsnet_management_interface" "this" {
  network_id = xsnet_vlan.management.id
}

resource "xsnet_ip_interface" "management" {
  network_id    = xsnet_vlan.management.id
  mode          = "static"
  start_address = "192.0.2.11"
  netmask       = "255.255.255.0"
}`,
	Good: `resource "xsnet_management_interface" "this" {
  network_id = xsnet_vlan.management.id
}

resource "xsnet_ip_interface" "storage" {
  network_id    = xsnet_vlan.storage.id
  mode          = "static"
  start_address = "10.0.20.11"
  netmask       = "255.255.255.0"
}`,
}

// rules lists every rule in the order the guide shows them.
var rules = []*Rule{
	ruleManagementMTU,
	ruleManagementSingle,
	ruleManagementKept,
	ruleManagementMember,
	ruleBondMode,
	ruleMTURange,
	ruleVLANTagRange,
	ruleBondMemberCount,
	ruleHashingAlgorithmLACP,
	ruleVLANMTUParent,
	ruleVLANTagUnique,
	ruleBondMemberFree,
	rulePoolJoinHost,
	ruleIPConfig,
	ruleIPAddressUnique,
	ruleIPInterfaceManagement,
}

var ruleByID = func() map[string]*Rule {
	m := make(map[string]*Rule, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}()

// Rules returns every rule, in the order the guardrails guide lists them.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = r.clone()
	}
	return out
}

// clone copies r so that callers cannot change the rules' own slices.
func (r *Rule) clone() Rule {
	c := *r
	c.Resources = append([]string(nil), r.Resources...)
	return c
}
