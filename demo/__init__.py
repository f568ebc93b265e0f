"""The demo: a consultation modelled on the April 2024 Dakar Red Talks, its people and their
exchanges (``flask --app wsgi seed-demo``; ``make demo``). It stands on every area and no
area imports it."""

from demo.people import DEMO_PASSWORD
from demo.seeding import SeedReport, seed_demo

__all__ = ["DEMO_PASSWORD", "SeedReport", "seed_demo"]
