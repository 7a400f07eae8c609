package xapisim

import (
	"strconv"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var vlanHandlers = []handler{
	{name: "VLAN.create", fn: (*call).vlanCreate, write: true, async: true},
	{name: "VLAN.destroy", fn: (*call).vlanDestroy, write: true, async: true},
}

// vlanMAC is the MAC xapi gives every VLAN's untagged PIF.
const vlanMAC = "fe:ff:ff:ff:ff:ff"

// vlanCreate is VLAN.create(tagged_PIF, tag, network), with xapi's checks
// in xapi's order. The new untagged PIF is plugged at once.
func (c *call) vlanCreate() (any, error) {
	taggedRef, tag, network := c.ref(0), c.int(1), c.ref(2)
	d := c.db
	tagged, err := mustGet[xenapi.PIF](d, taggedRef)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(tagged.Host); err != nil {
		return nil, err
	}
	vlan, untagged, err := d.vlanCreate(taggedRef, tag, network)
	if err != nil {
		return nil, err
	}
	d.bringUp(untagged)
	return string(vlan), nil
}

// vlanCreate is the host's part of VLAN.create: the checks and the new
// records, not yet plugged.
func (d *db) vlanCreate(taggedRef xenapi.Ref, tag int64, network xenapi.Ref) (xenapi.Ref, xenapi.Ref, error) {
	net, err := mustGet[xenapi.Network](d, network)
	if err != nil {
		return "", "", err
	}
	if !net.Managed {
		return "", "", failure("NETWORK_UNMANAGED", string(network))
	}
	tagged := get[xenapi.PIF](d, taggedRef)
	if err := d.assertNoOtherLocalPIFs(tagged.Host, network); err != nil {
		return "", "", err
	}
	if !tagged.Managed {
		return "", "", failure("PIF_UNMANAGED", string(taggedRef))
	}
	switch d.kindOf(taggedRef) {
	case kindPhysical:
		if !tagged.BondSlaveOf.IsNull() {
			return "", "", failure("CANNOT_ADD_VLAN_TO_BOND_SLAVE", string(taggedRef))
		}
	case kindVLAN:
		return "", "", failure("PIF_IS_VLAN", string(taggedRef))
	}
	if tag < 0 || tag > 4094 {
		return "", "", failure("VLAN_TAG_INVALID", strconv.FormatInt(tag, 10))
	}
	if d.vlanWithTag(taggedRef, tag) != "" {
		return "", "", failure("PIF_VLAN_EXISTS", tagged.Device)
	}
	vlan, untagged := d.createVLAN(tagged.Host, taggedRef, tag, network)
	return vlan, untagged, nil
}

// createVLAN makes a VLAN and its untagged PIF, which keeps the tagged
// PIF's device, MTU and metrics, as xapi's does.
func (d *db) createVLAN(host, taggedRef xenapi.Ref, tag int64, network xenapi.Ref) (vlan, untagged xenapi.Ref) {
	tagged := get[xenapi.PIF](d, taggedRef)
	pifUUID, vlanUUID := newUUID(), newUUID()
	untagged, vlan = refFor(pifUUID), refFor(vlanUUID)
	d.insert(untagged, &xenapi.PIF{
		UUID:                pifUUID,
		Device:              tagged.Device,
		Host:                host,
		Network:             network,
		MAC:                 vlanMAC,
		MTU:                 tagged.MTU,
		VLAN:                tag,
		Metrics:             tagged.Metrics,
		Managed:             true,
		IPConfigurationMode: xenapi.IPConfigurationNone,
		OtherConfig:         map[string]string{},
	})
	d.insert(vlan, &xenapi.VLAN{
		UUID:        vlanUUID,
		TaggedPIF:   taggedRef,
		UntaggedPIF: untagged,
		Tag:         tag,
		OtherConfig: map[string]string{},
	})
	return vlan, untagged
}

// vlanDestroy is VLAN.destroy: the untagged PIF is unplugged and goes with
// the VLAN; the network stays.
func (c *call) vlanDestroy() (any, error) {
	self := c.ref(0)
	d := c.db
	vlan, err := mustGet[xenapi.VLAN](d, self)
	if err != nil {
		return nil, err
	}
	tagged, err := mustGet[xenapi.PIF](d, vlan.TaggedPIF)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(tagged.Host); err != nil {
		return nil, err
	}
	untagged := get[xenapi.PIF](d, vlan.UntaggedPIF)
	if untagged == nil {
		// An orphaned VLAN record simply goes.
		d.remove("VLAN", self)
		return nil, nil
	}
	if get[xenapi.Bond](d, untagged.BondSlaveOf) != nil || d.kindOf(vlan.UntaggedPIF) == kindBondMaster {
		return nil, failure("PIF_ALREADY_BONDED", string(vlan.UntaggedPIF))
	}
	if untagged.Management && untagged.CurrentlyAttached && !d.isMasterHost(untagged.Host) {
		return nil, failure("PIF_IS_MANAGEMENT_INTERFACE", string(vlan.UntaggedPIF))
	}
	if untagged.VLAN < 0 {
		return nil, failure("PIF_IS_PHYSICAL")
	}
	if !untagged.Managed {
		return nil, failure("PIF_UNMANAGED", string(vlan.UntaggedPIF))
	}
	if untagged.Management {
		return nil, failure("PIF_IS_MANAGEMENT_INTERFACE", string(vlan.UntaggedPIF))
	}
	d.remove("VLAN", self)
	d.remove("PIF", vlan.UntaggedPIF)
	return nil, nil
}
