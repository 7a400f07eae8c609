package xapisim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// network.set_MTU, set_name_label and set_name_description are the generic
// setters: xapi checks nothing, and a new MTU reaches a PIF only when the
// PIF is next plugged.
var networkHandlers = []handler{
	{name: "network.create", fn: (*call).networkCreate, write: true, async: true},
	{name: "network.destroy", fn: (*call).networkDestroy, write: true, async: true},
}

// bridgePrefixes are the bridge names a client may not choose, as they are
// xapi's and the kernel's own.
var bridgePrefixes = []string{"xen", "xapi", "vif", "tap", "eth"}

// networkCreate is network.create(record). other_config is the one field
// the record must carry; the others default as the data model says.
func (c *call) networkCreate() (any, error) {
	args := c.structure(0)
	if _, ok := args["other_config"]; !ok {
		// xapi's dispatcher fails this way on a missing constructor field.
		return nil, failure(xenapi.ErrInternalError, `Server_helpers.Dispatcher_FieldNotFound("other_config")`)
	}
	net := &xenapi.Network{MTU: 1500, Managed: true, OtherConfig: map[string]string{}, Tags: []string{}}
	for field, v := range args {
		if i, ok := storedFields()["network"][field]; ok && field != "uuid" && field != "PIFs" {
			if err := assignField(net, i, v); err != nil {
				return nil, failure(xenapi.ErrInternalError, fmt.Sprintf("network.create: field %s: %v", field, err))
			}
		}
	}
	if net.MTU <= 0 {
		net.MTU = 1500
	}
	bridges := map[string]bool{}
	scan(c.db, func(_ xenapi.Ref, n *xenapi.Network) bool {
		bridges[n.Bridge] = true
		return true
	})
	if net.Bridge == "" {
		net.Bridge = c.db.chooseBridge(bridges)
	} else {
		if len(net.Bridge) > 15 || slices.ContainsFunc(bridgePrefixes, func(p string) bool { return strings.HasPrefix(net.Bridge, p) }) {
			return nil, failure("INVALID_VALUE", "bridge", net.Bridge)
		}
		if bridges[net.Bridge] {
			return nil, failure("BRIDGE_NAME_EXISTS", net.Bridge)
		}
	}
	net.UUID = newUUID()
	ref := refFor(net.UUID)
	c.db.insert(ref, net)
	return string(ref), nil
}

// chooseBridge picks xapi's name for a network's bridge, "xapiN".
func (d *db) chooseBridge(taken map[string]bool) string {
	for {
		name := fmt.Sprintf("xapi%d", d.bridgeCounter)
		d.bridgeCounter++
		if !taken[name] {
			return name
		}
	}
}

// networkDestroy is network.destroy: refused while a PIF is on the
// network.
func (c *call) networkDestroy() (any, error) {
	self := c.ref(0)
	net, err := mustGet[xenapi.Network](c.db, self)
	if err != nil {
		return nil, err
	}
	if pifs := c.db.childRefs(pifNetwork, self); len(pifs) > 0 {
		refs := make([]string, len(pifs))
		for i, p := range pifs {
			refs[i] = string(p)
		}
		return nil, failure("NETWORK_CONTAINS_PIF", refs...)
	}
	if net.OtherConfig["is_host_internal_management_network"] == "true" {
		return nil, failure("CANNOT_DESTROY_SYSTEM_NETWORK", string(self))
	}
	c.db.remove("network", self)
	return nil, nil
}

// assignField stores a coerced wire value in field i of a record.
func assignField(rec any, i int, v any) error {
	return xenapi.UnmarshalValue(v, reflectField(rec, i))
}
