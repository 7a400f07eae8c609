package poolnet

import "testing"

func TestCompareDevices(t *testing.T) {
	ordered := []string{"eth0", "eth1", "eth2", "eth10", "eth11", "bond0", "bond1", "bond10", "ib0", "lo"}
	for i, a := range ordered {
		for j, b := range ordered {
			got := CompareDevices(a, b)
			switch {
			case i < j && got >= 0:
				t.Errorf("CompareDevices(%q, %q) = %d, want < 0", a, b, got)
			case i > j && got <= 0:
				t.Errorf("CompareDevices(%q, %q) = %d, want > 0", a, b, got)
			case i == j && got != 0:
				t.Errorf("CompareDevices(%q, %q) = %d, want 0", a, b, got)
			}
		}
	}
}
