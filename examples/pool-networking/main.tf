# The network of a four-host XenServer pool, as operators run it:
#
#   eth0+eth1  bond, balance-slb, MTU 1500, carries management (untagged)
#   eth2+eth3  bond, balance-slb, MTU 9000, carries VM traffic
#              VLANs 100-103 over it, MTU 9000
#   a private network for traffic between VMs
#
# A management bond at MTU 9000 made XenServer 6.1 hosts fall out of the pool
# after every reboot, and an LACP switch LAG under a balance-slb bond gives
# intermittent loss; xsnet refuses both at validate and plan time.

terraform {
  required_providers {
    xsnet = {
      source = "xsnet/xsnet"
    }
  }
}

# Credentials come from XENSERVER_HOST, XENSERVER_USERNAME and XENSERVER_PASSWORD.
provider "xsnet" {}

variable "vm_vlans" {
  description = "VM VLANs over the VM bond, by tag."
  type        = map(string)
  default = {
    100 = "web"
    101 = "app"
    102 = "db"
    103 = "backup"
  }
}

resource "xsnet_bond" "management" {
  name_label       = "Bond 0+1 (management)"
  name_description = "Management, untagged"
  members          = ["eth0", "eth1"]
  mode             = "balance-slb"
  mtu              = 1500
  management       = true
}

resource "xsnet_bond" "vm" {
  name_label       = "Bond 2+3 (VM traffic)"
  name_description = "VM VLANs, jumbo frames"
  members          = ["eth2", "eth3"]
  mode             = "balance-slb"
  mtu              = 9000
}

resource "xsnet_vlan" "vm" {
  for_each = var.vm_vlans

  name_label        = "VLAN ${each.key} (${each.value})"
  tag               = tonumber(each.key)
  parent_network_id = xsnet_bond.vm.id
  mtu               = 9000
}

resource "xsnet_network" "private" {
  name_label       = "Private (VM to VM)"
  name_description = "Reaches no NIC"
}

output "bonds" {
  value = {
    management = { id = xsnet_bond.management.id, hosts = xsnet_bond.management.hosts }
    vm         = { id = xsnet_bond.vm.id, hosts = xsnet_bond.vm.hosts }
  }
}

output "vlans" {
  value = { for tag, v in xsnet_vlan.vm : tag => v.id }
}
