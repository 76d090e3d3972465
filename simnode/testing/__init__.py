"""Property-based testing tools: hypothesis strategies and the stateful harness."""
