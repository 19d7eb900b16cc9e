"""The shared kernel of the motcua services."""
