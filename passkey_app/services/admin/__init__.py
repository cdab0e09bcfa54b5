"""The admin dashboard's service layer: every call takes the signed-in admin and checks them."""
