"""The staff login page's markup (web.staff_login): Gradio's login page gets a title, a main
landmark and a heading; every other page passes through unchanged."""

from __future__ import annotations

from spinechat.web.staff_login import LOGIN_TITLE, mark_up_login_page

LOGIN_PAGE = (
    b"<html><head><meta charset=utf-8></head><body>"
    b'<script>window.gradio_config = {"auth_required":true,"root":"x"};</script>'
    b'<gradio-app control_page_title="true"></gradio-app></body></html>'
)


def test_the_login_page_gets_a_title_a_main_landmark_and_a_heading() -> None:
    page = mark_up_login_page(LOGIN_PAGE).decode()
    assert f"<title>{LOGIN_TITLE}</title>" in page
    assert page.index("<main") < page.index("<h1") < page.index("<gradio-app")
    assert page.index("</gradio-app>") < page.index("</main>")
    assert page.count("<main") == 1


def test_the_signed_in_page_and_other_responses_are_left_alone() -> None:
    signed_in = LOGIN_PAGE.replace(b'"auth_required":true', b'"title":"spinechat staff"')
    assert mark_up_login_page(signed_in) == signed_in
    assert mark_up_login_page(b"not html") == b"not html"
