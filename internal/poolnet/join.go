package poolnet

import (
	"context"
	"fmt"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// JoinHost asks the standalone host that joiner is logged in to to join
// the pool, with the pool's credentials, and waits until the pool counts
// it as an enabled, live member that has copied the pool's bonds and
// VLANs. A host already in the pool is left alone. The host is followed by
// its UUID, which pool.join keeps: the address it was reached at need not
// be the address xapi records for it.
func (m *Model) JoinHost(ctx context.Context, joiner *xenapi.Client, address, poolUsername, poolPassword string) error {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	joining, err := NewModel(joiner, Options{}).Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("reading host %s before it joins: %w", address, err)
	}
	if joining.Pool.UUID == snap.Pool.UUID {
		return nil // it answers for this pool: it has joined already
	}
	if joining.Hosts.Len() != 1 {
		return fmt.Errorf("host %s is in a pool of %d hosts of its own; only a standalone host can join", address, joining.Hosts.Len())
	}
	hostUUID := joining.Hosts.Get(joining.HostRefs()[0]).UUID
	master := snap.Hosts.Get(snap.Pool.Master)
	if err := joiner.PoolJoin(ctx, master.Address, poolUsername, poolPassword); err != nil {
		return fmt.Errorf("host %s refused to join the pool of %s: %w", address, master.NameLabel, err)
	}
	return m.WaitForHost(ctx, hostUUID)
}

// WaitForHost polls the pool, backing off from a quarter of a second to
// five seconds, until the host with the UUID is in it, enabled and live,
// and has copied the master's bonds and VLANs, or ctx ends. A joining host
// restarts its toolstack as a pool member, which takes seconds on a real
// host, and copies the bonds and VLANs late in that start-up, after it is
// live; no fixed sleep can be right for every pool.
func (m *Model) WaitForHost(ctx context.Context, hostUUID string) error {
	delay := 250 * time.Millisecond
	state := "not in the pool yet"
	for {
		snap, err := m.fresh(ctx)
		if err != nil {
			return err
		}
		if ref, h, ok := snap.HostByUUID(hostUUID); ok {
			live := snap.Live(ref)
			missing := snap.networksToCopy(ref)
			if h.Enabled && live && missing == 0 {
				return nil
			}
			state = fmt.Sprintf("in the pool, enabled=%t live=%t, %d of the master's bond and VLAN networks not yet copied", h.Enabled, live, missing)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("host %s did not become an enabled, live pool member with the master's bonds and VLANs (last seen %s): %w", hostUUID, state, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// EjectHost ejects the host with the UUID from the pool. A host no longer
// in the pool is left alone; the master cannot be ejected.
func (m *Model) EjectHost(ctx context.Context, hostUUID string) error {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	ref, h, ok := snap.HostByUUID(hostUUID)
	if !ok {
		return nil
	}
	if ref == snap.Pool.Master {
		return fmt.Errorf("host %s is the pool master, which cannot be ejected; designate another master first", h.NameLabel)
	}
	if err := m.client.PoolEject(ctx, ref); err != nil {
		return fmt.Errorf("ejecting host %s: %w", h.NameLabel, err)
	}
	return nil
}

// networksToCopy counts the networks on which the master has a bond master
// or a VLAN PIF and host has no PIF yet, counting only what a member copies
// (sync_networking.ml): a bond over NICs on networks host has a NIC on,
// and, unless host's other_config has sync_vlans=nosync, a VLAN over a
// network host has or will have a PIF on.
func (s *Snapshot) networksToCopy(host xenapi.Ref) int {
	master := s.Pool.Master
	has := map[xenapi.Ref]bool{}
	for p := range s.PIFs.Values() {
		if p.Host == host {
			has[p.Network] = true
		}
	}
	want := map[xenapi.Ref]bool{}
	for b := range s.Bonds.Values() {
		bm, ok := s.PIFs.Lookup(b.Master)
		if !ok || bm.Host != master {
			continue
		}
		for _, m := range b.Slaves {
			if has[s.PIFs.Get(m).Network] {
				want[bm.Network] = true
			}
		}
	}
	if s.Hosts.Get(host).OtherConfig["sync_vlans"] != "nosync" {
		for v := range s.VLANs.Values() {
			untagged, ok := s.PIFs.Lookup(v.UntaggedPIF)
			if !ok || untagged.Host != master {
				continue
			}
			if below := s.PIFs.Get(v.TaggedPIF).Network; has[below] || want[below] {
				want[untagged.Network] = true
			}
		}
	}
	missing := 0
	for n := range want {
		if !has[n] {
			missing++
		}
	}
	return missing
}
