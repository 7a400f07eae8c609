# Import an IP configuration XenCenter made by the UUID of its network (xe pif-list IP=10.0.20.11 params=network-uuid).
terraform import xsnet_ip_interface.storage 7e2f9b4c-1a3d-4f5e-8b6c-0d2e4f6a8b0c
