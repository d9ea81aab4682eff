/*
 * <kms-search>: the knowledge base's search for agents' desktop tools.
 *
 *   <script src="https://kms.example.com/widget/kms-search.js" defer></script>
 *   <kms-search api-base="https://kms.example.com/api/v1" api-key="kms_…"
 *               branch="GD" channel="agent"></kms-search>
 *
 * Invariants:
 * - no request while an input method is composing (compositionstart … compositionend), and
 *   at most one search per pause in typing (DEBOUNCE_MS); a late answer to an older query
 *   never replaces the newer one's;
 * - only the API's text reaches the page: snippets keep nothing but <mark>, answers keep
 *   only the HTML elements and attributes Markdown renders (an allow-list: no script,
 *   style, frame, SVG or event attribute, links by safe URLs only);
 * - styles live in the shadow root and are themed through --kms-* custom properties only;
 * - the host page hears `kms-open`, `kms-copy` and `kms-feedback` events (detail: key, query).
 */
(() => {
  "use strict";
  const DEBOUNCE_MS = 200;
  const SUGGESTIONS = 5;
  const RESULTS = 8;
  const TEXT = {
    placeholder: "输入客户的问题，如：理赔材料",
    hint: "输入问题搜索知识库（↑↓ 选择，Enter 打开，Esc 关闭）",
    searching: "正在搜索…",
    none: "没有找到相关知识，请换个说法试试。知识团队会看到这个问题。",
    offline: "网络已断开：恢复连接后会自动重新搜索。",
    error: "搜索失败：",
    unreachable: "无法连接知识库服务，请稍后再试。",
    found: (n) => `找到 ${n} 条`,
    copy: "复制答案",
    copied: "已复制",
    noClipboard: "无法写入剪贴板：请选中答案文字后按 Ctrl+C 复制。",
    helpful: "有帮助",
    unhelpful: "没帮助",
    thanks: "谢谢反馈",
    back: "返回结果",
    suggestions: "联想",
    results: "搜索结果",
  };
  const STYLE = `
:host{display:block;font:var(--kms-font,14px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif);
color:var(--kms-fg,#1f2328);--a:var(--kms-accent,#0b6bcb)}
*{box-sizing:border-box}
.box{background:var(--kms-bg,#fff);border:1px solid var(--kms-border,#d0d7de);border-radius:var(--kms-radius,8px);padding:8px}
input{width:100%;font:inherit;padding:8px 10px;border:1px solid var(--kms-border,#d0d7de);border-radius:var(--kms-radius,8px);color:inherit;background:inherit}
input:focus{outline:2px solid var(--a);outline-offset:1px}
.state{margin:6px 2px;color:var(--kms-muted,#59636e);min-height:1.5em}
.state[data-kind=error],.state[data-kind=offline]{color:var(--kms-error,#c62828)}
ul{list-style:none;margin:0;padding:0}
.head{font-size:12px;color:var(--kms-muted,#59636e);margin:6px 2px 2px}
li{padding:6px 8px;border-radius:6px;cursor:pointer}
li[aria-selected=true]{background:var(--kms-selected,#eaf2fc);outline:1px solid var(--a)}
.t{font-weight:600}.s{font-size:13px;color:var(--kms-muted,#59636e)}
mark{background:var(--kms-mark,#fff1a8);color:inherit;padding:0}
article{padding:4px 2px}article:focus{outline:2px solid var(--a);outline-offset:2px}article h2{font-size:1.1em;margin:4px 0 8px}
.body{max-height:var(--kms-answer-height,420px);overflow:auto}
.body table{border-collapse:collapse}.body td,.body th{border:1px solid var(--kms-border,#d0d7de);padding:2px 6px}
.bar{display:flex;gap:6px;flex-wrap:wrap;margin-top:8px}
button{font:inherit;padding:4px 10px;border:1px solid var(--kms-border,#d0d7de);border-radius:6px;background:var(--kms-button,#f6f8fa);color:inherit;cursor:pointer}
button:focus{outline:2px solid var(--a)}button[disabled]{opacity:.6;cursor:default}
[hidden]{display:none!important}`;

  // What an answer's HTML may keep: the HTML elements Markdown renders to (anything else,
  // SVG and MathML included, goes with its content), and of their attributes only these
  // (links and images by http(s), mail, phone or same-site URL only).
  const KEPT = new Set(("p h1 h2 h3 h4 h5 h6 ul ol li table thead tbody tfoot tr th td a strong em b i " +
    "code pre blockquote hr br img span div del s sup sub caption").split(" "));
  const ATTRIBUTES = new Set(["href", "src", "alt", "title", "id", "colspan", "rowspan", "align", "start"]);
  const HTML = "http://www.w3.org/1999/xhtml";

  /** Parse `html` inertly (a <template> runs nothing and loads nothing). */
  function inert(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  /** A snippet's text with its <mark>s and nothing else. */
  function marked(html) {
    const out = document.createDocumentFragment();
    for (const node of inert(html).childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.append(mark);
      } else {
        out.append(document.createTextNode(node.textContent));
      }
    }
    return out;
  }

  /** An answer's HTML without anything that runs, loads a frame or restyles the page. */
  function cleaned(html) {
    const root = inert(html);
    for (const el of [...root.querySelectorAll("*")]) {
      if (!root.contains(el)) continue; // went with a dropped ancestor
      if (el.namespaceURI !== HTML || !KEPT.has(el.localName)) { el.remove(); continue; }
      for (const attr of [...el.attributes]) {
        const url = attr.name === "href" || attr.name === "src";
        if (!ATTRIBUTES.has(attr.name) || (url && !/^(https?:|mailto:|tel:|#|\/(?!\/))/i.test(attr.value.trim()))) {
          el.removeAttribute(attr.name);
        }
      }
      if (el.localName === "a") { el.target = "_blank"; el.rel = "noopener noreferrer"; }
    }
    return root;
  }

  /** The API refused, in its own words (anything else is the network's fault). */
  class ApiError extends Error {}

  class KmsSearch extends HTMLElement {
    static get observedAttributes() { return ["branch", "channel"]; }

    constructor() {
      super();
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = `<style>${STYLE}</style><div class="box" part="box">
<input part="input" type="search" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="list" autocomplete="off" spellcheck="false">
<div class="state" part="state" role="status" aria-live="polite"></div>
<div id="list" role="listbox" part="list"></div>
<article part="answer" hidden tabindex="-1" aria-live="polite"><h2></h2><div class="body"></div>
<div class="bar"><button data-do="copy"></button><button data-do="yes"></button><button data-do="no"></button><button data-do="back"></button></div></article></div>`;
      this.$ = (selector) => root.querySelector(selector);
      this.buttons = Object.fromEntries([...root.querySelectorAll(".bar button")].map((b) => [b.dataset.do, b]));
      this.input = this.$("input");
      this.list = this.$("#list");
      this.state = this.$(".state");
      this.answer = this.$("article");
      this.input.placeholder = this.getAttribute("placeholder") || TEXT.placeholder;
      this.input.setAttribute("aria-label", TEXT.placeholder);
      for (const [action, label] of [["copy", TEXT.copy], ["yes", TEXT.helpful], ["no", TEXT.unhelpful], ["back", TEXT.back]]) {
        this.buttons[action].textContent = label;
      }
      this.composing = false;
      this.timer = 0;
      this.asked = 0; // sequence number of the newest query: older answers are dropped
      this.options = [];
      this.active = -1;
      this.query = "";
      this.queryId = null;
      this.opened = null;
      this.controller = null;
      this.input.addEventListener("compositionstart", () => { this.composing = true; clearTimeout(this.timer); });
      this.input.addEventListener("compositionend", () => { this.composing = false; this.schedule(); });
      this.input.addEventListener("input", (event) => { if (!event.isComposing && !this.composing) this.schedule(); });
      this.input.addEventListener("keydown", (event) => this.key(event));
      this.answer.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); this.close(); } });
      this.answer.addEventListener("click", (event) => {
        const button = event.target.closest("button");
        const action = Object.keys(this.buttons).find((name) => this.buttons[name] === button);
        if (action === "copy") this.copy();
        else if (action === "yes" || action === "no") this.feedback(action === "yes");
        else if (action === "back") this.close();
      });
      this.list.addEventListener("click", (event) => {
        const item = event.target.closest("[role=option]");
        if (item) this.choose(Number(item.dataset.index));
      });
      this.online = () => { if (this.query) this.run(this.query); };
      this.show("hint", TEXT.hint);
      this.listed = ["hint", TEXT.hint];
    }

    connectedCallback() { window.addEventListener("online", this.online); }
    disconnectedCallback() { window.removeEventListener("online", this.online); clearTimeout(this.timer); }
    attributeChangedCallback() { if (this.query) this.schedule(); }

    get base() { return (this.getAttribute("api-base") || "/api/v1").replace(/\/+$/, ""); }

    /** The reader's branch and channel, as the API takes them. */
    reader() {
      const found = {};
      for (const name of ["branch", "channel"]) {
        const value = this.getAttribute(name);
        if (value) found[name] = value;
      }
      return found;
    }

    async call(path, { params = {}, body = null, signal } = {}) {
      const url = new URL(`${this.base}/${path}`, document.baseURI);
      if (!body) for (const [name, value] of Object.entries({ ...this.reader(), ...params })) url.searchParams.set(name, value);
      const headers = { Accept: "application/json", Authorization: `Bearer ${this.getAttribute("api-key") || ""}` };
      if (body) headers["Content-Type"] = "application/json";
      const response = await fetch(url, {
        method: body ? "POST" : "GET", headers, signal, body: body ? JSON.stringify({ ...body, ...this.reader() }) : undefined,
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new ApiError(data.error?.message || `HTTP ${response.status}`);
      return data;
    }

    schedule() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(this.input.value.trim()), DEBOUNCE_MS);
    }

    async run(text) {
      const asked = ++this.asked;
      this.controller?.abort();
      this.query = text;
      if (!text) { this.render([], [], null); this.show("hint", TEXT.hint); return; }
      if (!navigator.onLine) { this.show("offline", TEXT.offline); return; }
      this.controller = new AbortController();
      const signal = this.controller.signal;
      this.show("busy", TEXT.searching);
      try {
        const [suggested, found] = await Promise.all([
          this.call("suggest", { params: { q: text }, signal }),
          this.call("search", { params: { q: text, limit: RESULTS }, signal }),
        ]);
        if (asked !== this.asked) return;
        this.queryId = found.query_id || null;
        const shown = new Set(found.results.map((result) => result.key));
        const suggestions = suggested.suggestions.filter((item) => !shown.has(item.key)).slice(0, SUGGESTIONS);
        this.render(suggestions, found.results, found.count);
      } catch (error) {
        if (error.name === "AbortError" || asked !== this.asked) return;
        this.failed(error);
        this.render([], [], null, false);
      }
    }

    /** Say why a call failed: offline, the service unreachable, or the API's own words. */
    failed(error) {
      if (!navigator.onLine) this.show("offline", TEXT.offline);
      else if (error instanceof ApiError) this.show("error", TEXT.error + error.message);
      else this.show("error", TEXT.unreachable);
    }

    show(kind, message) {
      this.state.dataset.kind = kind;
      this.state.textContent = message;
    }

    render(suggestions, results, count, announce = true) {
      this.list.replaceChildren();
      this.options = [];
      this.active = -1;
      this.input.removeAttribute("aria-activedescendant");
      const group = (title, items, fill) => {
        if (!items.length) return;
        const head = document.createElement("div");
        head.className = "head";
        head.textContent = title;
        const ul = document.createElement("ul");
        ul.setAttribute("role", "group");
        ul.setAttribute("aria-label", title);
        for (const item of items) {
          const li = document.createElement("li");
          li.setAttribute("role", "option");
          li.setAttribute("aria-selected", "false");
          li.id = `option-${this.options.length}`;
          li.dataset.index = String(this.options.length);
          li.dataset.key = item.key;
          fill(li, item);
          this.options.push(item);
          ul.append(li);
        }
        this.list.append(head, ul);
      };
      group(TEXT.suggestions, suggestions, (li, item) => { li.textContent = item.text; });
      group(TEXT.results, results, (li, item) => {
        const title = document.createElement("div");
        title.className = "t";
        title.textContent = item.title;
        const snippet = document.createElement("div");
        snippet.className = "s";
        snippet.append(marked(item.snippet || item.summary || ""));
        li.append(title, snippet);
      });
      this.input.setAttribute("aria-expanded", String(this.options.length > 0));
      if (announce && count !== null) this.show(results.length ? "results" : "empty", results.length ? TEXT.found(count) : TEXT.none);
      this.listed = [this.state.dataset.kind, this.state.textContent]; // shown again on closing an answer
    }

    key(event) {
      if (event.isComposing || this.composing) return; // the input method's own keys
      const moves = { ArrowDown: 1, ArrowUp: -1 };
      if (event.key in moves && this.options.length) {
        event.preventDefault();
        const next = this.active < 0 && moves[event.key] < 0 ? this.options.length - 1 : (this.active + moves[event.key] + this.options.length) % this.options.length;
        this.select(next);
      } else if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        if (this.active >= 0) this.choose(this.active);
        else { clearTimeout(this.timer); this.run(this.input.value.trim()); }
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (!this.answer.hidden) this.close();
        else if (this.options.length) { this.render([], [], null); this.show("hint", TEXT.hint); }
        else { this.input.value = ""; this.run(""); }
      }
    }

    select(index) {
      const items = this.list.querySelectorAll("[role=option]");
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
      this.active = index;
      this.input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView?.({ block: "nearest" });
    }

    async choose(index) {
      const item = this.options[index];
      if (!item) return;
      try {
        const article = await this.call(`articles/${encodeURIComponent(item.key)}`);
        this.opened = { key: item.key, title: article.title, body: article.body, text: null, queryId: this.queryId, query: this.query };
        this.$("h2").textContent = article.title;
        this.$(".body").replaceChildren(cleaned(article.body));
        for (const button of Object.values(this.buttons)) button.disabled = false;
        this.buttons.copy.textContent = TEXT.copy;
        this.list.hidden = true;
        this.answer.hidden = false;
        this.answer.focus();
        this.event("opened");
        this.announce("kms-open");
      } catch (error) {
        this.failed(error);
      }
    }

    close() {
      this.answer.hidden = true;
      this.list.hidden = false;
      this.opened = null;
      this.show(...this.listed);
      this.input.focus();
    }

    async copy() {
      const opened = this.opened;
      if (!opened) return;
      try {
        if (opened.text === null) opened.text = (await this.call(`articles/${encodeURIComponent(opened.key)}`, { params: { format: "text" } })).body;
      } catch (error) {
        this.failed(error);
        return;
      }
      try {
        await writeClipboard(`${opened.title}\n\n${opened.text}`);
      } catch {
        this.show("error", TEXT.noClipboard);
        return;
      }
      this.buttons.copy.textContent = TEXT.copied;
      this.event("copied");
      this.announce("kms-copy");
    }

    async feedback(helpful) {
      const opened = this.opened;
      if (!opened) return;
      const buttons = [this.buttons.yes, this.buttons.no];
      buttons.forEach((button) => { button.disabled = true; });
      try {
        await this.call("feedback", { body: { key: opened.key, helpful, query: opened.query, query_id: opened.queryId } });
        this.show("thanks", TEXT.thanks);
        this.announce("kms-feedback", { helpful });
      } catch (error) {
        buttons.forEach((button) => { button.disabled = false; });
        this.failed(error);
      }
    }

    /** Tell the query log what the agent did with a result (best effort: never in the way). */
    event(action) {
      const opened = this.opened;
      if (!opened?.queryId) return;
      this.call("events", { body: { key: opened.key, query_id: opened.queryId, action } }).catch(() => {});
    }

    announce(name, extra = {}) {
      this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail: { key: this.opened?.key, query: this.opened?.query, ...extra } }));
    }
  }

  /** Copy `text`: the Clipboard API where the page may use it, a selected textarea elsewhere. */
  async function writeClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.cssText = "position:fixed;top:-1000px;opacity:0";
      document.body.append(area);
      area.select();
      const done = document.execCommand("copy");
      area.remove();
      if (!done) throw new Error("clipboard unavailable");
    }
  }

  if (!customElements.get("kms-search")) customElements.define("kms-search", KmsSearch);
})();
