"""``passkey-app provision / doctor / export / import``: wire a real user pool to the app.

Every AWS call goes through boto3 clients passed in (``AwsClients``), so the tests run the
same code against moto. Nothing here imports reflex.
"""
