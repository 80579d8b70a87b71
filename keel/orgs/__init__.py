"""Organisation: org units, locations, calendars, users, role memberships, API tokens, scoping."""
