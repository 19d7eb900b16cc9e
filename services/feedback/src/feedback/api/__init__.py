"""Feedback's REST resources, one blueprint module each."""
