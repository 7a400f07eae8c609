package wire

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkJSONResultEach reads what event.from sends after one VLAN is
// made in a pool of 16 hosts that carry a thousand VLANs: each host's
// record with its list of a thousand PIFs, which xsnet leaves out, and the
// new VLAN's PIF on each host.
func BenchmarkJSONResultEach(b *testing.B) {
	var pifs []string
	for i := range 1000 {
		pifs = append(pifs, fmt.Sprintf(`"OpaqueRef:%08d-1b2c-4d5e-8f90-a1b2c3d4e5f6"`, i))
	}
	var events []string
	for h := range 16 {
		events = append(events,
			fmt.Sprintf(`{"id":"%d","timestamp":"20261202T03:00:00Z","class":"host","operation":"mod","ref":"OpaqueRef:h%d",`+
				`"snapshot":{"uuid":"h%d","name_label":"host-%d","address":"10.0.0.%d","PIFs":[%s],"software_version":{"product_version":"8.4.0","network_backend":"openvswitch"},"other_config":{}}}`,
				h, h, h, h, h, strings.Join(pifs, ",")),
			fmt.Sprintf(`{"id":"%d","timestamp":"20261202T03:00:00Z","class":"pif","operation":"add","ref":"OpaqueRef:p%d",`+
				`"snapshot":{"uuid":"p%d","device":"bond0","VLAN":1001,"MTU":1500,"host":"OpaqueRef:h%d","network":"OpaqueRef:n","management":false,"physical":false,"other_config":{},"VLAN_slave_of":[],"bond_master_of":[]}}`,
				h, h, h, h))
	}
	body := []byte(`{"result":{"events":[` + strings.Join(events, ",") + `],"valid_ref_counts":{"host":16},"token":"t"},"error":null,"id":1}`)
	omit := &Omit{Member: "snapshot", Fields: func(element map[string]any) map[string]bool {
		if element["class"] == "host" {
			return map[string]bool{"PIFs": true}
		}
		return nil
	}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := DecodeJSONResultEach(body, "events", omit, func(any) error { n++; return nil }); err != nil || n != 32 {
			b.Fatal(n, err)
		}
	}
}
