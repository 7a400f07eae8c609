package poolnet

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Snapshot is the networking side of a pool at one moment: every pool,
// host, host_metrics, network, PIF, Bond and VLAN record, with indexes.
// xsnet reasons about a pool as a whole (a bond exists once per host), and
// the indexes make a question about one object cost that object's size,
// not the pool's.
//
// A Snapshot is never changed once readers have it: the model makes a new
// one for every change it learns of. Callers must not change its maps.
type Snapshot struct {
	PoolRef     xenapi.Ref
	Pool        xenapi.Pool
	Hosts       map[xenapi.Ref]xenapi.Host
	HostMetrics map[xenapi.Ref]xenapi.HostMetrics
	Networks    map[xenapi.Ref]xenapi.Network
	PIFs        map[xenapi.Ref]xenapi.PIF
	Bonds       map[xenapi.Ref]xenapi.Bond
	VLANs       map[xenapi.Ref]xenapi.VLAN

	// idx is built on the first question, so that a snapshot that only
	// passes through costs no index.
	idx atomic.Pointer[index]
	// end is the pool as the end-state rules see it, built on the first
	// plan; see endState.
	end atomic.Pointer[endState]
}

// TakeSnapshot reads the pool's networking records whole, with seven
// concurrent get_all_records. The model does this only where the pool does
// not serve event.from, or when its cache is turned off.
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

// fillEmpty gives every record map a value, so that readers can range and
// index without nil checks.
func (s *Snapshot) fillEmpty() {
	if s.Hosts == nil {
		s.Hosts = map[xenapi.Ref]xenapi.Host{}
	}
	if s.HostMetrics == nil {
		s.HostMetrics = map[xenapi.Ref]xenapi.HostMetrics{}
	}
	if s.Networks == nil {
		s.Networks = map[xenapi.Ref]xenapi.Network{}
	}
	if s.PIFs == nil {
		s.PIFs = map[xenapi.Ref]xenapi.PIF{}
	}
	if s.Bonds == nil {
		s.Bonds = map[xenapi.Ref]xenapi.Bond{}
	}
	if s.VLANs == nil {
		s.VLANs = map[xenapi.Ref]xenapi.VLAN{}
	}
}

// index answers the questions xsnet asks of a pool without walking it.
// Each map is keyed by the owning side of a relation (PIF.host,
// PIF.network, Bond.master, VLAN.untagged_PIF), which every record carries
// whatever events xapi sent for the other side.
type index struct {
	hostOrder       []xenapi.Ref
	hostByUUID      map[string]xenapi.Ref
	hostByAddress   map[string]xenapi.Ref
	networkByUUID   map[string]xenapi.Ref
	pifByUUID       map[string]xenapi.Ref
	pifsOfHost      map[xenapi.Ref][]xenapi.Ref
	pifsOfNetwork   map[xenapi.Ref][]xenapi.Ref
	deviceRoot      map[hostKey]xenapi.Ref
	networkPIF      map[[2]xenapi.Ref]xenapi.Ref
	management      map[xenapi.Ref]xenapi.Ref
	bondOfMaster    map[xenapi.Ref]xenapi.Ref
	vlanOfUntagged  map[xenapi.Ref]xenapi.Ref
	vlansOfTagged   map[xenapi.Ref][]xenapi.Ref
	networksByLabel map[string][]xenapi.Ref
}

type hostKey struct {
	host   xenapi.Ref
	device string
}

func (s *Snapshot) index() *index {
	if i := s.idx.Load(); i != nil {
		return i
	}
	i := s.buildIndex()
	s.idx.Store(i)
	return i
}

func (s *Snapshot) buildIndex() *index {
	i := &index{
		hostByUUID:      make(map[string]xenapi.Ref, len(s.Hosts)),
		hostByAddress:   make(map[string]xenapi.Ref, len(s.Hosts)),
		networkByUUID:   make(map[string]xenapi.Ref, len(s.Networks)),
		pifByUUID:       make(map[string]xenapi.Ref, len(s.PIFs)),
		pifsOfHost:      make(map[xenapi.Ref][]xenapi.Ref, len(s.Hosts)),
		pifsOfNetwork:   make(map[xenapi.Ref][]xenapi.Ref, len(s.Networks)),
		deviceRoot:      map[hostKey]xenapi.Ref{},
		networkPIF:      make(map[[2]xenapi.Ref]xenapi.Ref, len(s.PIFs)),
		management:      make(map[xenapi.Ref]xenapi.Ref, len(s.Hosts)),
		bondOfMaster:    make(map[xenapi.Ref]xenapi.Ref, len(s.Bonds)),
		vlanOfUntagged:  make(map[xenapi.Ref]xenapi.Ref, len(s.VLANs)),
		vlansOfTagged:   map[xenapi.Ref][]xenapi.Ref{},
		networksByLabel: map[string][]xenapi.Ref{},
	}
	hosts := s.buildHostIndex()
	i.hostOrder, i.hostByUUID, i.hostByAddress = hosts.hostOrder, hosts.hostByUUID, hosts.hostByAddress
	for ref, n := range s.Networks {
		i.networkByUUID[strings.ToLower(n.UUID)] = ref
		i.networksByLabel[n.NameLabel] = append(i.networksByLabel[n.NameLabel], ref)
	}
	for _, refs := range i.networksByLabel {
		slices.SortFunc(refs, func(a, b xenapi.Ref) int { return strings.Compare(s.Networks[a].UUID, s.Networks[b].UUID) })
	}
	for ref, p := range s.PIFs {
		i.pifByUUID[strings.ToLower(p.UUID)] = ref
		i.pifsOfHost[p.Host] = append(i.pifsOfHost[p.Host], ref)
		i.pifsOfNetwork[p.Network] = append(i.pifsOfNetwork[p.Network], ref)
		i.networkPIF[[2]xenapi.Ref{p.Host, p.Network}] = ref
		if p.VLAN < 0 {
			i.deviceRoot[hostKey{p.Host, p.Device}] = ref
		}
		if p.Management {
			i.management[p.Host] = ref
		}
	}
	byDevice := func(a, b xenapi.Ref) int { return comparePIFs(s, a, b) }
	for _, refs := range i.pifsOfHost {
		slices.SortFunc(refs, byDevice)
	}
	for _, refs := range i.pifsOfNetwork {
		slices.SortFunc(refs, byDevice)
	}
	for ref, b := range s.Bonds {
		i.bondOfMaster[b.Master] = ref
	}
	for ref, v := range s.VLANs {
		i.vlanOfUntagged[v.UntaggedPIF] = ref
		i.vlansOfTagged[v.TaggedPIF] = append(i.vlansOfTagged[v.TaggedPIF], ref)
	}
	for _, refs := range i.vlansOfTagged {
		slices.SortFunc(refs, func(a, b xenapi.Ref) int { return compareVLANs(s, a, b) })
	}
	return i
}

// buildHostIndex indexes the hosts, which are few: master first, then by
// name.
func (s *Snapshot) buildHostIndex() *index {
	i := &index{hostByUUID: make(map[string]xenapi.Ref, len(s.Hosts)), hostByAddress: make(map[string]xenapi.Ref, len(s.Hosts))}
	for ref, h := range s.Hosts {
		i.hostOrder = append(i.hostOrder, ref)
		i.hostByUUID[strings.ToLower(h.UUID)] = ref
		i.hostByAddress[strings.ToLower(h.Address)] = ref
	}
	slices.SortFunc(i.hostOrder, func(a, b xenapi.Ref) int {
		if (a == s.Pool.Master) != (b == s.Pool.Master) {
			if a == s.Pool.Master {
				return -1
			}
			return 1
		}
		if c := strings.Compare(s.Hosts[a].NameLabel, s.Hosts[b].NameLabel); c != 0 {
			return c
		}
		return strings.Compare(string(a), string(b))
	})
	return i
}

// comparePIFs orders PIFs by device, a device's VLAN PIFs after it by tag.
func comparePIFs(s *Snapshot, a, b xenapi.Ref) int {
	pa, pb := s.PIFs[a], s.PIFs[b]
	if c := CompareDevices(pa.Device, pb.Device); c != 0 {
		return c
	}
	if pa.VLAN != pb.VLAN {
		return cmp.Compare(pa.VLAN, pb.VLAN)
	}
	return strings.Compare(string(a), string(b))
}

// compareVLANs orders VLANs by tag.
func compareVLANs(s *Snapshot, a, b xenapi.Ref) int {
	if c := cmp.Compare(s.VLANs[a].Tag, s.VLANs[b].Tag); c != 0 {
		return c
	}
	return strings.Compare(string(a), string(b))
}

// HostRefs returns the pool's hosts, master first, then by name, so that
// every listing and every plan shows them in the same order. The slice is
// shared: do not change it.
func (s *Snapshot) HostRefs() []xenapi.Ref { return s.index().hostOrder }

// hostsMasterLast returns the hosts in the order xsnet changes them: pool
// members first, the master last.
func (s *Snapshot) hostsMasterLast() []xenapi.Ref {
	refs := s.HostRefs()
	if len(refs) < 2 {
		return slices.Clone(refs)
	}
	return append(slices.Clone(refs[1:]), refs[0])
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

// pif returns the PIF behind ref, and whether there is one.
func (s *Snapshot) pif(ref xenapi.Ref, ok bool) (xenapi.Ref, xenapi.PIF, bool) {
	if !ok {
		return "", xenapi.PIF{}, false
	}
	p, ok := s.PIFs[ref]
	return ref, p, ok
}

// DevicePIF returns the host's untagged PIF for a device name such as eth0
// or bond0: the NIC or bond master itself, never one of its VLAN PIFs.
func (s *Snapshot) DevicePIF(host xenapi.Ref, device string) (xenapi.Ref, xenapi.PIF, bool) {
	ref, ok := s.index().deviceRoot[hostKey{host, device}]
	return s.pif(ref, ok)
}

// NetworkPIF returns the host's PIF on a network.
func (s *Snapshot) NetworkPIF(host, network xenapi.Ref) (xenapi.Ref, xenapi.PIF, bool) {
	ref, ok := s.index().networkPIF[[2]xenapi.Ref{host, network}]
	return s.pif(ref, ok)
}

// ManagementPIF returns the PIF that carries the host's management traffic.
func (s *Snapshot) ManagementPIF(host xenapi.Ref) (xenapi.Ref, xenapi.PIF, bool) {
	ref, ok := s.index().management[host]
	return s.pif(ref, ok)
}

// managementOnDevice reports whether the host's management interface is on
// one of the devices, untagged or on a VLAN over it (a VLAN PIF has its
// tagged PIF's device): making or destroying a bond of them rebuilds it.
func (s *Snapshot) managementOnDevice(host xenapi.Ref, devices ...string) bool {
	_, p, ok := s.ManagementPIF(host)
	return ok && slices.Contains(devices, p.Device)
}

// PIFByUUID finds a PIF by its UUID, case-insensitively as xapi does.
func (s *Snapshot) PIFByUUID(uuid string) (xenapi.Ref, xenapi.PIF, bool) {
	ref, ok := s.index().pifByUUID[strings.ToLower(uuid)]
	return s.pif(ref, ok)
}

// HostPIFs returns the host's PIFs by device, a device's VLAN PIFs after
// it by tag. The slice is shared: do not change it.
func (s *Snapshot) HostPIFs(host xenapi.Ref) []xenapi.Ref { return s.index().pifsOfHost[host] }

// NetworkPIFs returns the PIFs on a network, one per host that has it, by
// device. The slice is shared: do not change it.
func (s *Snapshot) NetworkPIFs(network xenapi.Ref) []xenapi.Ref {
	return s.index().pifsOfNetwork[network]
}

// NetworkByUUID finds a network by its UUID, case-insensitively as xapi does.
func (s *Snapshot) NetworkByUUID(uuid string) (xenapi.Ref, xenapi.Network, bool) {
	ref, ok := s.index().networkByUUID[strings.ToLower(uuid)]
	if !ok {
		return "", xenapi.Network{}, false
	}
	n, ok := s.Networks[ref]
	return ref, n, ok
}

// HostByUUID finds a host by its UUID.
func (s *Snapshot) HostByUUID(uuid string) (xenapi.Ref, xenapi.Host, bool) {
	ref, ok := s.index().hostByUUID[strings.ToLower(uuid)]
	if !ok {
		return "", xenapi.Host{}, false
	}
	h, ok := s.Hosts[ref]
	return ref, h, ok
}

// HostByAddress finds a host by its management address.
func (s *Snapshot) HostByAddress(address string) (xenapi.Ref, xenapi.Host, bool) {
	ref, ok := s.index().hostByAddress[strings.ToLower(address)]
	if !ok {
		return "", xenapi.Host{}, false
	}
	h, ok := s.Hosts[ref]
	return ref, h, ok
}

// BondOfMaster returns the bond whose master is the PIF.
func (s *Snapshot) BondOfMaster(pif xenapi.Ref) (xenapi.Ref, xenapi.Bond, bool) {
	ref, ok := s.index().bondOfMaster[pif]
	if !ok {
		return "", xenapi.Bond{}, false
	}
	b, ok := s.Bonds[ref]
	return ref, b, ok
}

// VLANOfUntagged returns the VLAN whose untagged PIF is the PIF.
func (s *Snapshot) VLANOfUntagged(pif xenapi.Ref) (xenapi.Ref, xenapi.VLAN, bool) {
	ref, ok := s.index().vlanOfUntagged[pif]
	if !ok {
		return "", xenapi.VLAN{}, false
	}
	v, ok := s.VLANs[ref]
	return ref, v, ok
}

// VLANsOn returns the VLANs tagged on a PIF (a NIC or a bond master), by
// tag. The slice is shared: do not change it.
func (s *Snapshot) VLANsOn(tagged xenapi.Ref) []xenapi.Ref { return s.index().vlansOfTagged[tagged] }

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
// xapi does not keep network names unique, so there may be several. The
// slice is shared: do not change it.
func (s *Snapshot) NetworksByNameLabel(name string) []xenapi.Ref {
	return s.index().networksByLabel[name]
}

// NetworkKind says what a network's PIFs are: VLAN PIFs, bond masters,
// NICs, or none at all. A network an unfinished create of xsnet's made
// before its first PIF is what that create was making.
func (s *Snapshot) NetworkKind(network xenapi.Ref) guardrail.NetworkKind {
	kind := guardrail.NetworkPrivate
	if j, ok := journalOf(s.Networks[network]); ok && j.Bond != nil {
		kind = guardrail.NetworkBond
	} else if ok && j.VLAN != nil {
		kind = guardrail.NetworkVLAN
	}
	for _, pifRef := range s.NetworkPIFs(network) {
		p := s.PIFs[pifRef]
		switch {
		case p.VLAN >= 0:
			return guardrail.NetworkVLAN
		case len(p.BondMasterOf) > 0:
			return guardrail.NetworkBond
		case p.Physical:
			kind = guardrail.NetworkNIC
		}
		if _, _, ok := s.BondOfMaster(pifRef); ok {
			return guardrail.NetworkBond
		}
	}
	return kind
}

// Devices lists the devices of the host's untagged PIFs in device order:
// its NICs and bond masters, or with nicsOnly its NICs alone.
func (s *Snapshot) Devices(host xenapi.Ref, nicsOnly bool) []string {
	var devices []string
	for _, ref := range s.HostPIFs(host) {
		if p := s.PIFs[ref]; p.VLAN < 0 && (p.Physical || !nicsOnly) {
			devices = append(devices, p.Device)
		}
	}
	return devices
}

// changedRecord names one record an event changed.
type changedRecord struct {
	class string
	ref   xenapi.Ref
}

// derive returns the index of next, which is prev with the changed
// records: the maps are copied only where a change writes them, so that a
// catch-up after a change to one VLAN costs that VLAN, not the pool.
func (i *index) derive(prev, next *Snapshot, changed []changedRecord) *index {
	d := &deriving{index: *i, copied: map[string]bool{}}
	hosts := false
	for _, c := range changed {
		switch c.class {
		case "pool", "host":
			hosts = true
		case "network":
			d.network(prev, next, c.ref)
		case "pif":
			d.pif(prev, next, c.ref)
		case "bond":
			if old, ok := prev.Bonds[c.ref]; ok && d.bondOfMaster[old.Master] == c.ref {
				delete(d.writable("bondOfMaster", &d.bondOfMaster), old.Master)
			}
			if b, ok := next.Bonds[c.ref]; ok {
				d.writable("bondOfMaster", &d.bondOfMaster)[b.Master] = c.ref
			}
		case "vlan":
			d.vlan(prev, next, c.ref)
		}
	}
	if hosts {
		fresh := next.buildHostIndex()
		d.hostOrder, d.hostByUUID, d.hostByAddress = fresh.hostOrder, fresh.hostByUUID, fresh.hostByAddress
	}
	return &d.index
}

// deriving is an index being derived, with the maps it has copied.
type deriving struct {
	index
	copied map[string]bool
}

// writable copies the map the first time the derivation writes it.
func writableMap[K comparable, V any](d *deriving, name string, m *map[K]V) map[K]V {
	if !d.copied[name] {
		*m = maps.Clone(*m)
		if *m == nil {
			*m = map[K]V{}
		}
		d.copied[name] = true
	}
	return *m
}

func (d *deriving) writable(name string, m *map[xenapi.Ref]xenapi.Ref) map[xenapi.Ref]xenapi.Ref {
	return writableMap(d, name, m)
}

// remove takes ref out of m[key], a new slice, and the key out of m when
// nothing is left under it, as a built index has it.
func remove[K comparable](m map[K][]xenapi.Ref, key K, ref xenapi.Ref) {
	left := slices.DeleteFunc(slices.Clone(m[key]), func(r xenapi.Ref) bool { return r == ref })
	if len(left) == 0 {
		delete(m, key)
		return
	}
	m[key] = left
}

// with returns refs with ref inserted where cmp puts it, as a new slice.
func with(refs []xenapi.Ref, ref xenapi.Ref, cmp func(a, b xenapi.Ref) int) []xenapi.Ref {
	at, _ := slices.BinarySearchFunc(refs, ref, cmp)
	return slices.Insert(slices.Clone(refs), at, ref)
}

func (d *deriving) network(prev, next *Snapshot, ref xenapi.Ref) {
	if old, ok := prev.Networks[ref]; ok {
		if k := strings.ToLower(old.UUID); d.networkByUUID[k] == ref {
			delete(writableMap(d, "networkByUUID", &d.networkByUUID), k)
		}
		remove(writableMap(d, "networksByLabel", &d.networksByLabel), old.NameLabel, ref)
	}
	if n, ok := next.Networks[ref]; ok {
		writableMap(d, "networkByUUID", &d.networkByUUID)[strings.ToLower(n.UUID)] = ref
		byLabel := writableMap(d, "networksByLabel", &d.networksByLabel)
		byLabel[n.NameLabel] = with(byLabel[n.NameLabel], ref, func(a, b xenapi.Ref) int {
			return strings.Compare(next.Networks[a].UUID, next.Networks[b].UUID)
		})
	}
}

func (d *deriving) pif(prev, next *Snapshot, ref xenapi.Ref) {
	if old, ok := prev.PIFs[ref]; ok {
		if k := strings.ToLower(old.UUID); d.pifByUUID[k] == ref {
			delete(writableMap(d, "pifByUUID", &d.pifByUUID), k)
		}
		remove(writableMap(d, "pifsOfHost", &d.pifsOfHost), old.Host, ref)
		remove(writableMap(d, "pifsOfNetwork", &d.pifsOfNetwork), old.Network, ref)
		if k := [2]xenapi.Ref{old.Host, old.Network}; d.networkPIF[k] == ref {
			delete(writableMap(d, "networkPIF", &d.networkPIF), k)
		}
		if k := (hostKey{old.Host, old.Device}); old.VLAN < 0 && d.deviceRoot[k] == ref {
			delete(writableMap(d, "deviceRoot", &d.deviceRoot), k)
		}
		if d.management[old.Host] == ref {
			delete(d.writable("management", &d.management), old.Host)
		}
	}
	p, ok := next.PIFs[ref]
	if !ok {
		return
	}
	byDevice := func(a, b xenapi.Ref) int { return comparePIFs(next, a, b) }
	writableMap(d, "pifByUUID", &d.pifByUUID)[strings.ToLower(p.UUID)] = ref
	ofHost := writableMap(d, "pifsOfHost", &d.pifsOfHost)
	ofHost[p.Host] = with(ofHost[p.Host], ref, byDevice)
	ofNetwork := writableMap(d, "pifsOfNetwork", &d.pifsOfNetwork)
	ofNetwork[p.Network] = with(ofNetwork[p.Network], ref, byDevice)
	writableMap(d, "networkPIF", &d.networkPIF)[[2]xenapi.Ref{p.Host, p.Network}] = ref
	if p.VLAN < 0 {
		writableMap(d, "deviceRoot", &d.deviceRoot)[hostKey{p.Host, p.Device}] = ref
	}
	if p.Management {
		d.writable("management", &d.management)[p.Host] = ref
	}
}

func (d *deriving) vlan(prev, next *Snapshot, ref xenapi.Ref) {
	if old, ok := prev.VLANs[ref]; ok {
		if d.vlanOfUntagged[old.UntaggedPIF] == ref {
			delete(d.writable("vlanOfUntagged", &d.vlanOfUntagged), old.UntaggedPIF)
		}
		remove(writableMap(d, "vlansOfTagged", &d.vlansOfTagged), old.TaggedPIF, ref)
	}
	if v, ok := next.VLANs[ref]; ok {
		d.writable("vlanOfUntagged", &d.vlanOfUntagged)[v.UntaggedPIF] = ref
		onTagged := writableMap(d, "vlansOfTagged", &d.vlansOfTagged)
		onTagged[v.TaggedPIF] = with(onTagged[v.TaggedPIF], ref, func(a, b xenapi.Ref) int { return compareVLANs(next, a, b) })
	}
}
