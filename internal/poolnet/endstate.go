package poolnet

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/table"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// ChangeKind says what a Change does to its network.
type ChangeKind int

// Change kinds.
const (
	Create ChangeKind = iota
	Update
	Delete
)

// Change is what one resource plans to do to the pool, as the plan ledger
// records it and the end state applies it. Exactly one of Bond, VLAN,
// Network, Join, IP and Management is set.
type Change struct {
	Kind ChangeKind
	// ID is the network's UUID for an Update or a Delete of a bond, VLAN
	// or network, IPChangeID of its network for an IP interface, and
	// ManagementChangeID of the pool for a management interface. The
	// ledger gives a Create an ID of its own, "planned:N", until xapi
	// gives it a UUID.
	ID string
	// Name is the network's name_label, for messages.
	Name       string
	Bond       *BondChange
	VLAN       *VLANChange
	Network    *NetworkChange
	Join       *JoinChange
	IP         *IPChange
	Management *ManagementChange
}

// IPChangeID is the ID of the change of the IP interface on a network:
// the network's own ID is its bond's, VLAN's or network's change.
func IPChangeID(networkUUID string) string { return "ip:" + networkUUID }

// ManagementChangeID is the ID of the change of the pool's management
// interface.
func ManagementChangeID(poolUUID string) string { return "management:" + poolUUID }

// IPChange is an IP interface as planned.
type IPChange struct {
	// Network is the UUID of the network whose PIFs carry it; unknown
	// while the plan makes that network.
	Network guardrail.Value[string]
	// Addresses are the static addresses by host UUID; unknown while any
	// is, null for dhcp and none.
	Addresses guardrail.Value[map[string]string]
	// Numbered says start_address gives the addresses.
	Numbered bool
	Purpose  guardrail.Value[string]
}

// ManagementChange is the pool's management interface as planned: every
// host's management on a network.
type ManagementChange struct {
	Network guardrail.Value[string]
}

// BondChange is a pool-wide bond as planned.
type BondChange struct {
	// Members are the member devices; unknown while any is.
	Members guardrail.Value[[]string]
	MTU     guardrail.Value[int64]
	// Management is management = true or false; null when the
	// configuration leaves it to the pool.
	Management guardrail.Value[bool]
}

// VLANChange is a pool-wide VLAN as planned.
type VLANChange struct {
	Parent guardrail.Value[string]
	Tag    guardrail.Value[int64]
	MTU    guardrail.Value[int64]
}

// NetworkChange is a network without PIFs of xsnet's making, or the MTU of
// any other network, as planned.
type NetworkChange struct {
	MTU guardrail.Value[int64]
}

// JoinChange is a standalone host joining the pool.
type JoinChange struct {
	Address string
	Host    guardrail.JoiningHost
}

// endState is a pool as a plan leaves it, being built: the guardrails'
// Pool plus what xsnet knows of how xapi and xsnet's own operations move
// things, and the notes on what moves.
type endState struct {
	pool *guardrail.Pool
	// nicNetwork maps a device to its pool-wide NIC network, as the
	// master has it: what a joining host's NICs are attached to.
	nicNetwork map[string]string
	// members are each bond network's member devices.
	members map[string][]string
	// primary is each bond network's primary member on each host.
	primary map[string]map[string]string
	// origin is where xsnet moved management onto a bond network from.
	origin map[string]string
	// memberMTUs are the MTUs of the members' networks before bonding,
	// which destroying the bond restores.
	memberMTUs map[string]map[string]int64
	// managed are the networks xsnet made, and the IP and management
	// interfaces it keeps, by change ID.
	managed map[string]bool
	// unfinished are the networks of creates an earlier run left
	// unfinished and no provider works on any more: a create of the same
	// bond or VLAN takes one over, and one that needs its NICs or its
	// tag undoes it first.
	unfinished map[string]journal
	// creating are the journals of every network a create is making,
	// abandoned or not: which are unfinished is judged anew with each
	// end state, since the provider working on one may have died since.
	creating map[string]journal
	// managementOrigin is where an xsnet_management_interface moved
	// management from.
	managementOrigin string
	// hostUUIDs maps host UUIDs to the names the end state knows hosts by.
	hostUUIDs map[string]string
	// notes say what a change moves besides itself, by change ID.
	notes map[string][]string
}

// endState returns the pool as it is, for changes to be applied to. The
// pool's part is built once per snapshot and copied for each plan: a plan
// of a thousand VLANs judges a thousand end states of the same pool.
func (s *Snapshot) endState() *endState {
	base := s.end.Load()
	if base == nil {
		base = s.buildEndState()
		s.end.Store(base)
	}
	return base.clone()
}

// clone copies what changes apply to: the networks, each host's NICs,
// addresses and planned VLANs, the membership lists, the IP and management
// interfaces. The rest is read only.
func (e *endState) clone() *endState {
	c := *e
	c.pool = &guardrail.Pool{Networks: make(map[string]*guardrail.PoolNetwork, len(e.pool.Networks)),
		IPInterfaces:         make(map[string]*guardrail.PoolIPInterface, len(e.pool.IPInterfaces)),
		ManagementInterfaces: maps.Clone(e.pool.ManagementInterfaces)}
	// A plan judges a clone for each resource: the networks are copied
	// into one slice, not one allocation each, a thousand at a time.
	networks := make([]guardrail.PoolNetwork, 0, len(e.pool.Networks))
	for id, n := range e.pool.Networks {
		networks = append(networks, *n)
		c.pool.Networks[id] = &networks[len(networks)-1]
	}
	// An interface's addresses are replaced whole by a change, never
	// written in place.
	for id, ip := range e.pool.IPInterfaces {
		copied := *ip
		c.pool.IPInterfaces[id] = &copied
	}
	for _, h := range e.pool.Hosts {
		copied := *h
		copied.IPs = maps.Clone(h.IPs)
		copied.PlannedVLANs = maps.Clone(h.PlannedVLANs)
		copied.NICs = make(map[string]*guardrail.PoolNIC, len(h.NICs))
		for d, nic := range h.NICs {
			n := *nic
			n.Bonds = slices.Clone(nic.Bonds)
			copied.NICs[d] = &n
		}
		c.pool.Hosts = append(c.pool.Hosts, &copied)
	}
	c.members = maps.Clone(e.members)
	c.unfinished = maps.Clone(e.unfinished)
	c.notes = map[string][]string{}
	return &c
}

// buildEndState builds the pool as it is.
func (s *Snapshot) buildEndState() *endState {
	e := &endState{
		pool: &guardrail.Pool{Networks: map[string]*guardrail.PoolNetwork{},
			IPInterfaces: map[string]*guardrail.PoolIPInterface{}, ManagementInterfaces: map[string]string{}},
		hostUUIDs:  map[string]string{},
		nicNetwork: map[string]string{},
		members:    map[string][]string{},
		primary:    map[string]map[string]string{},
		origin:     map[string]string{},
		memberMTUs: map[string]map[string]int64{},
		managed:    map[string]bool{},
		unfinished: map[string]journal{},
		creating:   map[string]journal{},
		notes:      map[string][]string{},
	}
	for ref, n := range s.Networks.All() {
		e.addNetwork(s, ref, n)
	}
	e.judgeUnfinished(time.Now())
	for _, hostRef := range s.HostRefs() {
		h := &guardrail.PoolHost{Name: s.Hosts.Get(hostRef).NameLabel, NICs: map[string]*guardrail.PoolNIC{},
			Master: hostRef == s.Pool.Master, ManagementVLANNow: guardrail.Unknown[int64](), IPs: map[string]string{}}
		vlanParents := map[string]string{}
		e.hostUUIDs[s.Hosts.Get(hostRef).UUID] = h.Name
		if _, mgmt, ok := s.ManagementPIF(hostRef); ok {
			h.Management = s.Networks.Get(mgmt.Network).UUID
			h.ManagementVLANNow = guardrail.Known(mgmt.VLAN)
		}
		for _, pifRef := range s.HostPIFs(hostRef) {
			p := s.PIFs.Get(pifRef)
			network := s.Networks.Get(p.Network).UUID
			if p.IP != "" && p.IPConfigurationMode != xenapi.IPConfigurationNone {
				h.IPs[network] = p.IP
			}
			if _, ok := recordedBefore(p); ok {
				e.ipInPool(network, h.Name, p)
			}
			switch {
			case p.VLAN >= 0:
				if parent, ok := s.vlanParent(pifRef); ok {
					vlanParents[network] = parent
				}
			case p.Physical:
				nic := &guardrail.PoolNIC{Network: network}
				if !p.BondSlaveOf.IsNull() {
					if b, ok := s.Bonds.Lookup(p.BondSlaveOf); ok {
						bondNet := s.Networks.Get(s.PIFs.Get(b.Master).Network).UUID
						nic.Bonds = []string{bondNet}
						e.members[bondNet] = appendNew(e.members[bondNet], p.Device)
						if b.PrimarySlave == pifRef {
							if e.primary[bondNet] == nil {
								e.primary[bondNet] = map[string]string{}
							}
							e.primary[bondNet][h.Name] = p.Device
						}
					}
				}
				h.NICs[p.Device] = nic
				if hostRef == s.Pool.Master {
					e.nicNetwork[p.Device] = network
				}
			}
		}
		h.VLANParents = table.Of(vlanParents)
		e.pool.Hosts = append(e.pool.Hosts, h)
	}
	for _, m := range e.members {
		slices.SortFunc(m, CompareDevices)
	}
	if origin, ok := s.Pool.OtherConfig[managementOriginKey]; ok {
		id := ManagementChangeID(s.Pool.UUID)
		e.managementOrigin, e.managed[id] = origin, true
		if len(e.pool.Hosts) > 0 {
			e.pool.ManagementInterfaces[id] = e.pool.Hosts[0].Management
		}
	}
	return e
}

// addNetwork adds what a network's record and PIFs say: its kind, over
// what and with which tag a VLAN's is, whether xsnet made it, and what an
// operation of xsnet's left in its other_config.
func (e *endState) addNetwork(s *Snapshot, ref xenapi.Ref, n xenapi.Network) {
	if j, ok := journalOf(n); ok && j.Op == "create" {
		e.creating[n.UUID] = j
	}
	pn := &guardrail.PoolNetwork{ID: n.UUID, Name: n.NameLabel, MTU: guardrail.Known(n.MTU), Kind: s.NetworkKind(ref),
		Parent: guardrail.Null[string](), Tag: guardrail.Null[int64]()}
	if pn.Kind == guardrail.NetworkVLAN {
		for _, pifRef := range s.NetworkPIFs(ref) {
			if _, v, ok := s.VLANOfUntagged(pifRef); ok {
				pn.Parent, pn.Tag = guardrail.Known(s.parentNetwork(v)), guardrail.Known(v.Tag)
				break
			}
		}
	}
	e.pool.Networks[n.UUID] = pn
	if n.OtherConfig[managedKey] != "" {
		e.managed[n.UUID] = true
	}
	if from := n.OtherConfig[managementFromKey]; from != "" {
		e.origin[n.UUID] = from
	}
	if mtus := parseMemberMTUs(n.OtherConfig[memberMTUsKey]); len(mtus) > 0 {
		e.memberMTUs[n.UUID] = mtus
	}
}

// dropNetwork takes out what addNetwork added.
func (e *endState) dropNetwork(uuid string) {
	delete(e.pool.Networks, uuid)
	delete(e.managed, uuid)
	delete(e.origin, uuid)
	delete(e.memberMTUs, uuid)
	delete(e.creating, uuid)
}

// judgeUnfinished finds, among the creates under way, those no provider
// works on any more.
func (e *endState) judgeUnfinished(now time.Time) {
	e.unfinished = map[string]journal{}
	for id, j := range e.creating {
		if j.abandoned(now) {
			e.unfinished[id] = j
		}
	}
}

// vlanParent returns the UUID of the network a VLAN PIF's VLAN is over on
// its host.
func (s *Snapshot) vlanParent(pif xenapi.Ref) (string, bool) {
	_, v, ok := s.VLANOfUntagged(pif)
	if !ok {
		return "", false
	}
	return s.parentNetwork(v), true
}

// parentNetwork returns the UUID of the network a VLAN is over: its
// tagged PIF's.
func (s *Snapshot) parentNetwork(v xenapi.VLAN) string {
	return s.Networks.Get(s.PIFs.Get(v.TaggedPIF).Network).UUID
}

// ipInPool adds what one PIF xsnet configured says of its IP interface.
func (e *endState) ipInPool(network, host string, p xenapi.PIF) {
	id := IPChangeID(network)
	ip, ok := e.pool.IPInterfaces[id]
	if !ok {
		ip = &guardrail.PoolIPInterface{ID: id, Network: network, Addresses: guardrail.Known(map[string]string{}),
			Purpose: guardrail.Known(p.OtherConfig[PurposeKey])}
		e.pool.IPInterfaces[id] = ip
		e.managed[id] = true
	}
	if addrs, _ := ip.Addresses.Get(); p.IPConfigurationMode == xenapi.IPConfigurationStatic && p.IP != "" {
		addrs[host] = p.IP
	}
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// parseMemberMTUs reads memberMTUsKey's "<network uuid>=<mtu>,...".
func parseMemberMTUs(recorded string) map[string]int64 {
	out := map[string]int64{}
	for part := range strings.SplitSeq(recorded, ",") {
		uuid, value, ok := strings.Cut(part, "=")
		mtu, err := strconv.ParseInt(value, 10, 64)
		if ok && err == nil {
			out[uuid] = mtu
		}
	}
	return out
}

// name is how messages name a network.
func (e *endState) name(id string) string {
	n, ok := e.pool.Networks[id]
	if !ok || n.Name == "" {
		return "network " + id
	}
	return fmt.Sprintf("%s %q", n.Kind, n.Name)
}

// has reports whether the host has a PIF on the network.
func (e *endState) has(h *guardrail.PoolHost, network string) bool {
	if _, ok := h.VLANParent(network); ok {
		return true
	}
	for _, nic := range h.NICs {
		if nic.Network == network || slices.Contains(nic.Bonds, network) {
			return true
		}
	}
	return false
}

// apply applies the changes the way an apply would leave the pool: what
// goes, then what changes, then what is made, then hosts that join, and
// last management moved onto whatever asks for it. Every bond that goes
// hands management on before any bond goes: Terraform destroys resources
// that do not depend on each other in no set order, so a destroyed bond
// returns management to the network it came from even when the plan
// destroys that network too.
func (e *endState) apply(changes []Change) {
	for _, c := range changes {
		if c.Kind == Delete && c.Bond != nil {
			e.releaseBond(c.ID)
		}
	}
	for _, kind := range []ChangeKind{Delete, Update, Create} {
		for _, c := range changes {
			if c.Kind == kind && c.Join == nil {
				e.applyOne(c)
			}
		}
	}
	for _, c := range changes {
		if c.Join != nil {
			e.join(c)
		}
	}
	var wanted []string
	for id, n := range e.pool.Networks {
		if n.WantsManagement {
			wanted = append(wanted, id)
		}
	}
	slices.Sort(wanted)
	for _, id := range wanted {
		if n := e.pool.Networks[id]; n.WantsManagement {
			e.moveManagement(id, id, func(*guardrail.PoolHost) string {
				return fmt.Sprintf("management = true on %s moves it there", e.name(id))
			})
		}
	}
	for _, c := range changes {
		if to, ok := e.pool.ManagementInterfaces[c.ID]; ok && c.Management != nil && c.Kind != Delete && to != "" {
			e.moveManagement(to, c.ID, func(*guardrail.PoolHost) string {
				return fmt.Sprintf("the xsnet_management_interface moves it onto %s", e.name(to))
			})
		}
	}
}

func (e *endState) applyOne(c Change) {
	switch {
	case c.IP != nil && c.Kind == Delete:
		e.deleteIP(c.ID)
	case c.IP != nil:
		e.planIP(c)
	case c.Management != nil && c.Kind == Delete:
		e.returnManagement(c.ID)
	case c.Management != nil:
		to, _ := c.Management.Network.Get()
		e.pool.ManagementInterfaces[c.ID] = to
	case c.Kind == Delete && c.Bond != nil:
		e.deleteBond(c.ID)
	case c.Kind == Delete:
		e.deleteNetwork(c.ID)
	case c.Bond != nil && c.Kind == Create:
		e.createBond(c)
	case c.Bond != nil:
		e.updateBond(c)
	case c.VLAN != nil && c.Kind == Create:
		e.createVLAN(c)
	case c.VLAN != nil:
		e.setMTU(c.ID, c.VLAN.MTU)
	case c.Network != nil && c.Kind == Create:
		e.pool.Networks[c.ID] = &guardrail.PoolNetwork{ID: c.ID, Name: c.Name, Kind: guardrail.NetworkPrivate,
			MTU: c.Network.MTU, Parent: guardrail.Null[string](), Tag: guardrail.Null[int64]()}
	case c.Network != nil:
		e.setMTU(c.ID, c.Network.MTU)
	}
}

func (e *endState) setMTU(id string, mtu guardrail.Value[int64]) {
	if n, ok := e.pool.Networks[id]; ok && !mtu.IsNull() {
		n.MTU = mtu
	}
}

// releaseBond is the first half of DestroyBond: management back where
// xsnet moved it from, or, as xapi's Bond.destroy does, onto the primary
// member. Only the management the bond carries in the pool as it is moves
// on: management that another change of this plan returns onto the bond
// stays there, since Terraform may destroy the bond before that change
// puts it there.
func (e *endState) releaseBond(id string) {
	name := e.name(id)
	for _, h := range e.pool.Hosts {
		if h.Management != id || movedByAnother(h, id) {
			continue
		}
		to := e.primaryNetwork(h, id)
		if from := e.origin[id]; from != "" && e.has(h, from) {
			to = from
		}
		h.Management, h.MovedBy, h.Releasing = to, id, false
		h.MovedHow = fmt.Sprintf("destroying %s returns management to %s", name, e.name(to))
	}
}

// movedByAnother reports whether a change other than the network's own
// moved the host's management onto it in this end state.
func movedByAnother(h *guardrail.PoolHost, id string) bool {
	return h.MovedBy != "" && h.MovedBy != id
}

// primaryNetwork is the network of the bond's primary member on the host.
func (e *endState) primaryNetwork(h *guardrail.PoolHost, id string) string {
	primary := e.primary[id][h.Name]
	if primary == "" && len(e.members[id]) > 0 {
		primary = e.members[id][0]
	}
	if nic := h.NICs[primary]; nic != nil {
		return nic.Network
	}
	return ""
}

// deleteBond is the rest of DestroyBond, once releaseBond has moved
// management off: the VLANs on the bond onto the primary member, the
// members freed, their networks back to the MTUs they had before bonding.
// A bond that still carries management (another change returned it there)
// stays in the end state, so that the rules judge where management is.
func (e *endState) deleteBond(id string) {
	carries := false
	for _, h := range e.pool.Hosts {
		primaryNet := e.primaryNetwork(h, id)
		for _, nic := range h.NICs {
			nic.Bonds = slices.DeleteFunc(nic.Bonds, func(b string) bool { return b == id })
		}
		for _, vlan := range vlansOver(h, id) {
			h.SetVLANParent(vlan, primaryNet)
		}
		carries = carries || h.Management == id
	}
	for network, mtu := range e.memberMTUs[id] {
		e.setMTU(network, guardrail.Known(mtu))
	}
	if !carries {
		e.deleteNetwork(id)
	}
}

func (e *endState) deleteNetwork(id string) {
	for _, h := range e.pool.Hosts {
		if h.Management == id {
			// xapi refuses to destroy it: the rules say so.
			h.MovedBy, h.MovedHow = id, "destroying "+e.name(id)+", which carries it"
		}
	}
	delete(e.pool.Networks, id)
	for _, h := range e.pool.Hosts {
		h.RemoveVLAN(id)
	}
}

// updateBond changes the bond's MTU and where management is: management =
// false moves it back where xsnet moved it from, and where xsnet did not
// move it, another change has to take it.
func (e *endState) updateBond(c Change) {
	n, ok := e.pool.Networks[c.ID]
	if !ok {
		return
	}
	if !c.Bond.MTU.IsNull() {
		n.MTU = c.Bond.MTU
	}
	want, known := c.Bond.Management.Get()
	switch {
	case known && want:
		n.WantsManagement = true
	case known:
		n.RefusesManagement = true
	}
	switch {
	case known && want:
	case c.Bond.Management.IsNull():
	default:
		for _, h := range e.pool.Hosts {
			// As with a destroyed bond, management another change of
			// this plan moves onto the bond is not the bond's to hand
			// on: Terraform may apply this change first.
			if h.Management != c.ID || movedByAnother(h, c.ID) {
				continue
			}
			if from := e.origin[c.ID]; known && from != "" && e.has(h, from) {
				h.Management, h.MovedBy = from, c.ID
				h.MovedHow = fmt.Sprintf("management = false on %s returns management to %s", e.name(c.ID), e.name(from))
				continue
			}
			h.Releasing = true
		}
	}
}

// clearUnfinished takes out of the way, as beginCreate does, the
// unfinished creates a create takes over or undoes: a bond whose members
// overlap the new bond's, a VLAN with the same tag on the same parent.
// Either way what the earlier run made is not there beside what the
// create makes.
func (e *endState) clearUnfinished(c Change) {
	for _, id := range slices.Sorted(maps.Keys(e.unfinished)) {
		j := e.unfinished[id]
		switch {
		case c.Bond != nil && j.Bond != nil:
			members, ok := c.Bond.Members.Get()
			if !ok || !overlaps(j.Bond.Members, members) {
				continue
			}
			e.deleteBond(id)
		case c.VLAN != nil && j.VLAN != nil:
			tag, ok1 := c.VLAN.Tag.Get()
			parent, ok2 := c.VLAN.Parent.Get()
			if !ok1 || !ok2 || tag != j.VLAN.Tag || parent != j.VLAN.ParentNetworkUUID {
				continue
			}
			e.deleteNetwork(id)
		default:
			continue
		}
		delete(e.unfinished, id)
	}
}

// createBond is CreateBond on every host: the members join the bond, and
// xapi moves onto it whatever was on them: management on a member NIC,
// and the VLANs on the members, management VLANs included.
func (e *endState) createBond(c Change) {
	e.clearUnfinished(c)
	e.pool.Networks[c.ID] = &guardrail.PoolNetwork{ID: c.ID, Name: c.Name, Kind: guardrail.NetworkBond, MTU: c.Bond.MTU,
		Parent: guardrail.Null[string](), Tag: guardrail.Null[int64]()}
	if want, ok := c.Bond.Management.Get(); ok {
		e.pool.Networks[c.ID].WantsManagement = want
		e.pool.Networks[c.ID].RefusesManagement = !want
	}
	members, ok := c.Bond.Members.Get()
	if !ok {
		return
	}
	e.members[c.ID] = slices.Clone(members)
	moved := map[string][]string{}
	var order []string
	note := func(what, host string) {
		if _, seen := moved[what]; !seen {
			order = append(order, what)
		}
		moved[what] = append(moved[what], host)
	}
	name := e.name(c.ID)
	for _, h := range e.pool.Hosts {
		for _, d := range members {
			nic := h.NICs[d]
			if nic == nil {
				continue
			}
			nic.Bonds = append(nic.Bonds, c.ID)
			if h.Management == nic.Network {
				h.Management, h.MovedBy, h.Releasing = c.ID, c.ID, false
				h.MovedHow = fmt.Sprintf("%s is a member of %s and xapi moves management onto the bond", d, name)
				note("the management interface", h.Name)
			}
			for _, vlan := range vlansOver(h, nic.Network) {
				h.SetVLANParent(vlan, c.ID)
				if h.Management == vlan {
					h.MovedBy = c.ID
					h.MovedHow = fmt.Sprintf("bonding %s moves the management VLAN onto %s", d, name)
					note("the management interface (on "+e.name(vlan)+")", h.Name)
				} else {
					note(e.name(vlan), h.Name)
				}
				if v := e.pool.Networks[vlan]; v != nil {
					v.Parent = guardrail.Known(c.ID)
				}
			}
		}
	}
	for _, what := range order {
		e.notes[c.ID] = append(e.notes[c.ID], fmt.Sprintf("xapi moves %s of %s onto this bond.", what, hostNames(moved[what])))
	}
}

func hostNames(hosts []string) string {
	if len(hosts) == 1 {
		return "host " + hosts[0]
	}
	return "hosts " + strings.Join(hosts, ", ")
}

// createVLAN puts the VLAN on every host that has a PIF on its parent. A
// parent the same plan creates has no ID yet: when the plan creates one
// network only, that is the parent.
func (e *endState) createVLAN(c Change) {
	e.clearUnfinished(c)
	parent := c.VLAN.Parent
	if parent.IsUnknown() {
		var planned []string
		for id, n := range e.pool.Networks {
			if strings.HasPrefix(id, plannedPrefix) && n.Kind != guardrail.NetworkVLAN {
				planned = append(planned, id)
			}
		}
		if len(planned) == 1 {
			parent = guardrail.Known(planned[0])
		}
	}
	e.pool.Networks[c.ID] = &guardrail.PoolNetwork{ID: c.ID, Name: c.Name, Kind: guardrail.NetworkVLAN, MTU: c.VLAN.MTU,
		Parent: parent, Tag: c.VLAN.Tag}
	p, ok := parent.Get()
	if !ok {
		return
	}
	for _, h := range e.pool.Hosts {
		if e.has(h, p) {
			h.SetVLANParent(c.ID, p)
		}
	}
}

// join adds the joining host the way pool.join leaves it: its NICs on the
// pool's NIC networks by device, the pool's bonds made over the same
// devices (management with them, where the host's management NIC is a
// member), and the pool's VLANs over the same parents.
func (e *endState) join(c Change) {
	j := c.Join.Host
	name := j.Name
	if name == "" {
		name = c.Join.Address
	}
	h := &guardrail.PoolHost{Name: name, NICs: map[string]*guardrail.PoolNIC{},
		ManagementVLANNow: guardrail.Unknown[int64](), IPs: map[string]string{}, Joining: &j, JoinedBy: c.ID}
	for _, d := range j.NICs {
		h.NICs[d] = &guardrail.PoolNIC{Network: e.nicNetwork[d]}
	}
	if nic := h.NICs[j.ManagementDevice]; nic != nil && j.ManagementVLAN < 0 {
		h.Management = nic.Network
	}
	// A management VLAN lands on the master's management network, whose
	// tag pool.join has checked is the same.
	for _, m := range e.pool.Hosts {
		if n := e.pool.Networks[m.Management]; m.Master && n != nil && j.ManagementVLAN >= 0 {
			if tag, ok := n.Tag.Get(); ok && tag == j.ManagementVLAN {
				h.Management = m.Management
			}
		}
	}
	for _, bond := range slices.Sorted(maps.Keys(e.members)) {
		if _, ok := e.pool.Networks[bond]; !ok {
			continue
		}
		for _, d := range e.members[bond] {
			nic := h.NICs[d]
			if nic == nil {
				continue
			}
			nic.Bonds = append(nic.Bonds, bond)
			if h.Management == nic.Network {
				h.Management, h.MovedBy = bond, c.ID
				h.MovedHow = fmt.Sprintf("%s joins the pool and takes its bonds, and its management NIC %s is a member of %s",
					name, d, e.name(bond))
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(e.pool.Networks)) {
		n := e.pool.Networks[id]
		if parent, ok := n.Parent.Get(); ok && n.Kind == guardrail.NetworkVLAN && e.has(h, parent) {
			h.SetVLANParent(id, parent)
		}
	}
	e.pool.Hosts = append(e.pool.Hosts, h)
}

// moveManagement moves every host's management onto the network, by the
// change with ID by. The host keeps its address: it goes with management
// onto a PIF that has none, as PoolNet's moveManagement copies it.
func (e *endState) moveManagement(to, by string, how func(*guardrail.PoolHost) string) {
	for _, h := range e.pool.Hosts {
		if h.Management == to || !e.has(h, to) {
			continue
		}
		if addr, ok := h.IPs[h.Management]; ok && h.IPs[to] == "" {
			h.IPs[to] = addr
			delete(h.IPs, h.Management)
		}
		h.Management, h.MovedBy, h.MovedHow, h.Releasing = to, by, how(h), false
	}
}

// planIP puts the IP interface as planned on its network. A network the
// same plan makes has no ID yet: when the plan makes one network only,
// that is the one.
func (e *endState) planIP(c Change) {
	network, ok := c.IP.Network.Get()
	if !ok {
		var planned []string
		for id := range e.pool.Networks {
			if strings.HasPrefix(id, plannedPrefix) {
				planned = append(planned, id)
			}
		}
		if len(planned) == 1 {
			network = planned[0]
		}
	}
	ip := &guardrail.PoolIPInterface{ID: c.ID, Network: network, Addresses: guardrail.Unknown[map[string]string](), Purpose: c.IP.Purpose}
	if byUUID, ok := c.IP.Addresses.GetOr(nil); ok {
		byName := map[string]string{}
		for uuid, addr := range byUUID {
			if name, ok := e.hostUUIDs[uuid]; ok {
				byName[name] = addr
			}
		}
		ip.Addresses = guardrail.Known(byName)
	}
	e.pool.IPInterfaces[c.ID] = ip
}

// deleteIP is DestroyIP: the interface goes, and with it the addresses it
// gave its network's PIFs.
func (e *endState) deleteIP(id string) {
	ip, ok := e.pool.IPInterfaces[id]
	if !ok {
		return
	}
	delete(e.pool.IPInterfaces, id)
	for _, h := range e.pool.Hosts {
		delete(h.IPs, ip.Network)
	}
}

// returnManagement is ReturnManagement: every host's management back to
// the network xsnet recorded, where it has a PIF there.
func (e *endState) returnManagement(id string) {
	delete(e.pool.ManagementInterfaces, id)
	to := e.managementOrigin
	if to == "" {
		return
	}
	for _, h := range e.pool.Hosts {
		if h.Management == to || !e.has(h, to) {
			continue
		}
		if addr, ok := h.IPs[h.Management]; ok && h.IPs[to] == "" {
			h.IPs[to] = addr
			delete(h.IPs, h.Management)
		}
		h.Management, h.MovedBy, h.Releasing = to, id, false
		h.MovedHow = fmt.Sprintf("destroying the xsnet_management_interface returns management to %s", e.name(to))
	}
}

// vlansOver lists, in order, the VLAN networks the host carries over the
// parent network.
func vlansOver(h *guardrail.PoolHost, parent string) []string {
	var out []string
	for vlan, p := range h.VLANs() {
		if p == parent {
			out = append(out, vlan)
		}
	}
	slices.Sort(out)
	return out
}
