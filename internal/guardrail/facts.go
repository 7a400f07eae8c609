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
	// JoiningHosts maps the address of each host asked to join to what it
	// says of itself.
	JoiningHosts map[string]JoiningHost
}

// Host is one pool host's networking as it stands.
type Host struct {
	// Name is the host's name_label, for messages.
	Name string
	// UUID is the host's UUID, by which a configuration may name it.
	UUID string
	// NICs are the devices of the host's physical PIFs ("eth0"). A device
	// missing here is a NIC the host does not have.
	NICs []string
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
	// ManagementDevice is the device of its management PIF ("eth1"), and
	// ManagementVLAN the tag when that PIF is a VLAN on it, else -1.
	ManagementDevice string
	ManagementVLAN   int64
	// NICs are the devices of its physical NICs.
	NICs []string
	// RefusedMTU maps a NIC's device to an MTU the NIC did not take: its
	// network's, where the PIF came up with less. xapi has no field for
	// the largest MTU a NIC takes; a refusal is the evidence there is.
	RefusedMTU map[string]int64
}
