"""The two groups of misdeclaration the book evaluates, and which injected type belongs to which:
the single map that injection, evaluation, detectors' reasons and the review queue share.

Types a-f change one row of one month (the default protocol). Types g-k are schemes that last
several months (the scheme protocol): each changed row carries the id of its scheme."""

from __future__ import annotations

FREIGHT_GROUP, PRICE_GROUP = "운임", "단가"
FREIGHT_TYPES = ("a", "b", "c")
PRICE_TYPES = ("d", "e", "f")
TYPES_OF_GROUP = {FREIGHT_GROUP: FREIGHT_TYPES, PRICE_GROUP: PRICE_TYPES}
ALL_TYPES = FREIGHT_TYPES + PRICE_TYPES  # the one-month types
SCHEME_TYPES = ("g", "h", "i", "j", "k")  # every scheme misdeclares the unit price
GROUP_OF_TYPE = {
    **{kind: group for group, kinds in TYPES_OF_GROUP.items() for kind in kinds},
    **dict.fromkeys(SCHEME_TYPES, PRICE_GROUP),
}
