"""The web layer: the Gradio chat page, the embeddable widget and the REST API, on one FastAPI app."""

from spinechat.web.gradio_stubs import install as _skip_gradio_stub_writing

# Before any module here imports Gradio (see gradio_stubs: 2.4 s of the app's start).
_skip_gradio_stub_writing()
