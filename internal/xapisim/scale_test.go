package xapisim

import (
	"fmt"
	"sync"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// The pool the scale benchmarks run against is the one a provider
// benchmark drives: 16 hosts, a management bond over eth0 and eth1, a VM
// bond over eth2 and eth3, a private network, and pool-wide VLANs on the VM
// bond, all made through the messages a client sends.

// scalePool is a built pool and what the benchmarks need of it.
type scalePool struct {
	s        *Sim
	master   *hostRT
	session  string
	vmMaster string // the master's VM bond master PIF, under every VLAN
	vlanPIF  string // one of the master's VLAN PIFs
	vlans    int
}

var (
	scaleMu    sync.Mutex
	scalePools = map[int]*scalePool{}
)

// inProcess calls a message on the master without HTTP, so that the
// benchmarks measure the simulator rather than net/http.
func (p *scalePool) call(b testing.TB, method string, params ...any) any {
	b.Helper()
	r := p.s.dispatch(b.Context(), p.master, wire.Call{Method: method, Params: append([]any{p.session}, params...)})
	if r.Failure != nil {
		b.Fatalf("%s: %v", method, r.Failure)
	}
	return r.Value
}

// buildScalePool builds (once per size, for the whole run) a pool with the
// given number of pool-wide VLANs.
func buildScalePool(b *testing.B, vlans int) *scalePool {
	b.Helper()
	scaleMu.Lock()
	defer scaleMu.Unlock()
	if p := scalePools[vlans]; p != nil {
		return p
	}
	s, err := New(Config{Hosts: 16, NICs: 4})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	// The pool outlives one benchmark: it is reused by every benchmark of
	// this size and goes with the process.
	p := &scalePool{s: s, master: s.mainMaster(), vlans: vlans}
	r := s.dispatch(b.Context(), p.master, wire.Call{Method: "session.login_with_password", Params: []any{s.Username(), s.Password()}})
	if r.Failure != nil {
		b.Fatal(r.Failure)
	}
	p.session = r.Value.(string)

	pifs := map[string]map[string]string{} // host -> device -> PIF
	for ref, rec := range p.call(b, "PIF.get_all_records").(map[string]any) {
		m := rec.(map[string]any)
		host := m["host"].(string)
		if pifs[host] == nil {
			pifs[host] = map[string]string{}
		}
		pifs[host][m["device"].(string)] = ref
	}
	masterRef := string(p.master.ref)
	for _, pair := range [][2]string{{"eth0", "eth1"}, {"eth2", "eth3"}} {
		net := p.call(b, "network.create", map[string]any{"name_label": "bond " + pair[0], "other_config": map[string]any{}}).(string)
		for host, devs := range pifs {
			bond := p.call(b, "Bond.create", net, []any{devs[pair[0]], devs[pair[1]]}, "", "balance-slb", map[string]any{}).(string)
			if host == masterRef && pair[0] == "eth2" {
				p.vmMaster = p.call(b, "Bond.get_master", bond).(string)
			}
		}
	}
	p.call(b, "network.create", map[string]any{"name_label": "private", "other_config": map[string]any{}})
	for tag := 1; tag <= vlans; tag++ {
		net := p.call(b, "network.create", map[string]any{"name_label": fmt.Sprintf("vlan %d", tag), "other_config": map[string]any{}})
		pifs := p.call(b, "pool.create_VLAN_from_PIF", p.vmMaster, net, int64(tag)).([]any)
		p.vlanPIF = pifs[0].(string)
	}
	scalePools[vlans] = p
	return p
}

// scaleSizes are the pool sizes measured: with the store's indexes every
// figure should hold from the small pool to the large one, except those
// that return the whole pool.
var scaleSizes = []int{100, 1000}

func eachScale(b *testing.B, bench func(b *testing.B, p *scalePool)) {
	// The checks of every commit cost the pool's size; they are the tests'.
	verify := verifyStore
	verifyStore = false
	defer func() { verifyStore = verify }()
	for _, n := range scaleSizes {
		b.Run(fmt.Sprintf("vlans=%d", n), func(b *testing.B) {
			p := buildScalePool(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			bench(b, p)
		})
	}
}

func BenchmarkScaleGetAllRecords(b *testing.B) {
	for _, class := range []string{"PIF", "network", "VLAN"} {
		b.Run(class, func(b *testing.B) {
			eachScale(b, func(b *testing.B, p *scalePool) {
				for b.Loop() {
					p.call(b, class+".get_all_records")
				}
			})
		})
	}
}

// BenchmarkScaleGetRecord reads a VLAN PIF, whose record does not grow
// with the pool, and the bond master under every VLAN, whose
// VLAN_slave_of lists them all.
func BenchmarkScaleGetRecord(b *testing.B) {
	b.Run("VLAN_PIF", func(b *testing.B) {
		eachScale(b, func(b *testing.B, p *scalePool) {
			for b.Loop() {
				p.call(b, "PIF.get_record", p.vlanPIF)
			}
		})
	})
	b.Run("bond_master", func(b *testing.B) {
		eachScale(b, func(b *testing.B, p *scalePool) {
			for b.Loop() {
				p.call(b, "PIF.get_record", p.vmMaster)
			}
		})
	})
}

func BenchmarkScaleEventFrom(b *testing.B) {
	b.Run("token=empty", func(b *testing.B) {
		eachScale(b, func(b *testing.B, p *scalePool) {
			for b.Loop() {
				p.call(b, "event.from", []any{"*"}, "", 0.0)
			}
		})
	})
	b.Run("token=recent", func(b *testing.B) {
		eachScale(b, func(b *testing.B, p *scalePool) {
			b.StopTimer()
			token := p.call(b, "event.from", []any{"*"}, "", 0.0).(map[string]any)["token"].(string)
			// A few changes since the token: what a provider's cache sees
			// between two polls.
			p.call(b, "PIF.add_to_other_config", p.vlanPIF, "bench", "1")
			p.call(b, "PIF.remove_from_other_config", p.vlanPIF, "bench")
			p.call(b, "network.create", map[string]any{"name_label": "bench", "other_config": map[string]any{}})
			b.StartTimer()
			for b.Loop() {
				batch := p.call(b, "event.from", []any{"*"}, token, 0.0).(map[string]any)
				if n := len(batch["events"].([]any)); n == 0 || n > 10 {
					b.Fatalf("%d events since the token", n)
				}
			}
		})
	})
}

// BenchmarkScaleVLAN times pool.create_VLAN_from_PIF (16 VLANs a call) and
// VLAN.destroy (one VLAN a call) on a pool that already has its VLANs.
func BenchmarkScaleVLAN(b *testing.B) {
	b.Run("create_VLAN_from_PIF", func(b *testing.B) {
		eachScale(b, func(b *testing.B, p *scalePool) {
			b.StopTimer()
			net := p.call(b, "network.create", map[string]any{"name_label": "bench", "other_config": map[string]any{}}).(string)
			b.StartTimer()
			for b.Loop() {
				pifs := p.call(b, "pool.create_VLAN_from_PIF", p.vmMaster, net, int64(4000)).([]any)
				b.StopTimer()
				for _, pif := range pifs {
					p.call(b, "VLAN.destroy", p.call(b, "PIF.get_VLAN_master_of", pif))
				}
				b.StartTimer()
			}
		})
	})
	b.Run("VLAN.destroy", func(b *testing.B) {
		eachScale(b, func(b *testing.B, p *scalePool) {
			b.StopTimer()
			net := p.call(b, "network.create", map[string]any{"name_label": "bench", "other_config": map[string]any{}}).(string)
			b.StartTimer()
			var vlans []any
			for b.Loop() {
				if len(vlans) == 0 {
					b.StopTimer()
					for _, pif := range p.call(b, "pool.create_VLAN_from_PIF", p.vmMaster, net, int64(4001)).([]any) {
						vlans = append(vlans, p.call(b, "PIF.get_VLAN_master_of", pif))
					}
					b.StartTimer()
				}
				p.call(b, "VLAN.destroy", vlans[0])
				vlans = vlans[1:]
			}
		})
	})
}
