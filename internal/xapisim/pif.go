package xapisim

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var pifHandlers = []handler{
	{name: "PIF.plug", fn: (*call).pifPlug, write: true, async: true},
	{name: "PIF.unplug", fn: (*call).pifUnplug, write: true, async: true},
	{name: "PIF.reconfigure_ip", fn: (*call).pifReconfigureIP, write: true, async: true},
	{name: "PIF.set_disallow_unplug", fn: (*call).pifSetDisallowUnplug, write: true},
	{name: "PIF.scan", fn: (*call).pifScan, write: true, async: true},
	{name: "PIF.set_property", fn: (*call).pifSetProperty, write: true, async: true},
}

// pifSetDisallowUnplug is PIF.set_disallow_unplug (xapi_pif.ml). PIF.unplug
// of such a PIF is PIF_DOES_NOT_ALLOW_UNPLUG; Bond.create moves the flag
// from the members to the bond master, Bond.destroy back to the primary
// member (xapi_bond.ml).
func (c *call) pifSetDisallowUnplug() (any, error) {
	if _, err := mustGet[xenapi.PIF](c.db, c.ref(0)); err != nil {
		return nil, err
	}
	disallow, ok := c.args[1].(bool)
	if !ok {
		return nil, failure("INTERNAL_ERROR", "disallow_unplug is not a bool")
	}
	c.db.setExtra("PIF", c.ref(0), "disallow_unplug", disallow)
	return nil, nil
}

// defaultPIFProperties are what xapi gives a NIC or a bond master
// (xapi_pif.ml); other PIFs have none.
var defaultPIFProperties = map[string]string{"gro": "on"}

// pifPropertyValues are the properties PIF.set_property takes, with their
// values.
var pifPropertyValues = map[string][]string{"gro": {"on", "off"}}

// pifProperties is PIF.properties.
func (d *db) pifProperties(pif xenapi.Ref) map[string]string {
	m, _ := d.extraOf("PIF", pif, "properties").(map[string]any)
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

// setPIFProperties stores PIF.properties.
func (d *db) setPIFProperties(pif xenapi.Ref, props map[string]string) {
	m := make(map[string]any, len(props))
	for k, v := range props {
		m[k] = v
	}
	d.setExtra("PIF", pif, "properties", m)
}

// pifSetProperty is PIF.set_property(self, name, value) (xapi_pif.ml):
// INVALID_VALUE for a property or value xapi does not know; only a NIC
// that is not a bond member, or a bond master, has properties
// (CANNOT_CHANGE_PIF_PROPERTIES otherwise), and a bond master's go to its
// members too.
func (c *call) pifSetProperty() (any, error) {
	self, name, value := c.ref(0), c.str(1), c.str(2)
	pif, err := mustGet[xenapi.PIF](c.db, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(pif.Host); err != nil {
		return nil, err
	}
	if !slices.Contains(pifPropertyValues[name], value) {
		return nil, failure("INVALID_VALUE", "properties", name+" = "+value)
	}
	kind := c.db.kindOf(self)
	if kind != kindBondMaster && !pif.Physical || !isNull(pif.BondSlaveOf) {
		return nil, failure("CANNOT_CHANGE_PIF_PROPERTIES", string(self))
	}
	props := c.db.pifProperties(self)
	props[name] = value
	c.db.setPIFProperties(self, props)
	if bond := c.db.firstChild(bondMaster, self); bond != "" {
		for _, m := range c.db.childRefs(pifBondSlaveOf, bond) {
			c.db.setPIFProperties(m, props)
		}
	}
	if pif.CurrentlyAttached {
		c.db.bringUp(self)
	}
	return nil, nil
}

// disallowsUnplug reports PIF.disallow_unplug.
func (d *db) disallowsUnplug(pif xenapi.Ref) bool {
	v, _ := d.extraOf("PIF", pif, "disallow_unplug").(bool)
	return v
}

// pifScan is PIF.scan(host): xapi introduces the host's NICs it has no
// PIF for. A simulated host gains no NICs, so there is nothing to find.
func (c *call) pifScan() (any, error) {
	if _, err := mustGet[xenapi.Host](c.db, c.ref(0)); err != nil {
		return nil, err
	}
	return nil, c.onHost(c.ref(0))
}

// pifPlug is PIF.plug. The PIF comes up with its network's MTU: this is
// when an MTU set on the network reaches the PIF.
func (c *call) pifPlug() (any, error) {
	self := c.ref(0)
	pif, err := mustGet[xenapi.PIF](c.db, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(pif.Host); err != nil {
		return nil, err
	}
	if !pif.Managed {
		return nil, failure("PIF_UNMANAGED", string(self))
	}
	if pif.Physical && !pif.BondSlaveOf.IsNull() {
		return nil, failure("CANNOT_PLUG_BOND_SLAVE", string(self))
	}
	c.db.bringUp(self)
	return nil, nil
}

// pifUnplug is PIF.unplug.
func (c *call) pifUnplug() (any, error) {
	self := c.ref(0)
	pif, err := mustGet[xenapi.PIF](c.db, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(pif.Host); err != nil {
		return nil, err
	}
	if !pif.Managed {
		return nil, failure("PIF_UNMANAGED", string(self))
	}
	if pif.Management {
		return nil, failure("PIF_IS_MANAGEMENT_INTERFACE", string(self))
	}
	if c.db.disallowsUnplug(self) {
		return nil, failure("PIF_DOES_NOT_ALLOW_UNPLUG", string(self))
	}
	// A bond member goes down with its bond master, not on its own.
	if pif.BondSlaveOf.IsNull() {
		pif.CurrentlyAttached = false
	}
	return nil, nil
}

// pifReconfigureIP is PIF.reconfigure_ip(mode, IP, netmask, gateway, DNS).
func (c *call) pifReconfigureIP() (any, error) {
	self := c.ref(0)
	mode := xenapi.IPConfigurationMode(c.str(1))
	ip, netmask, gateway, dns := c.str(2), c.str(3), c.str(4), c.str(5)
	pif, err := mustGet[xenapi.PIF](c.db, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(pif.Host); err != nil {
		return nil, err
	}
	if !pif.Managed {
		return nil, failure("PIF_UNMANAGED", string(self))
	}
	if mode == xenapi.IPConfigurationStatic {
		for _, f := range [][2]string{{"IP", ip}, {"netmask", netmask}} {
			if !isIPv4(f[1]) {
				return nil, failure("INVALID_IP_ADDRESS_SPECIFIED", f[0])
			}
		}
	}
	for _, f := range [][2]string{{"IP", ip}, {"netmask", netmask}, {"gateway", gateway}} {
		if f[1] != "" && !isIPv4(f[1]) {
			return nil, failure("INVALID_IP_ADDRESS_SPECIFIED", f[0])
		}
	}
	if pif.Management && mode == xenapi.IPConfigurationNone {
		return nil, failure("PIF_IS_MANAGEMENT_INTERFACE", string(self))
	}
	oldIP := pif.IP
	pif.IPConfigurationMode, pif.IP, pif.Netmask, pif.Gateway = mode, ip, netmask, gateway
	// Only the IPv4 servers of DNS are kept, as xapi does.
	var servers []string
	for s := range strings.SplitSeq(dns, ",") {
		if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil && a.Is4() {
			servers = append(servers, a.String())
		}
	}
	pif.DNS = strings.Join(servers, ",")
	if pif.CurrentlyAttached {
		c.db.bringUp(self)
	}
	if pif.Management {
		c.db.managementMoved(pif.Host, oldIP)
	}
	return nil, nil
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// onHost is xapi's forwarding of a call to the host it concerns: a host
// that is not live answers HOST_OFFLINE [host].
func (c *call) onHost(host xenapi.Ref) error {
	h, err := mustGet[xenapi.Host](c.db, host)
	if err != nil {
		return err
	}
	if m := get[xenapi.HostMetrics](c.db, h.Metrics); m == nil || !m.Live {
		return failure("HOST_OFFLINE", string(host))
	}
	return nil
}

// bringUp is what xapi's network layer does to the database when it brings
// a PIF up: the PIF is attached and asks the kernel for its network's MTU
// (or its own other_config:mtu); a bond master's members are no longer
// attached on their own, and their networks take the bond network's MTU.
// As in network_utils.ml, an MTU the device does not take (above what its
// NICs support, or a VLAN's above its parent's) is logged and the device
// keeps the MTU it had; PIF.MTU is what the kernel has (nm.ml).
func (d *db) bringUp(ref xenapi.Ref) {
	pif := get[xenapi.PIF](d, ref)
	net := get[xenapi.Network](d, pif.Network)
	if net == nil {
		return
	}
	if bond, _ := d.bondOfMaster(ref); bond != "" {
		for _, m := range d.bondSlaves(bond) {
			m.R.CurrentlyAttached = false
			if mnet := get[xenapi.Network](d, m.R.Network); mnet != nil && mnet.MTU != net.MTU {
				mnet.MTU = net.MTU
			}
		}
	}
	pif.CurrentlyAttached = true
	want := net.MTU
	if n, err := strconv.ParseInt(pif.OtherConfig["mtu"], 10, 64); err == nil {
		want = n
	}
	if pif.MTU <= 0 {
		// A new bond master: the kernel made the device with 1500.
		pif.MTU = 1500
	}
	if want > 0 && want <= d.mtuLimit(ref) {
		pif.MTU = want
	}
}

// mtuLimit is the largest MTU the kernel lets the PIF's device take: a NIC
// its driver's maximum, a bond the smallest of its members', a VLAN its
// parent's current MTU.
func (d *db) mtuLimit(ref xenapi.Ref) int64 {
	nicMax := func(p *xenapi.PIF) int64 {
		if n, ok := d.nicMaxMTU[p.Device]; ok {
			return n
		}
		return DefaultNICMaxMTU
	}
	pif := view[xenapi.PIF](d, ref)
	switch d.kindOf(ref) {
	case kindVLAN:
		_, v := d.vlanOfUntagged(ref)
		if parent := view[xenapi.PIF](d, v.TaggedPIF); parent != nil {
			return min(d.mtuLimit(v.TaggedPIF), max(parent.MTU, 1500))
		}
	case kindBondMaster:
		bond, _ := d.bondOfMaster(ref)
		limit := int64(DefaultNICMaxMTU)
		for _, m := range d.childRefs(pifBondSlaveOf, bond) {
			limit = min(limit, nicMax(view[xenapi.PIF](d, m)))
		}
		return limit
	case kindPhysical:
		return nicMax(pif)
	}
	return DefaultNICMaxMTU
}

// moveConfiguration moves the IP configuration of one PIF to another, as
// a bond's creation and destruction do.
func (d *db) moveConfiguration(from, to xenapi.Ref) {
	f, t := get[xenapi.PIF](d, from), get[xenapi.PIF](d, to)
	t.IPConfigurationMode, t.IP, t.Netmask, t.Gateway, t.DNS = f.IPConfigurationMode, f.IP, f.Netmask, f.Gateway, f.DNS
	f.IPConfigurationMode, f.IP, f.Netmask, f.Gateway, f.DNS = xenapi.IPConfigurationNone, "", "", "", ""
}

// moveManagement makes to its host's management interface: it comes up,
// and the management flag leaves every other PIF of the host. The host's
// management bridge is rebuilt (see managementMoved).
func (d *db) moveManagement(to xenapi.Ref) {
	host := view[xenapi.PIF](d, to).Host
	_, old := d.managementPIF(host)
	oldIP := ""
	if old != nil {
		oldIP = old.IP
	}
	d.bringUp(to)
	for _, p := range d.childRefs(pifHost, host) {
		if view[xenapi.PIF](d, p).Management != (p == to) {
			get[xenapi.PIF](d, p).Management = p == to
		}
	}
	d.managementMoved(host, oldIP)
}

// managementMoved notes that host's management interface was rebuilt
// (nm.ml): xapi then resets the connections of its clients.
func (d *db) managementMoved(host xenapi.Ref, oldIP string) {
	d.managementMoves = append(d.managementMoves, managementMove{host, oldIP})
}

// managementPIF is the host's management interface, or "".
func (d *db) managementPIF(host xenapi.Ref) (xenapi.Ref, *xenapi.PIF) {
	for _, p := range d.childRefs(pifHost, host) {
		if view[xenapi.PIF](d, p).Management {
			return p, get[xenapi.PIF](d, p)
		}
	}
	return "", nil
}

// pifKind is a PIF's place in xapi's topology: the untagged PIF of a VLAN,
// a bond master, or a physical NIC.
type pifKind int

const (
	kindPhysical pifKind = iota
	kindVLAN
	kindBondMaster
	kindOther
)

func (d *db) kindOf(ref xenapi.Ref) pifKind {
	if v, _ := d.vlanOfUntagged(ref); v != "" {
		return kindVLAN
	}
	if b, _ := d.bondOfMaster(ref); b != "" {
		return kindBondMaster
	}
	if p := get[xenapi.PIF](d, ref); p != nil && p.Physical {
		return kindPhysical
	}
	return kindOther
}
