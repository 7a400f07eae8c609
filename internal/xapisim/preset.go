package xapisim

import (
	"fmt"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// The pool a preset builds: named and numbered as xapi and XenServer's
// installer do in a fresh pool, on documentation addresses nobody answers.
const (
	poolName       = "xsnet-sim"
	hostNameFormat = "xs-host-%d"
	nicNetworkName = "Pool-wide network associated with %s"
	managementMask = "255.255.255.0"
	managementGW   = "192.0.2.1"
	managementDNS  = "192.0.2.2"
)

// managementIP is host number i's static management address.
func managementIP(i int) string { return fmt.Sprintf("192.0.2.%d", 10+i) }

// nicMAC is the stable, unique, locally administered MAC of NIC n of host
// number i.
func nicMAC(i, n int) string {
	return fmt.Sprintf("02:58:53:%02x:%02x:%02x", i>>8, i&0xff, n)
}

// build makes the pools of Config: one pool of Hosts hosts, and Standalone
// pools of one host each.
func (s *Sim) build() {
	main := s.newDB()
	s.pools = append(s.pools, main)
	s.newPool(main, poolName)
	var master xenapi.Ref
	for i := 1; i <= s.cfg.Hosts; i++ {
		h := s.newHost(main, i, false)
		if i == 1 {
			master = h.ref
		}
	}
	main.pool().Master = master
	for i := s.cfg.Hosts + 1; i <= s.cfg.Hosts+s.cfg.Standalone; i++ {
		d := s.newDB()
		s.pools = append(s.pools, d)
		s.newPool(d, "")
		h := s.newHost(d, i, true)
		d.pool().Master = h.ref
	}
}

func (s *Sim) newPool(d *db, name string) {
	uuid := newUUID()
	d.insert(refFor(uuid), &xenapi.Pool{UUID: uuid, NameLabel: name, OtherConfig: map[string]string{}})
	d.addInternalManagementNetwork()
}

// addInternalManagementNetwork makes the network every pool has for its
// guests to reach xapi (create_networks.ml): bridge "xenapi", no PIFs, and
// network.destroy refuses it.
func (d *db) addInternalManagementNetwork() {
	uuid := newUUID()
	d.insert(refFor(uuid), &xenapi.Network{
		UUID:            uuid,
		NameLabel:       "Host internal management network",
		NameDescription: "Network on which guests will be assigned a private link-local IP address which can be used to talk XenAPI",
		MTU:             1500,
		Bridge:          "xenapi",
		Managed:         true,
		OtherConfig: map[string]string{
			"is_guest_installer_network":          "true",
			"is_host_internal_management_network": "true",
			"ip_begin":                            "169.254.0.1",
			"ip_end":                              "169.254.255.254",
			"netmask":                             "255.255.0.0",
		},
		Tags: []string{},
	})
}

// newHost adds host number i to d with its NICs, each on the pool-wide
// network of its device, and management on eth0 with a static address.
func (s *Sim) newHost(d *db, i int, standalone bool) *hostRT {
	uuid := newUUID()
	ref := refFor(uuid)
	name := fmt.Sprintf(hostNameFormat, i)
	metricsUUID := newUUID()
	d.insert(refFor(metricsUUID), &xenapi.HostMetrics{UUID: metricsUUID, Live: true, LastUpdated: time.Now().UTC().Truncate(time.Second)})
	version := "8.4.0"
	if s.quirk(QuirkJumboManagementBond) {
		version = "6.1.0"
	}
	d.insert(ref, &xenapi.Host{
		UUID:      uuid,
		NameLabel: name,
		Hostname:  name,
		Enabled:   true,
		Metrics:   refFor(metricsUUID),
		SoftwareVersion: map[string]string{
			"product_brand":   "XenServer",
			"product_version": version,
			"hostname":        name,
			"network_backend": s.cfg.Backend,
		},
		OtherConfig: map[string]string{},
	})
	for n := range s.cfg.NICs {
		device := fmt.Sprintf("eth%d", n)
		network := d.addNICNetwork(device, nil)
		pifUUID := newUUID()
		pif := &xenapi.PIF{
			UUID:                pifUUID,
			Device:              device,
			Host:                ref,
			Network:             network,
			MAC:                 nicMAC(i, n),
			MTU:                 1500,
			VLAN:                -1,
			Metrics:             d.newPIFMetrics(),
			Physical:            true,
			Managed:             true,
			IPConfigurationMode: xenapi.IPConfigurationNone,
			OtherConfig:         map[string]string{},
		}
		if n == 0 {
			pif.Management, pif.CurrentlyAttached = true, true
			pif.IPConfigurationMode = xenapi.IPConfigurationStatic
			pif.IP, pif.Netmask, pif.Gateway, pif.DNS = managementIP(i), managementMask, managementGW, managementDNS
		}
		d.insert(refFor(pifUUID), pif)
		d.setPIFProperties(refFor(pifUUID), defaultPIFProperties)
	}
	h := &hostRT{uuid: uuid, index: i, db: d, ref: ref, standalone: standalone}
	s.hosts = append(s.hosts, h)
	return h
}

// addNICNetwork returns the pool-wide network of a NIC device, made on
// first use with xapi's name and the bridge "xenbrN" (or like's bridge).
func (d *db) addNICNetwork(device string, like *xenapi.Network) xenapi.Ref {
	bridge := "xenbr" + device[len("eth"):]
	if like != nil {
		bridge = like.Bridge
	}
	for _, n := range all[xenapi.Network](d) {
		if n.R.Bridge == bridge {
			return n.Ref
		}
	}
	uuid := newUUID()
	d.insert(refFor(uuid), &xenapi.Network{
		UUID:        uuid,
		NameLabel:   fmt.Sprintf(nicNetworkName, device),
		MTU:         1500,
		Bridge:      bridge,
		Managed:     true,
		OtherConfig: map[string]string{},
		Tags:        []string{},
	})
	return refFor(uuid)
}

// newPIFMetrics makes the metrics of a NIC with its link up.
func (d *db) newPIFMetrics() xenapi.Ref {
	uuid := newUUID()
	d.insert(refFor(uuid), &xenapi.PIFMetrics{UUID: uuid, Carrier: true, Speed: 10000, Duplex: true})
	return refFor(uuid)
}
