package poolnet

import (
	"slices"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
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

// FactsReplacing is Facts as they will be once the bonds xsnet made over
// any of the member devices are gone: their members free again, and
// management back on the primary member where it was on the bond.
//
// Terraform plans a replacement twice, the second time as a plain create
// with no state, and cannot say which create replaces what. A bond xsnet
// made over the same NICs is then either the very bond being replaced or a
// conflict with another xsnet_bond; plan assumes the first, and apply,
// which checks again with the pool as it is, catches the second before it
// changes anything. Bonds made by hand are never assumed away.
func (s *Snapshot) FactsReplacing(members []string) *guardrail.Facts {
	f := s.Facts()
	replaced := map[xenapi.Ref]bool{}
	for ref, b := range s.Bonds {
		if s.Networks[s.PIFs[b.Master].Network].OtherConfig[managedKey] == "" {
			continue
		}
		for _, sl := range b.Slaves {
			if slices.Contains(members, s.PIFs[sl].Device) {
				replaced[ref] = true
			}
		}
	}
	for i, host := range s.HostRefs() {
		h := &f.Hosts[i]
		for ref := range replaced {
			b := s.Bonds[ref]
			master := s.PIFs[b.Master]
			if master.Host != host {
				continue
			}
			for _, sl := range b.Slaves {
				nic := h.NICs[s.PIFs[sl].Device]
				nic.BondNetwork = ""
				h.NICs[s.PIFs[sl].Device] = nic
			}
			if master.Management {
				primary := s.PIFs[b.PrimarySlave]
				h.ManagementDevice = primary.Device
				h.ManagementNetwork = s.Networks[primary.Network].UUID
			}
		}
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
