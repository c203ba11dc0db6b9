"""Records and their wire forms: every type Polkadot puts on the wire (candidates, cores,
statements, bitfields, backed candidates, disputes, headers, the parachains inherent), each a
frozen dataclass validated on construction, with its SCALE encoding, the hashes and the exact
bytes a validator or collator signs. Misbehaviour evidence lives here too: it is a record the
statement table produces and the provisioner and dispute coordinator consume.
"""
