# Every host's management PIF.
data "xsnet_pifs" "management" {
  management = true
}

# Check before a change that management is on the same device everywhere.
output "management_devices" {
  value = distinct([for pif in data.xsnet_pifs.management.pifs : pif.device])
}

# eth2 on every host, with the VLAN PIFs tagged on it.
data "xsnet_pifs" "eth2" {
  device = "eth2"
}

output "eth2_macs" {
  value = { for pif in data.xsnet_pifs.eth2.pifs : pif.host_id => pif.mac if pif.vlan == -1 }
}

# Each host's address on the storage VLAN, as an xsnet_ip_interface or
# XenCenter's "Configure IP Addresses" gave them.
data "xsnet_network" "storage" {
  name_label = "VLAN 20 (storage)"
}

data "xsnet_pifs" "storage" {
  network_id = data.xsnet_network.storage.id
}

output "storage_addresses" {
  value = { for pif in data.xsnet_pifs.storage.pifs : pif.host_id => pif.ip }
}
