"""Checking the audit chain: any altered, removed or reordered row breaks it."""

from dataclasses import dataclass

from audit.models import GENESIS, Entry


@dataclass
class Problem:
    seq: int
    what: str

    def __str__(self) -> str:
        return f"entry #{self.seq}: {self.what}"


def verify_chain(batch_size: int = 2000) -> tuple[int, list[Problem]]:
    """Walk the chain in order; return (entries checked, problems found)."""
    problems: list[Problem] = []
    expected_seq, previous_hash, checked = 1, GENESIS, 0
    last_seq = 0
    while True:
        batch = list(Entry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            checked += 1
            if entry.seq != expected_seq:
                problems.append(Problem(entry.seq, f"expected #{expected_seq} here: entries removed or renumbered"))
            if entry.previous_hash != previous_hash:
                problems.append(Problem(entry.seq, "does not follow the entry before it: removed or reordered"))
            if entry.compute_hash() != entry.hash:
                problems.append(Problem(entry.seq, "content does not match its hash: altered"))
            expected_seq, previous_hash, last_seq = entry.seq + 1, entry.hash, entry.seq
    return checked, problems
