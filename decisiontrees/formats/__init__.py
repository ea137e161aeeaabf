"""Other tools' files: JSON specs, Gambit .efg and SilverDecisions, in and out."""
