"""Draft recommendations, versions, amendments, vote rounds, votes, tallies and outcome
documents."""
