"""The only code that talks to external solvers: z3 (smt.py) and Normaliz (normaliz.py)."""
