"""The simulation behind `backable simulate`: collators, the chain model that applies each
inherent, the adversaries, the run loop, and the report with its rendering.
"""
