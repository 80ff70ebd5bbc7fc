"""Start spinechat's web app: settings from the environment, then serve (same as `spinechat serve`)."""

from spinechat.config import load_settings
from spinechat.web.app import serve

if __name__ == "__main__":
    serve(load_settings())
