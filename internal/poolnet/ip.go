package poolnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// beforeKey is where, in the other_config of each PIF an IP interface
// configures, xsnet writes down what the PIF had before (its IP
// configuration, whether it was plugged, disallow_unplug and its purpose),
// before it changes any of it: destroying the interface gives the PIF
// exactly that back, whichever run does it, and the key says which PIFs
// are xsnet's to give back.
const beforeKey = "xsnet_ip_before"

// PurposeKey is the other_config key in which XenCenter keeps what a
// secondary interface is for, such as "Storage", and shows as its name.
const PurposeKey = "management_purpose"

// pifBefore is a PIF as it was before an IP interface configured it.
type pifBefore struct {
	Mode           xenapi.IPConfigurationMode `json:"mode"`
	IP             string                     `json:"ip,omitempty"`
	Netmask        string                     `json:"netmask,omitempty"`
	Gateway        string                     `json:"gateway,omitempty"`
	DNS            string                     `json:"dns,omitempty"`
	Attached       bool                       `json:"attached"`
	DisallowUnplug bool                       `json:"disallow_unplug"`
	// Purpose is the PIF's other_config:management_purpose, nil when it
	// had none.
	Purpose *string `json:"purpose,omitempty"`
}

func beforeOf(p xenapi.PIF) pifBefore {
	b := pifBefore{Mode: p.IPConfigurationMode, IP: p.IP, Netmask: p.Netmask, Gateway: p.Gateway, DNS: p.DNS,
		Attached: p.CurrentlyAttached, DisallowUnplug: p.DisallowUnplug}
	if b.Mode == "" {
		b.Mode = xenapi.IPConfigurationNone
	}
	if v, ok := p.OtherConfig[PurposeKey]; ok {
		b.Purpose = &v
	}
	return b
}

// pristine is what XenServer gives a PIF nobody configured: no address,
// unplug allowed, no purpose, and plugged only if xapi brings it up at
// start of day without an address, as it does NICs and bond masters.
func pristine(snap *Snapshot, ref xenapi.Ref, p xenapi.PIF) pifBefore {
	_, _, bond := snap.BondOfMaster(ref)
	return pifBefore{Mode: xenapi.IPConfigurationNone, Attached: p.CurrentlyAttached && (p.Physical || bond)}
}

// recordedBefore reads what xsnet wrote down of the PIF before it
// configured it; ok is false when it wrote nothing there.
func recordedBefore(p xenapi.PIF) (pifBefore, bool) {
	raw, ok := p.OtherConfig[beforeKey]
	if !ok {
		return pifBefore{}, false
	}
	var b pifBefore
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return pifBefore{}, false
	}
	return b, true
}

// IPSpec is what an IP interface should be: one IPv4 configuration on
// every host's PIF of a network.
type IPSpec struct {
	NetworkUUID string
	Mode        xenapi.IPConfigurationMode
	// Addresses are the Static addresses, by host UUID.
	Addresses map[string]string
	Netmask   string
	Gateway   string
	DNS       []string
	// Purpose is other_config:management_purpose; empty leaves none.
	Purpose        string
	DisallowUnplug bool
	// Adopted says the interface was imported: a PIF xsnet has no record
	// of that has an IP configuration already is recorded as XenServer
	// gives a PIF nobody configured, so that destroying the interface
	// clears what it took over, as removing it in XenCenter would.
	Adopted bool
}

// HostIP is one host's PIF on an IP interface's network, as the pool has
// it.
type HostIP struct {
	HostUUID, HostName string
	PIFUUID, Device    string
	Mode               xenapi.IPConfigurationMode
	IP, Netmask        string
	Gateway            string
	DNS                []string
	Purpose            string
	CurrentlyAttached  bool
	DisallowUnplug     bool
	Management         bool
	// Recorded says xsnet wrote down what the PIF had before it
	// configured it.
	Recorded bool
}

// PoolIP is an IP interface as the pool has it.
type PoolIP struct {
	NetworkUUID string
	// Hosts are the PIFs on the network, by host UUID.
	Hosts map[string]HostIP
	// Missing lists the hosts without a PIF on the network, such as a
	// host a VLAN has not reached yet.
	Missing []string
}

// SplitDNS reads xapi's comma-separated DNS field.
func SplitDNS(dns string) []string {
	var out []string
	for s := range strings.SplitSeq(dns, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ReadIP reads the IP configuration of every host's PIF on the network.
// ok is false when the network is gone, or when no PIF on it has an IP
// configuration or xsnet's record: there is no IP interface to manage.
func ReadIP(snap *Snapshot, networkUUID string) (PoolIP, bool) {
	netRef, net, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return PoolIP{}, false
	}
	pi := PoolIP{NetworkUUID: net.UUID, Hosts: map[string]HostIP{}}
	found := false
	for _, host := range snap.HostRefs() {
		h := snap.Hosts.Get(host)
		_, p, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			pi.Missing = append(pi.Missing, h.UUID)
			continue
		}
		_, recorded := recordedBefore(p)
		mode := p.IPConfigurationMode
		if mode == "" {
			mode = xenapi.IPConfigurationNone
		}
		found = found || recorded || mode != xenapi.IPConfigurationNone
		pi.Hosts[h.UUID] = HostIP{
			HostUUID: h.UUID, HostName: h.NameLabel, PIFUUID: p.UUID, Device: p.Device,
			Mode: mode, IP: p.IP, Netmask: p.Netmask, Gateway: p.Gateway, DNS: SplitDNS(p.DNS),
			Purpose: p.OtherConfig[PurposeKey], CurrentlyAttached: p.CurrentlyAttached, DisallowUnplug: p.DisallowUnplug,
			Management: p.Management, Recorded: recorded,
		}
	}
	return pi, found
}

// ipTarget is one host's share of an IP interface.
type ipTarget struct {
	host xenapi.Ref
	name string
	pif  xenapi.Ref
	ip   string
}

// ipTargets finds every host's PIF on the network and its address, and
// refuses, before anything changes, a host without either and a PIF that
// carries management: that is management's configuration to keep.
func ipTargets(snap *Snapshot, netRef xenapi.Ref, spec IPSpec) ([]ipTarget, error) {
	var out []ipTarget
	for _, host := range snap.hostsMasterLast() {
		h := snap.Hosts.Get(host)
		ref, p, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			return nil, fmt.Errorf("host %s has no PIF on network %q: an IP interface needs the network on every host",
				h.NameLabel, snap.Networks.Get(netRef).NameLabel)
		}
		if p.Management {
			return nil, fmt.Errorf("PIF %s on host %s carries the host's management interface: its IP configuration is management's",
				p.Device, h.NameLabel)
		}
		t := ipTarget{host: host, name: h.NameLabel, pif: ref}
		if spec.Mode == xenapi.IPConfigurationStatic {
			if t.ip = spec.Addresses[h.UUID]; t.ip == "" {
				return nil, fmt.Errorf("host %s has no address in the IP interface", h.NameLabel)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// CreateIP configures the IP interface on every host, recording first
// what each PIF had; see UpdateIP. Any error gives every PIF back what it
// had, and the error says what was given back and what could not be.
func (m *Model) CreateIP(ctx context.Context, spec IPSpec) error {
	err := m.UpdateIP(ctx, spec)
	if err == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	f := &Failure{Op: "configuring the IP interface on network " + spec.NetworkUUID, Cause: err}
	undone, rerr := m.releaseIP(ctx, spec.NetworkUUID, false)
	f.Undone = undone
	if rerr != nil {
		f.Left = append(f.Left, rerr.Error())
		f.Remains = spec.NetworkUUID
	}
	return f
}

// UpdateIP brings every host's PIF on the network to spec, members first
// and the master last: what the PIF had is written down before its first
// change, then its IP configuration, purpose and disallow_unplug are set
// where they differ, and last the PIF is plugged, so that it carries the
// configuration now and, having an address, after every reboot, as xapi
// brings up at start of day every PIF with an IP configuration. A host
// that joined since is configured like the others. What it changed before
// an error stays: the next plan reads it.
func (m *Model) UpdateIP(ctx context.Context, spec IPSpec) error {
	defer m.changing()()
	snap, err := m.fresh(ctx)
	if err != nil {
		return err
	}
	netRef, _, ok := snap.NetworkByUUID(spec.NetworkUUID)
	if !ok {
		return fmt.Errorf("network %s is gone: %w", spec.NetworkUUID, xenapi.NewError(xenapi.ErrUUIDInvalid, "network", spec.NetworkUUID))
	}
	targets, err := ipTargets(snap, netRef, spec)
	if err != nil {
		return err
	}
	c := m.client
	for _, t := range targets {
		p := snap.PIFs.Get(t.pif)
		if _, ok := recordedBefore(p); !ok {
			before := beforeOf(p)
			if spec.Adopted && before.Mode != xenapi.IPConfigurationNone {
				before = pristine(snap, t.pif, p)
			}
			b, _ := json.Marshal(before)
			if err := m.settle(ctx, t.pif, func(ctx context.Context) error {
				return c.PIFAddToOtherConfig(ctx, t.pif, beforeKey, string(b))
			}, func(p xenapi.PIF) bool { return p.OtherConfig[beforeKey] != "" }); err != nil {
				return fmt.Errorf("recording the IP configuration of PIF %s on host %s: %w", p.Device, t.name, err)
			}
		}
		want := pifBefore{Mode: spec.Mode}
		if spec.Mode == xenapi.IPConfigurationStatic {
			want.IP, want.Netmask, want.Gateway, want.DNS = t.ip, spec.Netmask, spec.Gateway, strings.Join(spec.DNS, ",")
		}
		if err := m.setIP(ctx, t.pif, p, want); err != nil {
			return fmt.Errorf("configuring PIF %s on host %s: %w", p.Device, t.name, err)
		}
		if err := m.setPurpose(ctx, t.pif, p, purposeOf(spec.Purpose)); err != nil {
			return fmt.Errorf("setting the purpose of PIF %s on host %s: %w", p.Device, t.name, err)
		}
		if err := m.setDisallowUnplug(ctx, t.pif, p, spec.DisallowUnplug); err != nil {
			return fmt.Errorf("setting disallow_unplug on PIF %s on host %s: %w", p.Device, t.name, err)
		}
		if err := m.setAttached(ctx, t.pif, p, true); err != nil {
			return fmt.Errorf("plugging PIF %s on host %s: %w", p.Device, t.name, err)
		}
	}
	return nil
}

// settle makes one change to a PIF whose effect the pool shows. xapi
// resets its clients' connections when it rebuilds a host's management
// interface, as another resource of the same apply may make it do, and a
// change whose reply was lost that way is judged by the PIF as the pool
// shows it, and made again where it did not happen: each of these changes
// sets a value, and setting it twice is setting it once.
func (m *Model) settle(ctx context.Context, ref xenapi.Ref, change func(context.Context) error, done func(xenapi.PIF) bool) error {
	return m.settlePool(ctx, change, func(snap *Snapshot) bool {
		p, ok := snap.PIFs.Lookup(ref)
		return ok && done(p)
	})
}

// settlePool is settle for a change whose effect is anywhere in the pool.
func (m *Model) settlePool(ctx context.Context, change func(context.Context) error, done func(*Snapshot) bool) error {
	err := change(ctx)
	for tries := 1; xenapi.IsOutcomeUnknown(err) && tries < 4; tries++ {
		snap, serr := m.fresh(context.WithoutCancel(ctx))
		if serr != nil {
			return err
		}
		if done(snap) {
			return nil
		}
		err = change(ctx)
	}
	return err
}

// setIP gives the PIF the IP configuration, unless it has it.
func (m *Model) setIP(ctx context.Context, ref xenapi.Ref, p xenapi.PIF, want pifBefore) error {
	if sameIP(beforeOf(p), want) {
		return nil
	}
	return m.settle(ctx, ref, func(ctx context.Context) error {
		return m.client.PIFReconfigureIP(ctx, ref, want.Mode, want.IP, want.Netmask, want.Gateway, want.DNS)
	}, func(p xenapi.PIF) bool { return sameIP(beforeOf(p), want) })
}

// setDisallowUnplug sets the PIF's disallow_unplug, unless it has it.
func (m *Model) setDisallowUnplug(ctx context.Context, ref xenapi.Ref, p xenapi.PIF, want bool) error {
	if p.DisallowUnplug == want {
		return nil
	}
	return m.settle(ctx, ref, func(ctx context.Context) error { return m.client.PIFSetDisallowUnplug(ctx, ref, want) },
		func(p xenapi.PIF) bool { return p.DisallowUnplug == want })
}

// setAttached plugs or unplugs the PIF, unless it is so.
func (m *Model) setAttached(ctx context.Context, ref xenapi.Ref, p xenapi.PIF, want bool) error {
	if p.CurrentlyAttached == want {
		return nil
	}
	change := m.client.PIFUnplug
	if want {
		change = m.client.PIFPlug
	}
	return m.settle(ctx, ref, func(ctx context.Context) error { return change(ctx, ref) },
		func(p xenapi.PIF) bool { return p.CurrentlyAttached == want })
}

func purposeOf(p string) *string {
	if p == "" {
		return nil
	}
	return &p
}

// sameIP reports whether two IP configurations are the same as xapi
// stores them; DHCP and None carry no address of their own.
func sameIP(have, want pifBefore) bool {
	if have.Mode != want.Mode {
		return false
	}
	if want.Mode != xenapi.IPConfigurationStatic {
		return true
	}
	return have.IP == want.IP && have.Netmask == want.Netmask && have.Gateway == want.Gateway &&
		slices.Equal(SplitDNS(have.DNS), SplitDNS(want.DNS))
}

// setPurpose sets or removes the PIF's other_config:management_purpose.
func (m *Model) setPurpose(ctx context.Context, ref xenapi.Ref, p xenapi.PIF, purpose *string) error {
	is := func(p xenapi.PIF) bool {
		cur, has := p.OtherConfig[PurposeKey]
		return purpose != nil && has && cur == *purpose || purpose == nil && !has
	}
	if is(p) {
		return nil
	}
	if _, has := p.OtherConfig[PurposeKey]; has {
		if err := m.settle(ctx, ref, func(ctx context.Context) error { return m.client.PIFRemoveFromOtherConfig(ctx, ref, PurposeKey) },
			func(p xenapi.PIF) bool { _, has := p.OtherConfig[PurposeKey]; return !has }); err != nil {
			return err
		}
	}
	if purpose == nil {
		return nil
	}
	return m.settle(ctx, ref, func(ctx context.Context) error { return m.client.PIFAddToOtherConfig(ctx, ref, PurposeKey, *purpose) }, is)
}

// DestroyIP gives every PIF on the network back what it had before xsnet
// configured it: its IP configuration (None, for an interface xsnet
// made), its purpose, disallow_unplug, and unplugged where it had been.
// adopted says the interface was imported: a PIF xsnet has no record of
// that has an IP configuration goes back to what XenServer gives a PIF
// nobody configured. A network already gone is not an error.
func (m *Model) DestroyIP(ctx context.Context, networkUUID string, adopted bool) error {
	defer m.changing()()
	_, err := m.releaseIP(ctx, networkUUID, adopted)
	return err
}

// releaseIP is DestroyIP, returning what it gave back. It goes on past a
// host it cannot give back, and the record stays on that host's PIF for
// the next run.
func (m *Model) releaseIP(ctx context.Context, networkUUID string, adopted bool) ([]string, error) {
	snap, err := m.fresh(ctx)
	if err != nil {
		return nil, err
	}
	netRef, _, ok := snap.NetworkByUUID(networkUUID)
	if !ok {
		return nil, nil
	}
	var done []string
	var errs []error
	for _, host := range snap.hostsMasterLast() {
		ref, p, ok := snap.NetworkPIF(host, netRef)
		if !ok {
			continue
		}
		name := snap.Hosts.Get(host).NameLabel
		b, recorded := recordedBefore(p)
		if !recorded {
			if !adopted || beforeOf(p).Mode == xenapi.IPConfigurationNone {
				continue
			}
			b = pristine(snap, ref, p)
		}
		if err := m.giveBack(ctx, ref, p, b, recorded); err != nil {
			errs = append(errs, fmt.Errorf("PIF %s on host %s: %w", p.Device, name, err))
			continue
		}
		done = append(done, fmt.Sprintf("the IP configuration of PIF %s on host %s", p.Device, name))
	}
	return done, errors.Join(errs...)
}

// giveBack puts one PIF back as b says it was.
func (m *Model) giveBack(ctx context.Context, ref xenapi.Ref, p xenapi.PIF, b pifBefore, recorded bool) error {
	if p.Management {
		return errors.New("it carries the host's management interface now: move management off it first")
	}
	if err := m.setIP(ctx, ref, p, b); err != nil {
		return err
	}
	if err := m.setPurpose(ctx, ref, p, b.Purpose); err != nil {
		return err
	}
	if !b.Attached && p.CurrentlyAttached {
		// xapi refuses to unplug a PIF with disallow_unplug.
		if err := m.setDisallowUnplug(ctx, ref, p, false); err != nil {
			return err
		}
		p.DisallowUnplug = false
		if err := m.setAttached(ctx, ref, p, false); err != nil {
			return err
		}
	}
	if err := m.setDisallowUnplug(ctx, ref, p, b.DisallowUnplug); err != nil {
		return err
	}
	if !recorded {
		return nil
	}
	return m.settle(ctx, ref, func(ctx context.Context) error { return m.client.PIFRemoveFromOtherConfig(ctx, ref, beforeKey) },
		func(p xenapi.PIF) bool { _, has := p.OtherConfig[beforeKey]; return !has })
}
