# One para's fragment chain (core/prospective/fragment_chain.py) run against a plain model of
# the rule's text (E.3.3, E.3.4): "the best chain is the candidates pending availability, then
# the longest chain of backed candidates from the required parent, taking at each head the backed
# child with the lowest candidate hash, with no cycle, relay parents never decreasing (and not
# below the constraints' minimum unless pending), at most max_backable_len of them after the
# pending ones". Rules second candidates (the parent drawn among the known heads, the root, or a
# head not produced yet), back candidates (known or not) and query backable chains.
#
# Every candidate outputs a head no other candidate outputs (and never the root's). Then each
# head has at most one producer, cycles can only form away from the root, and the chain's own
# refusals and trims (a higher-hash fork of a chain node, a relay parent below its parent's, a
# fork of a pending candidate) only ever remove candidates the greedy rule would never take, so
# the model may count every seconded candidate, refused or not.
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from backable.core import (
    BackableCandidateRef,
    CandidateEntry,
    CandidateState,
    CandidateStorage,
    FragmentChain,
    FragmentChainErrorKind,
    PendingAvailability,
    Scope,
    head_data_hash,
)
from tests.prospective_builders import block, constraints, entry

ROOT = b"\x00\x00"
BLOCKS = tuple(block(n, 0x10 + n) for n in range(4))
SCOPE_HASHES = frozenset(b.hash for b in BLOCKS)
MIN_RELAY_PARENT = 1
# No downward messages wait, watermarks are always the relay parent's (Head updates): the
# emulator's budgets never refuse a candidate, so the chain's own rules alone decide.
BASE = constraints(MIN_RELAY_PARENT, (0,), ROOT, dmp_remaining_messages=())


def label(n: int) -> bytes:
    return n.to_bytes(2, "big")


@dataclass
class Known:
    """What the model knows of one seconded candidate."""

    hash: bytes
    parent: bytes  # head data
    output: bytes
    relay_parent: int
    backed: bool
    pending: bool


def model_best_chain(known: dict[bytes, Known], max_backable_len: int) -> list[Known]:
    """The rule's text, greedily: from the root, at each head take the backed child that closes
    no cycle, whose relay parent is not below the previous one's (nor, unless pending, below the
    minimum), preferring a pending candidate, else the lowest hash."""
    pending = sum(k.pending for k in known.values())
    chain: list[Known] = []
    head, seen = ROOT, {ROOT}
    while len(chain) < pending + max_backable_len:
        floor = chain[-1].relay_parent if chain else 0
        options = [
            k
            for k in known.values()
            if k.backed
            and k.parent == head
            and k.output not in seen
            and k.relay_parent >= floor
            and (k.pending or k.relay_parent >= MIN_RELAY_PARENT)
        ]
        if not options:
            break
        best = min(options, key=lambda k: (not k.pending, k.hash))
        chain.append(best)
        head = best.output
        seen.add(head)
    return chain


def model_backable(
    chain: list[Known], ancestors: set[bytes], count: int
) -> list[BackableCandidateRef]:
    """Skip from the front while each next candidate is an ancestor; then up to `count`,
    stopping before one pending availability."""
    start = 0
    while start < len(chain) and chain[start].hash in ancestors:
        start += 1
    out: list[BackableCandidateRef] = []
    for k in chain[start : start + count]:
        if k.pending:
            break
        out.append(BackableCandidateRef(k.hash, BLOCKS[k.relay_parent].hash))
    return out


class FragmentChainMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.known: dict[bytes, Known] = {}
        self.entries: dict[bytes, CandidateEntry] = {}
        self.next_label = 1
        self.max_backable_len = 0
        self.chain = FragmentChain.init(Scope(BASE, (), 0, SCOPE_HASHES), CandidateStorage())

    def _back(self, candidate_hash: bytes) -> None:
        self.known[candidate_hash].backed = True
        before = self.chain.candidate_hashes()
        self.chain = self.chain.candidate_backed(candidate_hash)
        if self.chain.candidate_hashes()[: len(before)] != before:
            event("backing reorganised the chain")

    def _fresh(self) -> bytes:
        out = label(self.next_label)
        self.next_label += 1
        return out

    @initialize(
        max_backable_len=st.integers(0, 5),
        pending_relay_parents=st.lists(st.integers(0, 3), max_size=2).map(sorted),
    )
    def start(self, max_backable_len: int, pending_relay_parents: list[int]) -> None:
        self.max_backable_len = max_backable_len
        parent = ROOT
        on_chain: list[CandidateEntry] = []
        for rp in pending_relay_parents:
            made = entry(
                BLOCKS[rp],
                parent,
                self._fresh(),
                state=CandidateState.BACKED,
                processed_downward_messages=0,
            )
            on_chain.append(made)
            self.known[made.candidate_hash] = Known(
                made.candidate_hash, parent, made.candidate.commitments.head_data, rp, True, True
            )
            self.entries[made.candidate_hash] = made
            parent = made.candidate.commitments.head_data
        pending = tuple(
            PendingAvailability(e.candidate_hash, BLOCKS[self.known[e.candidate_hash].relay_parent])
            for e in on_chain
        )
        scope = Scope(BASE, pending, max_backable_len, SCOPE_HASHES)
        self.chain = FragmentChain.init(scope, CandidateStorage.of(on_chain))

    @rule(
        data=st.data(),
        rp=st.integers(0, 3),
        climb=st.booleans(),
        pov=st.integers(1, 255),
        pick=st.integers(0, 9),
        back_at_once=st.booleans(),
    )
    def second(
        self, data: st.DataObject, rp: int, climb: bool, pov: int, pick: int, back_at_once: bool
    ) -> None:
        # Mostly on the newest head (chains grow), else any known head (forks), the root, or a
        # head no candidate produced yet (an unconnected candidate, connected later or never).
        outputs = [k.output for k in self.known.values()]
        if pick < 5:
            parent = outputs[-1] if outputs else ROOT
        elif pick < 8:
            parent = data.draw(st.sampled_from([ROOT, *outputs]))
        elif pick < 9:
            parent = ROOT
        else:
            parent = label(self.next_label + data.draw(st.integers(1, 2)))
        if climb:
            # Relay parents mostly move forward, as collators build them.
            rp = max([rp, *(k.relay_parent for k in self.known.values())])
        self._second(parent, rp, pov, back_at_once)

    @rule(data=st.data(), pov=st.integers(1, 255), back_at_once=st.booleans())
    def second_under_a_waiting_parent(
        self, data: st.DataObject, pov: int, back_at_once: bool
    ) -> None:
        # A child of a candidate not backed yet, on an older or equal relay parent: accepted
        # while its parent is unconnected, it must stay out once the parent joins the chain.
        waiting = sorted(h for h, k in self.known.items() if not k.backed)
        if not waiting:
            return
        # Prefer a parent that joins the chain as soon as it is backed.
        tip = (
            self.chain.chain[-1].entry.candidate.commitments.head_data if self.chain.chain else ROOT
        )
        joining = [h for h in waiting if self.known[h].parent == tip]
        parent = self.known[data.draw(st.sampled_from(joining or waiting))]
        rp = data.draw(st.integers(MIN_RELAY_PARENT, max(parent.relay_parent, MIN_RELAY_PARENT)))
        self._second(parent.output, rp, pov, back_at_once)

    @rule(data=st.data(), pov=st.integers(1, 255), back_at_once=st.booleans())
    def fork_the_chain(self, data: st.DataObject, pov: int, back_at_once: bool) -> None:
        # A sibling of a chain candidate on the same relay parent: the fork choice decides.
        if not self.chain.chain:
            return
        node = data.draw(st.sampled_from(self.chain.chain))
        sibling_of = self.known[node.candidate_hash]
        self._second(sibling_of.parent, sibling_of.relay_parent, pov, back_at_once)

    def _second(self, parent: bytes, rp: int, pov: int, back_at_once: bool) -> None:
        output = self._fresh()
        made = entry(
            BLOCKS[rp], parent, output, pov_hash=bytes([pov]) * 32, processed_downward_messages=0
        )
        before = self.chain
        self.chain, problem = self.chain.try_adding_seconded_candidate(made)
        event(f"second: {'accepted' if problem is None else problem.kind.value}")
        if problem is not None:
            # A refusal leaves the chain as it was.
            assert self.chain is before
        else:
            assert self.chain.contains_unconnected_candidate(made.candidate_hash)
        self.known[made.candidate_hash] = Known(
            made.candidate_hash, parent, output, rp, False, False
        )
        self.entries[made.candidate_hash] = made
        if back_at_once:
            # The usual course: the backing group seconds and backs before the next step.
            self._back(made.candidate_hash)

    @rule(data=st.data())
    def second_again(self, data: st.DataObject) -> None:
        unbacked = sorted(h for h, k in self.known.items() if not k.backed)
        if not unbacked:
            return
        again = data.draw(st.sampled_from(unbacked))
        known_before = self.chain.contains(again) or self.chain.contains_unconnected_candidate(
            again
        )
        before = self.chain
        self.chain, problem = self.chain.try_adding_seconded_candidate(self.entries[again])
        if known_before:
            assert problem is not None
            assert problem.kind is FragmentChainErrorKind.CandidateAlreadyKnown
            assert self.chain is before

    @rule(data=st.data(), unknown=st.booleans())
    def back(self, data: st.DataObject, unknown: bool) -> None:
        if unknown or not self.known:
            # Backing a candidate the chain never saw changes nothing.
            stranger = data.draw(st.binary(min_size=32, max_size=32))
            if stranger not in self.known:
                assert self.chain.candidate_backed(stranger) is self.chain
            return
        waiting = sorted(h for h, k in self.known.items() if not k.backed)
        chosen = data.draw(st.sampled_from(waiting or sorted(self.known)))
        self._back(chosen)

    @rule(data=st.data(), count=st.integers(0, 6))
    def query(self, data: st.DataObject, count: int) -> None:
        best = model_best_chain(self.known, self.max_backable_len)
        pool = [k.hash for k in best] + [bytes(32)]
        ancestors = set(data.draw(st.lists(st.sampled_from(pool), max_size=4)))
        got = self.chain.find_backable_chain(ancestors, count)
        assert list(got) == model_backable(best, ancestors, count)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def the_best_chain_is_the_models(self) -> None:
        best = model_best_chain(self.known, self.max_backable_len)
        event(f"chain length {len(best)}, unconnected {min(len(self.chain.unconnected), 5)}+")
        assert self.chain.candidate_hashes() == tuple(k.hash for k in best)

    @invariant()
    def no_candidate_appears_twice(self) -> None:
        hashes = self.chain.candidate_hashes()
        assert len(hashes) == len(set(hashes))
        assert not set(hashes) & set(self.chain.unconnected.by_candidate_hash)

    @invariant()
    def every_link_builds_on_the_previous_output(self) -> None:
        expected = head_data_hash(ROOT)
        for node in self.chain.chain:
            assert node.parent_head_data_hash == expected
            expected = node.output_head_data_hash

    @invariant()
    def relay_parents_never_decrease_and_the_length_is_bounded(self) -> None:
        numbers = [node.relay_parent_number for node in self.chain.chain]
        assert numbers == sorted(numbers)
        scope = self.chain.scope
        assert len(self.chain) <= len(scope.pending_availability) + self.max_backable_len

    @invariant()
    def only_backed_candidates_are_in_the_chain(self) -> None:
        for node in self.chain.chain:
            assert node.entry.state is CandidateState.BACKED
            assert self.known[node.candidate_hash].backed


FragmentChainMachine.TestCase.settings = settings(
    FragmentChainMachine.TestCase.settings, stateful_step_count=40
)
TestFragmentChainMachine = FragmentChainMachine.TestCase
