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

// CreateNetwork makes the network and returns its UUID.
func (m *Model) CreateNetwork(ctx context.Context, spec NetworkSpec) (string, error) {
	defer m.changing()()
	c := m.client
	oc := maps.Clone(spec.OtherConfig)
	if oc == nil {
		oc = map[string]string{}
	}
	oc[managedKey] = "network"
	j := newJournal("create")
	oc[journalKey] = j.encode()
	ref, err := c.NetworkCreate(ctx, xenapi.Network{
		NameLabel:       spec.NameLabel,
		NameDescription: spec.NameDescription,
		MTU:             spec.MTU,
		OtherConfig:     oc,
	})
	if xenapi.IsOutcomeUnknown(err) {
		// xapi may have made it all the same: the journal's ID finds it.
		if found, ok := m.findJournal(context.WithoutCancel(ctx), j.ID); ok {
			ref, err = found, nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("creating network %q: %w", spec.NameLabel, err)
	}
	err = m.endJournal(ctx, ref)
	uuid, uerr := m.networkUUID(ctx, ref)
	if err == nil {
		err = uerr
	}
	if err != nil {
		f := &Failure{Op: fmt.Sprintf("creating network %q", spec.NameLabel), Cause: err}
		if derr := c.NetworkDestroy(context.WithoutCancel(ctx), ref); derr != nil && !xenapi.IsGone(derr) {
			f.Left = []string{fmt.Sprintf("network %q (%s): %v", spec.NameLabel, ref, derr)}
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
			return err
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
	ref, _, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return nil
	}
	if err := m.client.NetworkDestroy(ctx, ref); err != nil && !xenapi.IsGone(err) {
		return err
	}
	return nil
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
			return err
		}
	}
	if net.NameDescription != description {
		if err := c.NetworkSetNameDescription(ctx, ref, description); err != nil {
			return err
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
