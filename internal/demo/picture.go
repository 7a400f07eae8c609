package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// drawPool draws the pool's network host by host: each host's NICs and
// bonds (with members, mode and MTU), the VLANs over each, where
// management lives and the addresses of other interfaces; then the
// networks that reach no NIC.
func drawPool(snap *poolnet.Snapshot) string {
	var w strings.Builder
	// Writing to a strings.Builder never fails.
	line := func(format string, args ...any) { _, _ = fmt.Fprintf(&w, format, args...) }
	line("pool %q: %d hosts, %s network backend\n", snap.Pool.NameLabel, snap.Hosts.Len(), snap.NetworkBackend())
	for _, host := range snap.HostRefs() {
		h := snap.Hosts.Get(host)
		role := "member"
		if host == snap.Pool.Master {
			role = "master"
		}
		state := "live"
		if !snap.Live(host) {
			state = "NOT LIVE"
		}
		line("  %s (%s, %s)\n", h.NameLabel, role, state)
		for _, ref := range interfaces(snap, host) {
			p := snap.PIFs.Get(ref)
			line("    %-6s %-22s MTU %-5d %s%s\n", p.Device, describe(snap, p), p.MTU, networkName(snap, p), management(p))
			for _, vref := range vlansOver(snap, ref) {
				v := snap.PIFs.Get(vref)
				line("      └ VLAN %-4d %-15s MTU %-5d %s%s\n", v.VLAN, "", v.MTU, networkName(snap, v), management(v))
			}
		}
	}
	var private []string
	for n := range snap.Networks.Values() {
		if len(n.PIFs) == 0 && !poolnet.HostInternal(n) {
			private = append(private, fmt.Sprintf("%q (MTU %d)", n.NameLabel, n.MTU))
		}
	}
	sort.Strings(private)
	if len(private) > 0 {
		line("  networks that reach no NIC: %s\n", strings.Join(private, ", "))
	}
	return w.String()
}

// interfaces are the host's NICs that are not bonded, and its bond masters,
// by device.
func interfaces(snap *poolnet.Snapshot, host xenapi.Ref) []xenapi.Ref {
	var refs []xenapi.Ref
	for ref, p := range snap.PIFs.All() {
		if p.Host == host && p.VLAN < 0 && p.BondSlaveOf.IsNull() {
			refs = append(refs, ref)
		}
	}
	sort.Slice(refs, func(i, j int) bool {
		return poolnet.CompareDevices(snap.PIFs.Get(refs[i]).Device, snap.PIFs.Get(refs[j]).Device) < 0
	})
	return refs
}

func vlansOver(snap *poolnet.Snapshot, tagged xenapi.Ref) []xenapi.Ref {
	var refs []xenapi.Ref
	for v := range snap.VLANs.Values() {
		if v.TaggedPIF == tagged {
			refs = append(refs, v.UntaggedPIF)
		}
	}
	sort.Slice(refs, func(i, j int) bool { return snap.PIFs.Get(refs[i]).VLAN < snap.PIFs.Get(refs[j]).VLAN })
	return refs
}

func describe(snap *poolnet.Snapshot, p xenapi.PIF) string {
	if len(p.BondMasterOf) == 0 {
		return "NIC"
	}
	b := snap.Bonds.Get(p.BondMasterOf[0])
	var members []string
	for _, s := range b.Slaves {
		members = append(members, snap.PIFs.Get(s).Device)
	}
	sort.Strings(members)
	return fmt.Sprintf("%s %s", strings.Join(members, "+"), b.Mode)
}

func networkName(snap *poolnet.Snapshot, p xenapi.PIF) string {
	return fmt.Sprintf("%q", snap.Networks.Get(p.Network).NameLabel)
}

// management marks the PIF that carries management, and one with an
// address of its own, such as a storage interface, by its purpose.
func management(p xenapi.PIF) string {
	switch {
	case p.Management:
		return fmt.Sprintf("  ◀ management %s", p.IP)
	case p.IP != "":
		what := p.OtherConfig[poolnet.PurposeKey]
		if what == "" {
			what = "address"
		}
		return fmt.Sprintf("  ◀ %s %s", what, p.IP)
	}
	return ""
}
