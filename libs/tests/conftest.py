"""Hypothesis settings for the kernel's property tests.

The `fast` profile runs in `make test`: few enough examples to keep each test under a second, no example
database written into the work tree. HYPOTHESIS_PROFILE=thorough searches much harder.
"""

import os
from datetime import timedelta

from hypothesis import settings

settings.register_profile("fast", max_examples=100, deadline=timedelta(milliseconds=500), database=None)
settings.register_profile("thorough", max_examples=5000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))
