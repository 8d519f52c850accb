"""Certification: tracks and their published criteria, eligibility, issuance and credentials."""
