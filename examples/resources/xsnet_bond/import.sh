# Import a bond by the UUID of its network (xe network-list name-label=<name> params=uuid).
terraform import xsnet_bond.vm 5d1c7a2e-8f3b-4c6d-9e0a-2b4c6d8e0f1a
