"""The offline plan: the real program under Pulumi mocks, the policy gate, and how plans are shown."""
