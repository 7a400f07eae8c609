package poolnet

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/table"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Snapshot is the networking side of a pool at one moment: every pool,
// host, host_metrics, network, PIF, Bond and VLAN record, with indexes.
// xsnet reasons about a pool as a whole (a bond exists once per host), and
// the indexes make a question about one object cost that object's size,
// not the pool's.
//
// A Snapshot is never changed once readers have it: the model makes a new
// one for every change it learns of, which shares with the last the
// records that did not change (see package table).
type Snapshot struct {
	PoolRef     xenapi.Ref
	Pool        xenapi.Pool
	Hosts       table.Map[xenapi.Ref, xenapi.Host]
	HostMetrics table.Map[xenapi.Ref, xenapi.HostMetrics]
	Networks    table.Map[xenapi.Ref, xenapi.Network]
	PIFs        table.Map[xenapi.Ref, xenapi.PIF]
	Bonds       table.Map[xenapi.Ref, xenapi.Bond]
	VLANs       table.Map[xenapi.Ref, xenapi.VLAN]

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
	g.Go(func() error { return getAllRecords(ctx, c, &s.Hosts) })
	g.Go(func() error { return getAllRecords(ctx, c, &s.HostMetrics) })
	g.Go(func() error { return getAllRecords(ctx, c, &s.Networks) })
	g.Go(func() error { return getAllRecords(ctx, c, &s.PIFs) })
	g.Go(func() error { return getAllRecords(ctx, c, &s.Bonds) })
	g.Go(func() error { return getAllRecords(ctx, c, &s.VLANs) })
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

// getAllRecords reads one class whole into records.
func getAllRecords[T xenapi.Record](ctx context.Context, c *xenapi.Client, records *table.Map[xenapi.Ref, T]) error {
	m, err := xenapi.GetAllRecords[T](ctx, c)
	*records = table.Of(m)
	return err
}

// index answers the questions xsnet asks of a pool without walking it.
// Each map is keyed by the owning side of a relation (PIF.host,
// PIF.network, Bond.master, VLAN.untagged_PIF), which every record carries
// whatever events xapi sent for the other side.
type index struct {
	hostOrder       []xenapi.Ref
	hostByUUID      map[string]xenapi.Ref
	hostByAddress   map[string]xenapi.Ref
	networkByUUID   table.Map[string, xenapi.Ref]
	pifByUUID       table.Map[string, xenapi.Ref]
	pifsOfHost      table.Map[xenapi.Ref, []xenapi.Ref]
	pifsOfNetwork   table.Map[xenapi.Ref, []xenapi.Ref]
	deviceRoot      table.Map[hostKey, xenapi.Ref]
	networkPIF      table.Map[[2]xenapi.Ref, xenapi.Ref]
	management      table.Map[xenapi.Ref, xenapi.Ref]
	bondOfMaster    table.Map[xenapi.Ref, xenapi.Ref]
	vlanOfUntagged  table.Map[xenapi.Ref, xenapi.Ref]
	vlansOfTagged   table.Map[xenapi.Ref, []xenapi.Ref]
	networksByLabel table.Map[string, []xenapi.Ref]
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
	var (
		networkByUUID   = make(map[string]xenapi.Ref, s.Networks.Len())
		pifByUUID       = make(map[string]xenapi.Ref, s.PIFs.Len())
		pifsOfHost      = make(map[xenapi.Ref][]xenapi.Ref, s.Hosts.Len())
		pifsOfNetwork   = make(map[xenapi.Ref][]xenapi.Ref, s.Networks.Len())
		deviceRoot      = map[hostKey]xenapi.Ref{}
		networkPIF      = make(map[[2]xenapi.Ref]xenapi.Ref, s.PIFs.Len())
		management      = make(map[xenapi.Ref]xenapi.Ref, s.Hosts.Len())
		bondOfMaster    = make(map[xenapi.Ref]xenapi.Ref, s.Bonds.Len())
		vlanOfUntagged  = make(map[xenapi.Ref]xenapi.Ref, s.VLANs.Len())
		vlansOfTagged   = map[xenapi.Ref][]xenapi.Ref{}
		networksByLabel = map[string][]xenapi.Ref{}
	)
	for ref, n := range s.Networks.All() {
		networkByUUID[strings.ToLower(n.UUID)] = ref
		networksByLabel[n.NameLabel] = append(networksByLabel[n.NameLabel], ref)
	}
	for _, refs := range networksByLabel {
		slices.SortFunc(refs, func(a, b xenapi.Ref) int { return strings.Compare(s.Networks.Get(a).UUID, s.Networks.Get(b).UUID) })
	}
	for ref, p := range s.PIFs.All() {
		pifByUUID[strings.ToLower(p.UUID)] = ref
		pifsOfHost[p.Host] = append(pifsOfHost[p.Host], ref)
		pifsOfNetwork[p.Network] = append(pifsOfNetwork[p.Network], ref)
		networkPIF[[2]xenapi.Ref{p.Host, p.Network}] = ref
		if p.VLAN < 0 {
			deviceRoot[hostKey{p.Host, p.Device}] = ref
		}
		if p.Management {
			management[p.Host] = ref
		}
	}
	byDevice := func(a, b xenapi.Ref) int { return comparePIFs(s, a, b) }
	for _, refs := range pifsOfHost {
		slices.SortFunc(refs, byDevice)
	}
	for _, refs := range pifsOfNetwork {
		slices.SortFunc(refs, byDevice)
	}
	for ref, b := range s.Bonds.All() {
		bondOfMaster[b.Master] = ref
	}
	for ref, v := range s.VLANs.All() {
		vlanOfUntagged[v.UntaggedPIF] = ref
		vlansOfTagged[v.TaggedPIF] = append(vlansOfTagged[v.TaggedPIF], ref)
	}
	for _, refs := range vlansOfTagged {
		slices.SortFunc(refs, func(a, b xenapi.Ref) int { return compareVLANs(s, a, b) })
	}
	i := s.buildHostIndex()
	i.networkByUUID, i.pifByUUID = table.Of(networkByUUID), table.Of(pifByUUID)
	i.pifsOfHost, i.pifsOfNetwork = table.Of(pifsOfHost), table.Of(pifsOfNetwork)
	i.deviceRoot, i.networkPIF, i.management = table.Of(deviceRoot), table.Of(networkPIF), table.Of(management)
	i.bondOfMaster, i.vlanOfUntagged = table.Of(bondOfMaster), table.Of(vlanOfUntagged)
	i.vlansOfTagged, i.networksByLabel = table.Of(vlansOfTagged), table.Of(networksByLabel)
	return i
}

// buildHostIndex indexes the hosts, which are few: master first, then by
// name.
func (s *Snapshot) buildHostIndex() *index {
	i := &index{hostByUUID: make(map[string]xenapi.Ref, s.Hosts.Len()), hostByAddress: make(map[string]xenapi.Ref, s.Hosts.Len())}
	for ref, h := range s.Hosts.All() {
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
		if c := strings.Compare(s.Hosts.Get(a).NameLabel, s.Hosts.Get(b).NameLabel); c != 0 {
			return c
		}
		return strings.Compare(string(a), string(b))
	})
	return i
}

// comparePIFs orders PIFs by device, a device's VLAN PIFs after it by tag.
func comparePIFs(s *Snapshot, a, b xenapi.Ref) int {
	pa, pb := s.PIFs.Get(a), s.PIFs.Get(b)
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
	if c := cmp.Compare(s.VLANs.Get(a).Tag, s.VLANs.Get(b).Tag); c != 0 {
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
	return s.HostMetrics.Get(s.Hosts.Get(host).Metrics).Live
}

// NetworkBackend is the pool's network backend, openvswitch or bridge, as
// the master reports it.
func (s *Snapshot) NetworkBackend() string {
	return s.Hosts.Get(s.Pool.Master).SoftwareVersion["network_backend"]
}

// pif returns the PIF behind ref, and whether there is one.
func (s *Snapshot) pif(ref xenapi.Ref, ok bool) (xenapi.Ref, xenapi.PIF, bool) {
	if !ok {
		return "", xenapi.PIF{}, false
	}
	p, ok := s.PIFs.Lookup(ref)
	return ref, p, ok
}

// DevicePIF returns the host's untagged PIF for a device name such as eth0
// or bond0: the NIC or bond master itself, never one of its VLAN PIFs.
func (s *Snapshot) DevicePIF(host xenapi.Ref, device string) (xenapi.Ref, xenapi.PIF, bool) {
	ref, ok := s.index().deviceRoot.Lookup(hostKey{host, device})
	return s.pif(ref, ok)
}

// NetworkPIF returns the host's PIF on a network.
func (s *Snapshot) NetworkPIF(host, network xenapi.Ref) (xenapi.Ref, xenapi.PIF, bool) {
	ref, ok := s.index().networkPIF.Lookup([2]xenapi.Ref{host, network})
	return s.pif(ref, ok)
}

// ManagementPIF returns the PIF that carries the host's management traffic.
func (s *Snapshot) ManagementPIF(host xenapi.Ref) (xenapi.Ref, xenapi.PIF, bool) {
	ref, ok := s.index().management.Lookup(host)
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
	ref, ok := s.index().pifByUUID.Lookup(strings.ToLower(uuid))
	return s.pif(ref, ok)
}

// HostPIFs returns the host's PIFs by device, a device's VLAN PIFs after
// it by tag. The slice is shared: do not change it.
func (s *Snapshot) HostPIFs(host xenapi.Ref) []xenapi.Ref { return s.index().pifsOfHost.Get(host) }

// NetworkPIFs returns the PIFs on a network, one per host that has it, by
// device. The slice is shared: do not change it.
func (s *Snapshot) NetworkPIFs(network xenapi.Ref) []xenapi.Ref {
	return s.index().pifsOfNetwork.Get(network)
}

// NetworkByUUID finds a network by its UUID, case-insensitively as xapi does.
func (s *Snapshot) NetworkByUUID(uuid string) (xenapi.Ref, xenapi.Network, bool) {
	ref, ok := s.index().networkByUUID.Lookup(strings.ToLower(uuid))
	if !ok {
		return "", xenapi.Network{}, false
	}
	n, ok := s.Networks.Lookup(ref)
	return ref, n, ok
}

// HostByUUID finds a host by its UUID.
func (s *Snapshot) HostByUUID(uuid string) (xenapi.Ref, xenapi.Host, bool) {
	ref, ok := s.index().hostByUUID[strings.ToLower(uuid)]
	if !ok {
		return "", xenapi.Host{}, false
	}
	h, ok := s.Hosts.Lookup(ref)
	return ref, h, ok
}

// HostByAddress finds a host by its management address.
func (s *Snapshot) HostByAddress(address string) (xenapi.Ref, xenapi.Host, bool) {
	ref, ok := s.index().hostByAddress[strings.ToLower(address)]
	if !ok {
		return "", xenapi.Host{}, false
	}
	h, ok := s.Hosts.Lookup(ref)
	return ref, h, ok
}

// BondOfMaster returns the bond whose master is the PIF.
func (s *Snapshot) BondOfMaster(pif xenapi.Ref) (xenapi.Ref, xenapi.Bond, bool) {
	ref, ok := s.index().bondOfMaster.Lookup(pif)
	if !ok {
		return "", xenapi.Bond{}, false
	}
	b, ok := s.Bonds.Lookup(ref)
	return ref, b, ok
}

// VLANOfUntagged returns the VLAN whose untagged PIF is the PIF.
func (s *Snapshot) VLANOfUntagged(pif xenapi.Ref) (xenapi.Ref, xenapi.VLAN, bool) {
	ref, ok := s.index().vlanOfUntagged.Lookup(pif)
	if !ok {
		return "", xenapi.VLAN{}, false
	}
	v, ok := s.VLANs.Lookup(ref)
	return ref, v, ok
}

// VLANsOn returns the VLANs tagged on a PIF (a NIC or a bond master), by
// tag. The slice is shared: do not change it.
func (s *Snapshot) VLANsOn(tagged xenapi.Ref) []xenapi.Ref {
	return s.index().vlansOfTagged.Get(tagged)
}

// HostsByNameLabel returns the hosts with that name_label, in HostRefs
// order. xapi does not keep host names unique, so there may be several.
func (s *Snapshot) HostsByNameLabel(name string) []xenapi.Ref {
	var refs []xenapi.Ref
	for _, ref := range s.HostRefs() {
		if s.Hosts.Get(ref).NameLabel == name {
			refs = append(refs, ref)
		}
	}
	return refs
}

// NetworksByNameLabel returns the networks with that name_label, by UUID.
// xapi does not keep network names unique, so there may be several. The
// slice is shared: do not change it.
func (s *Snapshot) NetworksByNameLabel(name string) []xenapi.Ref {
	return s.index().networksByLabel.Get(name)
}

// NetworkKind says what a network's PIFs are: VLAN PIFs, bond masters,
// NICs, or none at all. A network an unfinished create of xsnet's made
// before its first PIF is what that create was making.
func (s *Snapshot) NetworkKind(network xenapi.Ref) guardrail.NetworkKind {
	kind := guardrail.NetworkPrivate
	if j, ok := journalOf(s.Networks.Get(network)); ok && j.Bond != nil {
		kind = guardrail.NetworkBond
	} else if ok && j.VLAN != nil {
		kind = guardrail.NetworkVLAN
	}
	for _, pifRef := range s.NetworkPIFs(network) {
		p := s.PIFs.Get(pifRef)
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
		if p := s.PIFs.Get(ref); p.VLAN < 0 && (p.Physical || !nicsOnly) {
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
// records. The index's tables share what did not change with prev's, so
// that a catch-up after a change to one VLAN costs that VLAN, not the
// pool.
func (i *index) derive(prev, next *Snapshot, changed []changedRecord) *index {
	d := *i
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
			if old, ok := prev.Bonds.Lookup(c.ref); ok {
				d.bondOfMaster = withoutIf(d.bondOfMaster, old.Master, c.ref)
			}
			if b, ok := next.Bonds.Lookup(c.ref); ok {
				d.bondOfMaster = d.bondOfMaster.With(b.Master, c.ref)
			}
		case "vlan":
			d.vlan(prev, next, c.ref)
		}
	}
	if hosts {
		fresh := next.buildHostIndex()
		d.hostOrder, d.hostByUUID, d.hostByAddress = fresh.hostOrder, fresh.hostByUUID, fresh.hostByAddress
	}
	return &d
}

// withoutRef takes ref out of the list under key, a new slice, and the
// key out when nothing is left under it, as a built index has it.
func withoutRef[K comparable](m table.Map[K, []xenapi.Ref], key K, ref xenapi.Ref) table.Map[K, []xenapi.Ref] {
	refs := m.Get(key)
	at := slices.Index(refs, ref)
	switch {
	case at < 0:
		return m
	case len(refs) == 1:
		return m.Without(key)
	}
	// A host's list of PIFs runs to thousands: copied once, not cloned
	// and then shifted.
	left := make([]xenapi.Ref, 0, len(refs)-1)
	return m.With(key, append(append(left, refs[:at]...), refs[at+1:]...))
}

// withRef inserts ref into the list under key where cmp puts it, a new
// slice.
func withRef[K comparable](m table.Map[K, []xenapi.Ref], key K, ref xenapi.Ref, cmp func(a, b xenapi.Ref) int) table.Map[K, []xenapi.Ref] {
	refs := m.Get(key)
	at, _ := slices.BinarySearchFunc(refs, ref, cmp)
	return m.With(key, slices.Insert(slices.Clone(refs), at, ref))
}

// withoutIf takes key out of m if it maps to ref.
func withoutIf[K comparable](m table.Map[K, xenapi.Ref], key K, ref xenapi.Ref) table.Map[K, xenapi.Ref] {
	if m.Get(key) == ref {
		return m.Without(key)
	}
	return m
}

func (i *index) network(prev, next *Snapshot, ref xenapi.Ref) {
	if old, ok := prev.Networks.Lookup(ref); ok {
		i.networkByUUID = withoutIf(i.networkByUUID, strings.ToLower(old.UUID), ref)
		i.networksByLabel = withoutRef(i.networksByLabel, old.NameLabel, ref)
	}
	if n, ok := next.Networks.Lookup(ref); ok {
		i.networkByUUID = i.networkByUUID.With(strings.ToLower(n.UUID), ref)
		i.networksByLabel = withRef(i.networksByLabel, n.NameLabel, ref, func(a, b xenapi.Ref) int {
			return strings.Compare(next.Networks.Get(a).UUID, next.Networks.Get(b).UUID)
		})
	}
}

func (i *index) pif(prev, next *Snapshot, ref xenapi.Ref) {
	old, had := prev.PIFs.Lookup(ref)
	p, has := next.PIFs.Lookup(ref)
	if had && has && sameIndexed(old, p) {
		// Such as a NIC carrying one more VLAN: nothing indexed moved.
		return
	}
	if had {
		i.pifByUUID = withoutIf(i.pifByUUID, strings.ToLower(old.UUID), ref)
		i.pifsOfHost = withoutRef(i.pifsOfHost, old.Host, ref)
		i.pifsOfNetwork = withoutRef(i.pifsOfNetwork, old.Network, ref)
		i.networkPIF = withoutIf(i.networkPIF, [2]xenapi.Ref{old.Host, old.Network}, ref)
		if old.VLAN < 0 {
			i.deviceRoot = withoutIf(i.deviceRoot, hostKey{old.Host, old.Device}, ref)
		}
		i.management = withoutIf(i.management, old.Host, ref)
	}
	if !has {
		return
	}
	byDevice := func(a, b xenapi.Ref) int { return comparePIFs(next, a, b) }
	i.pifByUUID = i.pifByUUID.With(strings.ToLower(p.UUID), ref)
	i.pifsOfHost = withRef(i.pifsOfHost, p.Host, ref, byDevice)
	i.pifsOfNetwork = withRef(i.pifsOfNetwork, p.Network, ref, byDevice)
	i.networkPIF = i.networkPIF.With([2]xenapi.Ref{p.Host, p.Network}, ref)
	if p.VLAN < 0 {
		i.deviceRoot = i.deviceRoot.With(hostKey{p.Host, p.Device}, ref)
	}
	if p.Management {
		i.management = i.management.With(p.Host, ref)
	}
}

// sameIndexed says a PIF changed in nothing the index reads.
func sameIndexed(old, now xenapi.PIF) bool {
	return old.UUID == now.UUID && old.Host == now.Host && old.Network == now.Network &&
		old.Device == now.Device && old.VLAN == now.VLAN && old.Management == now.Management
}

func (i *index) vlan(prev, next *Snapshot, ref xenapi.Ref) {
	if old, ok := prev.VLANs.Lookup(ref); ok {
		i.vlanOfUntagged = withoutIf(i.vlanOfUntagged, old.UntaggedPIF, ref)
		i.vlansOfTagged = withoutRef(i.vlansOfTagged, old.TaggedPIF, ref)
	}
	if v, ok := next.VLANs.Lookup(ref); ok {
		i.vlanOfUntagged = i.vlanOfUntagged.With(v.UntaggedPIF, ref)
		i.vlansOfTagged = withRef(i.vlansOfTagged, v.TaggedPIF, ref, func(a, b xenapi.Ref) int { return compareVLANs(next, a, b) })
	}
}
