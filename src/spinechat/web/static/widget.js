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
  // The widget's fixed wording per data-lang. The answers (and the emergency opener in them) come
  // from the server in the question's language (prompts/messages.*.toml). The Chinese follows
  // those files' words (脊椎, 急診室/急诊室); zh-Hans is the zh-Hant text in mainland usage.
  var WORDS = {
    en: {
      title: "Questions about your spinal hardware",
      greeting: "Hello. Ask a general question about spinal screws, rods and plates.",
      note: "This is general information from our sources, not a diagnosis or advice about your own " +
        "case. Talk to your surgeon or spine team about your situation.",
      launcher: "Ask a question", launcherLabel: "Ask a question: ", close: "Close chat",
      conversation: "Conversation", question: "Your question", send: "Send",
      clear: "Clear conversation", privacy: "Privacy", accessibility: "Accessibility",
      newTab: "Open in a new tab", empty: "Please type a question first.",
      tooLong: "Your question is {n} characters long; please shorten it to {max} or fewer. " +
        "Your conversation is kept.",
      emergency: "Seek emergency care now", urgent: "Contact your care team today",
      call: "Call {number} or go to your nearest emergency department.",
      callLocal: "Call your local emergency number or go to your nearest emergency department.",
      careTeam: "Your care team: ", sources: "Sources", sourcesOf: "Sources of answer {n}",
      key: "[n] in the answer points to source n below.", source: "source {n}",
      you: "You: ", answer: "Answer: ",
      unreachable: "The chat cannot be reached from this page right now.",
      failed: "Sorry, something went wrong while answering. Please try again in a moment.",
      openChat: "Open the chat in a new tab",
      popHint: "Tap the number again, or press Enter, to go to the source.",
    },
    "zh-Hant": {
      title: "關於您脊椎植入物的問題",
      greeting: "您好。歡迎詢問關於脊椎螺釘、固定桿和骨板的一般問題。",
      note: "這裡提供的是來自我們資料來源的一般資訊，並非診斷，也不是針對您個人情況的建議。" +
        "請與您的外科醫師或脊椎團隊討論您的情況。",
      launcher: "提出問題", launcherLabel: "提出問題：", close: "關閉對話",
      conversation: "對話內容", question: "您的問題", send: "送出",
      clear: "清除對話", privacy: "隱私權政策", accessibility: "無障礙聲明",
      newTab: "在新分頁開啟", empty: "請先輸入問題。",
      tooLong: "您的問題有 {n} 個字元，請縮短到 {max} 個字元以內。您的對話內容會保留。",
      emergency: "請立即就醫", urgent: "請今天就聯絡您的醫療團隊",
      call: "請撥打 {number} 或前往最近的急診室。",
      callLocal: "請撥打當地的緊急電話或前往最近的急診室。",
      careTeam: "您的醫療團隊：", sources: "資料來源", sourcesOf: "第 {n} 個回答的資料來源",
      key: "回答中的 [n] 對應下方第 n 個資料來源。", source: "資料來源 {n}",
      you: "您：", answer: "回答：",
      unreachable: "目前無法從這個網頁連線到對話服務。",
      failed: "很抱歉，回答時發生問題。請稍後再試一次。",
      openChat: "在新分頁開啟對話",
      popHint: "再點一次編號或按 Enter 鍵，即可前往該資料來源。",
    },
    "zh-Hans": {
      title: "关于您脊椎植入物的问题",
      greeting: "您好。欢迎咨询关于脊椎螺钉、连接棒和钢板的一般问题。",
      note: "这里提供的是来自我们资料来源的一般信息，并非诊断，也不是针对您个人情况的建议。" +
        "请与您的外科医生或脊椎团队讨论您的情况。",
      launcher: "提出问题", launcherLabel: "提出问题：", close: "关闭对话",
      conversation: "对话内容", question: "您的问题", send: "发送",
      clear: "清除对话", privacy: "隐私政策", accessibility: "无障碍声明",
      newTab: "在新标签页中打开", empty: "请先输入问题。",
      tooLong: "您的问题有 {n} 个字符，请缩短到 {max} 个字符以内。您的对话内容会保留。",
      emergency: "请立即就医", urgent: "请今天就联系您的医疗团队",
      call: "请拨打 {number} 或前往最近的急诊室。",
      callLocal: "请拨打当地的急救电话或前往最近的急诊室。",
      careTeam: "您的医疗团队：", sources: "资料来源", sourcesOf: "第 {n} 个回答的资料来源",
      key: "回答中的 [n] 对应下方第 n 条资料来源。", source: "资料来源 {n}",
      you: "您：", answer: "回答：",
      unreachable: "目前无法从这个网页连接到对话服务。",
      failed: "很抱歉，回答时出现问题。请稍后再试。",
      openChat: "在新标签页中打开对话",
      popHint: "再点一次编号或按 Enter 键，即可前往该资料来源。",
    },
  };

  // zh-TW and zh-HK write Traditional Chinese; zh, zh-CN and zh-SG Simplified; anything else English.
  function wordsFor(lang) {
    var tag = lang.toLowerCase();
    if (/^zh-(hant|tw|hk|mo)\b/.test(tag)) return WORDS["zh-Hant"];
    if (/^zh\b/.test(tag)) return WORDS["zh-Hans"];
    return WORDS.en;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, name) { return String(values[name]); });
  }
  var DEFAULTS = { primary: "#1d4ed8", text: "#ffffff", dark: "#111827" };

  // ---- configuration: every attribute is validated; bad values fall back to defaults ----------

  function text(value, fallback, max) {
    if (typeof value !== "string") return fallback;
    var clean = value.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
    return clean ? clean.slice(0, max || 200) : fallback;
  }

  // An answer's text: like text(), but its line breaks kept (they separate its paragraphs).
  function answerBody(value, max) {
    if (typeof value !== "string") return "";
    return value.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, " ").trim().slice(0, max);
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
    var words = wordsFor(lang);
    return {
      words: words,
      title: text(data.title, words.title, 80),
      greeting: text(data.greeting, words.greeting, 400),
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
  var W = config.words;

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
    // The answer's paragraphs (opener, what to do now, "Here is what our sources say") are lines.
    ".bot .text{white-space:pre-line}",
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
    ".pop{position:fixed;z-index:2147483002;max-width:min(24em,calc(100vw - 1em));max-height:40vh;overflow-y:auto;",
    "padding:0.5em 0.7em;background:#fff;color:#111827;border:0.15em solid #374151;border-radius:0.5em;font-size:0.9em;box-shadow:0 0.25em 1em rgba(0,0,0,.25)}",
    ".pop[hidden]{display:none}.pop strong,.pop .hint{display:block}.pop .hint{margin-top:0.3em;color:#374151}",
    ".pop mark{background:#fef08a;color:#111827}",
    "@media (max-height:420px){.panel{overflow-y:auto}.body{flex:none;overflow:visible}header{position:sticky;top:0;z-index:1}}",
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
    [W.launcher]
  );
  launcher.setAttribute("aria-label", W.launcherLabel + config.title);
  var titleEl = el("h2", { id: "sc-title" }, [config.title]);
  var closeBtn = el("button", { type: "button", class: "icon", "aria-label": W.close }, ["\u2715"]);
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": W.conversation });
  var problem = el("p", { class: "problem", id: "sc-problem", role: "alert" });
  var box = el("textarea", { id: "sc-question", name: "question", rows: "2", "aria-describedby": "sc-problem" });
  var send = el("button", { type: "submit", class: "send" }, [W.send]);
  var clear = el("button", { type: "button", class: "plain" }, [W.clear]);
  var examples = el("div", { class: "examples" });
  config.examples.forEach(function (q) {
    var b = el("button", { type: "button", class: "example" }, [q]);
    b.addEventListener("click", function () { ask(q); });
    examples.appendChild(b);
  });
  var body = el("div", { class: "body" }, [
    el("p", { class: "note", role: "note" }, [W.note]),
    el("p", { class: "greeting" }, [config.greeting]),
    examples,
    log,
  ]);
  var form = el("form", { novalidate: true }, [
    el("label", { for: "sc-question" }, [W.question]),
    box,
    el("div", { class: "row" }, [send, clear]),
    problem,
  ]);
  var links = [];
  if (config.privacy) links.push(el("a", { href: config.privacy, target: "_blank", rel: "noopener" }, [W.privacy]));
  if (config.accessibility) {
    links.push(el("a", { href: config.accessibility, target: "_blank", rel: "noopener" }, [W.accessibility]));
  }
  links.push(el("a", { href: BASE + "/", target: "_blank", rel: "noopener" }, [W.newTab]));
  var panelHeader = el("header", {}, [titleEl, closeBtn]);
  var panel = el(
    "div",
    { id: "sc-panel", class: "panel " + side, role: "dialog", "aria-labelledby": "sc-title", hidden: true },
    [panelHeader, body, form, el("footer", {}, links)]
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
      el("strong", {}, [urgency === "emergency" ? W.emergency : W.urgent])
    );
    var line = el("p", {});
    if (urgency === "emergency" && config.emergency) {
      line.appendChild(withCallLinks(fill(W.call, { number: config.emergency })));
    } else if (urgency === "emergency") {
      line.appendChild(document.createTextNode(W.callLocal));
    }
    if (config.careTeam) {
      line.appendChild(document.createTextNode(line.childNodes.length ? " " : ""));
      line.appendChild(withCallLinks(W.careTeam + config.careTeam));
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
          var link = el("a", { href: "#" + prefix + "-src-" + n, class: "cite", "aria-label": fill(W.source, { n: n }) }, [match]);
          link.scSource = known[n];
          link.scCiting = sentenceAt(para, offset);
          p.appendChild(link);
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
    return el("section", { class: "sources", "aria-label": fill(W.sourcesOf, { n: prefix.slice(4) }) }, [
      el("h3", {}, [W.sources]),
      el("p", { class: "key" }, [W.key]),
      list,
    ]);
  }

  function addUser(content) {
    log.appendChild(el("div", { class: "msg user" }, [el("span", { class: "who" }, [W.you]), content]));
  }

  function addBot(turn) {
    answerCount += 1;
    var prefix = "sc-a" + answerCount;
    var msg = el("div", { class: "msg bot" }, [el("span", { class: "who" }, [W.answer])]);
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
  // On a short screen (200% and 400% zoom) the whole panel scrolls instead, under its sticky
  // header (see STYLE), so the close button stays on screen.
  function reveal(node) {
    var scroller = body.scrollHeight > body.clientHeight ? body : panel;
    var above = scroller === panel ? panelHeader.offsetHeight : 0;
    var top = scroller.scrollTop + node.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTo({ top: Math.max(0, top - above - 8), behavior: REDUCED ? "auto" : "smooth" });
  }

  function showFallback(message) {
    var p = el("div", { class: "msg bot fallback", role: "alert" }, [
      el("p", {}, [message]),
      el("p", {}, [el("a", { href: BASE + "/", target: "_blank", rel: "noopener" }, [W.openChat])]),
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
      problem.textContent = W.empty;
      box.focus();
      return;
    }
    if (question.length > MAX_CHARS) {
      problem.textContent = fill(W.tooLong, { n: question.length, max: MAX_CHARS });
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
          content: answerBody(final.answer, 20000),
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
            ? W.unreachable
            : W.failed
        );
        emit("error", { status: (err && err.status) || 0 });
      })
      .then(function () {
        busy = false;
        send.disabled = false;
      });
  }

  // ---- the passage behind a [n]: hover, focus or a first tap shows it beside the number ----------

  // Inside the dialog, so it belongs to the panel's landmark; position: fixed places it by the [n].
  var pop = el("div", { id: "sc-pop", class: "pop", role: "tooltip", hidden: true });
  panel.appendChild(pop);
  var popFor = null;
  var openBeforePress = false;

  function sentenceAt(para, offset) {
    var ends = /[.!?\u3002\uff01\uff1f]\s*/g;
    var start = 0;
    var m;
    while ((m = ends.exec(para)) && m.index < offset) start = m.index + m[0].length;
    ends.lastIndex = offset;
    m = ends.exec(para);
    return para.slice(start, m ? m.index + 1 : para.length);
  }

  function words(value) {
    var found = {};
    (value.toLowerCase().match(/[a-z0-9]{3,}|[\u3400-\u9fff]/g) || []).forEach(function (w) { found[w] = 1; });
    return found;
  }

  // The snippet's sentence sharing the most words with the sentence that cites it (as the chat
  // page's citations.supporting_sentence does); ties go to the earlier sentence.
  function supporting(snippet, citing) {
    var wanted = words(citing.replace(/\[\d+\]/g, " "));
    var best = "";
    var bestScore = 0;
    (snippet.match(/[^.!?\u3002\uff01\uff1f]+[.!?\u3002\uff01\uff1f]*/g) || []).forEach(function (sentence) {
      var score = Object.keys(words(sentence)).filter(function (w) { return wanted[w]; }).length;
      if (score > bestScore) {
        best = sentence.trim();
        bestScore = score;
      }
    });
    return best;
  }

  function hidePop() {
    if (popFor) popFor.removeAttribute("aria-describedby");
    popFor = null;
    pop.hidden = true;
  }

  function placePop() {
    if (!popFor) return;
    var at = popFor.getBoundingClientRect();
    if (!popFor.isConnected || at.bottom < 0 || at.top > window.innerHeight) return hidePop();
    var below = at.bottom + 6 + pop.offsetHeight <= window.innerHeight;
    pop.style.top = Math.max(4, below ? at.bottom + 6 : at.top - 6 - pop.offsetHeight) + "px";
    pop.style.left = Math.max(4, Math.min(at.left, window.innerWidth - pop.offsetWidth - 4)) + "px";
  }

  function showPop(link) {
    var source = link.scSource;
    if (!source) return;
    if (popFor && popFor !== link) hidePop();
    var snippet = text(source.snippet, "", 1200);
    var sentence = supporting(snippet, link.scCiting || "");
    var at = sentence ? snippet.indexOf(sentence) : -1;
    var passage = el("span", {}, at < 0 ? [snippet] : [
      snippet.slice(0, at), el("mark", {}, [sentence]), snippet.slice(at + sentence.length),
    ]);
    var title = text(source.title, "", 300) + (source.section ? " \u2014 " + text(source.section, "", 300) : "");
    pop.textContent = "";
    pop.appendChild(el("strong", {}, ["[" + source.n + "] " + title]));
    pop.appendChild(passage);
    pop.appendChild(el("span", { class: "hint" }, [W.popHint]));
    pop.hidden = false;
    popFor = link;
    link.setAttribute("aria-describedby", "sc-pop");
    placePop();
  }

  function citeOf(node) {
    return node && node.closest ? node.closest("a.cite") : null;
  }

  log.addEventListener("pointerover", function (event) {
    var link = citeOf(event.target);
    if (link && event.pointerType === "mouse") showPop(link);
  });
  log.addEventListener("pointerout", function (event) {
    if (popFor && event.pointerType === "mouse" && citeOf(event.target) === popFor &&
        !(event.relatedTarget && pop.contains(event.relatedTarget))) hidePop();
  });
  pop.addEventListener("pointerleave", function (event) {
    if (event.pointerType === "mouse" && citeOf(event.relatedTarget) !== popFor) hidePop();
  });
  root.addEventListener("focusin", function (event) {
    var link = citeOf(event.target);
    if (link) showPop(link);
    else hidePop();
  });
  root.addEventListener("pointerdown", function (event) {
    var link = citeOf(event.target);
    openBeforePress = !!link && link === popFor;
    if (!link && !pop.contains(event.target)) hidePop();
  }, true);
  body.addEventListener("scroll", placePop);
  panel.addEventListener("scroll", placePop);
  window.addEventListener("resize", placePop);

  // ---- opening, closing, keyboard -------------------------------------------------------------

  function setOpen(open, quiet) {
    hidePop();
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
  // Enter (detail 0), a click on a number whose passage is showing (a mouse hovers first), or a
  // second tap goes to the source in the list; a first tap shows the passage.
  log.addEventListener("click", function (event) {
    var link = citeOf(event.target);
    if (!link) return;
    event.preventDefault();
    var again = event.detail === 0 || openBeforePress;
    openBeforePress = false;
    if (!again) return showPop(link);
    hidePop();
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
      if (popFor) hidePop();
      else setOpen(false);
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
