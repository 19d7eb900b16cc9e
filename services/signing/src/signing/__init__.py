"""Signing (ký số): renders result documents, signs them (PAdES) and verifies signed PDFs."""
