"""What the subsystems talk to, each a `typing.Protocol` with an in-memory implementation: the
runtime API, candidate validation, the availability store, the network (statement distribution
and PoV fetching), the dispute coordinator, and the keystore that holds sr25519 keys.
"""
