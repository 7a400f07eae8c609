data "xsnet_network" "eth2" {
  device = "eth2"
}

# A storage VLAN, tagged on eth2, with jumbo frames.
resource "xsnet_vlan" "storage" {
  name_label        = "VLAN 20 (storage)"
  tag               = 20
  parent_network_id = data.xsnet_network.eth2.id
}

# An address on every host for iSCSI: the master 10.0.20.11, the next
# host 10.0.20.12, and so on, as XenCenter numbers them.
resource "xsnet_ip_interface" "storage" {
  network_id    = xsnet_vlan.storage.id
  mode          = "static"
  start_address = "10.0.20.11"
  netmask       = "255.255.255.0"
  purpose       = "Storage"
}

# The same, each host's address written out, by host name or UUID.
resource "xsnet_ip_interface" "nfs" {
  network_id = data.xsnet_network.eth2.id
  mode       = "static"
  addresses = {
    "xs1" = "10.0.30.11"
    "xs2" = "10.0.30.12"
  }
  prefix_length = 24
  purpose       = "NFS"
}
