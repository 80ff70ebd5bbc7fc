"""Start spinechat's web app: settings from the environment, then serve (same as `spinechat serve`)."""

import sys

from spinechat.config import load_settings
from spinechat.errors import SpinechatError
from spinechat.wiring import serve


def main() -> int:
    try:
        serve(load_settings())
    except SpinechatError as err:
        print(f"spinechat: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
