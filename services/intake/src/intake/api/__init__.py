"""Intake's REST resources, one blueprint per resource."""
