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
			from = snap.Networks[pif.Network].UUID
			break
		}
	}
	if from == "" {
		return nil
	}
	// Where management came from is written down before it moves: a move
	// interrupted half-way can still be taken back.
	if _, ok := snap.Networks[netRef].OtherConfig[managementFromKey]; !ok {
		if err := m.client.NetworkAddToOtherConfig(ctx, netRef, managementFromKey, from); err != nil {
			return err
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
	net := snap.Networks[netRef]
	fromUUID, recorded := net.OtherConfig[managementFromKey]
	if !onBond {
		if recorded {
			return m.client.NetworkRemoveFromOtherConfig(ctx, netRef, managementFromKey)
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
	return m.client.NetworkRemoveFromOtherConfig(ctx, netRef, managementFromKey)
}

// moveManagement moves every host's management interface onto its PIF on
// the target network, the way XenCenter does: copy the IP configuration onto
// the new PIF, reconfigure management (pool members first, master last),
// then clear the old PIF's IP so the address lives in one place. The moves
// are written in the journal of the network on journalRef before the first
// one runs; an error takes back the steps made, and an interruption leaves
// the journal for settleMoves.
func (m *Model) moveManagement(ctx context.Context, snap *Snapshot, journalRef, to xenapi.Ref) error {
	c := m.client
	type move struct {
		managementMove
		from, to xenapi.Ref
		target   xenapi.PIF
		device   string
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
		moves = append(moves, move{
			managementMove: managementMove{Host: name, From: fromPIF.UUID, To: toPIF.UUID, Mode: fromPIF.IPConfigurationMode,
				IP: fromPIF.IP, Netmask: fromPIF.Netmask, Gateway: fromPIF.Gateway, DNS: fromPIF.DNS},
			from: fromRef, to: toRef, target: toPIF, device: fromPIF.Device,
		})
	}
	if len(moves) == 0 {
		return nil
	}
	j, ok := journalOf(snap.Networks[journalRef])
	if !ok {
		j = newJournal("move management")
	}
	for _, mv := range moves {
		j.Moves = append(j.Moves, mv.managementMove)
	}
	if err := m.writeJournal(ctx, journalRef, j); err != nil {
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
		if mv.target.IPConfigurationMode == xenapi.IPConfigurationNone || mv.target.IPConfigurationMode == "" {
			err := c.PIFReconfigureIP(ctx, mv.to, mv.Mode, mv.IP, mv.Netmask, mv.Gateway, mv.DNS)
			if err := sure(err, func(s *Snapshot) bool {
				return s.PIFs[mv.to].IP == mv.IP && s.PIFs[mv.to].IPConfigurationMode == mv.Mode
			}); err != nil {
				return fail(fmt.Errorf("copying the management IP configuration to PIF %s on host %s: %w", mv.target.Device, mv.Host, err))
			}
			undo.push("the IP configuration of PIF "+mv.target.Device+" on host "+mv.Host, func(ctx context.Context) error {
				return c.PIFReconfigureIP(ctx, mv.to, xenapi.IPConfigurationNone, "", "", "", "")
			})
		}
	}
	for _, mv := range moves {
		err := c.HostManagementReconfigure(ctx, mv.to)
		if err := sure(err, func(s *Snapshot) bool { return s.PIFs[mv.to].Management }); err != nil {
			return fail(fmt.Errorf("moving management to PIF %s on host %s: %w", mv.target.Device, mv.Host, err))
		}
		undo.push("management on host "+mv.Host, func(ctx context.Context) error {
			return c.HostManagementReconfigure(ctx, mv.from)
		})
	}
	for _, mv := range moves {
		err := c.PIFReconfigureIP(ctx, mv.from, xenapi.IPConfigurationNone, "", "", "", "")
		if err := sure(err, func(s *Snapshot) bool { return s.PIFs[mv.from].IPConfigurationMode == xenapi.IPConfigurationNone }); err != nil {
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
	j, ok := journalOf(snap.Networks[netRef])
	if !ok {
		return nil
	}
	if j.Op == "move management" {
		return m.endJournal(ctx, netRef)
	}
	j.Moves = nil
	return m.writeJournal(ctx, netRef, j)
}

// settleMoves finishes the management moves an interrupted run left in
// the network's journal: where management reached the new PIF, the old
// PIF's copy of the address is cleared; where it did not, the copy on the
// new PIF is. Either way each address lives in one place again, and the
// move can be made afresh.
func (m *Model) settleMoves(ctx context.Context, netRef xenapi.Ref) error {
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	j, ok := journalOf(snap.Networks[netRef])
	if !ok || len(j.Moves) == 0 {
		return nil
	}
	for _, mv := range j.Moves {
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
