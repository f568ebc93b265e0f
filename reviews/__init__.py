"""Reviews: the regional review of the Global Compact for Migration that several consultations
feed, its synthesis, the synthesis's validation by silence procedure, and the follow-up of
the commitments organisations make against the recommendations."""
