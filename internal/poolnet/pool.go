package poolnet

import "context"

// SetPoolNameLabel names the pool, unless it has that name already.
func (m *Model) SetPoolNameLabel(ctx context.Context, label string) error {
	snap, err := m.Snapshot(ctx)
	if err != nil || snap.Pool.NameLabel == label {
		return err
	}
	defer m.changing()()
	return m.client.PoolSetNameLabel(ctx, snap.PoolRef, label)
}

// SetPoolNameDescription describes the pool, unless it has that
// description already.
func (m *Model) SetPoolNameDescription(ctx context.Context, description string) error {
	snap, err := m.Snapshot(ctx)
	if err != nil || snap.Pool.NameDescription == description {
		return err
	}
	defer m.changing()()
	return m.client.PoolSetNameDescription(ctx, snap.PoolRef, description)
}
