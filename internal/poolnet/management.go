package poolnet

import (
	"context"
	"fmt"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// moveManagementOnto moves every host's management interface onto its PIF
// on the network, remembering in the network's other_config where it came
// from. Hosts whose management is there already are left alone.
func (m *Model) moveManagementOnto(ctx context.Context, netRef xenapi.Ref) error {
	m.moves.Lock()
	defer m.moves.Unlock()
	if err := m.settleMoves(ctx, netRef); err != nil {
		return err
	}
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	from := ""
	for _, host := range snap.HostRefs() {
		if _, pif, ok := snap.ManagementPIF(host); ok && pif.Network != netRef {
			from = snap.Networks.Get(pif.Network).UUID
			break
		}
	}
	if from == "" {
		return nil
	}
	// Where management came from is written down before it moves: a move
	// interrupted half-way can still be taken back.
	if _, ok := snap.Networks.Get(netRef).OtherConfig[managementFromKey]; !ok {
		if err := m.client.NetworkAddToOtherConfig(ctx, netRef, managementFromKey, from); err != nil {
			return fmt.Errorf("recording in network %q where management comes from: %w", snap.Networks.Get(netRef).NameLabel, err)
		}
	}
	return m.moveManagement(ctx, snap, netRef, netRef)
}

// moveManagementOff moves management from the network back to the network
// recorded when xsnet moved it there. Where xsnet did not move it there,
// handOff waits for another change to take it, and otherwise it stays.
func (m *Model) moveManagementOff(ctx context.Context, netRef xenapi.Ref, handOff bool) error {
	m.moves.Lock()
	locked := true
	defer func() {
		if locked {
			m.moves.Unlock()
		}
	}()
	if err := m.settleMoves(ctx, netRef); err != nil {
		return err
	}
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
	net := snap.Networks.Get(netRef)
	fromUUID, recorded := net.OtherConfig[managementFromKey]
	if !onBond {
		if recorded {
			return m.forgetManagementOrigin(ctx, netRef, net.NameLabel)
		}
		return nil
	}
	fromRef, _, fromExists := snap.NetworkByUUID(fromUUID)
	if recorded && !fromExists {
		// Where management came from is gone: it has nowhere of its own to
		// go back to, as if xapi had moved it here.
		if err := m.client.NetworkRemoveFromOtherConfig(ctx, netRef, managementFromKey); err != nil {
			return err
		}
		recorded = false
	}
	if !recorded {
		// xapi moved management here with the NIC that carried it: it has
		// nowhere of its own to go back to, and another change of the
		// same apply takes it (Bond.destroy puts it on the primary
		// member).
		if !handOff {
			return nil
		}
		// The taker moves management under the same lock.
		m.moves.Unlock()
		locked = false
		return m.awaitHandoff(ctx, netRef, net.NameLabel)
	}
	if err := m.moveManagement(ctx, snap, netRef, fromRef); err != nil {
		return err
	}
	return m.forgetManagementOrigin(ctx, netRef, net.NameLabel)
}

// forgetManagementOrigin removes, once management has left network name,
// the record of where it came from.
func (m *Model) forgetManagementOrigin(ctx context.Context, netRef xenapi.Ref, name string) error {
	if err := m.client.NetworkRemoveFromOtherConfig(ctx, netRef, managementFromKey); err != nil {
		return fmt.Errorf("clearing from network %q where management came from: %w", name, err)
	}
	return nil
}

// moveManagement moves every host's management interface onto its PIF on
// the target network, the way XenCenter does: copy the IP configuration onto
// the new PIF, reconfigure management (pool members first, master last),
// then clear the old PIF's IP so the address lives in one place. A new PIF
// with an IP configuration of its own keeps it, and so does the old one:
// the host's address becomes the new PIF's, and moving management back
// gives it the old one again. When that changes the master's address, the
// client is told where the master will answer. The moves are written in
// the journal of the network on journalRef before the first one runs; an
// error takes back the steps made, and an interruption leaves the journal
// for settleMoves.
func (m *Model) moveManagement(ctx context.Context, snap *Snapshot, journalRef, to xenapi.Ref) error {
	return m.change(ctx, true, func(ctx context.Context) error { return m.moveEach(ctx, snap, journalRef, to) })
}

// moveEach is moveManagement, with every other change held off.
func (m *Model) moveEach(ctx context.Context, snap *Snapshot, journalRef, to xenapi.Ref) error {
	c := m.client
	type move struct {
		managementMove
		from, to xenapi.Ref
		target   xenapi.PIF
		device   string
		master   bool
	}
	var moves []move
	// Pool members first, master last: the master's move is the one that
	// can interrupt this very connection.
	for _, host := range snap.hostsMasterLast() {
		name := snap.Hosts.Get(host).NameLabel
		fromRef, fromPIF, ok := snap.ManagementPIF(host)
		if !ok {
			return fmt.Errorf("host %s has no management interface", name)
		}
		toRef, toPIF, ok := snap.NetworkPIF(host, to)
		if !ok {
			return fmt.Errorf("host %s has no PIF on network %q to move management onto", name, snap.Networks.Get(to).NameLabel)
		}
		if fromRef == toRef {
			continue
		}
		kept := toPIF.IPConfigurationMode != xenapi.IPConfigurationNone && toPIF.IPConfigurationMode != ""
		moves = append(moves, move{
			managementMove: managementMove{Host: name, From: fromPIF.UUID, To: toPIF.UUID, Mode: fromPIF.IPConfigurationMode,
				IP: fromPIF.IP, Netmask: fromPIF.Netmask, Gateway: fromPIF.Gateway, DNS: fromPIF.DNS, Kept: kept},
			from: fromRef, to: toRef, target: toPIF, device: fromPIF.Device, master: host == snap.Pool.Master,
		})
	}
	if len(moves) == 0 {
		return nil
	}
	j, ok := journalOf(snap.Networks.Get(journalRef))
	if !ok {
		j = newJournal("move management")
	}
	for _, mv := range moves {
		j.Moves = append(j.Moves, mv.managementMove)
	}
	if err := m.writeJournal(ctx, journalRef, snap.Networks.Get(journalRef).NameLabel, j); err != nil {
		return err
	}

	var undo undoStack
	fail := func(err error) error { return undo.rollback(ctx, err) }
	// Moving management rebuilds the management bridge, and XenServer
	// resets the connections: a step whose reply was lost is judged by
	// what the pool shows.
	sure := func(err error, happened func(*Snapshot) bool) error {
		if !xenapi.IsOutcomeUnknown(err) {
			return err
		}
		if snap, serr := m.fresh(context.WithoutCancel(ctx)); serr == nil && happened(snap) {
			return nil
		}
		return err
	}
	for _, mv := range moves {
		if !mv.Kept {
			err := c.PIFReconfigureIP(ctx, mv.to, mv.Mode, mv.IP, mv.Netmask, mv.Gateway, mv.DNS)
			if err := sure(err, func(s *Snapshot) bool {
				p := s.PIFs.Get(mv.to)
				return p.IP == mv.IP && p.IPConfigurationMode == mv.Mode
			}); err != nil {
				return fail(fmt.Errorf("copying the management IP configuration to PIF %s on host %s: %w", mv.target.Device, mv.Host, err))
			}
			undo.push("the IP configuration of PIF "+mv.target.Device+" on host "+mv.Host, func(ctx context.Context) error {
				return c.PIFReconfigureIP(ctx, mv.to, xenapi.IPConfigurationNone, "", "", "", "")
			})
		}
	}
	for _, mv := range moves {
		if mv.master && mv.Kept && mv.target.IP != "" && mv.target.IP != mv.IP {
			// The master answers at its new address once management is
			// there, and its old one may answer no more.
			if err := c.FollowMaster(mv.target.IP); err != nil {
				return fail(err)
			}
		}
		err := c.HostManagementReconfigure(ctx, mv.to)
		if err := sure(err, func(s *Snapshot) bool { return s.PIFs.Get(mv.to).Management }); err != nil {
			return fail(fmt.Errorf("moving management to PIF %s on host %s: %w", mv.target.Device, mv.Host, err))
		}
		undo.push("management on host "+mv.Host, func(ctx context.Context) error {
			return c.HostManagementReconfigure(ctx, mv.from)
		})
	}
	for _, mv := range moves {
		if mv.Kept {
			continue
		}
		err := c.PIFReconfigureIP(ctx, mv.from, xenapi.IPConfigurationNone, "", "", "", "")
		if err := sure(err, func(s *Snapshot) bool { return s.PIFs.Get(mv.from).IPConfigurationMode == xenapi.IPConfigurationNone }); err != nil {
			return fail(fmt.Errorf("clearing the old management IP of PIF %s on host %s: %w", mv.device, mv.Host, err))
		}
		undo.push("the IP configuration of PIF "+mv.device+" on host "+mv.Host, func(ctx context.Context) error {
			return c.PIFReconfigureIP(ctx, mv.from, mv.Mode, mv.IP, mv.Netmask, mv.Gateway, mv.DNS)
		})
	}
	return m.closeMoves(ctx, journalRef)
}

// closeMoves drops the moves from the network's journal, and the journal
// with them when moves were all it held.
func (m *Model) closeMoves(ctx context.Context, netRef xenapi.Ref) error {
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	net := snap.Networks.Get(netRef)
	j, ok := journalOf(net)
	if !ok {
		return nil
	}
	if j.Op == "move management" {
		return m.endJournal(ctx, netRef, net.NameLabel)
	}
	j.Moves = nil
	return m.writeJournal(ctx, netRef, net.NameLabel, j)
}

// settleMoves finishes the management moves an interrupted run left in
// the network's journal: where management reached the new PIF, the old
// PIF's copy of the address is cleared; where it did not, the copy on the
// new PIF is. Either way each address lives in one place again, and the
// move can be made afresh.
func (m *Model) settleMoves(ctx context.Context, netRef xenapi.Ref) error {
	return m.change(ctx, true, func(ctx context.Context) error { return m.settleEach(ctx, netRef) })
}

// settleEach is settleMoves, with every other change held off.
func (m *Model) settleEach(ctx context.Context, netRef xenapi.Ref) error {
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	j, ok := journalOf(snap.Networks.Get(netRef))
	if !ok || len(j.Moves) == 0 {
		return nil
	}
	for _, mv := range j.Moves {
		if mv.Kept {
			// Each PIF kept its own configuration: nothing was copied.
			continue
		}
		fromRef, from, ok1 := snap.PIFByUUID(mv.From)
		toRef, to, ok2 := snap.PIFByUUID(mv.To)
		if !ok1 || !ok2 {
			continue
		}
		switch {
		case to.Management && from.IPConfigurationMode != xenapi.IPConfigurationNone:
			if err := m.client.PIFReconfigureIP(ctx, fromRef, xenapi.IPConfigurationNone, "", "", "", ""); err != nil {
				return fmt.Errorf("finishing the management move on host %s: %w", mv.Host, err)
			}
		case from.Management && to.IPConfigurationMode != xenapi.IPConfigurationNone && to.IP == mv.IP:
			if err := m.client.PIFReconfigureIP(ctx, toRef, xenapi.IPConfigurationNone, "", "", "", ""); err != nil {
				return fmt.Errorf("taking back the management move on host %s: %w", mv.Host, err)
			}
		}
	}
	return m.closeMoves(ctx, netRef)
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
				on = append(on, snap.Hosts.Get(host).NameLabel)
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

// managementOriginKey is where, in the pool's other_config, xsnet writes
// the UUID of the network every host's management was on before an
// xsnet_management_interface first moved it: destroying the interface
// moves management back there. One key for the pool: there is one
// management interface to place.
const managementOriginKey = "xsnet_management_origin"

// HostManagement is one host's management interface.
type HostManagement struct {
	HostUUID, HostName string
	PIFUUID, Device    string
	NetworkUUID        string
	// VLAN is the management PIF's tag, -1 when untagged.
	VLAN    int64
	MTU     int64
	Mode    xenapi.IPConfigurationMode
	IP      string
	Netmask string
	Gateway string
}

// ManagementPlacement is where the pool's management lives.
type ManagementPlacement struct {
	// NetworkUUID is the network that carries every host's management; ""
	// when the hosts do not agree.
	NetworkUUID string
	// Hosts are each host's management interface, by host UUID.
	Hosts map[string]HostManagement
	// OriginUUID is the network an xsnet_management_interface moved
	// management from, which its destroy moves it back to; "" when xsnet
	// recorded none.
	OriginUUID string
}

// ReadManagement reads where every host's management interface is.
func ReadManagement(snap *Snapshot) ManagementPlacement {
	mp := ManagementPlacement{Hosts: map[string]HostManagement{}, OriginUUID: snap.Pool.OtherConfig[managementOriginKey]}
	agree := true
	for i, host := range snap.HostRefs() {
		h := snap.Hosts.Get(host)
		_, p, ok := snap.ManagementPIF(host)
		if !ok {
			agree = false
			continue
		}
		net := snap.Networks.Get(p.Network).UUID
		mp.Hosts[h.UUID] = HostManagement{HostUUID: h.UUID, HostName: h.NameLabel, PIFUUID: p.UUID, Device: p.Device,
			NetworkUUID: net, VLAN: p.VLAN, MTU: p.MTU, Mode: p.IPConfigurationMode, IP: p.IP, Netmask: p.Netmask, Gateway: p.Gateway}
		if i == 0 {
			mp.NetworkUUID = net
		} else if net != mp.NetworkUUID {
			agree = false
		}
	}
	if !agree {
		mp.NetworkUUID = ""
	}
	return mp
}

// PlaceManagement moves every host's management interface onto its PIF
// on the network, pool members first and the master last, keeping each
// host's IP configuration (see moveManagement). The first time, it writes
// down in the pool where management was, for ReturnManagement; a move from
// one network of its making to another keeps that first origin.
func (m *Model) PlaceManagement(ctx context.Context, networkUUID string) error {
	defer m.changing()()
	m.moves.Lock()
	defer m.moves.Unlock()
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	netRef, _, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return fmt.Errorf("network %s is gone: %w", networkUUID, xenapi.NewError(xenapi.ErrUUIDInvalid, "network", networkUUID))
	}
	if _, recorded := snap.Pool.OtherConfig[managementOriginKey]; !recorded {
		if _, p, ok := snap.ManagementPIF(snap.Pool.Master); ok && p.Network != netRef {
			// Written before the first move: a run interrupted half-way
			// can still move management back.
			if err := m.settlePool(ctx, func(ctx context.Context) error {
				return m.client.PoolAddToOtherConfig(ctx, snap.PoolRef, managementOriginKey, snap.Networks.Get(p.Network).UUID)
			}, func(s *Snapshot) bool { return s.Pool.OtherConfig[managementOriginKey] != "" }); err != nil {
				return fmt.Errorf("recording where management is: %w", err)
			}
		}
	}
	if err := m.settleMoves(ctx, netRef); err != nil {
		return err
	}
	if snap, err = m.fresh(ctx); err != nil {
		return err
	}
	return m.moveManagement(ctx, snap, netRef, netRef)
}

// ReturnManagement moves every host's management back to the network
// PlaceManagement recorded, keeping each host's IP configuration, and
// forgets the record. Without a record (an interface imported where
// management already was) management stays where it is.
func (m *Model) ReturnManagement(ctx context.Context) error {
	defer m.changing()()
	m.moves.Lock()
	defer m.moves.Unlock()
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	origin, recorded := snap.Pool.OtherConfig[managementOriginKey]
	if !recorded {
		return nil
	}
	toRef, to, ok := snap.NetworkByUUID(origin)
	if !ok {
		return fmt.Errorf("management was on network %s before xsnet moved it, and that network is gone: "+
			"move management where it belongs by hand (xe host-management-reconfigure), then run terraform destroy again", origin)
	}
	// The journal goes on the network management leaves, as the moves
	// are settled from there.
	_, from, ok := snap.ManagementPIF(snap.Pool.Master)
	if !ok {
		return fmt.Errorf("the pool master has no management interface")
	}
	if err := m.settleMoves(ctx, from.Network); err != nil {
		return err
	}
	if snap, err = m.fresh(ctx); err != nil {
		return err
	}
	if err := m.moveManagement(ctx, snap, from.Network, toRef); err != nil {
		return fmt.Errorf("moving management back to network %q: %w", to.NameLabel, err)
	}
	return m.settlePool(ctx, func(ctx context.Context) error {
		return m.client.PoolRemoveFromOtherConfig(ctx, snap.PoolRef, managementOriginKey)
	}, func(s *Snapshot) bool { _, ok := s.Pool.OtherConfig[managementOriginKey]; return !ok })
}
