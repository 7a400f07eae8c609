data "xsnet_pool" "this" {}

# Where does each host's management live, and is every host in the pool?
output "management" {
  value = {
    for h in data.xsnet_pool.this.hosts :
    h.name_label => "${h.management_device} (MTU ${h.management_mtu})${h.live ? "" : ", NOT LIVE"}"
  }
}
