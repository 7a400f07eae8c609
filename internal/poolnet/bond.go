package poolnet

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// BondSpec is what a pool-wide bond should be.
type BondSpec struct {
	NameLabel       string
	NameDescription string
	// Members are NIC devices such as eth2, the same on every host.
	Members []string
	Mode    xenapi.BondMode
	MTU     int64
	// Management asks for every host's management interface on the bond.
	Management bool
	// HashingAlgorithm is the lacp bond property (src_mac or tcpudp_ports);
	// empty leaves xapi's default.
	HashingAlgorithm string
}

// properties are Bond.create's: only lacp takes any.
func (s BondSpec) properties() map[string]string {
	p := map[string]string{}
	if s.Mode == xenapi.BondModeLACP && s.HashingAlgorithm != "" {
		p["hashing_algorithm"] = s.HashingAlgorithm
	}
	return p
}

// HostBond is the bond on one host.
type HostBond struct {
	HostUUID   string
	BondUUID   string
	MasterUUID string
	// Device is the bond master's device, bond0, bond1, ...
	Device string
	// Members are the member NICs' devices, in device order.
	Members    []string
	Mode       xenapi.BondMode
	Properties map[string]string
	LinksUp    int64
	// MTU is the bond master PIF's: the MTU in effect, which lags the
	// network's until the PIF is plugged again.
	MTU        int64
	Management bool
}

// PoolBond is a pool-wide bond as the pool has it.
type PoolBond struct {
	NetworkUUID     string
	NameLabel       string
	NameDescription string
	Bridge          string
	NetworkMTU      int64
	// Hosts holds the bond of every host that has one, by host UUID.
	Hosts map[string]HostBond
	// Missing lists the hosts without the bond, such as a host that joined
	// the pool later, or one whose bond was destroyed by hand.
	Missing []string
	// MoveUnfinished says a run began moving management onto or off the
	// bond and did not finish: a host's management interface may be on
	// either side, and the PIF it left may still hold a copy of its
	// address. The next change of the bond settles each host first.
	MoveUnfinished bool
}

// managedKey marks, in other_config, a bond network xsnet made, so that a
// plan can tell a bond xsnet may be replacing from one made by hand.
const managedKey = "xsnet_managed"

// memberMTUsKey is where, in the bond network's other_config, xsnet keeps
// the MTUs the members' networks had before bonding, as
// "<network uuid>=<mtu>,...": Bond.create gives them the bond's MTU and
// Bond.destroy leaves it there, so DestroyBond puts them back.
const memberMTUsKey = "xsnet_member_mtus"

// managementFromKey is where, in the bond network's other_config, xsnet
// remembers the network management came from when it moved management onto
// a bond, so that management = false can move it back there: a bond member
// cannot carry management while it is bonded.
const managementFromKey = "xsnet_management_from"

// ReadBond finds the pool-wide bond whose network has the UUID. ok is false
// when there is no such network.
func ReadBond(snap *Snapshot, networkUUID string) (PoolBond, bool) {
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return PoolBond{}, false
	}
	pb := PoolBond{
		NetworkUUID:     net.UUID,
		NameLabel:       net.NameLabel,
		NameDescription: net.NameDescription,
		Bridge:          net.Bridge,
		NetworkMTU:      net.MTU,
		Hosts:           map[string]HostBond{},
	}
	if j, ok := journalOf(net); ok && len(j.Moves) > 0 {
		pb.MoveUnfinished = true
	}
	for _, host := range snap.HostRefs() {
		hostUUID := snap.Hosts.Get(host).UUID
		masterRef, master, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			pb.Missing = append(pb.Missing, hostUUID)
			continue
		}
		_, bond, ok := snap.BondOfMaster(masterRef)
		if !ok {
			pb.Missing = append(pb.Missing, hostUUID)
			continue
		}
		var members []string
		for _, s := range bond.Slaves {
			members = append(members, snap.PIFs.Get(s).Device)
		}
		slices.Sort(members)
		pb.Hosts[hostUUID] = HostBond{
			HostUUID:   hostUUID,
			BondUUID:   bond.UUID,
			MasterUUID: master.UUID,
			Device:     master.Device,
			Members:    members,
			Mode:       bond.Mode,
			Properties: bond.Properties,
			LinksUp:    bond.LinksUp,
			MTU:        master.MTU,
			Management: master.Management,
		}
	}
	return pb, true
}

// bondTarget is one host's share of a pool-wide bond: the host and the
// member PIFs to bond there.
type bondTarget struct {
	host    xenapi.Ref
	name    string
	members []xenapi.Ref
}

// bondTargets resolves the member devices on each of the hosts, in the
// order given.
func bondTargets(snap *Snapshot, hosts []xenapi.Ref, devices []string) ([]bondTarget, error) {
	var targets []bondTarget
	for _, host := range hosts {
		h := snap.Hosts.Get(host)
		t := bondTarget{host: host, name: h.NameLabel}
		for _, dev := range devices {
			ref, _, ok := snap.DevicePIF(host, dev)
			if !ok {
				return nil, fmt.Errorf("host %s has no NIC %s: bond members must name NICs that every host in the pool has", h.NameLabel, dev)
			}
			t.members = append(t.members, ref)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// CreateBond makes a pool-wide bond: the network first, carrying the
// journal of the work, then a bond on every host, master last, then
// management onto it when asked, then the MTU. Work an earlier run began
// on the same bond and left unfinished is taken over rather than
// refused; unfinished work that stands in the way is undone first. Any
// error takes the bond apart again, and the error says what was undone
// and what could not be. It returns the network's UUID.
func (m *Model) CreateBond(ctx context.Context, spec BondSpec) (string, error) {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return "", err
	}
	targets, err := bondTargets(snap, snap.hostsMasterLast(), spec.Members)
	if err != nil {
		return "", err
	}
	op := fmt.Sprintf("creating bond %q", spec.NameLabel)
	j := newJournal("create")
	j.Bond = &spec
	netRef, err := m.beginCreate(ctx, snap, j, func(other journal) bool {
		return other.Bond != nil && sameDevices(other.Bond.Members, spec.Members)
	}, func(other journal) bool {
		return other.Bond != nil && overlaps(other.Bond.Members, spec.Members)
	}, func(ctx context.Context) (xenapi.Ref, error) {
		ref, err := m.client.NetworkCreate(ctx, xenapi.Network{
			NameLabel:       spec.NameLabel,
			NameDescription: spec.NameDescription,
			MTU:             spec.MTU,
			OtherConfig: map[string]string{
				managedKey: "bond", memberMTUsKey: memberMTUs(snap, targets), journalKey: j.encode(),
			},
		})
		if err != nil {
			return "", fmt.Errorf("creating the bond's network: %w", err)
		}
		return ref, nil
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if err := m.convergeBond(ctx, netRef, spec, false); err != nil {
		return "", m.undoBond(ctx, op, netRef, err)
	}
	if err := m.endJournal(ctx, netRef, spec.NameLabel); err != nil {
		return "", m.undoBond(ctx, op, netRef, err)
	}
	return m.networkUUID(ctx, netRef)
}

// UpdateBond brings an existing pool-wide bond to spec in place: names,
// bonds on hosts that lack one, mode and hashing, MTU (replugging each bond
// master so the MTU takes effect, then reading it back), and management.
// Members are not changed in place: that is a new bond. What it changed
// before an error stays: the next plan reads it, and the next apply goes
// on from there.
func (m *Model) UpdateBond(ctx context.Context, networkUUID string, spec BondSpec) error {
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
	return m.convergeBond(ctx, netRef, spec, true)
}

// convergeBond brings the bond on netRef to spec wherever it differs: a
// bond on each host that lacks one, the mode and hashing, and the MTU and
// management, in the order that never puts management on a jumbo MTU.
// handOff says management = false is to take management off the bond even
// where xsnet did not put it there, waiting for another change to take it;
// a create leaves management where xapi put it.
func (m *Model) convergeBond(ctx context.Context, netRef xenapi.Ref, spec BondSpec, handOff bool) error {
	var snap *Snapshot
	// Rounds: a Bond.create whose reply was lost (bonding the management
	// NIC resets the connections) is judged by reading the pool again.
	for round := 0; ; round++ {
		var err error
		if snap, err = m.fresh(ctx); err != nil {
			return err
		}
		var missing []xenapi.Ref
		for _, host := range snap.hostsMasterLast() {
			if masterRef, _, ok := snap.NetworkPIF(host, netRef); !ok {
				missing = append(missing, host)
			} else if _, _, ok := snap.BondOfMaster(masterRef); !ok {
				missing = append(missing, host)
			}
		}
		if len(missing) == 0 {
			break
		}
		targets, err := bondTargets(snap, missing, spec.Members)
		if err != nil {
			return err
		}
		for _, t := range targets {
			err := m.change(ctx, snap.managementOnDevice(t.host, spec.Members...), func(ctx context.Context) error {
				_, err := m.client.BondCreate(ctx, netRef, t.members, "", spec.Mode, spec.properties())
				return err
			})
			switch {
			case err == nil:
			case xenapi.IsOutcomeUnknown(err) && round < destroyRounds-1:
			default:
				return fmt.Errorf("creating the bond on host %s: %w", t.name, err)
			}
		}
	}
	for _, masterRef := range snap.NetworkPIFs(netRef) {
		ref, b, ok := snap.BondOfMaster(masterRef)
		if !ok {
			continue
		}
		host := snap.Hosts.Get(snap.PIFs.Get(masterRef).Host).NameLabel
		if b.Mode != spec.Mode {
			if err := m.client.BondSetMode(ctx, ref, spec.Mode); err != nil {
				return fmt.Errorf("setting the bond mode on host %s: %w", host, err)
			}
		}
		if spec.Mode == xenapi.BondModeLACP && spec.HashingAlgorithm != "" && b.Properties["hashing_algorithm"] != spec.HashingAlgorithm {
			if err := m.client.BondSetProperty(ctx, ref, "hashing_algorithm", spec.HashingAlgorithm); err != nil {
				return fmt.Errorf("setting the hashing algorithm on host %s: %w", host, err)
			}
		}
	}
	// The MTU changes while management is elsewhere: before management
	// moves onto the bond, after it leaves.
	if spec.Management {
		if err := m.applyMTU(ctx, netRef, spec.MTU); err != nil {
			return err
		}
		return m.moveManagementOnto(ctx, netRef)
	}
	if err := m.moveManagementOff(ctx, netRef, handOff); err != nil {
		return err
	}
	return m.applyMTU(ctx, netRef, spec.MTU)
}

// DestroyBond takes a pool-wide bond apart; see teardownBond. A bond
// already gone is not an error.
func (m *Model) DestroyBond(ctx context.Context, networkUUID string) error {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return nil
	}
	if _, err := m.teardownBond(ctx, netRef); err != nil {
		return fmt.Errorf("destroying bond %q: %w", net.NameLabel, err)
	}
	return nil
}

// undoBond takes apart a bond whose create failed, and says how far that
// went.
func (m *Model) undoBond(ctx context.Context, op string, netRef xenapi.Ref, cause error) error {
	return m.undoCreate(ctx, op, netRef, cause, m.teardownBond)
}

// teardownBond takes a pool-wide bond apart, in the order that leaves the
// network, and the journal in its other_config, for last: management back
// where xsnet moved it from (or, by xapi, onto the primary member), each
// host's bond, the members' networks back to the MTUs they had before
// bonding, then the network. Every step reads the pool first, so a
// teardown interrupted half-way goes on from where it stopped. It returns
// the steps it took.
func (m *Model) teardownBond(ctx context.Context, netRef xenapi.Ref) ([]string, error) {
	var done []string
	snap, err := m.fresh(ctx)
	if err != nil {
		return done, err
	}
	net, ok := snap.Networks.Lookup(netRef)
	if !ok {
		return done, nil
	}
	if _, ok := net.OtherConfig[managementFromKey]; ok {
		if err := m.moveManagementOff(ctx, netRef, false); err != nil {
			return done, err
		}
		if snap, err = m.fresh(ctx); err != nil {
			return done, err
		}
	}
	bonds, err := m.destroyAll(ctx, snap, netRef, func(snap *Snapshot, pif xenapi.Ref) (string, func(context.Context) error, bool) {
		ref, _, ok := snap.BondOfMaster(pif)
		p := snap.PIFs.Get(pif)
		return "the bond on host " + snap.Hosts.Get(p.Host).NameLabel, func(ctx context.Context) error {
			return m.change(ctx, snap.managementOnDevice(p.Host, p.Device), func(ctx context.Context) error {
				return m.client.BondDestroy(ctx, ref)
			})
		}, ok
	})
	done = append(done, bonds...)
	if err != nil {
		return done, err
	}
	if err := m.restoreMemberMTUs(ctx, net.OtherConfig[memberMTUsKey]); err != nil {
		return done, err
	}
	if net.OtherConfig[memberMTUsKey] != "" {
		done = append(done, "the members' MTUs")
	}
	if err := m.client.NetworkDestroy(ctx, netRef); err != nil && !xenapi.IsGone(err) {
		return done, fmt.Errorf("network %q: %w", net.NameLabel, err)
	}
	return append(done, fmt.Sprintf("network %q", net.NameLabel)), nil
}

// sameDevices reports whether two device lists name the same NICs.
func sameDevices(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(d string) bool { return !slices.Contains(b, d) })
}

// overlaps reports whether two device lists share a NIC.
func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(d string) bool { return slices.Contains(b, d) })
}

// destroyRounds bounds how often destroyAll reads the pool again and goes
// on: a call whose outcome was lost, or xapi moving something onto the
// network meanwhile, is settled by reading again, not by giving up.
const destroyRounds = 3

// destroyAll destroys, on every host, what object finds on the network's
// PIFs (a bond, a VLAN): first as snap shows the pool, which the caller
// has just read, then reading the pool again after each round until none
// is left. A call whose outcome is unknown (XenServer resets the
// connections when a management interface is rebuilt) is judged by the
// next read. It returns what it destroyed.
func (m *Model) destroyAll(ctx context.Context, snap *Snapshot, netRef xenapi.Ref,
	object func(*Snapshot, xenapi.Ref) (string, func(context.Context) error, bool)) ([]string, error) {
	var done []string
	var errs []error
	for round := 0; round < destroyRounds; round++ {
		if round > 0 {
			var err error
			if snap, err = m.fresh(ctx); err != nil {
				return done, err
			}
		}
		errs = errs[:0]
		left := 0
		for _, pif := range snap.NetworkPIFs(netRef) {
			what, destroy, ok := object(snap, pif)
			if !ok {
				continue
			}
			left++
			switch err := destroy(ctx); {
			case err == nil || xenapi.IsGone(err):
				done = append(done, what)
			case xenapi.IsOutcomeUnknown(err):
			default:
				errs = append(errs, fmt.Errorf("%s: %w", what, err))
			}
		}
		if left == 0 || len(errs) > 0 {
			break
		}
	}
	return done, errors.Join(errs...)
}
