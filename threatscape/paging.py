"""Keyset paging position for the explorer: which cursor to ask for next, and which rows are on screen.

The position is in the URL (`rows`), so that each page the user moves to is an entry in the browser's history and
a link opens the same page: `51-after-1234` (row 51 on, the rows after sort key 1234), `1-before-1234`, `last`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

_URL = re.compile(r"(?P<start>[1-9][0-9]{0,11})-(?P<way>after|before)-(?P<key>-?[0-9]{1,20})|last")


@dataclass(frozen=True)
class Position:
    """Where the explorer is: the cursor to page from, the direction, and the row number shown first (0-based)."""

    cursor: int | None = None  # sort key to page after (None: from the start, or from the end if backward)
    backward: bool = False
    start: int = 0

    def to_url(self) -> str:
        """The URL's `rows` value ("" for the first page)."""
        if self.cursor is None:
            return "last" if self.backward else ""
        return f"{self.start + 1}-{'before' if self.backward else 'after'}-{self.cursor}"

    @staticmethod
    def from_url(text: str | None) -> "Position | None":
        """The position a URL's `rows` value names; None when it names none."""
        if not text:
            return Position()
        found = _URL.fullmatch(text)
        if found is None:
            return None
        if text == "last":
            return Position(None, True, 0)
        return Position(int(found["key"]), found["way"] == "before", int(found["start"]) - 1)

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
