"""The two groups of misdeclaration the book evaluates, and which injected type belongs to which:
the single map that injection, evaluation, detectors' reasons and the review queue share."""

from __future__ import annotations

FREIGHT_GROUP, PRICE_GROUP = "운임", "단가"
FREIGHT_TYPES = ("a", "b", "c")
PRICE_TYPES = ("d", "e", "f")
TYPES_OF_GROUP = {FREIGHT_GROUP: FREIGHT_TYPES, PRICE_GROUP: PRICE_TYPES}
GROUP_OF_TYPE = {kind: group for group, kinds in TYPES_OF_GROUP.items() for kind in kinds}
ALL_TYPES = FREIGHT_TYPES + PRICE_TYPES
