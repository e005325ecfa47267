"""The Pulumi program: build every component the stack's config enables, in dependency order."""

from components.stack import build_stack

build_stack()
