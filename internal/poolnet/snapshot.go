// Package poolnet changes a pool's networking as a whole: a pool-wide bond
// is one network plus one bond on every host, a pool-wide VLAN one network
// plus one VLAN on every host. It makes them the way XenCenter does, undoes
// everything on any error, and reads them back from one snapshot of the
// pool, so that the Terraform layer above it stays a thin translation.
package poolnet

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Snapshot is the networking side of a pool read in one go: every pool,
// host, host_metrics, network, PIF, Bond and VLAN record. xsnet reasons
// about a pool as a whole (a bond exists once per host), so reading it whole
// is both simpler and fewer round trips than walking references.
type Snapshot struct {
	PoolRef     xenapi.Ref
	Pool        xenapi.Pool
	Hosts       map[xenapi.Ref]xenapi.Host
	HostMetrics map[xenapi.Ref]xenapi.HostMetrics
	Networks    map[xenapi.Ref]xenapi.Network
	PIFs        map[xenapi.Ref]xenapi.PIF
	Bonds       map[xenapi.Ref]xenapi.Bond
	VLANs       map[xenapi.Ref]xenapi.VLAN
}

// TakeSnapshot reads the pool's networking records concurrently.
func TakeSnapshot(ctx context.Context, c *xenapi.Client) (*Snapshot, error) {
	var (
		s     Snapshot
		pools map[xenapi.Ref]xenapi.Pool
	)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { pools, err = xenapi.GetAllRecords[xenapi.Pool](ctx, c); return })
	g.Go(func() (err error) { s.Hosts, err = xenapi.GetAllRecords[xenapi.Host](ctx, c); return })
	g.Go(func() (err error) { s.HostMetrics, err = xenapi.GetAllRecords[xenapi.HostMetrics](ctx, c); return })
	g.Go(func() (err error) { s.Networks, err = xenapi.GetAllRecords[xenapi.Network](ctx, c); return })
	g.Go(func() (err error) { s.PIFs, err = xenapi.GetAllRecords[xenapi.PIF](ctx, c); return })
	g.Go(func() (err error) { s.Bonds, err = xenapi.GetAllRecords[xenapi.Bond](ctx, c); return })
	g.Go(func() (err error) { s.VLANs, err = xenapi.GetAllRecords[xenapi.VLAN](ctx, c); return })
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

// HostRefs returns the pool's hosts, master first, then by name, so that
// every listing and every plan shows them in the same order.
func (s *Snapshot) HostRefs() []xenapi.Ref {
	refs := make([]xenapi.Ref, 0, len(s.Hosts))
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

// hostsMasterLast returns the hosts in the order xsnet changes them: pool
// members first, the master last.
func (s *Snapshot) hostsMasterLast() []xenapi.Ref {
	refs := s.HostRefs()
	if len(refs) < 2 {
		return refs
	}
	return append(refs[1:], refs[0])
}

// Live reports whether xapi counts the host as alive.
func (s *Snapshot) Live(host xenapi.Ref) bool {
	return s.HostMetrics[s.Hosts[host].Metrics].Live
}

// NetworkBackend is the pool's network backend, openvswitch or bridge, as
// the master reports it.
func (s *Snapshot) NetworkBackend() string {
	return s.Hosts[s.Pool.Master].SoftwareVersion["network_backend"]
}

// DevicePIF returns the host's untagged PIF for a device name such as eth0
// or bond0: the NIC or bond master itself, never one of its VLAN PIFs.
func (s *Snapshot) DevicePIF(host xenapi.Ref, device string) (xenapi.Ref, xenapi.PIF, bool) {
	for ref, p := range s.PIFs {
		if p.Host == host && p.Device == device && p.VLAN < 0 {
			return ref, p, true
		}
	}
	return "", xenapi.PIF{}, false
}

// NetworkPIF returns the host's PIF on a network.
func (s *Snapshot) NetworkPIF(host, network xenapi.Ref) (xenapi.Ref, xenapi.PIF, bool) {
	for ref, p := range s.PIFs {
		if p.Host == host && p.Network == network {
			return ref, p, true
		}
	}
	return "", xenapi.PIF{}, false
}

// ManagementPIF returns the PIF that carries the host's management traffic.
func (s *Snapshot) ManagementPIF(host xenapi.Ref) (xenapi.Ref, xenapi.PIF, bool) {
	for ref, p := range s.PIFs {
		if p.Host == host && p.Management {
			return ref, p, true
		}
	}
	return "", xenapi.PIF{}, false
}

// NetworkByUUID finds a network by its UUID, case-insensitively as xapi does.
func (s *Snapshot) NetworkByUUID(uuid string) (xenapi.Ref, xenapi.Network, bool) {
	for ref, n := range s.Networks {
		if strings.EqualFold(n.UUID, uuid) {
			return ref, n, true
		}
	}
	return "", xenapi.Network{}, false
}

// HostByUUID finds a host by its UUID.
func (s *Snapshot) HostByUUID(uuid string) (xenapi.Ref, xenapi.Host, bool) {
	for ref, h := range s.Hosts {
		if strings.EqualFold(h.UUID, uuid) {
			return ref, h, true
		}
	}
	return "", xenapi.Host{}, false
}

// BondOfMaster returns the bond whose master is the PIF.
func (s *Snapshot) BondOfMaster(pif xenapi.Ref) (xenapi.Ref, xenapi.Bond, bool) {
	for ref, b := range s.Bonds {
		if b.Master == pif {
			return ref, b, true
		}
	}
	return "", xenapi.Bond{}, false
}

// VLANOfUntagged returns the VLAN whose untagged PIF is the PIF.
func (s *Snapshot) VLANOfUntagged(pif xenapi.Ref) (xenapi.Ref, xenapi.VLAN, bool) {
	for ref, v := range s.VLANs {
		if v.UntaggedPIF == pif {
			return ref, v, true
		}
	}
	return "", xenapi.VLAN{}, false
}

// HostsByNameLabel returns the hosts with that name_label, in HostRefs
// order. xapi does not keep host names unique, so there may be several.
func (s *Snapshot) HostsByNameLabel(name string) []xenapi.Ref {
	var refs []xenapi.Ref
	for _, ref := range s.HostRefs() {
		if s.Hosts[ref].NameLabel == name {
			refs = append(refs, ref)
		}
	}
	return refs
}

// NetworksByNameLabel returns the networks with that name_label, by UUID.
// xapi does not keep network names unique, so there may be several.
func (s *Snapshot) NetworksByNameLabel(name string) []xenapi.Ref {
	var refs []xenapi.Ref
	for ref, n := range s.Networks {
		if n.NameLabel == name {
			refs = append(refs, ref)
		}
	}
	sort.Slice(refs, func(i, j int) bool { return s.Networks[refs[i]].UUID < s.Networks[refs[j]].UUID })
	return refs
}
