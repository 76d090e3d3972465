"""The transport: the werkzeug app with the node's HTTP rules, auth, faults, the call journal, the
control plane, and the waitress runner that serves it."""
