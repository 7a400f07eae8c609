# Import the pool by its UUID (xe pool-list params=uuid).
terraform import xsnet_pool.this 2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a
