"""Routing's REST resources (administration), one blueprint module each."""
