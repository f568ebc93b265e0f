"""Accounts: sign-up, sign-in, profile, password change and reset."""
