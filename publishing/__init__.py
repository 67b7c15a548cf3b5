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

A real channel still needs (none of it can be done from code):
1. A Google Cloud project with YouTube Data API v3 enabled and an OAuth client "Desktop app";
   its JSON at YOUTUBE_CLIENT_SECRET_FILE, then ``manage.py youtube_auth`` once per channel.
2. The OAuth consent screen published "In production": in "Testing" refresh tokens die after
   7 days (UPLOAD_AUTH every week). Sensitive scopes (youtube, youtube.upload) need Google's
   verification for an external app.
3. The API compliance audit: until it passes, every API upload is locked private, whatever
   YOUTUBE_PRIVACY_STATUS or publishAt say. A quota increase beyond the defaults goes through it too.
4. A phone-verified channel for custom thumbnails (thumbnails.set answers 403 otherwise; the upload
   still succeeds) and for videos longer than 15 minutes (not an issue for Shorts).
"""
