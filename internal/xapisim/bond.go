package xapisim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var bondHandlers = []handler{
	{name: "Bond.create", fn: (*call).bondCreate, write: true, async: true},
	{name: "Bond.destroy", fn: (*call).bondDestroy, write: true, async: true},
	{name: "Bond.set_mode", fn: (*call).bondSetMode, write: true, async: true},
	{name: "Bond.set_property", fn: (*call).bondSetProperty, write: true, async: true},
}

// bondProperty is a property key a bond mode accepts: its default, if it
// has one, and its valid values (nil: an integer).
type bondProperty struct {
	key    string
	def    string
	values []string
}

// bondProperties are the properties each mode accepts. balance-slb and
// active-backup accept none.
var bondProperties = map[xenapi.BondMode][]bondProperty{
	xenapi.BondModeLACP: {
		{key: "hashing_algorithm", def: "tcpudp_ports", values: []string{"src_mac", "tcpudp_ports"}},
		{key: "lacp-time", def: "slow", values: []string{"fast", "slow"}},
		{key: "lacp-aggregation-key"},
		{key: "lacp-fallback-ab", def: "true", values: []string{"true", "false"}},
	},
}

// checkBondProperty is INVALID_VALUE ["properties"; "k = v"] for a key the
// mode does not accept or a value the key does not.
func checkBondProperty(mode xenapi.BondMode, k, v string) error {
	for _, p := range bondProperties[mode] {
		if p.key != k {
			continue
		}
		if p.values == nil {
			if _, err := strconv.Atoi(v); err == nil {
				return nil
			}
		} else if slices.Contains(p.values, v) {
			return nil
		}
		break
	}
	return failure("INVALID_VALUE", "properties", k+" = "+v)
}

// withBondDefaults adds the mode's default properties the caller left out.
func withBondDefaults(mode xenapi.BondMode, props map[string]string) map[string]string {
	out := maps.Clone(props)
	if out == nil {
		out = map[string]string{}
	}
	for _, p := range bondProperties[mode] {
		if _, ok := out[p.key]; !ok && p.def != "" {
			out[p.key] = p.def
		}
	}
	return out
}

// bondCreate is Bond.create(network, members, MAC, mode, properties), with
// xapi's checks in xapi's order.
func (c *call) bondCreate() (any, error) {
	network, members, mac := c.ref(0), c.refs(1), c.str(2)
	mode, props := xenapi.BondMode(c.str(3)), c.stringMap(4)
	if mode == "" {
		// Bond.create takes three parameters: mode and properties have
		// defaults in the data model (gen_server.ml).
		mode = xenapi.BondModeBalanceSLB
	}
	d := c.db

	// The checks xapi makes before it forwards the call to the host.
	if len(members) == 0 {
		return nil, failure("PIF_BOND_NEEDS_MORE_MEMBERS")
	}
	first, err := mustGet[xenapi.PIF](d, members[0])
	if err != nil {
		return nil, err
	}
	if err := c.onHost(first.Host); err != nil {
		return nil, err
	}
	bond, err := d.bondCreate(network, members, mac, mode, props)
	if err != nil {
		return nil, err
	}
	return string(bond), nil
}

// bondCreate is the host's part of Bond.create: its checks, then the bond
// master PIF "bondN" and the Bond, with the members' IP configuration,
// management and VLANs moved onto the master.
func (d *db) bondCreate(network xenapi.Ref, members []xenapi.Ref, mac string, mode xenapi.BondMode, props map[string]string) (xenapi.Ref, error) {
	host := get[xenapi.PIF](d, members[0]).Host
	net, err := mustGet[xenapi.Network](d, network)
	if err != nil {
		return "", err
	}
	if !net.Managed {
		return "", failure("NETWORK_UNMANAGED", string(network))
	}
	if err := d.assertNoOtherLocalPIFs(host, network); err != nil {
		return "", err
	}
	if mac != "" && !isMAC(mac) {
		return "", failure("MAC_INVALID", mac)
	}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if err := checkBondProperty(mode, k, props[k]); err != nil {
			return "", err
		}
	}
	props = withBondDefaults(mode, props)
	// Duplicated members are folded, so a PIF named twice counts once; as
	// xapi's List.setify does, the last copy stays, which decides the
	// primary member.
	var uniq []xenapi.Ref
	for i, m := range members {
		if !slices.Contains(members[i+1:], m) {
			uniq = append(uniq, m)
		}
	}
	members = uniq
	pifs := make([]*xenapi.PIF, len(members))
	for i, m := range members {
		if pifs[i], err = mustGet[xenapi.PIF](d, m); err != nil {
			return "", err
		}
	}
	// The primary member is the management PIF, else the first with an IP
	// configuration, else the first.
	primary := members[0]
	var management xenapi.Ref
	var withIP []xenapi.Ref
	for i, p := range pifs {
		if p.IPConfigurationMode != xenapi.IPConfigurationNone && p.IPConfigurationMode != "" {
			withIP = append(withIP, members[i])
		}
		if p.Management && management == "" {
			management = members[i]
		}
	}
	switch {
	case management != "":
		primary = management
	case len(withIP) > 0:
		primary = withIP[0]
	}
	for i, p := range pifs {
		if !p.Managed {
			return "", failure("PIF_UNMANAGED", string(members[i]))
		}
		switch d.kindOf(members[i]) {
		case kindPhysical:
			if get[xenapi.Bond](d, p.BondSlaveOf) != nil {
				return "", failure("PIF_ALREADY_BONDED", string(members[i]))
			}
		case kindVLAN:
			return "", failure("PIF_VLAN_EXISTS", p.Device)
		}
	}
	for _, p := range pifs {
		if p.Host != host {
			return "", failure("PIF_CANNOT_BOND_CROSS_HOST")
		}
	}
	properties := d.pifProperties(members[0])
	for _, m := range members[1:] {
		if !maps.Equal(d.pifProperties(m), properties) {
			return "", failure("INCOMPATIBLE_PIF_PROPERTIES")
		}
	}
	if len(withIP) > 1 {
		return "", failure("PIF_BOND_MORE_THAN_ONE_IP")
	}

	// Collected before anything moves.
	var vlans []xenapi.Ref
	for _, m := range members {
		vlans = append(vlans, d.childRefs(vlanTaggedPIF, m)...)
	}
	managementOnVLAN := d.managementOnVLAN(vlans)

	primaryPIF := get[xenapi.PIF](d, primary)
	givenMAC := mac
	if mac == "" {
		mac = primaryPIF.MAC
	}
	masterUUID := newUUID()
	master := refFor(masterUUID)
	d.insert(master, &xenapi.PIF{
		UUID:                masterUUID,
		Device:              d.chooseBondDevice(host),
		Host:                host,
		Network:             network,
		MAC:                 mac,
		MTU:                 -1,
		VLAN:                -1,
		Metrics:             d.newPIFMetrics(),
		Managed:             true,
		IPConfigurationMode: xenapi.IPConfigurationNone,
		OtherConfig:         map[string]string{},
	})
	bondUUID := newUUID()
	bond := refFor(bondUUID)
	d.insert(bond, &xenapi.Bond{
		UUID:         bondUUID,
		Master:       master,
		PrimarySlave: primary,
		Mode:         mode,
		Properties:   props,
		// xapi's monitor counts the links up a moment later.
		LinksUp:     0,
		OtherConfig: map[string]string{},
	})
	// A MAC the caller gave stays; one taken from the primary member
	// follows it (xapi_bond.ml).
	d.setExtra("Bond", bond, "auto_update_mac", givenMAC == "")
	d.setPIFProperties(master, properties)
	d.pendingLinks = append(d.pendingLinks, bond)
	disallow := false
	for i, p := range pifs {
		p.BondSlaveOf = bond
		d.reindex("PIF", members[i])
		if d.disallowsUnplug(members[i]) {
			disallow = true
			d.setExtra("PIF", members[i], "disallow_unplug", false)
		}
	}
	if disallow {
		d.setExtra("PIF", master, "disallow_unplug", true)
	}
	d.moveConfiguration(primary, master)
	switch {
	case management != "":
		d.moveManagement(master)
	case !managementOnVLAN:
		d.bringUp(master)
	}
	for _, v := range vlans {
		d.moveVLAN(host, master, v)
	}
	if managementOnVLAN {
		d.bringUp(master)
	}
	return bond, nil
}

// bondDestroy is Bond.destroy: the bond's IP configuration, management
// and VLANs move back to its primary member; the members come up; the
// bond network stays.
func (c *call) bondDestroy() (any, error) {
	self := c.ref(0)
	d := c.db
	bond, err := mustGet[xenapi.Bond](d, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(get[xenapi.PIF](d, bond.Master).Host); err != nil {
		return nil, err
	}
	d.destroyBond(self)
	return nil, nil
}

// destroyBond is the host's part of Bond.destroy.
func (d *db) destroyBond(self xenapi.Ref) {
	bond := get[xenapi.Bond](d, self)
	master := get[xenapi.PIF](d, bond.Master)
	members := d.bondSlaves(self)
	primary := bond.PrimarySlave
	if get[xenapi.PIF](d, primary) == nil && len(members) > 0 {
		primary = members[0].Ref
	}
	vlans := d.childRefs(vlanTaggedPIF, bond.Master)
	managementOnVLAN := d.managementOnVLAN(vlans)
	plugged := master.CurrentlyAttached

	// The members leave the bond first, so that they can come up.
	for _, m := range members {
		m.R.BondSlaveOf = xenapi.NullRef
		d.reindex("PIF", m.Ref)
	}
	d.moveConfiguration(bond.Master, primary)
	switch {
	case master.Management:
		d.moveManagement(primary)
		for _, m := range members {
			if m.Ref != primary {
				d.bringUp(m.Ref)
			}
		}
	case plugged && !managementOnVLAN:
		for _, m := range members {
			d.bringUp(m.Ref)
		}
	}
	for _, v := range vlans {
		d.moveVLAN(master.Host, primary, v)
	}
	if managementOnVLAN {
		for _, m := range members {
			d.bringUp(m.Ref)
		}
	}
	if d.disallowsUnplug(bond.Master) {
		d.setExtra("PIF", primary, "disallow_unplug", true)
	}
	d.remove("Bond", self)
	d.remove("PIF_metrics", master.Metrics)
	d.remove("PIF", bond.Master)
}

// bondSetMode is Bond.set_mode: properties the new mode does not accept are
// dropped and its defaults added; the bond comes up again.
func (c *call) bondSetMode() (any, error) {
	self, mode := c.ref(0), xenapi.BondMode(c.str(1))
	bond, err := mustGet[xenapi.Bond](c.db, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(get[xenapi.PIF](c.db, bond.Master).Host); err != nil {
		return nil, err
	}
	bond.Mode = mode
	props := map[string]string{}
	for k, v := range bond.Properties {
		if checkBondProperty(mode, k, v) == nil {
			props[k] = v
		}
	}
	bond.Properties = withBondDefaults(mode, props)
	c.db.bringUp(bond.Master)
	return nil, nil
}

// bondSetProperty is Bond.set_property(self, name, value): the property is
// checked against what the bond's mode accepts (INVALID_VALUE
// ["properties"; "k = v"]), replaces any value it had, and the bond comes up
// again to apply it.
func (c *call) bondSetProperty() (any, error) {
	self, name, value := c.ref(0), c.str(1), c.str(2)
	bond, err := mustGet[xenapi.Bond](c.db, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(get[xenapi.PIF](c.db, bond.Master).Host); err != nil {
		return nil, err
	}
	if err := checkBondProperty(bond.Mode, name, value); err != nil {
		return nil, err
	}
	props := maps.Clone(bond.Properties)
	if props == nil {
		props = map[string]string{}
	}
	props[name] = value
	bond.Properties = props
	c.db.bringUp(bond.Master)
	return nil, nil
}

// chooseBondDevice is the device name of a new bond master on host:
// "bond" and the lowest number no bond master there uses.
func (d *db) chooseBondDevice(host xenapi.Ref) string {
	used := map[string]bool{}
	for _, p := range d.childRefs(pifHost, host) {
		if b := d.firstChild(bondMaster, p); b != "" {
			if pif := view[xenapi.PIF](d, p); pif != nil {
				used[pif.Device] = true
			}
		}
	}
	for n := 0; ; n++ {
		if name := fmt.Sprintf("bond%d", n); !used[name] {
			return name
		}
	}
}

// managementOnVLAN reports whether one of the VLANs' untagged PIFs is the
// management interface.
func (d *db) managementOnVLAN(vlans []xenapi.Ref) bool {
	for _, v := range vlans {
		if p := get[xenapi.PIF](d, get[xenapi.VLAN](d, v).UntaggedPIF); p != nil && p.Management {
			return true
		}
	}
	return false
}

// moveVLAN moves a VLAN onto another tagged PIF, as a bond's creation and
// destruction do: a VLAN with the same tag there takes over, or a new one
// is made on the VLAN's network; the IP configuration and management move
// with it.
func (d *db) moveVLAN(host, to, vlan xenapi.Ref) {
	old := get[xenapi.VLAN](d, vlan)
	oldPIF := get[xenapi.PIF](d, old.UntaggedPIF)
	plugged, management := oldPIF.CurrentlyAttached, oldPIF.Management
	var untagged xenapi.Ref
	if v := d.vlanWithTag(to, old.Tag); v != "" {
		untagged = view[xenapi.VLAN](d, v).UntaggedPIF
	}
	if untagged == "" {
		_, untagged = d.createVLAN(host, to, old.Tag, oldPIF.Network)
	}
	d.moveConfiguration(old.UntaggedPIF, untagged)
	d.remove("VLAN", vlan)
	d.remove("PIF", old.UntaggedPIF)
	if plugged {
		if management {
			d.moveManagement(untagged)
		} else {
			d.bringUp(untagged)
		}
	}
}

// assertNoOtherLocalPIFs is NETWORK_ALREADY_CONNECTED [host; PIF] when host
// already has a PIF on network.
func (d *db) assertNoOtherLocalPIFs(host, network xenapi.Ref) error {
	for _, p := range d.childRefs(pifNetwork, network) {
		if view[xenapi.PIF](d, p).Host == host {
			return failure("NETWORK_ALREADY_CONNECTED", string(host), string(p))
		}
	}
	return nil
}

func isHexDigit(ch byte) bool {
	return '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F'
}

// isMAC is xapi's check: six pairs of hex digits joined by colons.
func isMAC(s string) bool {
	if len(s) != 17 {
		return false
	}
	for i := range len(s) {
		ch := s[i]
		if i%3 == 2 {
			if ch != ':' {
				return false
			}
			continue
		}
		if !isHexDigit(ch) {
			return false
		}
	}
	return true
}
