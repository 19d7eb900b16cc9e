"""Routing (luân chuyển, xử lý hồ sơ): who does what by when, and the officials' workbench."""
