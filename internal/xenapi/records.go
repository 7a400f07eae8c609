package xenapi

import "time"

// Ref is an opaque object reference, "OpaqueRef:<uuid>".
type Ref string

// NullRef is xapi's reference to nothing.
const NullRef Ref = "OpaqueRef:NULL"

// IsNull reports whether the reference points at nothing.
func (r Ref) IsNull() bool { return r == "" || r == NullRef }

// BondMode is the data model's enum bond_mode.
type BondMode string

// Bond modes.
const (
	BondModeBalanceSLB   BondMode = "balance-slb"
	BondModeActiveBackup BondMode = "active-backup"
	BondModeLACP         BondMode = "lacp"
)

// IPConfigurationMode is the data model's enum ip_configuration_mode.
type IPConfigurationMode string

// IP configuration modes.
const (
	IPConfigurationNone   IPConfigurationMode = "None"
	IPConfigurationDHCP   IPConfigurationMode = "DHCP"
	IPConfigurationStatic IPConfigurationMode = "Static"
)

// TaskStatus is the data model's enum task_status_type.
type TaskStatus string

// Task states.
const (
	TaskPending    TaskStatus = "pending"
	TaskSuccess    TaskStatus = "success"
	TaskFailure    TaskStatus = "failure"
	TaskCancelling TaskStatus = "cancelling"
	TaskCancelled  TaskStatus = "cancelled"
)

// The records below carry the fields xsnet reads. Each `xenapi` tag is a
// field name of xapi's data model; TestRecordsMatchDataModel holds them to it.

// Pool is a pool record.
type Pool struct {
	UUID            string            `xenapi:"uuid"`
	NameLabel       string            `xenapi:"name_label"`
	NameDescription string            `xenapi:"name_description"`
	Master          Ref               `xenapi:"master"`
	OtherConfig     map[string]string `xenapi:"other_config"`
}

// Host is a host record. SoftwareVersion["network_backend"] says
// openvswitch or bridge.
type Host struct {
	UUID            string            `xenapi:"uuid"`
	NameLabel       string            `xenapi:"name_label"`
	NameDescription string            `xenapi:"name_description"`
	Hostname        string            `xenapi:"hostname"`
	Address         string            `xenapi:"address"`
	Enabled         bool              `xenapi:"enabled"`
	PIFs            []Ref             `xenapi:"PIFs"`
	Metrics         Ref               `xenapi:"metrics"`
	SoftwareVersion map[string]string `xenapi:"software_version"`
	OtherConfig     map[string]string `xenapi:"other_config"`
}

// HostMetrics is a host_metrics record; Live is false while a host is out
// of the pool.
type HostMetrics struct {
	UUID        string    `xenapi:"uuid"`
	Live        bool      `xenapi:"live"`
	LastUpdated time.Time `xenapi:"last_updated"`
}

// Network is a network record.
type Network struct {
	UUID            string            `xenapi:"uuid"`
	NameLabel       string            `xenapi:"name_label"`
	NameDescription string            `xenapi:"name_description"`
	MTU             int64             `xenapi:"MTU"`
	Bridge          string            `xenapi:"bridge"`
	Managed         bool              `xenapi:"managed"`
	PIFs            []Ref             `xenapi:"PIFs"`
	OtherConfig     map[string]string `xenapi:"other_config"`
	Tags            []string          `xenapi:"tags"`
}

// PIF is a PIF record: a NIC, a bond master or a VLAN's untagged PIF on
// one host.
type PIF struct {
	UUID                string              `xenapi:"uuid"`
	Device              string              `xenapi:"device"`
	Host                Ref                 `xenapi:"host"`
	Network             Ref                 `xenapi:"network"`
	MAC                 string              `xenapi:"MAC"`
	MTU                 int64               `xenapi:"MTU"`
	VLAN                int64               `xenapi:"VLAN"`
	Metrics             Ref                 `xenapi:"metrics"`
	Physical            bool                `xenapi:"physical"`
	CurrentlyAttached   bool                `xenapi:"currently_attached"`
	Management          bool                `xenapi:"management"`
	Managed             bool                `xenapi:"managed"`
	IPConfigurationMode IPConfigurationMode `xenapi:"ip_configuration_mode"`
	IP                  string              `xenapi:"IP"`
	Netmask             string              `xenapi:"netmask"`
	Gateway             string              `xenapi:"gateway"`
	DNS                 string              `xenapi:"DNS"`
	DisallowUnplug      bool                `xenapi:"disallow_unplug"`
	BondSlaveOf         Ref                 `xenapi:"bond_slave_of"`
	BondMasterOf        []Ref               `xenapi:"bond_master_of"`
	VLANMasterOf        Ref                 `xenapi:"VLAN_master_of"`
	VLANSlaveOf         []Ref               `xenapi:"VLAN_slave_of"`
	OtherConfig         map[string]string   `xenapi:"other_config"`
}

// PIFMetrics is a PIF_metrics record.
type PIFMetrics struct {
	UUID    string `xenapi:"uuid"`
	Carrier bool   `xenapi:"carrier"`
	Speed   int64  `xenapi:"speed"`
	Duplex  bool   `xenapi:"duplex"`
}

// Bond is a Bond record: one host's bond of member PIFs (xapi's slaves)
// under a master PIF.
type Bond struct {
	UUID         string            `xenapi:"uuid"`
	Master       Ref               `xenapi:"master"`
	Slaves       []Ref             `xenapi:"slaves"`
	PrimarySlave Ref               `xenapi:"primary_slave"`
	Mode         BondMode          `xenapi:"mode"`
	Properties   map[string]string `xenapi:"properties"`
	LinksUp      int64             `xenapi:"links_up"`
	OtherConfig  map[string]string `xenapi:"other_config"`
}

// VLAN is a VLAN record: the tagged PIF it rides on and the untagged PIF
// that stands for it on its network.
type VLAN struct {
	UUID        string            `xenapi:"uuid"`
	TaggedPIF   Ref               `xenapi:"tagged_PIF"`
	UntaggedPIF Ref               `xenapi:"untagged_PIF"`
	Tag         int64             `xenapi:"tag"`
	OtherConfig map[string]string `xenapi:"other_config"`
}

// Task is a task record, made by an Async call.
type Task struct {
	UUID            string            `xenapi:"uuid"`
	NameLabel       string            `xenapi:"name_label"`
	NameDescription string            `xenapi:"name_description"`
	Status          TaskStatus        `xenapi:"status"`
	Progress        float64           `xenapi:"progress"`
	Created         time.Time         `xenapi:"created"`
	Finished        time.Time         `xenapi:"finished"`
	Result          string            `xenapi:"result"`
	ErrorInfo       []string          `xenapi:"error_info"`
	OtherConfig     map[string]string `xenapi:"other_config"`
}

// Class returns "pool".
func (Pool) Class() string { return "pool" }

// Class returns "host".
func (Host) Class() string { return "host" }

// Class returns "host_metrics".
func (HostMetrics) Class() string { return "host_metrics" }

// Class returns "network".
func (Network) Class() string { return "network" }

// Class returns "PIF".
func (PIF) Class() string { return "PIF" }

// Class returns "PIF_metrics".
func (PIFMetrics) Class() string { return "PIF_metrics" }

// Class returns "Bond".
func (Bond) Class() string { return "Bond" }

// Class returns "VLAN".
func (VLAN) Class() string { return "VLAN" }

// Class returns "task".
func (Task) Class() string { return "task" }

// Record is a record type of a class xsnet reads.
type Record interface {
	Pool | Host | HostMetrics | Network | PIF | PIFMetrics | Bond | VLAN | Task
	Class() string
}

// RecordTypes maps each class xsnet reads to a zero record of its type.
func RecordTypes() map[string]any {
	return map[string]any{
		"pool":         Pool{},
		"host":         Host{},
		"host_metrics": HostMetrics{},
		"network":      Network{},
		"PIF":          PIF{},
		"PIF_metrics":  PIFMetrics{},
		"Bond":         Bond{},
		"VLAN":         VLAN{},
		"task":         Task{},
	}
}
