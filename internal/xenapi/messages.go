package xenapi

import (
	"context"
	"fmt"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

// The typed wrappers below are named Class+Message after the XenAPI message
// they send. Those that reconfigure a host's networking go through Async:
// they can outlast an HTTP request, and management_reconfigure moves the
// very interface the request came in on. TestMessagesMatchDataModel sends
// each one and checks the method name, parameter count and parameter types
// against xapi's data model.

// GetAllRecords returns every object of T's class: <class>.get_all_records.
func GetAllRecords[T Record](ctx context.Context, c *Client) (map[Ref]T, error) {
	var zero T
	v, err := c.Call(ctx, zero.Class()+".get_all_records")
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("xenapi: %s.get_all_records returned %T, not a map", zero.Class(), v)
	}
	out := make(map[Ref]T, len(m))
	for ref, raw := range m {
		rec, err := toRecord[T](raw)
		if err != nil {
			return nil, fmt.Errorf("xenapi: %s %s: %w", zero.Class(), ref, err)
		}
		out[Ref(ref)] = rec
	}
	return out, nil
}

// GetRecord returns one object: <class>.get_record. A reference to an object
// that is gone gives HANDLE_INVALID (see IsGone).
func GetRecord[T Record](ctx context.Context, c *Client, ref Ref) (T, error) {
	var zero T
	v, err := c.Call(ctx, zero.Class()+".get_record", ref)
	if err != nil {
		return zero, err
	}
	rec, err := toRecord[T](v)
	if err != nil {
		return zero, fmt.Errorf("xenapi: %s %s: %w", zero.Class(), ref, err)
	}
	return rec, nil
}

// GetByUUID returns the reference of the object with the UUID:
// <class>.get_by_uuid. An unknown UUID gives UUID_INVALID (see IsGone).
func GetByUUID[T Record](ctx context.Context, c *Client, uuid string) (Ref, error) {
	var zero T
	return c.callRef(ctx, zero.Class()+".get_by_uuid", uuid)
}

func toRecord[T Record](raw any) (T, error) {
	var rec T
	m, ok := raw.(map[string]any)
	if !ok {
		return rec, fmt.Errorf("record is %T, not a struct", raw)
	}
	err := UnmarshalRecord(m, &rec)
	return rec, err
}

func (c *Client) callRef(ctx context.Context, method string, params ...any) (Ref, error) {
	v, err := c.Call(ctx, method, params...)
	if err != nil {
		return "", err
	}
	return asRef(method, v)
}

// asyncRef calls Async and reads its result as a reference. A result that
// comes with an error (see InterruptedError) is returned with it.
func (c *Client) asyncRef(ctx context.Context, method string, params ...any) (Ref, error) {
	v, err := c.Async(ctx, method, params...)
	if v == nil {
		return "", err
	}
	ref, rerr := asRef(method, v)
	if rerr != nil {
		return "", rerr
	}
	return ref, err
}

func asRef(method string, v any) (Ref, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("xenapi: %s returned %v, not a reference", method, v)
	}
	return Ref(s), nil
}

func asRefs(method string, v any) ([]Ref, error) {
	vs, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("xenapi: %s returned %T, not a set of references", method, v)
	}
	out := make([]Ref, len(vs))
	for i, e := range vs {
		r, err := asRef(method, e)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func (c *Client) void(ctx context.Context, method string, params ...any) error {
	_, err := c.Call(ctx, method, params...)
	return err
}

func (c *Client) asyncVoid(ctx context.Context, method string, params ...any) error {
	_, err := c.Async(ctx, method, params...)
	return err
}

// NetworkCreate creates a network from the writable and constructor fields
// of rec: name_label, name_description, MTU, other_config (always sent, as
// xapi insists on it), tags and bridge. A zero MTU and an empty bridge are
// left out, so xapi picks 1500 and the next free xapiN; managed is left
// out too, so the network is managed.
func (c *Client) NetworkCreate(ctx context.Context, rec Network) (Ref, error) {
	args := constructorArgs(rec)
	if rec.MTU == 0 {
		delete(args, "MTU")
	}
	if rec.Bridge == "" {
		delete(args, "bridge")
	}
	delete(args, "managed")
	return c.callRef(ctx, "network.create", args)
}

// constructorArgs is the record xapi's implicit create takes: the fields
// marked RW or RO/constructor, with empty maps and sets rather than none.
func constructorArgs(rec Network) map[string]any {
	class, _ := datamodel.Load().Class(rec.Class())
	all := MarshalRecord(rec)
	args := make(map[string]any, len(all))
	for name, v := range all {
		f, ok := class.Field(name)
		if ok && (f.Qualifier == "RW" || f.Qualifier == "RO/constructor") {
			args[name] = v
		}
	}
	return args
}

// NetworkDestroy destroys a network; xapi refuses while PIFs or VIFs are
// on it (NETWORK_CONTAINS_PIF, NETWORK_CONTAINS_VIF).
func (c *Client) NetworkDestroy(ctx context.Context, network Ref) error {
	return c.void(ctx, "network.destroy", network)
}

// NetworkSetMTU sets a network's MTU; its PIFs take it when next plugged.
func (c *Client) NetworkSetMTU(ctx context.Context, network Ref, mtu int64) error {
	return c.void(ctx, "network.set_MTU", network, mtu)
}

// NetworkSetNameLabel sets a network's name_label.
func (c *Client) NetworkSetNameLabel(ctx context.Context, network Ref, label string) error {
	return c.void(ctx, "network.set_name_label", network, label)
}

// NetworkSetNameDescription sets a network's name_description.
func (c *Client) NetworkSetNameDescription(ctx context.Context, network Ref, description string) error {
	return c.void(ctx, "network.set_name_description", network, description)
}

// NetworkSetOtherConfig replaces a network's other_config.
func (c *Client) NetworkSetOtherConfig(ctx context.Context, network Ref, otherConfig map[string]string) error {
	return c.void(ctx, "network.set_other_config", network, nonNilMap(otherConfig))
}

// NetworkAddToOtherConfig adds one key to a network's other_config; xapi
// refuses a key that is there already (MAP_DUPLICATE_KEY).
func (c *Client) NetworkAddToOtherConfig(ctx context.Context, network Ref, key, value string) error {
	return c.void(ctx, "network.add_to_other_config", network, key, value)
}

// NetworkRemoveFromOtherConfig removes one key from a network's
// other_config; a key that is not there is no error.
func (c *Client) NetworkRemoveFromOtherConfig(ctx context.Context, network Ref, key string) error {
	return c.void(ctx, "network.remove_from_other_config", network, key)
}

// BondCreate bonds members (PIFs of one host) on network and returns the
// bond. An empty mac lets xapi take the primary member's. properties are
// for lacp only (hashing_algorithm, lacp-time, ...); nil sends none.
func (c *Client) BondCreate(ctx context.Context, network Ref, members []Ref, mac string, mode BondMode, properties map[string]string) (Ref, error) {
	return c.asyncRef(ctx, "Bond.create", network, members, mac, mode, nonNilMap(properties))
}

// BondDestroy destroys a bond, moving its IP configuration and VLANs back
// to the primary member; the network stays.
func (c *Client) BondDestroy(ctx context.Context, bond Ref) error {
	return c.asyncVoid(ctx, "Bond.destroy", bond)
}

// BondSetMode changes a bond's mode in place.
func (c *Client) BondSetMode(ctx context.Context, bond Ref, mode BondMode) error {
	return c.asyncVoid(ctx, "Bond.set_mode", bond, mode)
}

// BondSetProperty sets one of a bond's properties.
func (c *Client) BondSetProperty(ctx context.Context, bond Ref, name, value string) error {
	return c.void(ctx, "Bond.set_property", bond, name, value)
}

// VLANCreate puts a VLAN with tag on taggedPIF and connects it to network,
// on that PIF's host only; see PoolCreateVLANFromPIF for every host.
func (c *Client) VLANCreate(ctx context.Context, taggedPIF Ref, tag int64, network Ref) (Ref, error) {
	return c.asyncRef(ctx, "VLAN.create", taggedPIF, tag, network)
}

// VLANDestroy destroys a VLAN and its untagged PIF.
func (c *Client) VLANDestroy(ctx context.Context, vlan Ref) error {
	return c.asyncVoid(ctx, "VLAN.destroy", vlan)
}

// PoolCreateVLANFromPIF creates the VLAN on every live host, on the PIF
// that shares pif's network, and returns the new untagged PIFs. xapi rolls
// all of them back if one fails.
func (c *Client) PoolCreateVLANFromPIF(ctx context.Context, pif, network Ref, tag int64) ([]Ref, error) {
	const method = "pool.create_VLAN_from_PIF"
	v, err := c.Async(ctx, method, pif, network, tag)
	if v == nil {
		return nil, err
	}
	refs, rerr := asRefs(method, v)
	if rerr != nil {
		return nil, rerr
	}
	return refs, err
}

// PIFPlug brings a PIF up.
func (c *Client) PIFPlug(ctx context.Context, pif Ref) error {
	return c.asyncVoid(ctx, "PIF.plug", pif)
}

// PIFUnplug takes a PIF down; xapi refuses for the management PIF.
func (c *Client) PIFUnplug(ctx context.Context, pif Ref) error {
	return c.asyncVoid(ctx, "PIF.unplug", pif)
}

// PIFReconfigureIP sets a PIF's IPv4 configuration. ip, netmask, gateway
// and dns are empty for modes None and DHCP.
func (c *Client) PIFReconfigureIP(ctx context.Context, pif Ref, mode IPConfigurationMode, ip, netmask, gateway, dns string) error {
	return c.asyncVoid(ctx, "PIF.reconfigure_ip", pif, mode, ip, netmask, gateway, dns)
}

// PIFSetDisallowUnplug sets whether xapi refuses PIF.unplug of the PIF
// (PIF_DOES_NOT_ALLOW_UNPLUG), as XenCenter sets it on the interfaces it
// gives an IP for storage.
func (c *Client) PIFSetDisallowUnplug(ctx context.Context, pif Ref, value bool) error {
	return c.void(ctx, "PIF.set_disallow_unplug", pif, value)
}

// PIFAddToOtherConfig adds one key to a PIF's other_config; xapi refuses a
// key that is there already (MAP_DUPLICATE_KEY).
func (c *Client) PIFAddToOtherConfig(ctx context.Context, pif Ref, key, value string) error {
	return c.void(ctx, "PIF.add_to_other_config", pif, key, value)
}

// PIFRemoveFromOtherConfig removes one key from a PIF's other_config; a
// key that is not there is no error.
func (c *Client) PIFRemoveFromOtherConfig(ctx context.Context, pif Ref, key string) error {
	return c.void(ctx, "PIF.remove_from_other_config", pif, key)
}

// PoolAddToOtherConfig adds one key to the pool's other_config; xapi
// refuses a key that is there already (MAP_DUPLICATE_KEY).
func (c *Client) PoolAddToOtherConfig(ctx context.Context, pool Ref, key, value string) error {
	return c.void(ctx, "pool.add_to_other_config", pool, key, value)
}

// PoolRemoveFromOtherConfig removes one key from the pool's other_config;
// a key that is not there is no error.
func (c *Client) PoolRemoveFromOtherConfig(ctx context.Context, pool Ref, key string) error {
	return c.void(ctx, "pool.remove_from_other_config", pool, key)
}

// HostManagementReconfigure moves a host's management interface to pif,
// which must have an IP configuration.
func (c *Client) HostManagementReconfigure(ctx context.Context, pif Ref) error {
	return c.asyncVoid(ctx, "host.management_reconfigure", pif)
}

// PoolManagementReconfigure moves every host's management interface to
// its PIF on network.
func (c *Client) PoolManagementReconfigure(ctx context.Context, network Ref) error {
	return c.asyncVoid(ctx, "pool.management_reconfigure", network)
}

// PoolSetNameLabel sets the pool's name_label.
func (c *Client) PoolSetNameLabel(ctx context.Context, pool Ref, label string) error {
	return c.void(ctx, "pool.set_name_label", pool, label)
}

// PoolSetNameDescription sets the pool's name_description.
func (c *Client) PoolSetNameDescription(ctx context.Context, pool Ref, description string) error {
	return c.void(ctx, "pool.set_name_description", pool, description)
}

// PoolJoin makes the host this client is connected to join the pool whose
// master is at masterAddress, logging in there with username and password.
// It is a synchronous call with poolJoinTimeout on top of the request
// timeout: the joining host restarts its xapi as a pool member once the
// join is done, which would take a task along with it. Afterwards the
// client's calls follow HOST_IS_SLAVE to the master. The password is
// scrubbed from any error, like the client's own.
func (c *Client) PoolJoin(ctx context.Context, masterAddress, username, password string) error {
	_, err := c.call(ctx, "pool.join", []any{masterAddress, username, password},
		callOpts{extra: poolJoinTimeout, secrets: []string{c.password, password}})
	return err
}

// poolJoinTimeout is the time a pool.join may take beyond an ordinary
// request: it copies the master's database and networking.
const poolJoinTimeout = 5 * time.Minute

// PoolEject ejects a host from the pool; it comes back as a pool of its
// own after a reboot. The master cannot be ejected.
func (c *Client) PoolEject(ctx context.Context, host Ref) error {
	return c.asyncVoid(ctx, "pool.eject", host)
}

// HostDisable stops new VMs from starting on a host, as a reboot requires.
func (c *Client) HostDisable(ctx context.Context, host Ref) error {
	return c.void(ctx, "host.disable", host)
}

// HostEnable lets VMs start on a host again.
func (c *Client) HostEnable(ctx context.Context, host Ref) error {
	return c.void(ctx, "host.enable", host)
}

// HostReboot reboots a disabled host.
func (c *Client) HostReboot(ctx context.Context, host Ref) error {
	return c.asyncVoid(ctx, "host.reboot", host)
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
