package poolnet

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// NetworkSpec is what a network without PIFs should be: a private network
// for VMs on one host, or one that other objects attach to later.
type NetworkSpec struct {
	NameLabel       string
	NameDescription string
	MTU             int64
	OtherConfig     map[string]string
}

// CreateNetwork makes the network and returns its UUID. A network of the
// same name an earlier run began and left unfinished, such as one whose
// network.create outlasted the request and was made after the provider
// gave up on it, is taken over rather than made twice.
func (m *Model) CreateNetwork(ctx context.Context, spec NetworkSpec) (string, error) {
	defer m.changing()()
	c := m.client
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return "", err
	}
	oc := maps.Clone(spec.OtherConfig)
	if oc == nil {
		oc = map[string]string{}
	}
	oc[managedKey] = "network"
	j := newJournal("create")
	j.Network = &spec
	oc[journalKey] = j.encode()
	ref, err := m.beginCreate(ctx, snap, j, func(other journal) bool {
		return other.Network != nil && other.Network.NameLabel == spec.NameLabel
	}, func(journal) bool { return false }, func(ctx context.Context) (xenapi.Ref, error) {
		return c.NetworkCreate(ctx, xenapi.Network{
			NameLabel:       spec.NameLabel,
			NameDescription: spec.NameDescription,
			MTU:             spec.MTU,
			OtherConfig:     oc,
		})
	})
	if err != nil {
		return "", fmt.Errorf("creating network %q: %w", spec.NameLabel, err)
	}
	// A network taken over was made for an earlier plan of the resource.
	err = m.convergeNetwork(ctx, ref, spec)
	if err == nil {
		err = m.endJournal(ctx, ref, spec.NameLabel)
	}
	uuid, uerr := m.networkUUID(ctx, ref)
	if err == nil {
		err = uerr
	}
	if err != nil {
		f := &Failure{Op: fmt.Sprintf("creating network %q", spec.NameLabel), Cause: err}
		if derr := c.NetworkDestroy(context.WithoutCancel(ctx), ref); derr != nil && !xenapi.IsGone(derr) {
			// What stays is the state's to hold, so that the next apply
			// takes it apart rather than make a second one beside it.
			f.Remains = uuid
			name := uuid
			if name == "" {
				name = string(ref)
			}
			f.Left = []string{fmt.Sprintf("network %q (%s), which xsnet could not destroy: %v", spec.NameLabel, name, derr)}
		} else {
			f.Undone = []string{fmt.Sprintf("network %q", spec.NameLabel)}
		}
		return "", f
	}
	return uuid, nil
}

// UpdateNetwork changes names, other_config and MTU in place, the MTU
// taking effect on any PIF the network has.
func (m *Model) UpdateNetwork(ctx context.Context, networkUUID string, spec NetworkSpec) error {
	defer m.changing()()
	c := m.client
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	ref, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return fmt.Errorf("network %s is gone: %w", networkUUID, xenapi.NewError(xenapi.ErrUUIDInvalid, "network", networkUUID))
	}
	if err := updateNetworkNames(ctx, c, ref, net, spec.NameLabel, spec.NameDescription); err != nil {
		return err
	}
	return m.convergeNetwork(ctx, ref, spec)
}

// convergeNetwork brings a network's other_config and MTU to spec, the
// keys xsnet keeps for itself left as they are.
func (m *Model) convergeNetwork(ctx context.Context, ref xenapi.Ref, spec NetworkSpec) error {
	c := m.client
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	net, ok := snap.Networks.Lookup(ref)
	if !ok {
		return xenapi.NewError(xenapi.ErrHandleInvalid, "network", string(ref))
	}
	oc := maps.Clone(spec.OtherConfig)
	if oc == nil {
		oc = map[string]string{}
	}
	for k, v := range net.OtherConfig {
		if isOwnKey(k) {
			oc[k] = v
		}
	}
	if !maps.Equal(net.OtherConfig, oc) {
		if err := c.NetworkSetOtherConfig(ctx, ref, oc); err != nil {
			return fmt.Errorf("setting the other_config of network %q: %w", spec.NameLabel, err)
		}
	}
	return m.applyMTU(ctx, ref, spec.MTU)
}

// DestroyNetwork destroys the network; one already gone is not an error.
func (m *Model) DestroyNetwork(ctx context.Context, networkUUID string) error {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	ref, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return nil
	}
	err = m.client.NetworkDestroy(ctx, ref)
	switch {
	case err == nil, xenapi.IsGone(err):
		return nil
	case xenapi.ErrorCode(err) == "NETWORK_CONTAINS_PIF":
		if on := m.pifsOn(ctx, ref); on != "" {
			return fmt.Errorf("destroying network %q: something outside xsnet put %s on it, and xapi destroys no network "+
				"with a PIF on it (%w). Remove what is on it (xe vlan-destroy for a VLAN, xe bond-destroy for a bond) "+
				"and run terraform destroy again, or terraform state rm the network to leave it in the pool",
				net.NameLabel, on, err)
		}
	}
	return fmt.Errorf("destroying network %q: %w", net.NameLabel, err)
}

// pifsOn says what the PIFs on a network are, such as "VLAN 200 on host
// xs-host-1", or "" if it cannot tell.
func (m *Model) pifsOn(ctx context.Context, network xenapi.Ref) string {
	snap, err := m.fresh(ctx)
	if err != nil {
		return ""
	}
	var on []string
	for _, ref := range snap.NetworkPIFs(network) {
		p := snap.PIFs.Get(ref)
		host := snap.Hosts.Get(p.Host).NameLabel
		_, v, isVLAN := snap.VLANOfUntagged(ref)
		_, _, isBond := snap.BondOfMaster(ref)
		switch {
		case isVLAN:
			on = append(on, fmt.Sprintf("VLAN %d on host %s", v.Tag, host))
		case isBond:
			on = append(on, fmt.Sprintf("bond %s on host %s", p.Device, host))
		default:
			on = append(on, fmt.Sprintf("PIF %s on host %s", p.Device, host))
		}
	}
	return strings.Join(on, ", ")
}

// ownKeyPrefix starts every other_config key xsnet keeps for itself: that
// it made the network, what a bond's members had, where management came
// from.
const ownKeyPrefix = "xsnet_"

func isOwnKey(k string) bool { return strings.HasPrefix(k, ownKeyPrefix) }

// UserOtherConfig is a network's other_config without the keys xsnet keeps
// for itself: what an operator wrote, and what the network resource shows.
func UserOtherConfig(oc map[string]string) map[string]string {
	out := make(map[string]string, len(oc))
	for k, v := range oc {
		if !isOwnKey(k) {
			out[k] = v
		}
	}
	return out
}

func updateNetworkNames(ctx context.Context, c *xenapi.Client, ref xenapi.Ref, net xenapi.Network, label, description string) error {
	if net.NameLabel != label {
		if err := c.NetworkSetNameLabel(ctx, ref, label); err != nil {
			return fmt.Errorf("renaming network %q to %q: %w", net.NameLabel, label, err)
		}
	}
	if net.NameDescription != description {
		if err := c.NetworkSetNameDescription(ctx, ref, description); err != nil {
			return fmt.Errorf("setting the description of network %q: %w", label, err)
		}
	}
	return nil
}

// HostInternal reports whether the network is the host-internal management
// network xapi makes for guests to reach it (bridge xenapi): no PIFs, never
// destroyed, nothing an operator manages.
func HostInternal(n xenapi.Network) bool {
	return n.OtherConfig["is_host_internal_management_network"] == "true"
}
