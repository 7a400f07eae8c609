# Import a network by its UUID (xe network-list name-label=<name> params=uuid).
terraform import xsnet_network.backend 9b6e4f0a-3c2d-4e5f-8a7b-1c2d3e4f5a6b
