"""The DocumentStore component."""
