# Import where management lives by the pool's UUID (xe pool-list params=uuid).
terraform import xsnet_management_interface.this 5d1c7a2e-8f3b-4c6d-9e0a-2b4c6d8e0f1a
