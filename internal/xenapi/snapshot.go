package xenapi

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Snapshot is the networking side of a pool read in one go: every pool,
// host, host_metrics, network, PIF, Bond and VLAN record. xsnet reasons about
// a pool as a whole (a bond is one per host), so reading it whole is both
// simpler and fewer round trips than walking references one call at a time.
type Snapshot struct {
	PoolRef     Ref
	Pool        Pool
	Hosts       map[Ref]Host
	HostMetrics map[Ref]HostMetrics
	Networks    map[Ref]Network
	PIFs        map[Ref]PIF
	Bonds       map[Ref]Bond
	VLANs       map[Ref]VLAN
}

// TakeSnapshot reads the pool's networking records concurrently.
func TakeSnapshot(ctx context.Context, c *Client) (*Snapshot, error) {
	var (
		s     Snapshot
		pools map[Ref]Pool
	)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { pools, err = GetAllRecords[Pool](ctx, c); return })
	g.Go(func() (err error) { s.Hosts, err = GetAllRecords[Host](ctx, c); return })
	g.Go(func() (err error) { s.HostMetrics, err = GetAllRecords[HostMetrics](ctx, c); return })
	g.Go(func() (err error) { s.Networks, err = GetAllRecords[Network](ctx, c); return })
	g.Go(func() (err error) { s.PIFs, err = GetAllRecords[PIF](ctx, c); return })
	g.Go(func() (err error) { s.Bonds, err = GetAllRecords[Bond](ctx, c); return })
	g.Go(func() (err error) { s.VLANs, err = GetAllRecords[VLAN](ctx, c); return })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(pools) != 1 {
		return nil, fmt.Errorf("xapi reports %d pool objects; a XenServer host always belongs to exactly one", len(pools))
	}
	for ref, p := range pools {
		s.PoolRef, s.Pool = ref, p
	}
	return &s, nil
}

// HostRefs returns the pool's hosts, master first, then by name: the order
// xsnet changes them in, since XenCenter leaves the master for last when it
// bonds and xsnet reverses that when it reads.
func (s *Snapshot) HostRefs() []Ref {
	refs := make([]Ref, 0, len(s.Hosts))
	for ref := range s.Hosts {
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		if (a == s.Pool.Master) != (b == s.Pool.Master) {
			return a == s.Pool.Master
		}
		if s.Hosts[a].NameLabel != s.Hosts[b].NameLabel {
			return s.Hosts[a].NameLabel < s.Hosts[b].NameLabel
		}
		return a < b
	})
	return refs
}

// Live reports whether xapi counts the host as alive.
func (s *Snapshot) Live(host Ref) bool {
	return s.HostMetrics[s.Hosts[host].Metrics].Live
}

// NetworkBackend is the pool's network backend, openvswitch or bridge, as
// the master reports it.
func (s *Snapshot) NetworkBackend() string {
	return s.Hosts[s.Pool.Master].SoftwareVersion["network_backend"]
}

// DevicePIF returns the host's untagged PIF for a device name such as eth0
// or bond0: the NIC or bond master itself, never one of its VLAN PIFs.
func (s *Snapshot) DevicePIF(host Ref, device string) (Ref, PIF, bool) {
	for ref, p := range s.PIFs {
		if p.Host == host && p.Device == device && p.VLAN < 0 {
			return ref, p, true
		}
	}
	return "", PIF{}, false
}

// NetworkPIF returns the host's PIF on a network.
func (s *Snapshot) NetworkPIF(host, network Ref) (Ref, PIF, bool) {
	for ref, p := range s.PIFs {
		if p.Host == host && p.Network == network {
			return ref, p, true
		}
	}
	return "", PIF{}, false
}

// ManagementPIF returns the PIF that carries the host's management traffic.
func (s *Snapshot) ManagementPIF(host Ref) (Ref, PIF, bool) {
	for ref, p := range s.PIFs {
		if p.Host == host && p.Management {
			return ref, p, true
		}
	}
	return "", PIF{}, false
}

// NetworkByUUID finds a network by its UUID, case-insensitively as xapi does.
func (s *Snapshot) NetworkByUUID(uuid string) (Ref, Network, bool) {
	for ref, n := range s.Networks {
		if strings.EqualFold(n.UUID, uuid) {
			return ref, n, true
		}
	}
	return "", Network{}, false
}

// HostByUUID finds a host by its UUID.
func (s *Snapshot) HostByUUID(uuid string) (Ref, Host, bool) {
	for ref, h := range s.Hosts {
		if strings.EqualFold(h.UUID, uuid) {
			return ref, h, true
		}
	}
	return "", Host{}, false
}
