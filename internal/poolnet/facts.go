package poolnet

import (
	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
)

// Facts is what the guardrails need to know of the pool, with networks
// named by UUID, as xsnet's resources name them.
func (s *Snapshot) Facts() *guardrail.Facts {
	f := &guardrail.Facts{
		NetworkBackend: s.NetworkBackend(),
		NetworkMTU:     map[string]int64{},
	}
	for _, n := range s.Networks {
		f.NetworkMTU[n.UUID] = n.MTU
	}
	for _, ref := range s.HostRefs() {
		h := guardrail.Host{Name: s.Hosts[ref].NameLabel, NICs: map[string]guardrail.NIC{}}
		if _, mgmt, ok := s.ManagementPIF(ref); ok {
			h.ManagementDevice = mgmt.Device
			h.ManagementOnVLAN = mgmt.VLAN >= 0
			h.ManagementNetwork = s.Networks[mgmt.Network].UUID
		}
		for _, p := range s.PIFs {
			if p.Host != ref || !p.Physical || p.VLAN >= 0 {
				continue
			}
			nic := guardrail.NIC{}
			if !p.BondSlaveOf.IsNull() {
				nic.BondNetwork = s.Networks[s.PIFs[s.Bonds[p.BondSlaveOf].Master].Network].UUID
			}
			for _, v := range p.VLANSlaveOf {
				nic.VLANTags = append(nic.VLANTags, s.VLANs[v].Tag)
			}
			h.NICs[p.Device] = nic
		}
		f.Hosts = append(f.Hosts, h)
	}
	seen := map[string]bool{}
	for _, v := range s.VLANs {
		untagged := s.PIFs[v.UntaggedPIF]
		net := s.Networks[untagged.Network]
		if seen[net.UUID] {
			continue
		}
		seen[net.UUID] = true
		f.VLANs = append(f.VLANs, guardrail.ExistingVLAN{
			Network:       net.UUID,
			Name:          net.NameLabel,
			ParentNetwork: s.Networks[s.PIFs[v.TaggedPIF].Network].UUID,
			Tag:           v.Tag,
		})
	}
	return f
}

// JoiningHostFacts is what the guardrails need to know of a standalone host
// asked to join the pool, read from a snapshot of that host.
func (s *Snapshot) JoiningHostFacts() guardrail.JoiningHost {
	j := guardrail.JoiningHost{NetworkBackend: s.NetworkBackend()}
	for _, ref := range s.HostRefs() {
		j.Name = s.Hosts[ref].NameLabel
	}
	for _, b := range s.Bonds {
		j.Bonds = append(j.Bonds, s.PIFs[b.Master].Device)
	}
	for _, v := range s.VLANs {
		if !s.PIFs[v.UntaggedPIF].Management {
			j.NonManagementVLANs = append(j.NonManagementVLANs, v.Tag)
		}
	}
	return j
}
