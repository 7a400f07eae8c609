package poolnet

import (
	"context"
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
		hostUUID := snap.Hosts.Get(host).UUID
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
		tagged := snap.PIFs.Get(vlan.TaggedPIF)
		if pv.ParentNetworkUUID == "" {
			pv.ParentNetworkUUID = snap.Networks.Get(tagged.Network).UUID
			pv.Tag = vlan.Tag
		}
		pv.Hosts[hostUUID] = HostVLAN{
			HostUUID:        hostUUID,
			TaggedPIFUUID:   tagged.UUID,
			UntaggedPIFUUID: untagged.UUID,
			MTU:             untagged.MTU,
		}
	}
	return pv, true
}

// CreateVLAN makes a pool-wide VLAN: its network, carrying the journal of
// the work, then pool.create_VLAN_from_PIF, which puts a VLAN on every live
// host's PIF on the parent network and rolls itself back on the first
// error; then the MTU is made to take effect. An earlier run's unfinished
// VLAN with the same parent and tag is taken over. Any error takes the
// VLAN apart again, and the error says how far that went.
func (m *Model) CreateVLAN(ctx context.Context, spec VLANSpec) (string, error) {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return "", err
	}
	parentRef, parent, ok := snap.NetworkByUUID(spec.ParentNetworkUUID)
	if !ok {
		return "", fmt.Errorf("parent network %s does not exist", spec.ParentNetworkUUID)
	}
	if _, _, ok := snap.NetworkPIF(snap.Pool.Master, parentRef); !ok {
		return "", fmt.Errorf("the pool master has no PIF on parent network %q: a VLAN needs a NIC's or a bond's network as its parent", parent.NameLabel)
	}
	op := fmt.Sprintf("creating VLAN %q (tag %d on %q)", spec.NameLabel, spec.Tag, parent.NameLabel)
	j := newJournal("create")
	j.VLAN = &spec
	sameVLAN := func(other journal) bool {
		return other.VLAN != nil && other.VLAN.Tag == spec.Tag && other.VLAN.ParentNetworkUUID == spec.ParentNetworkUUID
	}
	netRef, err := m.beginCreate(ctx, snap, j, sameVLAN, sameVLAN, func(ctx context.Context) (xenapi.Ref, error) {
		ref, err := m.client.NetworkCreate(ctx, xenapi.Network{
			NameLabel:       spec.NameLabel,
			NameDescription: spec.NameDescription,
			MTU:             spec.MTU,
			OtherConfig:     map[string]string{managedKey: "vlan", journalKey: j.encode()},
		})
		if err != nil {
			return "", fmt.Errorf("creating the VLAN's network: %w", err)
		}
		return ref, nil
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	// A network this call made has no PIFs yet: the snapshot from before
	// it was made tells convergeVLAN all it needs. One taken over from an
	// earlier run is read again.
	if _, takenOver := snap.Networks.Lookup(netRef); takenOver {
		if snap, err = m.fresh(ctx); err != nil {
			return "", m.undoVLAN(ctx, op, netRef, err)
		}
	}
	if err := m.convergeVLAN(ctx, snap, netRef, spec); err != nil {
		return "", m.undoVLAN(ctx, op, netRef, err)
	}
	if err := m.endJournal(ctx, netRef, spec.NameLabel); err != nil {
		return "", m.undoVLAN(ctx, op, netRef, err)
	}
	return m.networkUUID(ctx, netRef)
}

// convergeVLAN brings the VLAN on netRef to spec, as snap shows the pool:
// on every host that has a PIF on the parent network, in one
// pool.create_VLAN_from_PIF when no host has it yet and one VLAN.create
// per host that lacks it otherwise, then the MTU.
func (m *Model) convergeVLAN(ctx context.Context, snap *Snapshot, netRef xenapi.Ref, spec VLANSpec) error {
	parentRef, parent, ok := snap.NetworkByUUID(spec.ParentNetworkUUID)
	if !ok {
		return fmt.Errorf("parent network %s does not exist", spec.ParentNetworkUUID)
	}
	if len(snap.NetworkPIFs(netRef)) == 0 {
		masterPIF, _, ok := snap.NetworkPIF(snap.Pool.Master, parentRef)
		if !ok {
			return fmt.Errorf("the pool master has no PIF on parent network %q", parent.NameLabel)
		}
		if _, err := m.client.PoolCreateVLANFromPIF(ctx, masterPIF, netRef, spec.Tag); err != nil {
			return fmt.Errorf("creating VLAN %d on network %q: %w", spec.Tag, parent.NameLabel, err)
		}
	} else {
		for _, host := range snap.HostRefs() {
			if _, _, ok := snap.NetworkPIF(host, netRef); ok {
				continue
			}
			h := snap.Hosts.Get(host).NameLabel
			tagged, _, ok := snap.NetworkPIF(host, parentRef)
			if !ok {
				return fmt.Errorf("host %s has no PIF on the parent network to carry VLAN %d", h, spec.Tag)
			}
			if _, err := m.client.VLANCreate(ctx, tagged, spec.Tag, netRef); err != nil {
				return fmt.Errorf("creating VLAN %d on host %s: %w", spec.Tag, h, err)
			}
		}
	}
	return m.applyMTU(ctx, netRef, spec.MTU)
}

// undoVLAN takes apart a VLAN whose create failed, and says how far that
// went.
func (m *Model) undoVLAN(ctx context.Context, op string, netRef xenapi.Ref, cause error) error {
	return m.undoCreate(ctx, op, netRef, cause, m.teardownVLAN)
}

// UpdateVLAN brings an existing pool-wide VLAN to spec in place: names, a
// VLAN on hosts that lack one, and the MTU. Tag and parent are not changed
// in place: that is a new VLAN.
func (m *Model) UpdateVLAN(ctx context.Context, networkUUID string, spec VLANSpec) error {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return fmt.Errorf("network %s is gone: %w", networkUUID, xenapi.NewError(xenapi.ErrUUIDInvalid, "network", networkUUID))
	}
	if err := updateNetworkNames(ctx, m.client, netRef, net, spec.NameLabel, spec.NameDescription); err != nil {
		return err
	}
	if snap, err = m.fresh(ctx); err != nil {
		return err
	}
	return m.convergeVLAN(ctx, snap, netRef, spec)
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
	if _, err := m.teardownVLAN(ctx, netRef); err != nil {
		return fmt.Errorf("destroying VLAN %q: %w", net.NameLabel, err)
	}
	return nil
}

// teardownVLAN destroys the VLAN on every host, then its network, and
// returns the steps it took.
func (m *Model) teardownVLAN(ctx context.Context, netRef xenapi.Ref) ([]string, error) {
	var done []string
	snap, err := m.fresh(ctx)
	if err != nil {
		return done, err
	}
	net, ok := snap.Networks.Lookup(netRef)
	if !ok {
		return done, nil
	}
	// Rounds: destroying a bond under the VLAN at the same time makes
	// xapi move the VLAN onto the primary member, a new PIF on this network.
	vlans, err := m.destroyAll(ctx, snap, netRef, func(snap *Snapshot, pif xenapi.Ref) (string, func(context.Context) error, bool) {
		ref, v, ok := snap.VLANOfUntagged(pif)
		return fmt.Sprintf("VLAN %d on host %s", v.Tag, snap.Hosts.Get(snap.PIFs.Get(pif).Host).NameLabel),
			func(ctx context.Context) error { return m.client.VLANDestroy(ctx, ref) }, ok
	})
	done = append(done, vlans...)
	if err != nil {
		return done, err
	}
	if err := m.client.NetworkDestroy(ctx, netRef); err != nil && !xenapi.IsGone(err) {
		return done, fmt.Errorf("network %q: %w", net.NameLabel, err)
	}
	return append(done, fmt.Sprintf("network %q", net.NameLabel)), nil
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
