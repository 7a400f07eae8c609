# Credentials usually come from XENSERVER_HOST, XENSERVER_USERNAME and
# XENSERVER_PASSWORD; the block below sets them explicitly.
provider "xsnet" {
  host     = "https://xs-master.example.com"
  username = "root"
  password = var.xenserver_password

  # XenServer hosts ship self-signed certificates: pin the master's.
  tls_fingerprint = "3A:5F:0C:9E:41:77:B2:D8:6C:12:EE:90:4B:A3:7D:15:C8:29:F0:66:83:1E:D4:5B:A7:92:3C:08:E1:6F:B4:2D"
}

variable "xenserver_password" {
  type      = string
  sensitive = true
}
