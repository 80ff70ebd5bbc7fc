"""The chat page's "Report a problem with this answer" (issue 14): the link under each finished
answer and the form it opens, which posts to ``/api/report`` (``web.api``).

Kept apart from ``web.ui`` because it is a piece of browser code with its own styles; the page
adds ``REPORT_HEAD`` to its ``<head>`` and ``answer_html`` appends ``report_link_html``.
"""

from __future__ import annotations

import re

REPORT_LINK_TEXT = "Report a problem with this answer"


# The "report a problem" form (issue 14): a native <dialog> opened from the link under a finished
# answer, so the keyboard and screen readers get a modal with its focus trap and Escape for free.
# It posts the answer's id, the kind and the optional comment to /api/report (same origin, JSON,
# so the API's origin, body and rate limits apply). Radios and buttons are 24x24 px or more (WCAG
# 2.5.8); the wording is the patient's, with where to turn when unwell now.
REPORT_HEAD = r"""<style>
#spinechat-report-dialog { max-width: 32rem; border: 1px solid #64748b; border-radius: 8px;
  padding: 1rem 1.25rem; color: #0f172a; background: #ffffff; font-size: 1rem; }
#spinechat-report-dialog::backdrop { background: rgba(15, 23, 42, 0.4); }
#spinechat-report-dialog h2 { font-size: 1.15rem; margin: 0 0 0.5rem; }
#spinechat-report-dialog fieldset { border: 0; padding: 0; margin: 0 0 0.75rem; }
#spinechat-report-dialog legend { font-weight: 600; margin-bottom: 0.25rem; }
#spinechat-report-dialog label { display: flex; align-items: center; gap: 0.5rem;
  min-height: 1.75rem; }
#spinechat-report-dialog input[type="radio"] { width: 1.5rem; height: 1.5rem; margin: 0; }
#spinechat-report-dialog textarea { width: 100%; min-height: 4rem; border: 1px solid #64748b;
  border-radius: 6px; padding: 4px; font: inherit; box-sizing: border-box; }
#spinechat-report-dialog .buttons { display: flex; gap: 0.75rem; margin-top: 0.75rem; }
#spinechat-report-dialog button { min-height: 2rem; min-width: 1.5rem; padding: 0 0.75rem;
  border-radius: 6px; border: 1px solid #1d4ed8; font: inherit; cursor: pointer; }
#spinechat-report-dialog button.send { background: #1d4ed8; color: #ffffff; }
#spinechat-report-dialog button.cancel { background: #ffffff; color: #1d4ed8; }
#spinechat-report-dialog :focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.spinechat-report { margin: 0.5rem 0 0; }
a.spinechat-report-link { display: inline-block; min-height: 1.5rem; line-height: 1.5rem; }
</style>
<script>
(() => {
  const TEXT = {
    sent: "Thank you. Our clinical team will look at this answer.",
    failed: "Sorry, your report could not be sent. Please try again later.",
  };
  let dialog = null;
  let answerId = "";
  let opener = null;
  const build = () => {
    dialog = document.createElement("dialog");
    dialog.id = "spinechat-report-dialog";
    dialog.setAttribute("aria-labelledby", "spinechat-report-title");
    dialog.innerHTML = `<form>
<h2 id="spinechat-report-title">Report a problem with this answer</h2>
<p>If you feel unwell now, do not wait for a reply: contact your spine team, or call
emergency services.</p>
<fieldset><legend>What is the problem?</legend>
<label><input type="radio" name="kind" value="harmful" required>It could cause harm, or it is wrong</label>
<label><input type="radio" name="kind" value="unanswered">It does not answer my question</label>
<label><input type="radio" name="kind" value="other">Something else</label>
</fieldset>
<label for="spinechat-report-comment">Tell us more (optional). Please leave out your name and contact details.</label>
<textarea id="spinechat-report-comment" name="comment" maxlength="2000"></textarea>
<p id="spinechat-report-status" role="status"></p>
<div class="buttons"><button type="submit" class="send">Send report</button>
<button type="button" class="cancel">Close</button></div>
</form>`;
    document.body.appendChild(dialog);
    const form = dialog.querySelector("form");
    dialog.querySelector("button.cancel").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { if (opener) opener.focus(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = dialog.querySelector("#spinechat-report-status");
      const send = dialog.querySelector("button.send");
      const data = new FormData(form);
      send.disabled = true;
      const base = location.pathname.replace(/embed\/?$/, "").replace(/[^/]*$/, "");
      try {
        const response = await fetch(base + "api/report", {
          method: "POST",
          headers: {"Content-Type": "application/json"},
          body: JSON.stringify({answer_id: answerId, kind: data.get("kind"),
                                comment: String(data.get("comment") || "")}),
        });
        if (response.ok) {
          status.textContent = TEXT.sent;
          form.querySelector("fieldset").disabled = true;
          form.querySelector("textarea").disabled = true;
          dialog.querySelector("button.cancel").focus();
          return;
        }
        status.textContent = TEXT.failed;
      } catch (err) {
        status.textContent = TEXT.failed;
      }
      send.disabled = false;
    });
  };
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a.spinechat-report-link");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    if (dialog) dialog.remove();
    build();
    answerId = (link.getAttribute("href") || "").replace("#spinechat-report-", "");
    opener = link;
    dialog.showModal();
  }, true);
})();
</script>"""


def report_link_html(answer_id: str) -> str:
    """The link under a finished answer that opens the "report a problem" form (``REPORT_JS``).

    A link, not a button: Gradio's chat sanitiser keeps links and drops form controls. The
    answer's id rides in the fragment; the form posts it to /api/report, and the server looks up
    the answer it gave under that id (the page sends no answer text).
    """
    safe = re.sub(r"[^A-Za-z0-9]", "", answer_id)[:64]
    return (
        f'\n\n<p class="spinechat-report"><a href="#spinechat-report-{safe}" '
        f'class="spinechat-report-link">{REPORT_LINK_TEXT}</a></p>'
    )
