package guardrail

// Facts is what xsnet reads from the pool at plan time and again just
// before apply. Facts hold no unknowns: they are what the pool says now.
// The zero value of a string field means the pool did not say, and the
// rules that need it stay undecided.
type Facts struct {
	// NetworkBackend is the pool master's network backend, openvswitch or
	// bridge (host software_version network_backend).
	NetworkBackend string
	// Hosts are the pool's hosts.
	Hosts []Host
	// NetworkMTU maps each network's ID to its MTU.
	NetworkMTU map[string]int64
	// VLANs are the VLAN networks that exist in the pool, whoever manages
	// them.
	VLANs []ExistingVLAN
	// JoiningHosts maps the address of each host asked to join to what it
	// says of itself.
	JoiningHosts map[string]JoiningHost
}

// Host is one pool host's networking as it stands.
type Host struct {
	// Name is the host's name_label, for messages.
	Name string
	// ManagementDevice is the device of the host's management PIF ("eth0",
	// "bond0").
	ManagementDevice string
	// ManagementOnVLAN is true when the management PIF is a VLAN over
	// ManagementDevice: bonding that NIC moves the VLAN, and management
	// with it, onto the bond's VLAN rather than onto the bond.
	ManagementOnVLAN bool
	// ManagementNetwork is the ID of the network of the management PIF.
	ManagementNetwork string
	// NICs are the host's physical PIFs by device name. A device missing
	// here is a NIC the host does not have.
	NICs map[string]NIC
}

// NIC is one physical PIF on a host.
type NIC struct {
	// BondNetwork is the network of the bond the NIC is a member of
	// (bond_slave_of); empty when it is not bonded.
	BondNetwork string
	// VLANTags are the tags of the VLANs over the NIC (VLAN_slave_of).
	VLANTags []int64
}

// ExistingVLAN is a VLAN network in the pool.
type ExistingVLAN struct {
	// Network is the VLAN network's ID.
	Network string
	// Name is its name_label, for messages.
	Name string
	// ParentNetwork is the ID of the network whose PIFs carry it.
	ParentNetwork string
	// Tag is its 802.1Q tag.
	Tag int64
}

// JoiningHost is what a host asked to join the pool says of itself, read by
// logging in to it.
type JoiningHost struct {
	// Name is the host's name_label, for messages.
	Name string
	// Bonds are the devices of its bond masters ("bond0").
	Bonds []string
	// NonManagementVLANs are the tags of its VLANs that do not carry
	// management.
	NonManagementVLANs []int64
	// NetworkBackend is its network backend, openvswitch or bridge.
	NetworkBackend string
}
