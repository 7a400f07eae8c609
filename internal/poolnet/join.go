package poolnet

import (
	"context"
	"fmt"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// JoinHost asks the standalone host that joiner is logged in to to join
// the pool c manages, with the pool's credentials, and waits until the pool
// counts it as enabled and live. A host already in the pool is left alone.
func (m *Model) JoinHost(ctx context.Context, joiner *xenapi.Client, address, poolUsername, poolPassword string) error {
	defer m.changing()()
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return err
	}
	if _, _, ok := snap.HostByAddress(address); ok {
		return nil
	}
	master := snap.Hosts[snap.Pool.Master]
	if err := joiner.PoolJoin(ctx, master.Address, poolUsername, poolPassword); err != nil {
		return fmt.Errorf("host %s refused to join the pool of %s: %w", address, master.NameLabel, err)
	}
	return m.WaitForHost(ctx, address)
}

// WaitForHost polls the pool, backing off from a quarter of a second to
// five seconds, until the host at address is in it, enabled and live, or ctx
// ends. A joining host restarts its toolstack as a pool member, which takes
// seconds on a real host; no fixed sleep can be right for every pool.
func (m *Model) WaitForHost(ctx context.Context, address string) error {
	delay := 250 * time.Millisecond
	state := "not in the pool yet"
	for {
		snap, err := m.fresh(ctx)
		if err != nil {
			return err
		}
		if ref, h, ok := snap.HostByAddress(address); ok {
			live := snap.Live(ref)
			if h.Enabled && live {
				return nil
			}
			state = fmt.Sprintf("in the pool, enabled=%t live=%t", h.Enabled, live)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("host %s did not become an enabled, live pool member (last seen %s): %w", address, state, ctx.Err())
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
