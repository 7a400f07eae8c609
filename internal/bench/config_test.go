package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []size
	}{
		{"4x50,16x200,16x1000", []size{{4, 50}, {16, 200}, {16, 1000}}},
		{" 2x10 , 4x10 ,", []size{{2, 10}, {4, 10}}},
		{"1x0", []size{{1, 0}}},
		{"16x3985", []size{{16, 3985}}}, // tags 100 to 4084, and ten more to 4094
	} {
		got, err := parseSizes(tc.in, 10)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "16", "16x", "x200", "16by200", "0x10", "201x10", "4x-1", "16x3986"} {
		if got, err := parseSizes(in, 10); err == nil {
			t.Errorf("parseSizes(%q) = %v, want an error", in, got)
		}
	}
}

func TestSizeCounts(t *testing.T) {
	s := size{Hosts: 16, VLANs: 200}
	if s.String() != "16x200" || s.resources() != 203 || s.pifs() != 16*(4+2+200) {
		t.Errorf("16x200: %s, %d resources, %d PIFs", s, s.resources(), s.pifs())
	}
}

// The configuration is the pool-networking example grown: two bonds, a
// private network, the size's VLANs tagged from 100 over the VM bond, and
// the VLAN-create step's VLANs after them.
func TestXSNetConfig(t *testing.T) {
	cfg := xsnetConfig(size{Hosts: 4, VLANs: 50})
	blocks := regexp.MustCompile(`(?m)^resource "(\w+)" "(\w+)"`).FindAllStringSubmatch(cfg, -1)
	var names []string
	for _, b := range blocks {
		names = append(names, b[1]+"."+b[2])
	}
	want := []string{"xsnet_bond.management", "xsnet_bond.vm", "xsnet_network.private", "xsnet_vlan.vm", probeAddress}
	if !slices.Equal(names, want) {
		t.Errorf("resources %q, want %q", names, want)
	}
	for _, want := range []string{
		"members    = [\"eth0\", \"eth1\"]\n  mode       = \"balance-slb\"\n  mtu        = 1500\n  management = true\n",
		"members    = [\"eth2\", \"eth3\"]\n  mode       = \"balance-slb\"\n  mtu        = 9000\n}",
		"count = 50\n\n  name_label        = \"VLAN ${100 + count.index}\"\n  tag               = 100 + count.index\n  parent_network_id = xsnet_bond.vm.id\n",
		"count = var.probe_vlans\n\n  name_label        = \"VLAN ${150 + count.index}\"\n  tag               = 150 + count.index\n",
		`variable "probe_vlans"`,
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("the configuration lacks\n%s\nin\n%s", want, cfg)
		}
	}
	if n := strings.Count(cfg, "xsnet_bond.vm.id"); n != 2 {
		t.Errorf("%d VLAN resources sit on the VM bond, want 2", n)
	}
}

func TestFloorConfig(t *testing.T) {
	cfg := floorConfig(53)
	if !strings.Contains(cfg, `resource "terraform_data" "floor"`) || !strings.Contains(cfg, "count = 53\n") {
		t.Errorf("floorConfig(53):\n%s", cfg)
	}
}

// The configurations are written as terraform fmt writes them, so that
// one can be read, or copied, from a bench's directory as it is.
func TestConfigsAreFormatted(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs terraform; set TF_ACC=1")
	}
	for name, cfg := range map[string]string{"xsnet": xsnetConfig(size{Hosts: 16, VLANs: 1000}), "floor": floorConfig(1003)} {
		cmd := exec.CommandContext(t.Context(), "terraform", "fmt", "-check", "-")
		cmd.Env = cleanEnv()
		cmd.Stdin = strings.NewReader(cfg)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("terraform fmt would change the %s configuration: %v\n%s", name, err, out)
		}
	}
}
