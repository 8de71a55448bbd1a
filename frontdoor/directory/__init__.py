"""Local information: community groups and services, and the needs they meet."""
