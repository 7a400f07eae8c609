package xapisim

import (
	"fmt"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

var hostHandlers = []handler{
	{name: "host.management_reconfigure", fn: (*call).hostManagementReconfigure, write: true, async: true},
	{name: "host.disable", fn: (*call).hostDisable, write: true, async: true},
	{name: "host.enable", fn: (*call).hostEnable, write: true, async: true},
	{name: "host.reboot", fn: (*call).hostReboot, write: true, async: true},
	{name: "host.get_management_interface", fn: (*call).hostGetManagementInterface},
	{name: "host.restart_agent", fn: (*call).hostRestartAgent, write: true, async: true},
}

// hostRestartAgent is host.restart_agent (xapi_host.ml): the call returns,
// then the host's xapi restarts. Its endpoint refuses connections for
// Config.ToolstackRestart; the bridges stay up; a master forgets its
// sessions, and a member copies the master's bonds and VLANs again (see
// boot).
func (c *call) hostRestartAgent() (any, error) {
	ref := c.ref(0)
	if _, err := mustGet[xenapi.Host](c.db, ref); err != nil {
		return nil, err
	}
	if err := c.onHost(ref); err != nil {
		return nil, err
	}
	s, h := c.s, c.s.hostByRef(ref)
	boots := h.boots
	s.after(shutdownDelay, func() {
		if h.boots != boots || h.state != hostUp {
			return
		}
		h.state = hostDown
		s.unlisten(h)
		s.after(s.cfg.ToolstackRestart, func() {
			if h.boots != boots || s.listen(h) != nil {
				return
			}
			s.boot(h, bootToolstack)
			h.db.commit()
		})
	})
	return nil, nil
}

// hostGetManagementInterface is host.get_management_interface (xapi_host.ml):
// the host's management PIF; a host with none is an INTERNAL_ERROR there.
func (c *call) hostGetManagementInterface() (any, error) {
	if _, err := mustGet[xenapi.Host](c.db, c.ref(0)); err != nil {
		return nil, err
	}
	ref, _ := c.db.managementPIF(c.ref(0))
	if ref == "" {
		// OCaml's Not_found, as ExnHelper puts an unexpected exception.
		return nil, failure(xenapi.ErrInternalError, "Not_found")
	}
	return string(ref), nil
}

// shutdownDelay is how long a rebooting host keeps answering after
// host.reboot returns; xapi waits too, so that the call's reply gets out.
const shutdownDelay = 10 * time.Millisecond

// hostManagementReconfigure is host.management_reconfigure(pif): the PIF
// becomes its host's management interface.
func (c *call) hostManagementReconfigure() (any, error) {
	self := c.ref(0)
	pif, err := mustGet[xenapi.PIF](c.db, self)
	if err != nil {
		return nil, err
	}
	if err := c.onHost(pif.Host); err != nil {
		return nil, err
	}
	// xapi_host.ml checks a managed PIF only.
	if pif.Managed {
		if err := c.db.assertUsableForManagement(self); err != nil {
			return nil, err
		}
	}
	if !pif.Management {
		c.db.moveManagement(self)
	}
	return nil, nil
}

// assertUsableForManagement is xapi's check of a PIF about to carry
// management (xapi_pif.ml): not a bond member, and with an IP
// configuration.
func (d *db) assertUsableForManagement(ref xenapi.Ref) error {
	pif := get[xenapi.PIF](d, ref)
	if !pif.BondSlaveOf.IsNull() {
		return failure("CANNOT_PLUG_BOND_SLAVE", string(ref))
	}
	if pif.IPConfigurationMode == xenapi.IPConfigurationNone || pif.IPConfigurationMode == "" {
		return failure("PIF_HAS_NO_NETWORK_CONFIGURATION", string(ref))
	}
	return nil
}

// hostDisable is host.disable: no new VMs start there; a host must be
// disabled before it reboots.
func (c *call) hostDisable() (any, error) {
	host, err := mustGet[xenapi.Host](c.db, c.ref(0))
	if err != nil {
		return nil, err
	}
	if err := c.onHost(c.ref(0)); err != nil {
		return nil, err
	}
	host.Enabled = false
	return nil, nil
}

// hostEnable is host.enable.
func (c *call) hostEnable() (any, error) {
	host, err := mustGet[xenapi.Host](c.db, c.ref(0))
	if err != nil {
		return nil, err
	}
	if err := c.onHost(c.ref(0)); err != nil {
		return nil, err
	}
	host.Enabled = true
	return nil, nil
}

// hostReboot is host.reboot: refused with HOST_NOT_DISABLED for an enabled
// host. The call returns; then the host goes down for Config.RebootTime
// (its endpoint refuses connections, host_metrics.live is false) and comes
// back enabled, its PIFs plugged again.
func (c *call) hostReboot() (any, error) {
	ref := c.ref(0)
	host, err := mustGet[xenapi.Host](c.db, ref)
	if err != nil {
		return nil, err
	}
	if host.Enabled {
		return nil, failure("HOST_NOT_DISABLED")
	}
	if err := c.onHost(ref); err != nil {
		return nil, err
	}
	h := c.s.hostByRef(ref)
	boots := h.boots
	c.s.after(shutdownDelay, func() {
		if h.boots == boots && h.state == hostUp {
			c.s.powerCycle(h)
		}
	})
	return nil, nil
}

// powerCycle takes h down now and boots it after Config.RebootTime.
// Called under s.mu.
func (s *Sim) powerCycle(h *hostRT) {
	h.state = hostDown
	if h.back != nil {
		close(h.back)
		h.back = nil
	}
	s.setLive(h, false)
	s.unlisten(h)
	h.db.commit()
	boots := h.boots
	s.after(s.cfg.RebootTime, func() {
		if h.boots != boots {
			return
		}
		if err := s.listen(h); err != nil {
			// The port went to someone else: the host stays down.
			return
		}
		s.boot(h, bootPower)
		h.db.commit()
	})
}

// bootKind says what started a host's xapi.
type bootKind int

const (
	// bootResume is the simulator starting: the pools are running as built
	// or saved, and only the attached PIFs are brought up again.
	bootResume bootKind = iota
	// bootToolstack is xapi restarting (after pool.join): the bridges stay
	// up, so currently_attached stands.
	bootToolstack
	// bootPower is the host restarting: every bridge is gone.
	bootPower
)

// boot brings a host's xapi up: the host enabled and live, its PIFs brought
// up as xapi does at start of day, and on a pool member, after
// Config.MemberSyncDelay, the master's bonds and VLANs copied. A master
// forgets its sessions, as xapi does on restart. Called under s.mu, with
// the endpoint listening.
func (s *Sim) boot(h *hostRT, kind bootKind) {
	h.boots++
	h.state = hostUp
	d := h.db
	rec := h.record()
	rec.Enabled = true
	rec.Address = s.addressOf(h)
	if h.isMaster() {
		for _, sess := range all[sessionRecord](d) {
			d.remove("session", sess.Ref)
		}
	}
	switch kind {
	case bootResume:
		for _, p := range d.pifsOfHost(h.ref) {
			if (p.R.CurrentlyAttached || p.R.Management) && p.R.BondSlaveOf.IsNull() {
				d.bringUp(p.Ref)
			}
		}
	case bootPower:
		// dbsync_slave.ml asks the master to set currently_attached from
		// the bridges that are up, and after a reboot none is.
		for _, p := range d.pifsOfHost(h.ref) {
			p.R.CurrentlyAttached = false
		}
		fallthrough
	default:
		d.startOfDay(h.ref)
		d.refreshBondMemberMTUs(h.ref)
	}
	s.setLive(h, true)
	if kind != bootResume && !h.isMaster() {
		boots := h.boots
		s.after(s.cfg.MemberSyncDelay, func() {
			if h.boots == boots && h.state == hostUp && !h.isMaster() {
				s.syncNetworking(h)
				h.db.commit()
				s.settleManagementMoves(h.db)
			}
		})
	}
	if s.quirk(QuirkJumboManagementBond) && d.jumboManagementBond(h.ref) {
		// XenServer 6.1: the host touches the pool, then drops out.
		boots := h.boots
		s.after(max(s.cfg.RebootTime/2, 10*time.Millisecond), func() {
			if h.boots == boots && h.state == hostUp {
				s.dropOut(h)
			}
		})
	}
}

// startOfDay brings up the PIFs xapi brings up whenever it starts
// (xapi_pif.ml, calculate_pifs_required_at_start_of_day): every managed
// PIF that is not a bond member and is physical, a bond master, or has an
// IP configuration. A VLAN PIF without one stays as it was: unplugged
// after a reboot.
func (d *db) startOfDay(host xenapi.Ref) {
	for _, p := range d.childRefs(pifHost, host) {
		pif := view[xenapi.PIF](d, p)
		hasIP := pif.IPConfigurationMode != xenapi.IPConfigurationNone && pif.IPConfigurationMode != ""
		if pif.Managed && isNull(pif.BondSlaveOf) && (pif.Physical || d.kindOf(p) == kindBondMaster || hasIP) {
			d.bringUp(p)
		}
	}
}

// refreshBondMemberMTUs is xapi_pif.ml's refresh_all at start-up, which
// reads each NIC's MTU from the kernel: a bond member has its bond's.
func (d *db) refreshBondMemberMTUs(host xenapi.Ref) {
	for _, p := range d.childRefs(pifHost, host) {
		bond := d.firstChild(bondMaster, p)
		if bond == "" {
			continue
		}
		mtu := view[xenapi.PIF](d, p).MTU
		for _, m := range d.childRefs(pifBondSlaveOf, bond) {
			if view[xenapi.PIF](d, m).MTU != mtu {
				get[xenapi.PIF](d, m).MTU = mtu
			}
		}
	}
}

// syncNetworking is what a pool member's xapi does late in its start-up
// (xapi.ml, sync_networking.ml): it makes the master's bonds on its own
// NICs, then asks the master for the master's VLANs (host.sync_vlans),
// unless its other_config has sync_vlans=nosync.
func (s *Sim) syncNetworking(h *hostRT) {
	d := h.db
	master := d.pool().Master
	d.copyBondsFromMaster(h.ref, master)
	if h.record().OtherConfig["sync_vlans"] != "nosync" {
		d.copyVLANsFromMaster(h.ref, master)
	}
}

// jumboManagementBond reports whether host's management interface is a
// bond, or a VLAN on one, with an MTU above 1500.
func (d *db) jumboManagementBond(host xenapi.Ref) bool {
	ref, pif := d.managementPIF(host)
	if pif == nil || pif.MTU <= 1500 {
		return false
	}
	if _, v := d.vlanOfUntagged(ref); v != nil {
		ref = v.TaggedPIF
	}
	return d.kindOf(ref) == kindBondMaster
}

// dropOut is the quirk's failure: host_metrics.live goes false and the
// host's endpoint holds every call without answering, as a host whose
// xapi hangs. Called under s.mu.
func (s *Sim) dropOut(h *hostRT) {
	h.state = hostOut
	h.back = make(chan struct{})
	s.setLive(h, false)
	h.db.commit()
}

func (s *Sim) setLive(h *hostRT, live bool) {
	rec := h.record()
	if rec == nil {
		return
	}
	if m := get[xenapi.HostMetrics](h.db, rec.Metrics); m != nil {
		m.Live = live
		m.LastUpdated = time.Now().UTC().Truncate(time.Second)
	}
}

// PowerCycle reboots a host the hard way, named by name_label or UUID:
// whether it is disabled, or answering at all, does not matter. This is how
// a test reboots a host that dropped out.
func (s *Sim) PowerCycle(nameOrUUID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.findHost(nameOrUUID)
	if h == nil {
		return fmt.Errorf("xapisim: no host %q", nameOrUUID)
	}
	if h.state == hostDown {
		return fmt.Errorf("xapisim: host %s is already rebooting", h.name())
	}
	s.powerCycle(h)
	return nil
}

// EmergencyNetworkReset brings back a host that dropped out, until its next
// reboot, as XenServer's emergency network reset does for a host hit by the
// jumbo-management-bond quirk. The database is left as it is.
func (s *Sim) EmergencyNetworkReset(nameOrUUID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.findHost(nameOrUUID)
	if h == nil {
		return fmt.Errorf("xapisim: no host %q", nameOrUUID)
	}
	if h.state != hostOut {
		return nil
	}
	h.state = hostUp
	close(h.back)
	h.back = nil
	s.setLive(h, true)
	h.db.commit()
	return nil
}

// isMasterHost reports whether host is the master of d's pool.
func (d *db) isMasterHost(host xenapi.Ref) bool {
	p := d.pool()
	return p != nil && p.Master == host
}
