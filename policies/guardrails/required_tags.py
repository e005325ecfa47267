"""The tag keys every taggable resource must carry: the one list the components, the stack config
and the policy pack all read (plain data, so the pack imports it without the platform installed)."""

REQUIRED_TAG_KEYS: tuple[str, ...] = ("project", "environment", "owner", "cost-center", "data-classification")
