"""The web layer: the Gradio chat page, the embeddable widget and the REST API, on one FastAPI app."""
