"""Consultations: set-up, agenda, registration, breakout groups, threads and comments."""
