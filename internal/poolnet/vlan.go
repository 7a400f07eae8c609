package poolnet

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// VLANSpec is what a pool-wide VLAN should be.
type VLANSpec struct {
	NameLabel       string
	NameDescription string
	Tag             int64
	// ParentNetworkUUID is the network whose PIFs carry the tagged traffic:
	// a NIC's pool-wide network or a bond's network.
	ParentNetworkUUID string
	MTU               int64
}

// HostVLAN is the VLAN on one host.
type HostVLAN struct {
	HostUUID        string
	VLANUUID        string
	TaggedPIFUUID   string
	UntaggedPIFUUID string
	// MTU is the untagged PIF's, the one in effect.
	MTU int64
}

// PoolVLAN is a pool-wide VLAN as the pool has it.
type PoolVLAN struct {
	NetworkUUID       string
	NameLabel         string
	NameDescription   string
	Bridge            string
	NetworkMTU        int64
	Tag               int64
	ParentNetworkUUID string
	Hosts             map[string]HostVLAN
	Missing           []string
}

// ReadVLAN finds the pool-wide VLAN whose network has the UUID. ok is false
// when there is no such network.
func ReadVLAN(snap *Snapshot, networkUUID string) (PoolVLAN, bool) {
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return PoolVLAN{}, false
	}
	pv := PoolVLAN{
		NetworkUUID:     net.UUID,
		NameLabel:       net.NameLabel,
		NameDescription: net.NameDescription,
		Bridge:          net.Bridge,
		NetworkMTU:      net.MTU,
		Hosts:           map[string]HostVLAN{},
	}
	for _, host := range snap.HostRefs() {
		hostUUID := snap.Hosts[host].UUID
		untaggedRef, untagged, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			pv.Missing = append(pv.Missing, hostUUID)
			continue
		}
		_, vlan, ok := snap.VLANOfUntagged(untaggedRef)
		if !ok {
			pv.Missing = append(pv.Missing, hostUUID)
			continue
		}
		tagged := snap.PIFs[vlan.TaggedPIF]
		if pv.ParentNetworkUUID == "" {
			pv.ParentNetworkUUID = snap.Networks[tagged.Network].UUID
			pv.Tag = vlan.Tag
		}
		pv.Hosts[hostUUID] = HostVLAN{
			HostUUID:        hostUUID,
			VLANUUID:        vlan.UUID,
			TaggedPIFUUID:   tagged.UUID,
			UntaggedPIFUUID: untagged.UUID,
			MTU:             untagged.MTU,
		}
	}
	return pv, true
}

// CreateVLAN makes a pool-wide VLAN: its network, then
// pool.create_VLAN_from_PIF, which puts a VLAN on every live host's PIF on
// the parent network and rolls itself back on the first error; then the
// MTU is made to take effect. Any error undoes everything made so far.
func (m *Model) CreateVLAN(ctx context.Context, spec VLANSpec) (string, error) {
	defer m.changing()()
	c := m.client
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return "", err
	}
	parentRef, parent, ok := snap.NetworkByUUID(spec.ParentNetworkUUID)
	if !ok {
		return "", fmt.Errorf("parent network %s does not exist", spec.ParentNetworkUUID)
	}
	masterPIF, _, ok := snap.NetworkPIF(snap.Pool.Master, parentRef)
	if !ok {
		return "", fmt.Errorf("the pool master has no PIF on parent network %q: a VLAN needs a NIC's or a bond's network as its parent", parent.NameLabel)
	}

	var undo undoStack
	netRef, err := c.NetworkCreate(ctx, xenapi.Network{
		NameLabel:       spec.NameLabel,
		NameDescription: spec.NameDescription,
		MTU:             spec.MTU,
		OtherConfig:     map[string]string{managedKey: "vlan"},
	})
	if err != nil {
		return "", fmt.Errorf("creating network %q: %w", spec.NameLabel, err)
	}
	undo.push("network "+spec.NameLabel, func(ctx context.Context) error { return c.NetworkDestroy(ctx, netRef) })

	if _, err := c.PoolCreateVLANFromPIF(ctx, masterPIF, netRef, spec.Tag); err != nil {
		return "", undo.rollback(ctx, fmt.Errorf("creating VLAN %d on network %q: %w", spec.Tag, parent.NameLabel, err))
	}
	undo.push(fmt.Sprintf("VLAN %d", spec.Tag), func(ctx context.Context) error { return m.destroyVLANs(ctx, netRef) })

	if err := m.applyMTU(ctx, netRef, spec.MTU); err != nil {
		return "", undo.rollback(ctx, err)
	}
	uuid, err := m.networkUUID(ctx, netRef)
	if err != nil {
		return "", undo.rollback(ctx, err)
	}
	return uuid, nil
}

// UpdateVLAN brings an existing pool-wide VLAN to spec in place: names, a
// VLAN on hosts that lack one, and the MTU. Tag and parent are not changed
// in place: that is a new VLAN.
func (m *Model) UpdateVLAN(ctx context.Context, networkUUID string, spec VLANSpec) error {
	defer m.changing()()
	c := m.client
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return fmt.Errorf("network %s is gone: %w", networkUUID, xenapi.NewError(xenapi.ErrUUIDInvalid, "network", networkUUID))
	}
	if err := updateNetworkNames(ctx, c, netRef, net, spec.NameLabel, spec.NameDescription); err != nil {
		return err
	}
	pv, _ := ReadVLAN(snap, networkUUID)
	if len(pv.Missing) > 0 {
		parentRef, _, ok := snap.NetworkByUUID(spec.ParentNetworkUUID)
		if !ok {
			return fmt.Errorf("parent network %s does not exist", spec.ParentNetworkUUID)
		}
		var undo undoStack
		for _, uuid := range pv.Missing {
			host, h, _ := snap.HostByUUID(uuid)
			tagged, _, ok := snap.NetworkPIF(host, parentRef)
			if !ok {
				return undo.rollback(ctx, fmt.Errorf("host %s has no PIF on the parent network to carry VLAN %d", h.NameLabel, spec.Tag))
			}
			vlan, err := c.VLANCreate(ctx, tagged, spec.Tag, netRef)
			if err != nil {
				return undo.rollback(ctx, fmt.Errorf("creating VLAN %d on host %s: %w", spec.Tag, h.NameLabel, err))
			}
			undo.push(fmt.Sprintf("VLAN %d on host %s", spec.Tag, h.NameLabel), func(ctx context.Context) error { return c.VLANDestroy(ctx, vlan) })
		}
	}
	return m.applyMTU(ctx, netRef, spec.MTU)
}

// DestroyVLAN destroys the VLAN on every host, then its network. A VLAN
// already gone is not an error.
func (m *Model) DestroyVLAN(ctx context.Context, networkUUID string) error {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return nil
	}
	if err := m.destroyVLANs(ctx, netRef); err != nil {
		return err
	}
	if err := m.client.NetworkDestroy(ctx, netRef); err != nil && !xenapi.IsGone(err) {
		return fmt.Errorf("destroying network %q: %w", net.NameLabel, err)
	}
	return nil
}

func (m *Model) destroyVLANs(ctx context.Context, netRef xenapi.Ref) error {
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, untaggedRef := range snap.NetworkPIFs(netRef) {
		ref, v, ok := snap.VLANOfUntagged(untaggedRef)
		if !ok {
			continue
		}
		untagged := snap.PIFs[untaggedRef]
		if err := m.client.VLANDestroy(ctx, ref); err != nil && !xenapi.IsGone(err) {
			errs = append(errs, fmt.Errorf("destroying VLAN %d on host %s: %w", v.Tag, snap.Hosts[untagged.Host].NameLabel, err))
		}
	}
	return errors.Join(errs...)
}

// Over reports whether the VLAN rides on the network on every host that
// has it: tagged on the host's PIF there, or on a bond master whose
// members include that PIF, as xapi leaves a VLAN whose NIC was bonded
// after it was made. Either way its traffic leaves by the same NICs.
func (pv PoolVLAN) Over(snap *Snapshot, networkUUID string) bool {
	netRef, _, ok := snap.NetworkByUUID(networkUUID)
	if !ok || len(pv.Hosts) == 0 {
		return false
	}
	for _, hv := range pv.Hosts {
		taggedRef, tagged, ok := snap.PIFByUUID(hv.TaggedPIFUUID)
		if !ok {
			return false
		}
		if tagged.Network == netRef {
			continue
		}
		nicRef, nic, ok := snap.NetworkPIF(tagged.Host, netRef)
		if !ok || nic.BondSlaveOf.IsNull() {
			return false
		}
		if _, b, ok := snap.BondOfMaster(taggedRef); !ok || !slices.Contains(b.Slaves, nicRef) {
			return false
		}
	}
	return true
}
