"""Cognito custom-auth Lambda triggers and the proof module they share with the app.

Standard library only: the deployed zip carries this folder and nothing else.
"""
