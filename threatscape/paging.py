"""Keyset paging position for the explorer: which cursor to ask for next, and which rows are on screen."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Position:
    """Where the explorer is: the cursor to page from, the direction, and the row number shown first (0-based)."""

    cursor: int | None = None  # sort key to page after (None: from the start, or from the end if backward)
    backward: bool = False
    start: int = 0

    def settle(self, shown: int, total: int) -> "Position":
        """After a "last page" request, the first row's number is known only once the page is read."""
        if self.backward and self.cursor is None:
            return replace(self, start=max(0, total - shown))
        return self

    def move(self, to: str, *, first_key: int | None, last_key: int | None, shown: int, total: int,
             page_size: int) -> "Position":
        """The position after First, Previous, Next or Last, given the sort keys of the page on screen."""
        if to == "last":
            return Position(None, True, max(0, total - page_size))
        if to == "next":
            return Position(last_key, False, self.start + shown)
        if to == "previous" and self.start - page_size > 0:
            return Position(first_key, True, self.start - page_size)
        return Position()  # "first", or a previous page that is the first one
