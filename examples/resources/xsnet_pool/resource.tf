variable "new_host_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Adopt the pool, name it, and join a freshly installed host. The bonds and
# VLANs of the pool follow the host in: xapi copies them when it joins, and
# xsnet_bond and xsnet_vlan fill in any host that lacks them.
resource "xsnet_pool" "this" {
  name_label = "production"

  join = {
    "192.0.2.14" = {
      password_wo = var.new_host_password
    }
  }
}
