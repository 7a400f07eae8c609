package guardrail

// The attribute names diagnostics blame, as the xsnet resources spell them.
const (
	AttrMembers          = "members"            // xsnet_bond: the NICs to bond, by device name
	AttrMode             = "mode"               // xsnet_bond: the bond mode; xsnet_ip_interface: static, dhcp or none
	AttrMTU              = "mtu"                // xsnet_bond, xsnet_vlan, xsnet_network: the network's MTU
	AttrManagement       = "management"         // xsnet_bond: whether the bond carries management
	AttrHashingAlgorithm = "hashing_algorithm"  // xsnet_bond: an LACP bond's hashing
	AttrTag              = "tag"                // xsnet_vlan: the 802.1Q tag
	AttrParentNetworkID  = "parent_network_id"  // xsnet_vlan: the network whose PIFs carry the VLAN
	AttrAddress          = "address"            // xsnet_pool: a host to join, the key of join
	AttrNetworkID        = "network_id"         // xsnet_ip_interface, xsnet_management_interface: the network
	AttrAddresses        = "addresses"          // xsnet_ip_interface: each host's address, by host UUID or name
	AttrStartAddress     = "start_address"      // xsnet_ip_interface: the master's address, the others numbered on
	AttrNetmask          = "netmask"            // xsnet_ip_interface: the subnet, as a netmask
	AttrPrefixLength     = "prefix_length"      // xsnet_ip_interface: the subnet, as a prefix length
	AttrGateway          = "gateway"            // xsnet_ip_interface: the IPv4 gateway
	AttrDNS              = "dns"                // xsnet_ip_interface: the name servers
	AttrPurpose          = "purpose"            // xsnet_ip_interface: other_config:management_purpose
	AttrGuardrails       = "guardrails"         // provider: the guardrails policy block
	AttrAllowedBondModes = "allowed_bond_modes" // provider guardrails block: the bond modes allowed
)

// XenServer's defaults and limits the rules hold configurations to.
const (
	// DefaultMTU is xapi's network MTU, and the only one a management bond
	// may have.
	DefaultMTU int64 = 1500
	// MinMTU and MaxMTU are XenCenter's limits on a network's MTU; xapi
	// itself checks none.
	MinMTU int64 = 1500
	MaxMTU int64 = 9216
	// MinVLANTag and MaxVLANTag bound an 802.1Q VLAN ID.
	MinVLANTag int64 = 1
	MaxVLANTag int64 = 4094
)

// The bond modes of xapi's enum bond_mode.
const (
	BondModeBalanceSLB   = "balance-slb"
	BondModeActiveBackup = "active-backup"
	BondModeLACP         = "lacp"
)

// The values of an LACP bond's hashing_algorithm property.
const (
	HashingSrcMAC      = "src_mac"
	HashingTCPUDPPorts = "tcpudp_ports"
)

// The network backends a host reports in software_version.
const (
	BackendOpenvswitch = "openvswitch"
	BackendBridge      = "bridge"
)

// Bond is the configuration of a pool-wide bond: one network, and on each
// host a bond of the NICs named in Members. A Null field is read as
// XenServer's default (mode balance-slb, MTU 1500, no management, no
// hashing_algorithm).
type Bond struct {
	// Network is the bond network's ID once it exists (at plan after
	// create, and after import); empty before. It lets the rules recognise
	// the bond's own NICs and the management interface it already carries.
	Network string
	// Members are the NICs to bond, by device name ("eth0"), the same on
	// every host.
	Members Value[[]Value[string]]
	// Mode is the bond mode: balance-slb, active-backup or lacp.
	Mode Value[string]
	// MTU is the bond network's MTU.
	MTU Value[int64]
	// Management says whether the bond carries the hosts' management
	// interface.
	Management Value[bool]
	// HashingAlgorithm is the LACP hashing property, src_mac or
	// tcpudp_ports; Null or "" when not set.
	HashingAlgorithm Value[string]
}

// VLAN is the configuration of a pool-wide VLAN network: the tag on the PIFs
// of a parent network, on every host.
type VLAN struct {
	// Tag is the 802.1Q VLAN ID.
	Tag Value[int64]
	// MTU is the VLAN network's MTU.
	MTU Value[int64]
}

// Network is the configuration of a network without PIFs of its own making,
// such as a private network.
type Network struct {
	// MTU is the network's MTU.
	MTU Value[int64]
}

// PoolJoin is a request for a host to join the pool.
type PoolJoin struct {
	// Address is the joining host's address, the key of its facts in
	// Facts.JoiningHosts.
	Address Value[string]
}
