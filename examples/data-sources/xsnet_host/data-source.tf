# A host by name, as XenCenter shows it.
data "xsnet_host" "xs01" {
  name_label = "xs01"
}

# The same host by UUID, which stays right if the host is renamed.
data "xsnet_host" "by_uuid" {
  uuid = "3f6c1a3e-5c0b-4d7e-9f6a-2b1e0c9d8a7f"
}

output "xs01_management" {
  value = "${data.xsnet_host.xs01.management_device} (${data.xsnet_host.xs01.address})"
}
