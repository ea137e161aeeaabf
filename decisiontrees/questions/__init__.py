"""Question families: one module each, a registry from names to families, and claim judging."""
