"""The two subsystems' drivers: each runs the core's pure job machine per relay parent, performs
the effects it asks for through the collaborators, and feeds the results back as events.
"""
