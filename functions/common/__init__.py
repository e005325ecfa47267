"""Code shared by the handlers: event contracts and validation, written once."""
