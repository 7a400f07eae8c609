resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3 (VM traffic)"
  members    = ["eth2", "eth3"]
  mtu        = 9000
}

# VLAN 100 on every host, over the VM bond.
resource "xsnet_vlan" "web" {
  name_label        = "VLAN 100 (web)"
  tag               = 100
  parent_network_id = xsnet_bond.vm.id
  mtu               = 9000
}
