package poolnet_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// What a plan of a large configuration costs the provider itself, with
// the pool read: every resource's ModifyPlan records its change and
// judges the end state. It must grow with the resources, not with their
// square.
func BenchmarkPlan(b *testing.B) {
	for _, vlans := range []int{100, 1000} {
		b.Run(fmt.Sprintf("16x%d", vlans), func(b *testing.B) {
			sim := xapisim.Run(b, xapisim.Config{Hosts: 16, NICs: 4})
			c, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			history := poolnet.NewModel(c, poolnet.Options{})
			vm, err := history.CreateBond(ctx, poolnet.BondSpec{NameLabel: "vm", Members: []string{"eth2", "eth3"},
				Mode: xenapi.BondModeBalanceSLB, MTU: 9000})
			if err != nil {
				b.Fatal(err)
			}
			s, err := history.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			vmRef, _, _ := s.NetworkByUUID(vm)
			pif, _, _ := s.NetworkPIF(s.Pool.Master, vmRef)
			var ids []string
			for tag := range vlans {
				net, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: fmt.Sprintf("vlan %d", tag), OtherConfig: map[string]string{"xsnet_managed": "vlan"}})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.PoolCreateVLANFromPIF(ctx, pif, net, int64(100+tag)); err != nil {
					b.Fatal(err)
				}
				n, _ := xenapi.GetRecord[xenapi.Network](ctx, c, net)
				ids = append(ids, n.UUID)
			}
			var judging time.Duration
			b.ResetTimer()
			for range b.N {
				m := poolnet.NewModel(c, poolnet.Options{MaxAge: time.Hour})
				start := time.Now()
				if _, err := m.Snapshot(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-load")
				start = time.Now()
				for i, id := range ids {
					if _, err := m.Plan(ctx, poolnet.Change{Kind: poolnet.Update, ID: id, Name: "vlan", VLAN: &poolnet.VLANChange{
						Parent: guardrail.Known(vm), Tag: guardrail.Known(int64(100 + i)), MTU: guardrail.Known(int64(1500))}}); err != nil {
						b.Fatal(err)
					}
				}
				judging += time.Since(start)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*vlans), "µs/resource")
			// A judgement alone, the load left out: it must not grow with
			// the resources planned before it.
			b.ReportMetric(float64(judging.Microseconds())/float64(b.N*vlans), "µs/judgement")
		})
	}
}

// What the model pays to learn of one VLAN made outside it, as an apply
// does after each VLAN it makes: one event.from catch-up and a new
// snapshot, its index derived from the last. It should cost the change,
// whatever the size of the pool. The simulated pool answers in this
// process, so its work on the answer counts here too. What still grows
// with the pool: xapi sends each host's record whole (its list of PIFs
// among it) and each bond master's, and the index's per-host lists of
// PIFs and per-NIC lists of VLANs are copied to insert one.
func BenchmarkCatchUp(b *testing.B) {
	for _, vlans := range []int{100, 1000} {
		b.Run(fmt.Sprintf("16x%d", vlans), func(b *testing.B) {
			sim := xapisim.Run(b, xapisim.Config{Hosts: 16, NICs: 4})
			c, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			m := poolnet.NewModel(c, poolnet.Options{MaxAge: time.Nanosecond})
			vm, err := m.CreateBond(ctx, poolnet.BondSpec{NameLabel: "vm", Members: []string{"eth2", "eth3"},
				Mode: xenapi.BondModeBalanceSLB, MTU: 9000})
			if err != nil {
				b.Fatal(err)
			}
			s, err := m.Snapshot(ctx)
			if err != nil {
				b.Fatal(err)
			}
			vmRef, _, _ := s.NetworkByUUID(vm)
			pif, _, _ := s.NetworkPIF(s.Pool.Master, vmRef)
			makeVLAN := func(tag int) {
				net, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: fmt.Sprintf("vlan %d", tag)})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.PoolCreateVLANFromPIF(ctx, pif, net, int64(tag)); err != nil {
					b.Fatal(err)
				}
			}
			for i := range vlans {
				makeVLAN(100 + i)
			}
			var (
				spent     time.Duration
				before    runtime.MemStats
				after     runtime.MemStats
				allocated uint64
			)
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				makeVLAN(100 + vlans + i)
				runtime.ReadMemStats(&before)
				b.StartTimer()
				start := time.Now()
				s, err := m.Snapshot(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, ok := s.NetworkByUUID(vm); !ok {
					b.Fatal("the bond's network is gone")
				}
				spent += time.Since(start)
				b.StopTimer()
				runtime.ReadMemStats(&after)
				allocated += after.TotalAlloc - before.TotalAlloc
				b.StartTimer()
			}
			b.ReportMetric(float64(spent.Microseconds())/float64(b.N), "µs/catch-up")
			b.ReportMetric(float64(allocated)/1024/float64(b.N), "kB/catch-up")
		})
	}
}
