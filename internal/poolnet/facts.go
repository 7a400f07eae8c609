package poolnet

import (
	"slices"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
)

// Facts is what a resource's own guardrails need to know of the pool: its
// network backend and each host's NICs.
func (s *Snapshot) Facts() *guardrail.Facts {
	f := &guardrail.Facts{NetworkBackend: s.NetworkBackend()}
	for _, ref := range s.HostRefs() {
		host := s.Hosts.Get(ref)
		h := guardrail.Host{Name: host.NameLabel, UUID: host.UUID}
		for _, pifRef := range s.HostPIFs(ref) {
			if p := s.PIFs.Get(pifRef); p.Physical && p.VLAN < 0 {
				h.NICs = append(h.NICs, p.Device)
			}
		}
		f.Hosts = append(f.Hosts, h)
	}
	return f
}

// JoiningHostFacts is what the guardrails need to know of a standalone host
// asked to join the pool, read from a snapshot of that host.
func (s *Snapshot) JoiningHostFacts() guardrail.JoiningHost {
	j := guardrail.JoiningHost{NetworkBackend: s.NetworkBackend(), ManagementVLAN: -1}
	for _, ref := range s.HostRefs() {
		j.Name = s.Hosts.Get(ref).NameLabel
		if _, mgmt, ok := s.ManagementPIF(ref); ok {
			j.ManagementDevice, j.ManagementVLAN = mgmt.Device, mgmt.VLAN
		}
		for _, pifRef := range s.HostPIFs(ref) {
			p := s.PIFs.Get(pifRef)
			if !p.Physical || p.VLAN >= 0 {
				continue
			}
			j.NICs = append(j.NICs, p.Device)
			// A NIC that came up below its network's MTU could not take it.
			if n := s.Networks.Get(p.Network); p.CurrentlyAttached && p.BondSlaveOf.IsNull() && p.MTU > 0 && p.MTU < n.MTU {
				if j.RefusedMTU == nil {
					j.RefusedMTU = map[string]int64{}
				}
				j.RefusedMTU[p.Device] = n.MTU
			}
		}
	}
	for b := range s.Bonds.Values() {
		j.Bonds = append(j.Bonds, s.PIFs.Get(b.Master).Device)
	}
	slices.SortFunc(j.Bonds, CompareDevices)
	for v := range s.VLANs.Values() {
		if !s.PIFs.Get(v.UntaggedPIF).Management {
			j.NonManagementVLANs = append(j.NonManagementVLANs, v.Tag)
		}
	}
	slices.Sort(j.NonManagementVLANs)
	return j
}
