# A private network: VMs on it reach each other, and no NIC.
resource "xsnet_network" "backend" {
  name_label       = "backend-private"
  name_description = "Traffic between the application VMs only"
  mtu              = 9000
}
