package poolnet

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

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
	for _, host := range snap.HostRefs() {
		hostUUID := snap.Hosts[host].UUID
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
			members = append(members, snap.PIFs[s].Device)
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
		h := snap.Hosts[host]
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

// CreateBond makes a pool-wide bond: the network first, then a bond on
// every host, master last, then management onto it when asked. Any error
// undoes everything made so far. It returns the network's UUID.
func (m *Model) CreateBond(ctx context.Context, spec BondSpec) (string, error) {
	defer m.changing()()
	c := m.client
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return "", err
	}
	// Master last, as XenCenter bonds: a failure on a pool member then
	// leaves the master, and with it the connection to the pool, untouched.
	targets, err := bondTargets(snap, snap.hostsMasterLast(), spec.Members)
	if err != nil {
		return "", err
	}

	var undo undoStack
	netRef, err := c.NetworkCreate(ctx, xenapi.Network{
		NameLabel:       spec.NameLabel,
		NameDescription: spec.NameDescription,
		MTU:             spec.MTU,
		OtherConfig:     map[string]string{managedKey: "bond", memberMTUsKey: memberMTUs(snap, targets)},
	})
	if err != nil {
		return "", fmt.Errorf("creating network %q: %w", spec.NameLabel, err)
	}
	undo.push("network "+spec.NameLabel, func(ctx context.Context) error { return c.NetworkDestroy(ctx, netRef) })
	undo.push("the MTU of the members' networks", func(ctx context.Context) error {
		return m.restoreMemberMTUs(ctx, memberMTUs(snap, targets))
	})

	if err := createBonds(ctx, c, netRef, targets, spec, &undo); err != nil {
		return "", undo.rollback(ctx, err)
	}
	if spec.Management {
		if err := m.moveManagementOnto(ctx, netRef, &undo); err != nil {
			return "", undo.rollback(ctx, err)
		}
	}
	uuid, err := m.networkUUID(ctx, netRef)
	if err != nil {
		return "", undo.rollback(ctx, err)
	}
	return uuid, nil
}

func createBonds(ctx context.Context, c *xenapi.Client, netRef xenapi.Ref, targets []bondTarget, spec BondSpec, undo *undoStack) error {
	for _, t := range targets {
		bond, err := c.BondCreate(ctx, netRef, t.members, "", spec.Mode, spec.properties())
		if err != nil {
			return fmt.Errorf("creating the bond on host %s: %w", t.name, err)
		}
		undo.push("the bond on host "+t.name, func(ctx context.Context) error { return c.BondDestroy(ctx, bond) })
	}
	return nil
}

// UpdateBond brings an existing pool-wide bond to spec in place: names,
// bonds on hosts that lack one, mode and hashing, MTU (replugging each bond
// master so the MTU takes effect, then reading it back), and management.
// Members are not changed in place: that is a new bond.
func (m *Model) UpdateBond(ctx context.Context, networkUUID string, spec BondSpec) error {
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

	pb, _ := ReadBond(snap, networkUUID)
	if len(pb.Missing) > 0 {
		var hosts []xenapi.Ref
		for _, uuid := range pb.Missing {
			ref, _, _ := snap.HostByUUID(uuid)
			hosts = append(hosts, ref)
		}
		targets, err := bondTargets(snap, hosts, spec.Members)
		if err != nil {
			return err
		}
		var undo undoStack
		if err := createBonds(ctx, c, netRef, targets, spec, &undo); err != nil {
			return undo.rollback(ctx, err)
		}
	}

	if snap, err = m.fresh(ctx); err != nil {
		return err
	}
	for _, masterRef := range snap.NetworkPIFs(netRef) {
		ref, b, ok := snap.BondOfMaster(masterRef)
		if !ok {
			continue
		}
		master := snap.PIFs[masterRef]
		host := snap.Hosts[master.Host].NameLabel
		if b.Mode != spec.Mode {
			if err := c.BondSetMode(ctx, ref, spec.Mode); err != nil {
				return fmt.Errorf("setting the bond mode on host %s: %w", host, err)
			}
		}
		if spec.Mode == xenapi.BondModeLACP && spec.HashingAlgorithm != "" && b.Properties["hashing_algorithm"] != spec.HashingAlgorithm {
			if err := c.BondSetProperty(ctx, ref, "hashing_algorithm", spec.HashingAlgorithm); err != nil {
				return fmt.Errorf("setting the hashing algorithm on host %s: %w", host, err)
			}
		}
	}

	// The MTU changes while management is elsewhere: before management
	// moves onto the bond, after it leaves.
	var undo undoStack
	if spec.Management {
		if err := m.applyMTU(ctx, netRef, spec.MTU); err != nil {
			return err
		}
		if err := m.moveManagementOnto(ctx, netRef, &undo); err != nil {
			return undo.rollback(ctx, err)
		}
		return nil
	}
	if err := m.moveManagementOff(ctx, netRef, &undo); err != nil {
		return undo.rollback(ctx, err)
	}
	return m.applyMTU(ctx, netRef, spec.MTU)
}

// DestroyBond takes a pool-wide bond apart: management back where it came
// from when xsnet moved it there, then each host's bond (xapi moves its IP
// configuration and management back to the primary member), then the
// network. A bond already gone is not an error.
func (m *Model) DestroyBond(ctx context.Context, networkUUID string) error {
	defer m.changing()()
	c := m.client
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return nil
	}
	if _, ok := net.OtherConfig[managementFromKey]; ok {
		var undo undoStack
		if err := m.moveManagementOff(ctx, netRef, &undo); err != nil {
			return undo.rollback(ctx, err)
		}
	}
	var errs []error
	for _, masterRef := range snap.NetworkPIFs(netRef) {
		ref, _, ok := snap.BondOfMaster(masterRef)
		if !ok {
			continue
		}
		if err := c.BondDestroy(ctx, ref); err != nil && !xenapi.IsGone(err) {
			errs = append(errs, fmt.Errorf("destroying the bond on host %s: %w", snap.Hosts[snap.PIFs[masterRef].Host].NameLabel, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := c.NetworkDestroy(ctx, netRef); err != nil && !xenapi.IsGone(err) {
		return fmt.Errorf("destroying network %q: %w", net.NameLabel, err)
	}
	return m.restoreMemberMTUs(ctx, net.OtherConfig[memberMTUsKey])
}

// memberMTUs records the MTU of each network the members' PIFs are on.
func memberMTUs(snap *Snapshot, targets []bondTarget) string {
	seen := map[string]bool{}
	var parts []string
	for _, t := range targets {
		for _, m := range t.members {
			n := snap.Networks[snap.PIFs[m].Network]
			if !seen[n.UUID] {
				seen[n.UUID] = true
				parts = append(parts, fmt.Sprintf("%s=%d", n.UUID, n.MTU))
			}
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// restoreMemberMTUs sets the members' networks back to the MTUs
// memberMTUs recorded, and plugs the attached NICs again so that they take
// them now.
func (m *Model) restoreMemberMTUs(ctx context.Context, recorded string) error {
	for _, part := range strings.Split(recorded, ",") {
		uuid, value, ok := strings.Cut(part, "=")
		mtu, err := strconv.ParseInt(value, 10, 64)
		if !ok || err != nil {
			continue
		}
		snap, err := m.fresh(ctx)
		if err != nil {
			return err
		}
		ref, _, ok := snap.NetworkByUUID(uuid)
		if !ok {
			continue
		}
		if err := m.setMTU(ctx, ref, mtu, false); err != nil {
			return fmt.Errorf("restoring MTU %d on network %s: %w", mtu, uuid, err)
		}
	}
	return nil
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

// applyMTU sets the network's MTU and makes it take effect on every PIF of
// the network: xapi applies a network's MTU to a PIF only when the PIF is
// plugged, so each PIF whose MTU differs is plugged again, then read back.
func (m *Model) applyMTU(ctx context.Context, netRef xenapi.Ref, mtu int64) error {
	return m.setMTU(ctx, netRef, mtu, true)
}

// setMTU is applyMTU; with plugDetached false it leaves detached PIFs
// detached, to take the MTU whenever they are next plugged.
func (m *Model) setMTU(ctx context.Context, netRef xenapi.Ref, mtu int64, plugDetached bool) error {
	c := m.client
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	net, ok := snap.Networks[netRef]
	if !ok {
		return xenapi.NewError(xenapi.ErrHandleInvalid, "network", string(netRef))
	}
	if net.MTU != mtu {
		if err := c.NetworkSetMTU(ctx, netRef, mtu); err != nil {
			return fmt.Errorf("setting MTU %d on network %q: %w", mtu, net.NameLabel, err)
		}
	}
	var replugged []xenapi.Ref
	for _, pifRef := range snap.NetworkPIFs(netRef) {
		pif := snap.PIFs[pifRef]
		if pif.MTU == mtu || (!pif.CurrentlyAttached && !plugDetached) {
			continue
		}
		if err := replug(ctx, c, pifRef, pif); err != nil {
			return fmt.Errorf("plugging PIF %s again to apply MTU %d: %w", pif.Device, mtu, err)
		}
		replugged = append(replugged, pifRef)
	}
	if len(replugged) == 0 {
		return nil
	}
	after, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	for _, pifRef := range replugged {
		if p := after.PIFs[pifRef]; p.MTU != mtu {
			return fmt.Errorf("PIF %s (%s) still has MTU %d after being plugged again with network MTU %d", p.Device, p.UUID, p.MTU, mtu)
		}
	}
	return nil
}

// replug plugs a PIF again so that it picks up its network's settings. A
// management PIF cannot be unplugged (xapi refuses with
// PIF_IS_MANAGEMENT_INTERFACE), but plugging it while attached brings it up
// again all the same.
func replug(ctx context.Context, c *xenapi.Client, ref xenapi.Ref, pif xenapi.PIF) error {
	if pif.CurrentlyAttached && !pif.Management {
		if err := c.PIFUnplug(ctx, ref); err != nil {
			return err
		}
	}
	return c.PIFPlug(ctx, ref)
}

// moveManagementOnto moves every host's management interface onto its PIF
// on the network, remembering in the network's other_config where it came
// from. Hosts whose management is there already are left alone.
func (m *Model) moveManagementOnto(ctx context.Context, netRef xenapi.Ref, undo *undoStack) error {
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	from := ""
	for _, host := range snap.HostRefs() {
		if _, pif, ok := snap.ManagementPIF(host); ok && pif.Network != netRef {
			from = snap.Networks[pif.Network].UUID
			break
		}
	}
	if from == "" {
		return nil
	}
	if err := moveManagement(ctx, m.client, snap, netRef, undo); err != nil {
		return err
	}
	oc := maps.Clone(snap.Networks[netRef].OtherConfig)
	if oc == nil {
		oc = map[string]string{}
	}
	oc[managementFromKey] = from
	return m.client.NetworkSetOtherConfig(ctx, netRef, oc)
}

// moveManagementOff moves management from the network back to the network
// recorded when xsnet moved it there.
func (m *Model) moveManagementOff(ctx context.Context, netRef xenapi.Ref, undo *undoStack) error {
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	onBond := false
	for _, host := range snap.HostRefs() {
		if _, pif, ok := snap.ManagementPIF(host); ok && pif.Network == netRef {
			onBond = true
		}
	}
	net := snap.Networks[netRef]
	if !onBond {
		return nil
	}
	fromUUID, ok := net.OtherConfig[managementFromKey]
	if !ok {
		// xapi moved management here with the NIC that carried it: it has
		// nowhere of its own to go back to, and another change of the
		// same apply takes it.
		return m.awaitHandoff(ctx, netRef, net.NameLabel)
	}
	fromRef, _, ok := snap.NetworkByUUID(fromUUID)
	if !ok {
		return fmt.Errorf("management came onto bond network %q from network %s, which no longer exists", net.NameLabel, fromUUID)
	}
	if err := moveManagement(ctx, m.client, snap, fromRef, undo); err != nil {
		return err
	}
	oc := maps.Clone(net.OtherConfig)
	delete(oc, managementFromKey)
	return m.client.NetworkSetOtherConfig(ctx, netRef, oc)
}

// moveManagement moves every host's management interface onto its PIF on
// the target network, the way XenCenter does: copy the IP configuration onto
// the new PIF, reconfigure management (pool members first, master last),
// then clear the old PIF's IP so the address lives in one place. Each step
// is recorded for undo.
func moveManagement(ctx context.Context, c *xenapi.Client, snap *Snapshot, to xenapi.Ref, undo *undoStack) error {
	type move struct {
		host     string
		from, to xenapi.Ref
		old      xenapi.PIF
		target   xenapi.PIF
	}
	var moves []move
	// Pool members first, master last: the master's move is the one that
	// can interrupt this very connection.
	for _, host := range snap.hostsMasterLast() {
		name := snap.Hosts[host].NameLabel
		fromRef, fromPIF, ok := snap.ManagementPIF(host)
		if !ok {
			return fmt.Errorf("host %s has no management interface", name)
		}
		toRef, toPIF, ok := snap.NetworkPIF(host, to)
		if !ok {
			return fmt.Errorf("host %s has no PIF on network %q to move management onto", name, snap.Networks[to].NameLabel)
		}
		if fromRef == toRef {
			continue
		}
		moves = append(moves, move{host: name, from: fromRef, to: toRef, old: fromPIF, target: toPIF})
	}
	for _, m := range moves {
		if m.target.IPConfigurationMode == xenapi.IPConfigurationNone || m.target.IPConfigurationMode == "" {
			if err := c.PIFReconfigureIP(ctx, m.to, m.old.IPConfigurationMode, m.old.IP, m.old.Netmask, m.old.Gateway, m.old.DNS); err != nil {
				return fmt.Errorf("copying the management IP configuration to PIF %s on host %s: %w", m.target.Device, m.host, err)
			}
			undo.push("the IP configuration of PIF "+m.target.Device+" on host "+m.host, func(ctx context.Context) error {
				return c.PIFReconfigureIP(ctx, m.to, xenapi.IPConfigurationNone, "", "", "", "")
			})
		}
	}
	for _, m := range moves {
		if err := c.HostManagementReconfigure(ctx, m.to); err != nil {
			return fmt.Errorf("moving management to PIF %s on host %s: %w", m.target.Device, m.host, err)
		}
		undo.push("management on host "+m.host, func(ctx context.Context) error {
			return c.HostManagementReconfigure(ctx, m.from)
		})
	}
	for _, m := range moves {
		if err := c.PIFReconfigureIP(ctx, m.from, xenapi.IPConfigurationNone, "", "", "", ""); err != nil {
			return fmt.Errorf("clearing the old management IP of PIF %s on host %s: %w", m.old.Device, m.host, err)
		}
		undo.push("the IP configuration of PIF "+m.old.Device+" on host "+m.host, func(ctx context.Context) error {
			return c.PIFReconfigureIP(ctx, m.from, m.old.IPConfigurationMode, m.old.IP, m.old.Netmask, m.old.Gateway, m.old.DNS)
		})
	}
	return nil
}

// awaitHandoff waits, within Options.HandoffWait, until no host's
// management is on the network: management = false on a bond whose
// members carried management leaves it to the bond or interface that asks
// for it in the same apply, which Terraform applies alongside.
func (m *Model) awaitHandoff(ctx context.Context, netRef xenapi.Ref, name string) error {
	deadline := time.Now().Add(m.handoffWait)
	delay := 250 * time.Millisecond
	for {
		snap, err := m.fresh(ctx)
		if err != nil {
			return err
		}
		var on []string
		for _, host := range snap.HostRefs() {
			if _, pif, ok := snap.ManagementPIF(host); ok && pif.Network == netRef {
				on = append(on, snap.Hosts[host].NameLabel)
			}
		}
		if len(on) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("management = false on bond %q, but the management interface of %s stayed on it for %s: "+
				"xapi moved management onto the bond with the NIC that carried it, so it has nowhere of its own to go back to. "+
				"Set management = true on the bond that should carry management, in the same apply, or keep management = true here",
				name, hostNames(on), m.handoffWait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for another change to take management off bond %q: %w", name, context.Cause(ctx))
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
