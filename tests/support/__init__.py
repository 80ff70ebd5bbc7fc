"""Helpers the test modules share; fixtures built on them live in ``tests/conftest.py``.

- ``env``: the environment a test or a subprocess runs in (no ``SPINECHAT_*``, no ``OPENAI_*``).
- ``model_guard``: the switch that refuses any model request to a host other than loopback.
- ``cli``: the ``spinechat`` command run as a subprocess.
- ``browser``: chromium under Playwright cut off from other hosts, screenshots, axe and Lighthouse.
- ``processes``: ``python app.py`` and ``chroma run`` as subprocesses, until a block ends.
- ``servers``: an ASGI app on uvicorn, or a folder of static files, in a thread.
- ``triage``: the urgency a ``Triager`` gives a conversation.
- ``sse``: reading a server-sent event stream.
- ``corpus``: synthetic knowledge folders for index tests; the seeded index with one planted document.
- ``clock``: the day the app reads, set by the test.
- ``embedders``: the real embedder wrapped to count its work or to pose as another model.
"""
