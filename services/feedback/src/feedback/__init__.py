"""Feedback (đánh giá, phản ánh kiến nghị): citizens' ratings and the figures leaders steer by."""
