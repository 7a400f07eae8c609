# The network of a four-host XenServer pool, as operators run it:
#
#   eth0+eth1  bond, balance-slb, MTU 1500, carries management (untagged)
#   eth2+eth3  bond, balance-slb, MTU 9000, carries VM traffic
#              VLANs 100-103 over it, MTU 9000
#              VLAN 20 over it, MTU 9000, for iSCSI storage: an address
#              on every host, 10.0.20.11 on the master and on from there
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

variable "storage_start_address" {
  description = "The pool master's address on the storage VLAN; the other hosts take the next ones."
  type        = string
  default     = "10.0.20.11"
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

resource "xsnet_vlan" "storage" {
  name_label        = "VLAN 20 (storage)"
  name_description  = "iSCSI, jumbo frames"
  tag               = 20
  parent_network_id = xsnet_bond.vm.id
  mtu               = 9000
}

# XenCenter's "Configure IP Addresses": a secondary interface on every host,
# numbered from the start address in host order, the pool master first.
resource "xsnet_ip_interface" "storage" {
  network_id    = xsnet_vlan.storage.id
  mode          = "static"
  start_address = var.storage_start_address
  netmask       = "255.255.255.0"
  purpose       = "Storage"
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

output "storage_addresses" {
  value = { for host, pif in xsnet_ip_interface.storage.hosts : host => pif.ip }
}
