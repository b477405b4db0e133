"""The published Annual Review of Social Value Impact (report §6): drafted and previewed by staff,
published by an admin as a fixed, versioned snapshot on /annual-review/<year>."""
