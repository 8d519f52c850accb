"""The roster of certified professionals: profiles, consent, search and SME matching."""
