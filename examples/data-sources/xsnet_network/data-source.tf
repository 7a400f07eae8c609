# The network XenServer made for eth2 on every host.
data "xsnet_network" "eth2" {
  device = "eth2"
}

# A network by name, as XenCenter shows it.
data "xsnet_network" "storage" {
  name_label = "Storage"
}

# VM traffic on VLAN 120, tagged on eth2 across the pool.
resource "xsnet_vlan" "vm_120" {
  name_label        = "VM VLAN 120"
  tag               = 120
  parent_network_id = data.xsnet_network.eth2.id
}
