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
			c, _, vm, makeVLAN := vmBondPool(b, poolnet.Options{})
			ctx := context.Background()
			var ids []string
			for tag := range vlans {
				ids = append(ids, makeVLAN(100+tag))
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
			_, m, vm, makeVLAN := vmBondPool(b, poolnet.Options{MaxAge: time.Nanosecond})
			ctx := context.Background()
			for i := range vlans {
				makeVLAN(100 + i)
			}
			// The model learns of those first, so that every catch-up
			// timed is of one VLAN.
			if _, err := m.Snapshot(ctx); err != nil {
				b.Fatal(err)
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

// vmBondPool starts a pool of 16 hosts with four NICs and makes a VM bond
// of eth2 and eth3 through a model with opts. It returns the client, the
// model, the bond's network UUID, and makeVLAN, which makes a VLAN with
// the tag over the bond through the client alone, as another run of xsnet
// would, and returns its network's UUID.
func vmBondPool(b *testing.B, opts poolnet.Options) (*xenapi.Client, *poolnet.Model, string, func(tag int) string) {
	b.Helper()
	sim := xapisim.Run(b, xapisim.Config{Hosts: 16, NICs: 4})
	c, err := xenapi.NewClient(xenapi.Config{URL: sim.URL(), Username: sim.Username(), Password: sim.Password()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	m := poolnet.NewModel(c, opts)
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
	return c, m, vm, func(tag int) string {
		net, err := c.NetworkCreate(ctx, xenapi.Network{NameLabel: fmt.Sprintf("vlan %d", tag), OtherConfig: map[string]string{"xsnet_managed": "vlan"}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.PoolCreateVLANFromPIF(ctx, pif, net, int64(tag)); err != nil {
			b.Fatal(err)
		}
		n, err := xenapi.GetRecord[xenapi.Network](ctx, c, net)
		if err != nil {
			b.Fatal(err)
		}
		return n.UUID
	}
}
