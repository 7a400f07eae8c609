package main

import (
	"fmt"
	"strconv"
	"strings"
)

// size is a pool of Hosts hosts whose configuration has VLANs pool-wide
// VLANs over the VM bond.
type size struct {
	Hosts, VLANs int
}

func (s size) String() string { return fmt.Sprintf("%dx%d", s.Hosts, s.VLANs) }

// fixedResources are the resources every configuration has besides its
// VLANs: the management bond, the VM bond and the private network.
const fixedResources = 3

// resources is how many resources the configuration declares.
func (s size) resources() int { return s.VLANs + fixedResources }

// nics is how many NICs each simulated host has: the two bonds take
// eth0 to eth3.
const nics = 4

// pifs is how many PIFs the pool holds once the configuration is applied:
// on every host its NICs, two bond masters and one untagged PIF per VLAN.
// A whole snapshot of the pool grows with it.
func (s size) pifs() int { return s.Hosts * (nics + 2 + s.VLANs) }

// firstTag is the tag of the first VLAN; the others follow it.
const firstTag = 100

// maxTag is the highest VLAN tag 802.1Q allows.
const maxTag = 4094

// parseSizes reads sizes written as "4x50,16x200": hosts x VLANs.
func parseSizes(s string, probeVLANs int) ([]size, error) {
	var out []size
	for field := range strings.SplitSeq(s, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		h, v, ok := strings.Cut(field, "x")
		hosts, err1 := strconv.Atoi(h)
		vlans, err2 := strconv.Atoi(v)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("size %q: write hosts x VLANs, such as 16x200", field)
		}
		sz := size{Hosts: hosts, VLANs: vlans}
		switch {
		case hosts < 1 || hosts > 200:
			return nil, fmt.Errorf("size %s: a pool has 1 to 200 hosts", sz)
		case vlans < 0 || firstTag+vlans+probeVLANs-1 > maxTag:
			return nil, fmt.Errorf("size %s: with %d VLANs added by the VLAN-create step, tags from %d would pass %d",
				sz, probeVLANs, firstTag, maxTag)
		}
		out = append(out, sz)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no sizes in %q", s)
	}
	return out, nil
}

// probeVariable is the Terraform variable that adds VLANs to an applied
// configuration: the VLAN-create step sets it.
const probeVariable = "probe_vlans"

// probeAddress is the resource the VLAN-create step targets.
const probeAddress = "xsnet_vlan.probe"

// xsnetConfig is the configuration of a size: a management bond over eth0
// and eth1 at MTU 1500, a VM bond over eth2 and eth3 at MTU 9000, a private
// network, the size's VLANs over the VM bond tagged from 100, and the VLANs
// the VLAN-create step adds, tagged after them. Credentials come from the
// environment.
func xsnetConfig(s size) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    xsnet = {
      source = "xsnet/xsnet"
    }
  }
}

# Credentials come from XENSERVER_HOST, XENSERVER_USERNAME and XENSERVER_PASSWORD.
provider "xsnet" {}

variable "%[1]s" {
  description = "VLANs added after the %[2]d below, tagged from %[3]d."
  type        = number
  default     = 0
}

resource "xsnet_bond" "management" {
  name_label = "Bond 0+1 (management)"
  members    = ["eth0", "eth1"]
  mode       = "balance-slb"
  mtu        = 1500
  management = true
}

resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3 (VM traffic)"
  members    = ["eth2", "eth3"]
  mode       = "balance-slb"
  mtu        = 9000
}

resource "xsnet_network" "private" {
  name_label = "Private (VM to VM)"
}

resource "xsnet_vlan" "vm" {
  count = %[2]d

  name_label        = "VLAN ${%[4]d + count.index}"
  tag               = %[4]d + count.index
  parent_network_id = xsnet_bond.vm.id
  mtu               = 9000
}

resource "xsnet_vlan" "probe" {
  count = var.%[1]s

  name_label        = "VLAN ${%[3]d + count.index}"
  tag               = %[3]d + count.index
  parent_network_id = xsnet_bond.vm.id
  mtu               = 9000
}
`, probeVariable, s.VLANs, firstTag+s.VLANs, firstTag)
}

// floorConfig is n of Terraform's built-in terraform_data resources: what
// Terraform itself costs for as many resources, with no provider to start
// and no pool to ask.
func floorConfig(n int) string {
	return fmt.Sprintf(`resource "terraform_data" "floor" {
  count = %d

  input = count.index
}
`, n)
}
