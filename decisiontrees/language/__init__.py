"""The spec language: grammar, syntax records, parser, diagnostics and the formatter."""
