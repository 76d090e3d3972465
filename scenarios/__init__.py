"""The scenario library, shipped as package data (see docs/scenarios.md)."""
