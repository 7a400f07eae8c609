# Management on a bond of the first two NICs: MTU 1500, balance-slb.
resource "xsnet_bond" "management" {
  name_label = "Bond 0+1 (management)"
  members    = ["eth0", "eth1"]
  management = true
}

# VM traffic on a bond of the other two, with jumbo frames.
resource "xsnet_bond" "vm" {
  name_label = "Bond 2+3 (VM traffic)"
  members    = ["eth2", "eth3"]
  mode       = "balance-slb"
  mtu        = 9000
}
