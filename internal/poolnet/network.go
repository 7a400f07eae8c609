package poolnet

import (
	"context"
	"fmt"
	"maps"

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
func CreateNetwork(ctx context.Context, c *xenapi.Client, spec NetworkSpec) (string, error) {
	oc := spec.OtherConfig
	if oc == nil {
		oc = map[string]string{}
	}
	ref, err := c.NetworkCreate(ctx, xenapi.Network{
		NameLabel:       spec.NameLabel,
		NameDescription: spec.NameDescription,
		MTU:             spec.MTU,
		OtherConfig:     oc,
	})
	if err != nil {
		return "", fmt.Errorf("creating network %q: %w", spec.NameLabel, err)
	}
	net, err := xenapi.GetRecord[xenapi.Network](ctx, c, ref)
	if err != nil {
		var undo undoStack
		undo.push("network "+spec.NameLabel, func(ctx context.Context) error { return c.NetworkDestroy(ctx, ref) })
		return "", undo.rollback(ctx, err)
	}
	return net.UUID, nil
}

// UpdateNetwork changes names, other_config and MTU in place, the MTU
// taking effect on any PIF the network has.
func UpdateNetwork(ctx context.Context, c *xenapi.Client, networkUUID string, spec NetworkSpec) error {
	ref, err := xenapi.GetByUUID[xenapi.Network](ctx, c, networkUUID)
	if err != nil {
		return err
	}
	net, err := xenapi.GetRecord[xenapi.Network](ctx, c, ref)
	if err != nil {
		return err
	}
	if err := updateNetworkNames(ctx, c, ref, net, spec.NameLabel, spec.NameDescription); err != nil {
		return err
	}
	oc := spec.OtherConfig
	if oc == nil {
		oc = map[string]string{}
	}
	if !maps.Equal(net.OtherConfig, oc) {
		if err := c.NetworkSetOtherConfig(ctx, ref, oc); err != nil {
			return err
		}
	}
	return applyMTU(ctx, c, ref, spec.MTU)
}

// DestroyNetwork destroys the network; one already gone is not an error.
func DestroyNetwork(ctx context.Context, c *xenapi.Client, networkUUID string) error {
	ref, err := xenapi.GetByUUID[xenapi.Network](ctx, c, networkUUID)
	if xenapi.IsGone(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := c.NetworkDestroy(ctx, ref); err != nil && !xenapi.IsGone(err) {
		return err
	}
	return nil
}
