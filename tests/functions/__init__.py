"""Tests of the Lambda handlers under functions/."""
