package poolnet

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// memberMTUs records the MTU of each network the members' PIFs are on.
func memberMTUs(snap *Snapshot, targets []bondTarget) string {
	seen := map[string]bool{}
	var parts []string
	for _, t := range targets {
		for _, m := range t.members {
			n := snap.Networks.Get(snap.PIFs.Get(m).Network)
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
// memberMTUs recorded, and plugs the NICs again so that they take them
// now. A detached NIC is plugged too: Bond.destroy plugs every member, so
// a member found detached here is one whose replug an earlier teardown
// began and did not finish.
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
		if err := m.applyMTU(ctx, ref, mtu); err != nil {
			return fmt.Errorf("putting back the MTU the members had before bonding: %w", err)
		}
	}
	return nil
}

// applyMTU sets the network's MTU and makes it take effect on every PIF of
// the network: xapi applies a network's MTU to a PIF only when the PIF is
// plugged, so each PIF whose MTU differs is plugged again, then read back.
func (m *Model) applyMTU(ctx context.Context, netRef xenapi.Ref, mtu int64) error {
	c := m.client
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	net, ok := snap.Networks.Lookup(netRef)
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
		pif := snap.PIFs.Get(pifRef)
		if pif.MTU == mtu {
			continue
		}
		if err := replug(ctx, c, pifRef, pif); err != nil {
			return fmt.Errorf("plugging PIF %s on host %s again to apply MTU %d: %w", pif.Device, snap.Hosts.Get(pif.Host).NameLabel, mtu, err)
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
		if p := after.PIFs.Get(pifRef); p.MTU != mtu {
			return fmt.Errorf("PIF %s (%s) on host %s still has MTU %d after being plugged again with network MTU %d",
				p.Device, p.UUID, after.Hosts.Get(p.Host).NameLabel, p.MTU, mtu)
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
