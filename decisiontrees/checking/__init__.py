"""From syntax to a checked spec: names, trees, classes, laws and statements, every problem located."""
