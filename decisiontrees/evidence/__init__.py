"""Evidence: internal exact checks of solver answers, and the stdlib-only certificate checker."""
