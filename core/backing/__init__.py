"""Candidate Backing (implementers' guide, "Candidate Backing"): the statement table that counts
statements to a quorum and turns contradictions into evidence, group assignment, and the backing
job as a pure machine (`events.py` holds its inputs and outputs, `job.py` its step).
"""
