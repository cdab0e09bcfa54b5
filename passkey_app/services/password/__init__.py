"""Signing in with the Cognito password a person already has."""
