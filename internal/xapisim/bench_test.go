package xapisim

import (
	"testing"
)

// BenchmarkCalls measures calls per second over each protocol, HTTP
// included: PIF.get_record, the kind of call a plan makes by the hundred.
func BenchmarkCalls(b *testing.B) {
	for _, proto := range []string{"xmlrpc", "jsonrpc"} {
		b.Run(proto, func(b *testing.B) {
			s := Run(b, Config{})
			c := newClient(b, s.URL(), proto).login(s)
			pif := c.pif("xs-host-1", "eth0")
			params := []any{c.session, pif}
			b.ResetTimer()
			for b.Loop() {
				if r := c.raw("PIF.get_record", params...); r.Failure != nil {
					b.Fatal(r.Failure)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}
