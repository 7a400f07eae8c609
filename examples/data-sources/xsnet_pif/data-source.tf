# The second NIC of one host; host takes a name or a UUID.
data "xsnet_pif" "xs01_eth1" {
  host   = "xs01"
  device = "eth1"
}

output "xs01_eth1" {
  value = {
    mac        = data.xsnet_pif.xs01_eth1.mac
    mtu        = data.xsnet_pif.xs01_eth1.mtu
    network_id = data.xsnet_pif.xs01_eth1.network_id
    bonded     = data.xsnet_pif.xs01_eth1.bond_slave_of != null
  }
}
