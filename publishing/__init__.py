"""Publishing: rendered posts → YouTube (or an export folder), scheduled, counted, removable.

Where a post waits and why (the admin shows ``error_code`` and ``error_message``):
- ``QUOTA_WAIT``: RENDERED until the next Pacific midnight (``not_before``); the posts sweep
  queues the upload again then. Quota never fails a post.
- ``UPLOAD_AUTH``: RENDERED, retried hourly; the YouTube token is missing, unreadable or revoked.
  Run ``python manage.py youtube_auth`` (needs YOUTUBE_CLIENT_SECRET_FILE) and the next retry, or
  the admin's "upload now", goes through. Chosen over FAILED because nothing is wrong with the post.
- ``UPLOAD_RETRY``: RENDERED after a transient error that outlasted the in-request retries; waits
  POST_RETRY_BACKOFF_SECONDS × 2^n, and after POST_MAX_ATTEMPTS such errors → FAILED UPLOAD_FAILED.
- ``UPLOAD_FAILED`` permanent: YouTube refused the video or metadata (4xx other than quota/auth).

Fake-server mode: ``YOUTUBE_API_ROOT=http://127.0.0.1:8765/`` (with
``python -m tests.publishing.fake_youtube --port 8765`` running) rewrites the shipped discovery
document's rootUrl; with no token file at YOUTUBE_TOKEN_FILE requests carry no credentials.
"""
