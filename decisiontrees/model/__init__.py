"""The immutable model: nodes, parameters and symbols, utility classes, laws and the checked spec."""
