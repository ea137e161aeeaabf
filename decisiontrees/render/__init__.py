"""Pictures of trees: Graphviz DOT, TikZ, text outlines and the explain figure."""
