"""The Provisioner (implementers' guide, "Provisioner"): the 2/3 availability check, bitfield,
candidate and dispute selection, the whole provisioning pass (`assemble.py`), every way the chain
would refuse an inherent (`inherent_check.py`), and the provisioning job as a pure machine.
Today's candidate selection over prospective parachains' chains is `async_selection.py`.
"""
