"""Lambda handlers, one folder each; ``functions/common`` holds the code they share.

Handlers import only the standard library, boto3 and ``functions.common``, so that a cold start
stays well under a second and a deployment package is a few kilobytes.
"""
