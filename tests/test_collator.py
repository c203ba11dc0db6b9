from __future__ import annotations

from backable.core import blake2_256, check_collator_signature
from backable.shell.collaborators.availability_store import stand_in_erasure_root
from backable.shell.sim.collator import TOY_VALIDATION_CODE, Collator, toy_validation_function
from tests.shell_fixtures import RP, validation_data


def test_a_collation_has_a_real_signed_descriptor() -> None:
    pvd = validation_data(100)
    c = Collator(100).collate(RP, pvd, 6, payload=b"tx")
    d = c.receipt.descriptor
    assert check_collator_signature(d)
    assert d.persisted_validation_data_hash == pvd.hash()
    assert d.pov_hash == c.pov.hash()
    assert d.erasure_root == stand_in_erasure_root(6, c.pov, pvd)
    assert d.validation_code_hash == blake2_256(TOY_VALIDATION_CODE)
    assert d.para_head == blake2_256(c.committed.commitments.head_data)
    assert c.receipt == c.committed.to_plain()


def test_the_toy_para_accepts_its_blocks_and_rejects_invalid_ones() -> None:
    pvd = validation_data(100)
    good = Collator(100).collate(RP, pvd, 6)
    assert toy_validation_function(good.pov, pvd) == good.committed.commitments
    bad = Collator(100).collate(RP, pvd, 6, invalid=True)
    assert toy_validation_function(bad.pov, pvd) is None
    assert toy_validation_function(good.pov, validation_data(200)) is None  # wrong parent


def test_a_code_upgrade_is_carried_in_the_commitments() -> None:
    pvd = validation_data(100)
    c = Collator(100).collate(RP, pvd, 6, new_code=b"new code")
    assert c.committed.commitments.new_validation_code == b"new code"
