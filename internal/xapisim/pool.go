package xapisim

import (
	"crypto/subtle"
	"slices"
	"strconv"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// pool.set_name_label and set_name_description are the generic setters.
var poolHandlers = []handler{
	{name: "pool.join", fn: (*call).poolJoin, write: true, async: true},
	{name: "pool.eject", fn: (*call).poolEject, write: true, async: true},
	{name: "pool.create_VLAN_from_PIF", fn: (*call).poolCreateVLANFromPIF, write: true, async: true},
	{name: "pool.management_reconfigure", fn: (*call).poolManagementReconfigure, write: true, async: true},
	{name: "pool.recover_slaves", fn: (*call).poolRecoverSlaves, write: true, async: true},
	{name: "pool.designate_new_master", fn: (*call).poolDesignateNewMaster, write: true, async: true},
}

// poolDesignateNewMaster is pool.designate_new_master(host), the planned
// failover (xapi_pool.ml, xapi_pool_transition.ml): forwarded to host,
// which becomes the master; then both hosts restart their xapi, which
// closes their connections, and the new master forgets every session
// (sessions are never written to disk). The old master's endpoint answers
// HOST_IS_SLAVE from then on.
func (c *call) poolDesignateNewMaster() (any, error) {
	target := c.ref(0)
	if _, err := mustGet[xenapi.Host](c.db, target); err != nil {
		return nil, err
	}
	if err := c.onHost(target); err != nil {
		return nil, err
	}
	d := c.db
	p := d.pool()
	if p.Master == target {
		return nil, nil
	}
	old := c.s.hostByRef(p.Master)
	p.Master = target
	next := c.s.hostByRef(target)
	c.s.after(shutdownDelay, func() {
		for _, h := range []*hostRT{next, old} {
			if h == nil || h.state != hostUp {
				continue
			}
			if h.conns != nil {
				h.conns.closeAll()
			}
			c.s.boot(h, bootToolstack)
		}
		d.commit()
	})
	return nil, nil
}

// poolRecoverSlaves is pool.recover_slaves (xapi_pool.ml): after an
// emergency transition to master, it points the members still following
// an old master at this one and returns them. The simulator's members
// always follow their pool's master, so there are none.
func (c *call) poolRecoverSlaves() (any, error) { return []any{}, nil }

// pool returns the database's one pool record.
func (d *db) pool() *xenapi.Pool {
	rows := all[xenapi.Pool](d)
	if len(rows) == 0 {
		return nil
	}
	return rows[0].R
}

// poolCreateVLANFromPIF is pool.create_VLAN_from_PIF(pif, network, VLAN):
// VLAN.create on the PIF of every live host on the same network as pif.
// The first failure undoes the VLANs made so far and is returned.
func (c *call) poolCreateVLANFromPIF() (any, error) {
	pif, network, tag := c.ref(0), c.ref(1), c.int(2)
	d := c.db
	p, err := mustGet[xenapi.PIF](d, pif)
	if err != nil {
		return nil, err
	}
	var made []xenapi.Ref
	for _, base := range d.pifsOnNetwork(p.Network) {
		if !d.hostLive(base.R.Host) {
			continue
		}
		vlan, _, err := d.vlanCreate(base.Ref, tag, network)
		if err != nil {
			for _, v := range made {
				vr := get[xenapi.VLAN](d, v)
				d.remove("PIF", vr.UntaggedPIF)
				d.remove("VLAN", v)
			}
			return nil, err
		}
		made = append(made, vlan)
	}
	out := make([]xenapi.Ref, len(made))
	for i, v := range made {
		out[i] = get[xenapi.VLAN](d, v).UntaggedPIF
		d.bringUp(out[i])
	}
	return refList(out), nil
}

// hostLive reports host_metrics.live of host.
func (d *db) hostLive(host xenapi.Ref) bool {
	h := get[xenapi.Host](d, host)
	if h == nil {
		return false
	}
	m := get[xenapi.HostMetrics](d, h.Metrics)
	return m != nil && m.Live
}

// poolManagementReconfigure is pool.management_reconfigure(network): every
// host moves its management interface to its PIF on network, the members
// first and the master last.
func (c *call) poolManagementReconfigure() (any, error) {
	network := c.ref(0)
	d := c.db
	if _, err := mustGet[xenapi.Network](d, network); err != nil {
		return nil, err
	}
	pifs := d.pifsOnNetwork(network)
	onHost := map[xenapi.Ref]xenapi.Ref{}
	for _, p := range pifs {
		onHost[p.R.Host] = p.Ref
	}
	hosts := all[xenapi.Host](d)
	for _, h := range hosts {
		if _, ok := onHost[h.Ref]; !ok {
			return nil, failure("PIF_NOT_PRESENT", string(h.Ref), string(network))
		}
	}
	for _, p := range pifs {
		if err := d.assertUsableForManagement(p.Ref); err != nil {
			return nil, err
		}
	}
	// Members first, then the master, in xapi_pool_helpers.ml's order: the
	// reverse of the master followed by the members; a failure on one host
	// does not stop the others, and the first is reported.
	var order []row[xenapi.Host]
	for _, h := range hosts {
		if d.isMasterHost(h.Ref) {
			order = append([]row[xenapi.Host]{h}, order...)
		}
	}
	for _, h := range hosts {
		if !d.isMasterHost(h.Ref) {
			order = append(order, h)
		}
	}
	slices.Reverse(order)
	hosts = order
	var first error
	for _, h := range hosts {
		if err := c.onHost(h.Ref); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		if pif := get[xenapi.PIF](d, onHost[h.Ref]); !pif.Management {
			d.moveManagement(onHost[h.Ref])
		}
	}
	return nil, first
}

// poolJoin is pool.join(master_address, master_username, master_password),
// called on the joining host. Its refusals come in xapi's order; then the
// host moves into the pool's database, its NICs onto the pool's networks of
// the same bridge, and it copies the master's bonds and VLANs, as a joining
// host does when its xapi restarts as a member.
func (c *call) poolJoin() (any, error) {
	addr, user, password := c.str(0), c.str(1), c.str(2)
	s, me := c.s, c.host
	remote := s.hostByAddress(addr)
	if remote == nil || remote.state != hostUp {
		return nil, failure("JOINING_HOST_CONNECTION_FAILED")
	}
	pool := remote.db
	if !remote.isMaster() {
		return nil, failure(xenapi.ErrHostIsSlave, s.masterAddress(pool))
	}
	if subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.Username)) != 1 ||
		subtle.ConstantTimeCompare([]byte(password), []byte(s.cfg.Password)) != 1 {
		return nil, failure(xenapi.ErrSessionAuthenticationFailed, user, "Authentication failure")
	}
	mine := c.db
	_, myMgmt := mine.managementPIF(me.ref)
	if myMgmt == nil {
		return nil, failure("HOST_STILL_BOOTING")
	}
	if remote == me || pool == mine {
		reason := "Host cannot become slave of itself"
		if len(all[xenapi.Host](mine)) > 1 {
			reason = "Host is already part of a pool"
		}
		return nil, failure("OPERATION_NOT_ALLOWED", reason)
	}
	if len(all[xenapi.Host](mine)) > 1 {
		return nil, failure("JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS")
	}
	if len(all[xenapi.Bond](mine)) > 0 {
		return nil, failure("POOL_JOINING_HOST_HAS_BONDS")
	}
	for _, v := range all[xenapi.VLAN](mine) {
		if p := get[xenapi.PIF](mine, v.R.UntaggedPIF); p == nil || !p.Management {
			return nil, failure("POOL_JOINING_HOST_HAS_NON_MANAGEMENT_VLANS")
		}
	}
	_, remoteMgmt := pool.managementPIF(remote.ref)
	if remoteMgmt != nil && remoteMgmt.VLAN != myMgmt.VLAN {
		return nil, failure("POOL_JOINING_HOST_MANAGEMENT_VLAN_DOES_NOT_MATCH",
			strconv.FormatInt(myMgmt.VLAN, 10), strconv.FormatInt(remoteMgmt.VLAN, 10))
	}
	if backendOf(me.record()) != backendOf(remote.record()) {
		return nil, failure("OPERATION_NOT_ALLOWED", "Network backends differ")
	}

	s.moveHost(me, mine, pool, remoteMgmt)
	// xapi_pool.ml: the master now has the host's records, and the host
	// restarts its xapi as a member once the call has returned. Until it
	// is back the pool counts it neither enabled nor live; its copy of
	// the master's bonds and VLANs comes later still (see boot).
	me.record().Enabled = false
	s.setLive(me, false)
	boots := me.boots
	s.after(s.cfg.ToolstackRestart, func() {
		if me.boots == boots && me.state == hostUp {
			s.boot(me, bootToolstack)
			me.db.commit()
		}
	})
	return nil, nil
}

// backendOf is a host's network backend, bridge when it does not say.
func backendOf(h *xenapi.Host) string {
	if b := h.SoftwareVersion["network_backend"]; b != "" {
		return b
	}
	return "bridge"
}

// moveHost moves a joining host's records from its own database into the
// pool's: the host, its metrics, its PIFs and their metrics. A physical
// PIF lands on the pool's network with the same bridge (made if the pool
// has none); a management VLAN lands on the master's management network.
func (s *Sim) moveHost(h *hostRT, from, to *db, remoteMgmt *xenapi.PIF) {
	networkFor := func(p *xenapi.PIF) xenapi.Ref {
		if p.VLAN != -1 && remoteMgmt != nil {
			return remoteMgmt.Network
		}
		own := get[xenapi.Network](from, p.Network)
		for _, n := range all[xenapi.Network](to) {
			if n.R.Bridge == own.Bridge {
				return n.Ref
			}
		}
		copied := *own
		copied.UUID = newUUID()
		to.insert(refFor(copied.UUID), &copied)
		return refFor(copied.UUID)
	}
	// Each record leaves the host's own database as it enters the pool's,
	// so that neither keeps an index of the other's records.
	host := get[xenapi.Host](from, h.ref)
	metrics := get[xenapi.HostMetrics](from, host.Metrics)
	from.remove("host", h.ref)
	from.remove("host_metrics", host.Metrics)
	to.insert(h.ref, host)
	to.insert(host.Metrics, metrics)
	vlans := all[xenapi.VLAN](from)
	for _, v := range vlans {
		from.remove("VLAN", v.Ref)
	}
	for _, p := range from.pifsOfHost(h.ref) {
		from.remove("PIF", p.Ref)
		p.R.Network = networkFor(p.R)
		to.insert(p.Ref, p.R)
		if m := get[xenapi.PIFMetrics](from, p.R.Metrics); m != nil {
			from.remove("PIF_metrics", p.R.Metrics)
			to.insert(p.R.Metrics, m)
		}
	}
	for _, v := range vlans {
		to.insert(v.Ref, v.R)
	}
	h.db = to
	s.pools = slices.DeleteFunc(s.pools, func(d *db) bool { return d == from })
}

// position is a NIC's place on its host, read from its network's bridge
// "xenbrN" as xapi does; -1 for other bridges.
func (d *db) position(p *xenapi.PIF) int {
	n := get[xenapi.Network](d, p.Network)
	if n == nil {
		return -1
	}
	rest, ok := strings.CutPrefix(n.Bridge, "xenbr")
	if !ok {
		return -1
	}
	pos, err := strconv.Atoi(rest)
	if err != nil {
		return -1
	}
	return pos
}

// copyBondsFromMaster makes on host each bond the master has, over the
// NICs in the same positions, with the same mode and properties, as
// sync_networking.ml does: the member's NIC in the position of the master's
// primary member goes first, so that the bond takes its MAC; a bond of the
// same network over other NICs is made again; a bond that cannot be made is
// skipped, as xapi logs and goes on.
func (d *db) copyBondsFromMaster(host, master xenapi.Ref) {
	var physical []row[xenapi.PIF]
	for _, p := range d.pifsOfHost(host) {
		if p.R.Physical {
			physical = append(physical, p)
		}
	}
	for _, b := range all[xenapi.Bond](d) {
		bm := get[xenapi.PIF](d, b.R.Master)
		if bm == nil || bm.Host != master {
			continue
		}
		var positions []int
		primaryPos, sameMAC := -1, 0
		for _, m := range d.bondSlaves(b.Ref) {
			pos := d.position(m.R)
			positions = append(positions, pos)
			if m.R.MAC == bm.MAC {
				primaryPos = pos
				sameMAC++
			}
		}
		if sameMAC != 1 {
			primaryPos = -1
		}
		var members []xenapi.Ref
		for _, p := range physical {
			pos := d.position(p.R)
			if pos < 0 || !slices.Contains(positions, pos) {
				continue
			}
			if pos == primaryPos {
				members = append([]xenapi.Ref{p.Ref}, members...)
			} else {
				members = append(members, p.Ref)
			}
		}
		var mine xenapi.Ref
		for _, p := range d.childRefs(pifNetwork, bm.Network) {
			if view[xenapi.PIF](d, p).Host == host {
				mine = p
			}
		}
		switch {
		case len(members) == 0:
			continue
		case mine == "":
			_, _ = d.bondCreate(bm.Network, members, "", b.R.Mode, b.R.Properties)
		case d.kindOf(mine) == kindBondMaster:
			bond, _ := d.bondOfMaster(mine)
			current := d.childRefs(pifBondSlaveOf, bond)
			if !sameSet(current, members) {
				// A partial bond is made again with the NICs it should have.
				d.destroyBond(bond)
				_, _ = d.bondCreate(bm.Network, members, "", b.R.Mode, b.R.Properties)
			}
		}
	}
}

// sameSet reports whether a and b hold the same references.
func sameSet(a, b []xenapi.Ref) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// copyVLANsFromMaster is host.sync_vlans (xapi_host.ml): on host, each VLAN
// the master has that host lacks (same network, same tag, over the same
// network), made on host's PIF on the network under the master's VLAN.
// Like xapi's, the new VLAN PIFs are not plugged (xapi_vlan.ml's
// create_internal).
func (d *db) copyVLANsFromMaster(host, master xenapi.Ref) {
	underNetwork := func(untagged xenapi.Ref) xenapi.Ref {
		_, v := d.vlanOfUntagged(untagged)
		if v == nil {
			return ""
		}
		if t := view[xenapi.PIF](d, v.TaggedPIF); t != nil {
			return t.Network
		}
		return ""
	}
	for _, p := range d.childRefs(pifHost, master) {
		mp := view[xenapi.PIF](d, p)
		if d.kindOf(p) != kindVLAN {
			continue
		}
		below := underNetwork(p)
		exists := false
		for _, q := range d.childRefs(pifHost, host) {
			hp := view[xenapi.PIF](d, q)
			if d.kindOf(q) == kindVLAN && hp.Network == mp.Network && hp.VLAN == mp.VLAN && underNetwork(q) == below {
				exists = true
				break
			}
		}
		if exists || d.assertNoOtherLocalPIFs(host, mp.Network) != nil {
			continue
		}
		var base []xenapi.Ref
		for _, q := range d.childRefs(pifNetwork, below) {
			if view[xenapi.PIF](d, q).Host == host {
				base = append(base, q)
			}
		}
		if len(base) == 1 {
			d.createVLAN(host, base[0], mp.VLAN, mp.Network)
		}
	}
}

// poolEject is pool.eject(host): the host leaves the pool and its records
// go; it reboots into a pool of its own with its NICs on fresh networks
// and management on the NIC that carried it.
func (c *call) poolEject() (any, error) {
	ref := c.ref(0)
	d := c.db
	host, err := mustGet[xenapi.Host](d, ref)
	if err != nil {
		return nil, err
	}
	if d.isMasterHost(ref) {
		// xapi raises an OCaml exception here, which reaches the wire as this.
		return nil, failure(xenapi.ErrInternalError, "Xapi_pool.Cannot_eject_master")
	}
	if err := c.onHost(ref); err != nil {
		return nil, err
	}
	h := c.s.hostByRef(ref)
	mgmtRef, mgmt := d.managementPIF(ref)
	// The NIC under management: a bond's primary member, a VLAN's base.
	root := mgmtRef
	for root != "" {
		if _, v := d.vlanOfUntagged(root); v != nil {
			root = v.TaggedPIF
			continue
		}
		if _, b := d.bondOfMaster(root); b != nil {
			root = b.PrimarySlave
			continue
		}
		break
	}
	var rootDevice string
	if p := get[xenapi.PIF](d, root); p != nil {
		rootDevice = p.Device
	}
	var nics []xenapi.PIF
	for _, p := range d.pifsOfHost(ref) {
		if p.R.Physical {
			nics = append(nics, *p.R)
		}
	}
	// Forget the host's bonds, VLANs and PIFs in the pool.
	for _, p := range d.pifsOfHost(ref) {
		if b, _ := d.bondOfMaster(p.Ref); b != "" {
			d.remove("Bond", b)
		}
		for _, v := range d.vlansOnTagged(p.Ref) {
			d.remove("VLAN", v.Ref)
		}
		if p.R.Metrics != "" && (p.R.Physical || d.kindOf(p.Ref) == kindBondMaster) {
			d.remove("PIF_metrics", p.R.Metrics)
		}
		d.remove("PIF", p.Ref)
	}
	metrics := get[xenapi.HostMetrics](d, host.Metrics)
	d.remove("host_metrics", host.Metrics)
	d.remove("host", ref)

	own := c.s.newDB()
	c.s.pools = append(c.s.pools, own)
	h.db = own
	own.insert(refFor(newUUID()), &xenapi.Pool{UUID: newUUID(), Master: ref, OtherConfig: map[string]string{}})
	own.addInternalManagementNetwork()
	host.Enabled = false
	own.insert(ref, host)
	own.insert(host.Metrics, metrics)
	for _, nic := range nics {
		n := own.addNICNetwork(nic.Device, get[xenapi.Network](d, nic.Network))
		p := nic
		p.UUID = newUUID()
		p.Network = n
		p.BondSlaveOf = xenapi.NullRef
		p.Management = nic.Device == rootDevice
		p.IPConfigurationMode, p.IP, p.Netmask, p.Gateway, p.DNS = xenapi.IPConfigurationNone, "", "", "", ""
		if p.Management && mgmt != nil {
			p.IPConfigurationMode, p.IP, p.Netmask, p.Gateway, p.DNS = mgmt.IPConfigurationMode, mgmt.IP, mgmt.Netmask, mgmt.Gateway, mgmt.DNS
		}
		p.Metrics = own.newPIFMetrics()
		own.insert(refFor(p.UUID), &p)
		// A fresh database: the NICs are introduced again, with xapi's
		// default properties.
		own.setPIFProperties(refFor(p.UUID), defaultPIFProperties)
	}
	own.commit()
	c.s.powerCycle(h)
	return nil, nil
}
