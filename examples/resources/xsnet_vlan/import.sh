# Import a VLAN by the UUID of its network (xe network-list name-label=<name> params=uuid).
terraform import xsnet_vlan.web 7e2f9b4c-1a3d-4f5e-8b6c-0d2e4f6a8b0c
