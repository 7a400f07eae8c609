data "xsnet_network" "eth1" {
  device = "eth1"
}

# Management tagged on VLAN 10, with every host keeping its address.
resource "xsnet_vlan" "management" {
  name_label        = "VLAN 10 (management)"
  tag               = 10
  parent_network_id = data.xsnet_network.eth1.id
  mtu               = 1500
}

resource "xsnet_management_interface" "this" {
  network_id = xsnet_vlan.management.id
}
