package poolnet

import (
	"maps"
	"slices"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// derive returns the end state of next, which is prev with the changed
// records, from e, prev's: the networks that changed and the VLANs on each
// host are worked out again, the rest is shared. An apply of a thousand
// VLANs catches up after every change and judges each VLAN on the pool it
// finds; built afresh, every end state would cost the whole pool.
//
// Only changes to networks and VLANs, and to PIFs and bonds in ways the
// end state does not read (a NIC that carries one more VLAN, a bond's
// links), are derived. Anything else (a host, a bond made or destroyed,
// management, an IP configuration, a NIC's network) reaches too far, and
// derive reports false: the end state is then built afresh when a plan
// first asks for it.
func (e *endState) derive(prev, next *Snapshot, changed []changedRecord) (*endState, bool) {
	networks := map[xenapi.Ref]bool{}
	// vlanPIFs are the VLAN PIFs whose host's VLANParents change.
	var vlanPIFs []xenapi.Ref
	for _, c := range changed {
		switch c.class {
		case "host_metrics":
		case "pool":
			if !samePool(prev, next) {
				return nil, false
			}
		case "host":
			old, had := prev.Hosts.Lookup(c.ref)
			now, has := next.Hosts.Lookup(c.ref)
			if had != has || old.UUID != now.UUID || old.NameLabel != now.NameLabel {
				return nil, false
			}
		case "bond":
			// A bond's links coming up changes its record, nothing the
			// end state reads.
			old, had := prev.Bonds.Lookup(c.ref)
			now, has := next.Bonds.Lookup(c.ref)
			if !had || !has || old.Master != now.Master || old.PrimarySlave != now.PrimarySlave {
				return nil, false
			}
		case "network":
			networks[c.ref] = true
		case "pif":
			old, had := prev.PIFs.Lookup(c.ref)
			now, has := next.PIFs.Lookup(c.ref)
			switch {
			case (!had || plainVLANPIF(old)) && (!has || plainVLANPIF(now)):
				vlanPIFs = append(vlanPIFs, c.ref)
				if had {
					networks[old.Network] = true
				}
				if has {
					networks[now.Network] = true
				}
			case had && has && sameUntaggedPIF(old, now):
			default:
				return nil, false
			}
		case "vlan":
			for _, s := range []*Snapshot{prev, next} {
				v, ok := s.VLANs.Lookup(c.ref)
				if !ok {
					continue
				}
				vlanPIFs = append(vlanPIFs, v.UntaggedPIF)
				if p, ok := s.PIFs.Lookup(v.UntaggedPIF); ok {
					if !plainVLANPIF(p) {
						return nil, false
					}
					networks[p.Network] = true
				}
			}
		default:
			return nil, false
		}
	}

	hosts := map[xenapi.Ref]int{}
	for i, ref := range next.HostRefs() {
		hosts[ref] = i
	}
	for _, ref := range vlanPIFs {
		for _, s := range []*Snapshot{prev, next} {
			if p, ok := s.PIFs.Lookup(ref); ok {
				if _, ok := hosts[p.Host]; !ok {
					return nil, false
				}
			}
		}
	}

	d := *e
	d.pool = &guardrail.Pool{Networks: e.pool.Networks, Hosts: slices.Clone(e.pool.Hosts),
		IPInterfaces: e.pool.IPInterfaces, ManagementInterfaces: e.pool.ManagementInterfaces}
	if len(networks) > 0 {
		d.pool.Networks = maps.Clone(e.pool.Networks)
		d.managed, d.origin, d.memberMTUs, d.creating = maps.Clone(e.managed), maps.Clone(e.origin), maps.Clone(e.memberMTUs), maps.Clone(e.creating)
		for ref := range networks {
			if n, ok := prev.Networks.Lookup(ref); ok {
				d.dropNetwork(n.UUID)
			}
		}
		for ref := range networks {
			if n, ok := next.Networks.Lookup(ref); ok {
				d.addNetwork(next, ref, n)
			}
		}
	}
	d.judgeUnfinished(time.Now())

	own := map[int]bool{}
	host := func(ref xenapi.Ref) *guardrail.PoolHost {
		i := hosts[ref]
		if !own[i] {
			h := *d.pool.Hosts[i]
			d.pool.Hosts[i], own[i] = &h, true
		}
		return d.pool.Hosts[i]
	}
	for _, ref := range vlanPIFs {
		if p, ok := prev.PIFs.Lookup(ref); ok {
			h := host(p.Host)
			h.VLANParents = h.VLANParents.Without(prev.Networks.Get(p.Network).UUID)
		}
	}
	for _, ref := range vlanPIFs {
		if p, ok := next.PIFs.Lookup(ref); ok {
			if parent, ok := next.vlanParent(ref); ok {
				h := host(p.Host)
				h.VLANParents = h.VLANParents.With(next.Networks.Get(p.Network).UUID, parent)
			}
		}
	}
	return &d, true
}

// plainVLANPIF says a PIF is a VLAN's and gives the end state nothing
// but its network and parent: no management, no IP configuration.
func plainVLANPIF(p xenapi.PIF) bool {
	_, recorded := recordedBefore(p)
	return p.VLAN >= 0 && !p.Management && !recorded &&
		(p.IP == "" || p.IPConfigurationMode == xenapi.IPConfigurationNone)
}

// sameUntaggedPIF says a NIC's or bond master's PIF changed only in what
// the end state does not read, such as the VLANs it carries.
func sameUntaggedPIF(old, now xenapi.PIF) bool {
	return old.VLAN < 0 && now.VLAN < 0 && old.Host == now.Host && old.Network == now.Network &&
		old.Device == now.Device && old.Physical == now.Physical && old.Management == now.Management &&
		old.BondSlaveOf == now.BondSlaveOf && len(old.BondMasterOf) == len(now.BondMasterOf) &&
		old.IP == now.IP && old.IPConfigurationMode == now.IPConfigurationMode &&
		old.OtherConfig[beforeKey] == now.OtherConfig[beforeKey] && old.OtherConfig[PurposeKey] == now.OtherConfig[PurposeKey]
}

// samePool says the pool record changed only in what the end state does
// not read.
func samePool(prev, next *Snapshot) bool {
	return prev.PoolRef == next.PoolRef && prev.Pool.UUID == next.Pool.UUID && prev.Pool.Master == next.Pool.Master &&
		prev.Pool.OtherConfig[managementOriginKey] == next.Pool.OtherConfig[managementOriginKey]
}
