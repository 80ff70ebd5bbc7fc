/*
 * spinechat widget: one <script> tag on a hospital's page adds a chat launcher and panel that
 * talk to the spinechat server's REST + SSE API (POST /api/ask/stream).
 *
 * No framework, no eval, no inline handlers: it runs under a strict CSP with a nonce (the nonce of
 * this script tag is copied to the widget's <style>). Everything lives in a Shadow DOM so the host
 * page's CSS cannot reach in and the widget's CSS cannot reach out. Text from the server or from
 * data attributes is only ever set as text (textContent / createTextNode), never as HTML.
 * Sizes are em on a root of `font-size: medium`: they follow the browser's text-size setting but
 * not the host page's own font sizes.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__spinechatWidget) return;
  window.__spinechatWidget = true;

  var MAX_CHARS = 4000;
  var BASE = script.src.replace(/\/widget(?:\/[\w.-]+)?\.js(?:[?#].*)?$/, "");
  var data = script.dataset;
  var STORE_KEY = "spinechat:" + BASE;
  var REDUCED = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var NOTE =
    "This is general information from our sources, not a diagnosis or advice about your own " +
    "case. Talk to your surgeon or spine team about your situation.";
  var DEFAULTS = { primary: "#1d4ed8", text: "#ffffff", dark: "#111827" };

  // ---- configuration: every attribute is validated; bad values fall back to defaults ----------

  function text(value, fallback, max) {
    if (typeof value !== "string") return fallback;
    var clean = value.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
    return clean ? clean.slice(0, max || 200) : fallback;
  }

  function colour(value) {
    if (typeof value !== "string") return null;
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
    if (!m) return null;
    var hex = m[1];
    if (hex.length === 3) hex = hex[0] + hex[0] + hex[1] + hex[1] + hex[2] + hex[2];
    return "#" + hex.toLowerCase();
  }

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function httpUrl(value) {
    if (typeof value !== "string" || !value.trim()) return null;
    try {
      var url = new URL(value.trim(), document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function phone(value) {
    var clean = text(value, "", 40);
    return /^\+?[\d ()-]{2,30}$/.test(clean) && clean.replace(/\D/g, "").length >= 3 ? clean : "";
  }

  function configure() {
    var primary = colour(data.primaryColor) || DEFAULTS.primary;
    // The primary colour fills the header and buttons and colours links on white: if it is too
    // light for white text or for links, keep the hospital's colour only where it stays readable.
    if (contrast(primary, "#ffffff") < 3) primary = DEFAULTS.primary;
    var onPrimary = colour(data.textColor);
    if (!onPrimary || contrast(onPrimary, primary) < 4.5) {
      onPrimary = contrast("#ffffff", primary) >= 4.5 ? "#ffffff" : DEFAULTS.dark;
    }
    var link = contrast(primary, "#ffffff") >= 4.5 ? primary : DEFAULTS.primary;
    var font = text(data.font, "", 200);
    if (!/^[\w\s,"'-]+$/.test(font)) font = "";
    var lang = text(data.lang, "en", 35);
    if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/.test(lang)) lang = "en";
    return {
      title: text(data.title, "Questions about your spinal hardware", 80),
      greeting: text(
        data.greeting,
        "Hello. Ask a general question about spinal screws, rods and plates.",
        400
      ),
      examples: text(data.examples, "", 1200)
        .split("|")
        .map(function (q) { return text(q, "", 200); })
        .filter(Boolean)
        .slice(0, 4),
      primary: primary,
      onPrimary: onPrimary,
      link: link,
      font: font,
      left: data.position === "left",
      emergency: phone(data.emergencyNumber),
      careTeam: text(data.careTeam, "", 200),
      privacy: httpUrl(data.privacyUrl),
      accessibility: httpUrl(data.accessibilityUrl),
      lang: lang,
    };
  }

  var config = configure();

  // ---- analytics: events without the patient's words ---------------------------------------------

  function emit(name, detail) {
    var payload = detail || {};
    window.dispatchEvent(new CustomEvent("spinechat:" + name, { detail: payload }));
    try {
      window.postMessage({ source: "spinechat", type: name, detail: payload }, window.location.origin);
    } catch (e) {
      /* an opaque origin (file://) cannot receive it; the CustomEvent is enough */
    }
  }

  // ---- DOM helpers: text only, never HTML ---------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) {
        node.setAttribute(key, attrs[key] === true ? "" : String(attrs[key]));
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var PHONE = /(\+?\d[\d ()-]{1,18}\d)/g;

  // Text with every phone number a tap-to-call link.
  function withCallLinks(value) {
    var frag = document.createDocumentFragment();
    var last = 0;
    value.replace(PHONE, function (match, number, offset) {
      var dial = number.replace(/[^\d+]/g, "");
      if (dial.replace("+", "").length < 3) return match;
      frag.appendChild(document.createTextNode(value.slice(last, offset)));
      frag.appendChild(el("a", { href: "tel:" + dial, class: "tel" }, [number]));
      last = offset + match.length;
      return match;
    });
    frag.appendChild(document.createTextNode(value.slice(last)));
    return frag;
  }

  var STYLE = [
    ":host{all:initial}",
    ".root{font-size:medium;font-family:var(--sc-font,system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif);",
    "line-height:1.5;color:#111827;-webkit-text-size-adjust:100%}",
    ".root *{box-sizing:border-box;font-family:inherit;font-size:inherit;line-height:inherit}",
    "button,textarea{font:inherit;color:inherit}",
    ".launcher{position:fixed;bottom:1em;z-index:2147483000;min-width:3.5em;min-height:3.5em;",
    "padding:0 1.1em;border:0;border-radius:1.75em;background:var(--sc-primary);color:var(--sc-on-primary);",
    "font-weight:600;cursor:pointer;box-shadow:0 0.2em 0.8em rgba(0,0,0,.3)}",
    ".right{right:1em}.left{left:1em}",
    ":focus-visible{outline:0.2em solid #111827;outline-offset:0.15em;box-shadow:0 0 0 0.35em #ffffff}",
    ".panel{position:fixed;bottom:5.5em;z-index:2147483001;width:min(26em,calc(100vw - 2em));",
    "height:min(40em,calc(100vh - 7em));display:flex;flex-direction:column;background:#ffffff;",
    "border:1px solid #6b7280;border-radius:0.75em;box-shadow:0 0.5em 2em rgba(0,0,0,.3);overflow:hidden}",
    ".panel[hidden]{display:none}",
    "@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0;border:0}}",
    "header{display:flex;align-items:center;gap:0.5em;padding:0.6em 0.75em;background:var(--sc-primary);color:var(--sc-on-primary)}",
    "h2{margin:0;flex:1;font-size:1.1em;font-weight:700}",
    ".icon{min-width:2.75em;min-height:2.75em;border:0;border-radius:0.4em;background:transparent;color:inherit;cursor:pointer;font-size:1em}",
    ".body{flex:1;overflow-y:auto;padding:0.75em;overscroll-behavior:contain}",
    ".note{margin:0 0 0.75em;padding:0.5em 0.6em;background:#f3f4f6;border-radius:0.4em;font-size:0.9em}",
    ".msg{margin:0 0 0.9em}.msg p{margin:0 0 0.5em}",
    ".user{margin-left:2em;padding:0.5em 0.7em;background:#eef2ff;border-radius:0.6em;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".bot{overflow-wrap:anywhere}",
    ".who{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "a{color:var(--sc-link)}",
    ".cite{font-weight:600;display:inline-block;min-width:1.5em;min-height:1.5em;text-align:center}",
    ".banner{margin:0 0 0.6em;padding:0.6em 0.75em;border-radius:0.4em;border:0.15em solid}",
    ".banner strong{display:block}",
    ".banner--emergency{background:#fef2f2;border-color:#b91c1c;color:#7f1d1d}",
    ".banner--urgent{background:#fffbeb;border-color:#b45309;color:#78350f}",
    ".banner a{color:inherit;font-weight:700;display:inline-block;min-height:1.5em}",
    ".sources{margin:0.4em 0 0;padding:0.5em 0.6em;border-left:0.2em solid #9ca3af;font-size:0.9em}",
    ".sources h3{margin:0 0 0.25em;font-size:1em}.sources ol{margin:0;padding-left:1.4em}",
    ".sources li{margin:0 0 0.4em}.sources li:focus{background:#fef9c3;outline:0.15em solid #111827}",
    ".key{margin:0 0 0.3em;color:#374151}",
    ".snippet{display:block;color:#374151}",
    ".examples{display:flex;flex-wrap:wrap;gap:0.4em;margin:0 0 0.75em}",
    ".example{min-height:2.75em;padding:0.3em 0.7em;border:0.1em solid var(--sc-link);border-radius:1.4em;background:#fff;color:var(--sc-link);cursor:pointer;text-align:left}",
    "form{border-top:1px solid #9ca3af;padding:0.6em 0.75em}",
    "label{display:block;font-weight:600;margin-bottom:0.25em}",
    "textarea{width:100%;min-height:3.2em;max-height:10em;resize:vertical;padding:0.4em 0.5em;border:0.1em solid #6b7280;border-radius:0.4em;background:#fff}",
    ".row{display:flex;gap:0.5em;align-items:center;margin-top:0.4em;flex-wrap:wrap}",
    ".send{min-height:2.75em;padding:0 1.2em;border:0;border-radius:0.4em;background:var(--sc-primary);color:var(--sc-on-primary);font-weight:600;cursor:pointer}",
    ".send[disabled]{opacity:.6;cursor:wait}",
    ".plain{min-height:2.75em;padding:0 0.6em;border:0.1em solid #6b7280;border-radius:0.4em;background:#fff;cursor:pointer}",
    ".problem{margin:0.4em 0 0;color:#991b1b;font-weight:600}",
    ".problem:empty{display:none}",
    "footer{padding:0 0.75em 0.5em;font-size:0.85em}footer a{display:inline-block;min-height:1.8em;margin-right:1em}",
    "@media (prefers-reduced-motion:no-preference){.panel{transition:opacity .15s}}",
  ].join("\n");

  // ---- the widget -------------------------------------------------------------------------------

  var host = el("div", { "data-spinechat-widget": "" });
  var shadow = host.attachShadow({ mode: "open" });
  var style = el("style", { nonce: script.nonce || null }, [STYLE]);
  var root = el("div", { class: "root", lang: config.lang });
  root.style.setProperty("--sc-primary", config.primary);
  root.style.setProperty("--sc-on-primary", config.onPrimary);
  root.style.setProperty("--sc-link", config.link);
  if (config.font) root.style.setProperty("--sc-font", config.font);

  var side = config.left ? "left" : "right";
  var launcher = el(
    "button",
    { type: "button", class: "launcher " + side, "aria-expanded": "false", "aria-controls": "sc-panel" },
    ["Ask a question"]
  );
  launcher.setAttribute("aria-label", "Ask a question: " + config.title);
  var titleEl = el("h2", { id: "sc-title" }, [config.title]);
  var closeBtn = el("button", { type: "button", class: "icon", "aria-label": "Close chat" }, ["\u2715"]);
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var problem = el("p", { class: "problem", id: "sc-problem", role: "alert" });
  var box = el("textarea", { id: "sc-question", name: "question", rows: "2", "aria-describedby": "sc-problem" });
  var send = el("button", { type: "submit", class: "send" }, ["Send"]);
  var clear = el("button", { type: "button", class: "plain" }, ["Clear conversation"]);
  var examples = el("div", { class: "examples" });
  config.examples.forEach(function (q) {
    var b = el("button", { type: "button", class: "example" }, [q]);
    b.addEventListener("click", function () { ask(q); });
    examples.appendChild(b);
  });
  var body = el("div", { class: "body" }, [
    el("p", { class: "note", role: "note" }, [NOTE]),
    el("p", { class: "greeting" }, [config.greeting]),
    examples,
    log,
  ]);
  var form = el("form", { novalidate: true }, [
    el("label", { for: "sc-question" }, ["Your question"]),
    box,
    el("div", { class: "row" }, [send, clear]),
    problem,
  ]);
  var links = [];
  if (config.privacy) links.push(el("a", { href: config.privacy, target: "_blank", rel: "noopener" }, ["Privacy"]));
  if (config.accessibility) {
    links.push(el("a", { href: config.accessibility, target: "_blank", rel: "noopener" }, ["Accessibility"]));
  }
  links.push(el("a", { href: BASE + "/", target: "_blank", rel: "noopener" }, ["Open in a new tab"]));
  var panel = el(
    "div",
    { id: "sc-panel", class: "panel " + side, role: "dialog", "aria-labelledby": "sc-title", hidden: true },
    [el("header", {}, [titleEl, closeBtn]), body, form, el("footer", {}, links)]
  );
  root.appendChild(launcher);
  root.appendChild(panel);
  shadow.appendChild(style);
  shadow.appendChild(root);

  // ---- state kept in the tab: survives reloads, gone when the tab closes ----------------------------

  var state = load();
  var busy = false;
  var answerCount = 0;

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.turns)) return saved;
    } catch (e) {
      /* storage blocked or corrupt: start afresh */
    }
    return { open: false, turns: [] };
  }

  function save() {
    try {
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) {
      /* storage full or blocked: the conversation lives only on this page */
    }
  }

  // ---- rendering ------------------------------------------------------------------------------

  function bannerFor(urgency) {
    if (urgency !== "emergency" && urgency !== "urgent") return null;
    var banner = el("div", { class: "banner banner--" + urgency, role: "alert" });
    banner.appendChild(
      el("strong", {}, [urgency === "emergency" ? "Seek emergency care now" : "Contact your care team today"])
    );
    var line = el("p", {});
    if (urgency === "emergency" && config.emergency) {
      line.appendChild(withCallLinks("Call " + config.emergency + " or go to your nearest emergency department."));
    } else if (urgency === "emergency") {
      line.appendChild(document.createTextNode("Call your local emergency number or go to your nearest emergency department."));
    }
    if (config.careTeam) {
      line.appendChild(document.createTextNode(line.childNodes.length ? " " : ""));
      line.appendChild(withCallLinks("Your care team: " + config.careTeam));
    }
    if (line.childNodes.length) banner.appendChild(line);
    return banner;
  }

  // The answer's text as paragraphs, each [n] a link to this answer's own source n.
  function answerText(container, value, sources, prefix) {
    container.textContent = "";
    var known = {};
    (sources || []).forEach(function (s) { known[s.n] = s; });
    value.split(/\n{2,}/).forEach(function (para) {
      if (!para.trim()) return;
      var p = el("p", {});
      var last = 0;
      para.replace(/\[(\d{1,2})\]/g, function (match, n, offset) {
        p.appendChild(document.createTextNode(para.slice(last, offset)));
        if (known[n]) {
          // The title shows the source on hover; a tap jumps to it and highlights it.
          var source = known[n];
          p.appendChild(
            el("a", {
              href: "#" + prefix + "-src-" + n,
              class: "cite",
              "aria-label": "source " + n,
              title: text(source.title, "", 300) + (source.section ? " \u2014 " + text(source.section, "", 300) : ""),
            }, [match])
          );
        } else {
          p.appendChild(document.createTextNode(match));
        }
        last = offset + match.length;
        return match;
      });
      p.appendChild(document.createTextNode(para.slice(last)));
      container.appendChild(p);
    });
  }

  // "2026-12-05" as "5 Dec 2026", as the chat page shows it; any other text as given (short).
  function reviewedDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text(value, "", 40));
    var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    if (!m || +m[2] < 1 || +m[2] > 12) return text(value, "", 40);
    return String(+m[3]) + " " + months[+m[2] - 1] + " " + m[1];
  }

  function sourcesList(sources, prefix) {
    if (!sources || !sources.length) return null;
    var list = el("ol", {});
    sources.forEach(function (s) {
      var item = el("li", { id: prefix + "-src-" + s.n, value: String(s.n), tabindex: "-1" }, [
        el("strong", {}, [text(s.title, "Source", 300)]),
      ]);
      if (s.section) item.appendChild(document.createTextNode(" \u2014 " + text(s.section, "", 300)));
      if (s.reviewed) item.appendChild(document.createTextNode(" \u00b7 reviewed " + reviewedDate(s.reviewed)));
      item.appendChild(el("span", { class: "snippet" }, [text(s.snippet, "", 1200)]));
      list.appendChild(item);
    });
    return el("section", { class: "sources", "aria-label": "Sources of answer " + prefix.slice(4) }, [
      el("h3", {}, ["Sources"]),
      el("p", { class: "key" }, ["[n] in the answer points to source n below."]),
      list,
    ]);
  }

  function addUser(content) {
    log.appendChild(el("div", { class: "msg user" }, [el("span", { class: "who" }, ["You: "]), content]));
  }

  function addBot(turn) {
    answerCount += 1;
    var prefix = "sc-a" + answerCount;
    var msg = el("div", { class: "msg bot" }, [el("span", { class: "who" }, ["Answer: "])]);
    var banner = bannerFor(turn.urgency);
    if (banner) msg.appendChild(banner);
    var textBox = el("div", { class: "text" });
    msg.appendChild(textBox);
    answerText(textBox, turn.content || "", turn.sources, prefix);
    var sources = sourcesList(turn.sources, prefix);
    if (sources) msg.appendChild(sources);
    log.appendChild(msg);
    return { msg: msg, textBox: textBox, prefix: prefix, banner: banner };
  }

  function render() {
    log.textContent = "";
    answerCount = 0;
    state.turns.forEach(function (turn) {
      if (turn.role === "user") addUser(turn.content);
      else addBot(turn);
    });
  }

  // Scrolls only the panel's message area: scrollIntoView would also scroll the host page and
  // the panel itself (overflow: hidden still scrolls), pushing the header off a phone's screen.
  function reveal(node) {
    var top = body.scrollTop + node.getBoundingClientRect().top - body.getBoundingClientRect().top;
    body.scrollTo({ top: Math.max(0, top - 8), behavior: REDUCED ? "auto" : "smooth" });
  }

  function showFallback(message) {
    var p = el("div", { class: "msg bot fallback", role: "alert" }, [
      el("p", {}, [message]),
      el("p", {}, [el("a", { href: BASE + "/", target: "_blank", rel: "noopener" }, ["Open the chat in a new tab"])]),
    ]);
    log.appendChild(p);
    reveal(p);
  }

  // ---- talking to the server: POST /api/ask/stream, server-sent events over fetch -------------------

  function parseEvents(buffer, onEvent) {
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (block) {
      var name = "message";
      var payload = "";
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) payload += line.slice(5).trim();
      });
      try {
        onEvent(name, payload ? JSON.parse(payload) : {});
      } catch (e) {
        /* a malformed event is skipped; `final` carries the whole answer anyway */
      }
    });
    return rest;
  }

  function ask(question) {
    question = (question || "").trim();
    if (busy) return;
    if (!question) {
      problem.textContent = "Please type a question first.";
      box.focus();
      return;
    }
    if (question.length > MAX_CHARS) {
      problem.textContent =
        "Your question is " + question.length + " characters long; please shorten it to " +
        MAX_CHARS + " or fewer. Your conversation is kept.";
      box.focus();
      return;
    }
    problem.textContent = "";
    var history = state.turns.map(function (t) { return { role: t.role, content: t.content }; }).slice(-20);
    state.turns.push({ role: "user", content: question });
    save();
    addUser(question);
    box.value = "";
    busy = true;
    send.disabled = true;
    emit("question", { chars: question.length, turn: state.turns.length });
    var started = performance.now();
    var view = addBot({ role: "assistant", content: "" });
    view.msg.setAttribute("aria-busy", "true");
    var streamed = "";
    var final = null;
    var failure = null;

    function onEvent(name, payload) {
      if (name === "start") {
        var banner = bannerFor(payload.urgency);
        if (banner) {
          view.msg.insertBefore(banner, view.textBox);
          view.banner = banner;
          reveal(banner);
        }
      } else if (name === "delta") {
        streamed += payload.text || "";
        answerText(view.textBox, streamed, [], view.prefix);
        if (!view.firstText) view.firstText = performance.now() - started;
      } else if (name === "reset") {
        streamed = "";
        view.textBox.textContent = "";
      } else if (name === "final") {
        final = payload;
      } else if (name === "error") {
        failure = text(payload.detail, "the answer could not be finished", 300);
      }
    }

    fetch(BASE + "/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      // The server's conversation id (kept with the turns) ties this tab's answers together in
      // its audit trail; the first answer of a conversation gets a new one.
      body: JSON.stringify(
        state.conversation
          ? { question: question, history: history, conversation_id: state.conversation }
          : { question: question, history: history }
      ),
      credentials: "omit",
      mode: "cors",
    })
      .then(function (response) {
        if (!response.ok || !response.body) {
          var err = new Error("status " + response.status);
          err.status = response.status;
          throw err;
        }
        var conversation = response.headers.get("X-Conversation-Id");
        if (conversation && /^[A-Za-z0-9._:-]{1,100}$/.test(conversation)) {
          state.conversation = conversation;
          save();
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return;
            buffer = parseEvents(buffer + decoder.decode(chunk.value, { stream: true }).replace(/\r/g, ""), onEvent);
            return pump();
          });
        }
        return pump();
      })
      .then(function () {
        if (failure || !final) throw new Error(failure || "the answer stopped part-way");
        var turn = {
          role: "assistant",
          content: text(final.answer, "", 20000),
          urgency: final.urgency,
          sources: (final.sources || []).map(function (s) {
            return { n: s.n, title: s.title, section: s.section, snippet: s.snippet, reviewed: s.reviewed };
          }),
        };
        state.turns.push(turn);
        save();
        var keep = view.banner;
        view.msg.remove();
        answerCount -= 1;
        var shown = addBot(turn);
        if (keep && shown.banner) reveal(shown.banner);
        emit("answer", {
          urgency: final.urgency,
          refused: !!final.refused,
          sources: turn.sources.length,
          latency_ms: Math.round(performance.now() - started),
          first_text_ms: view.firstText ? Math.round(view.firstText) : null,
        });
      })
      .catch(function (err) {
        view.msg.remove();
        answerCount -= 1;
        state.turns.pop();
        save();
        var blocked = err && (err.status === 403 || err.name === "TypeError");
        showFallback(
          blocked
            ? "The chat cannot be reached from this page right now."
            : "Sorry, something went wrong while answering. Please try again in a moment."
        );
        emit("error", { status: (err && err.status) || 0 });
      })
      .then(function () {
        busy = false;
        send.disabled = false;
      });
  }

  // ---- opening, closing, keyboard -------------------------------------------------------------

  function setOpen(open, quiet) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    state.open = open;
    save();
    if (quiet) return;
    if (open) box.focus();
    else launcher.focus();
    emit(open ? "open" : "close");
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  // A citation's target is inside the shadow root, which the page's URL fragment cannot reach.
  log.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.cite");
    if (!link) return;
    event.preventDefault();
    var target = shadow.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      reveal(target);
      target.focus({ preventScroll: true });
    }
  });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ask(box.value);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(box.value);
    }
  });
  box.addEventListener("input", function () {
    if (box.value.length <= MAX_CHARS && problem.textContent) problem.textContent = "";
  });
  clear.addEventListener("click", function () {
    state.turns = [];
    delete state.conversation;
    save();
    render();
    box.focus();
    emit("clear");
  });

  function mount() {
    document.body.appendChild(host);
    render();
    if (state.open) setOpen(true, true);
    emit("ready");
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
