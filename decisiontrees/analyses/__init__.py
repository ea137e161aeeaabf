"""Exact analyses over the model: plans, membership, relations, orbits, random agents, parameters."""
