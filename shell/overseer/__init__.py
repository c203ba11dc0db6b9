"""The overseer and job machinery: the message bus with bounded inboxes (`bus.py`), the per-relay-
parent job lifecycle both subsystems share (`jobs.py`), the signals and the messages they carry.
"""
