"""Does a node answer as its release does? Validation of answers, the model's invariants, and
``simnode check`` against any node."""

from simnode.conformance.check import CheckReport, check_node, validate, validate_result

__all__ = ["CheckReport", "check_node", "validate", "validate_result"]
