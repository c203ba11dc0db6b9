"""Candidate Backing (implementers' guide, "Candidate Backing"): the statement table that counts
statements to a quorum and turns contradictions into evidence, group assignment, and the backing
job as a pure machine (`events.py` holds its inputs and outputs, `job.py` its step). Beside
them, today's rules (2024-2026): cores and groups from the claim queue (`async_setup.py`), and
the job of a scheduling parent that talks to prospective parachains (`async_events.py`,
`async_job.py`), and the backed candidates the provisioner asks of those jobs
(`async_backable.py`).
"""
