// The message renderer (ui/markdown.js): every Discord rule, hostile input, and the names it
// fills in from the stores. DOMPurify needs a DOM: jsdom from tools/web-vendor (test-only).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const { JSDOM } = createRequire(join(root, "tools", "web-vendor", "package.json"))("jsdom");
const dom = new JSDOM("<!doctype html><body></body>");
Object.assign(globalThis, { window: dom.window, document: dom.window.document, Node: dom.window.Node });
const md = await import(join(root, "amityvox", "web", "js", "ui", "markdown.js"));

const ALICE = "01HZZZZZZZZZZZZZZZZZZALICE";
const BOB = "01HZZZZZZZZZZZZZZZZZZZZBOB";
const ROLE = "01HZZZZZZZZZZZZZZZZZZZROLE";
const CHAN = "01HZZZZZZZZZZZZZZZZZZZCHAN";
const EMOJI = "01HZZZZZZZZZZZZZZZZZZEMOJI";

const ctx = {
  messageId: "01HZZZZZZZZZZZZZZZZZZZMSG1",
  user: (id) => ({ [ALICE]: { name: "Alice", me: true }, [BOB]: { name: "Bob", me: false } })[id] ?? null,
  role: (id) => (id === ROLE ? { name: "Moderators", color: "#ff0000", mine: false } : null),
  channel: (id) => (id === CHAN ? "general" : null),
  locale: "en-US",
};

/** Render into a detached div; returns it. */
function render(content, extra = {}) {
  const div = document.createElement("div");
  div.append(md.renderMarkdown(content, { ...ctx, ...extra }));
  return div;
}

const html = (content, extra) => render(content, extra).innerHTML;

test("bold, italic, underline, strikethrough and inline code", () => {
  assert.equal(html("**b** *i* _i_ __u__ ~~s~~ `c`"),
    "<p><strong>b</strong> <em>i</em> <em>i</em> <u>u</u> <del>s</del> <code>c</code></p>");
  assert.equal(html("***bi*** ___ui___"), html("***bi*** ___ui___")); // stable
  assert.ok(render("___ui___").querySelector("u em, em u"), "underline italic");
  assert.ok(render("***bi***").querySelector("strong em, em strong"), "bold italic");
  assert.equal(html("~single~ tilde"), "<p>~single~ tilde</p>");
  assert.equal(html("`**not bold**`"), "<p><code>**not bold**</code></p>");
  assert.equal(html("\\*escaped\\*"), "<p>*escaped*</p>");
});

test("new lines break lines and blank lines stay", () => {
  assert.equal(html("a\nb"), "<p>a<br>b</p>");
  assert.equal(html("a\n\nb"), "<p>a</p><br><p>b</p>");
  assert.equal(html("a\n\n\nb"), "<p>a</p><br><br><p>b</p>");
});

test("fenced code blocks, highlighted once their grammar has loaded", async () => {
  assert.equal(await md.loadLanguage("py"), true);
  const block = render("```py\ndef f():\n    return 1\n```").querySelector("pre > code");
  assert.ok(block.classList.contains("language-python"));
  assert.equal(block.querySelector(".hljs-keyword").textContent, "def");
  assert.equal(block.textContent, "def f():\n    return 1");
  // No language, an unknown one, and a one-line block: plain code, nothing parsed inside.
  assert.equal(html("```\n**x** <b>\n```"), '<pre><code class="hljs">**x** &lt;b&gt;</code></pre>');
  assert.equal(render("```nosuchlang\nx\n```").querySelector("code").textContent, "x");
  assert.equal(html("```one line```"), '<pre><code class="hljs">one line</code></pre>');
  assert.equal(html("```\nunclosed"), "<p>```<br>unclosed</p>");
});

test("a grammar that is not loaded yet renders plain, then highlighted", async () => {
  const text = "```rust\nfn main() {}\n```";
  const before = render(text).querySelector("code");
  assert.equal(before.querySelector("span"), null);
  let refreshed = 0;
  const stop = md.onRenderingChange(() => refreshed++);
  await md.loadLanguage("rust");
  stop();
  assert.ok(refreshed >= 1, "listeners hear that renderings changed");
  assert.equal(render(text).querySelector("code .hljs-keyword").textContent, "fn");
});

test("block quotes: > for a line, >>> for the rest, no nesting", () => {
  assert.equal(html("> quoted\nnot"), "<blockquote><p>quoted</p></blockquote><p>not</p>");
  assert.equal(html("> a\n> b"), "<blockquote><p>a<br>b</p></blockquote>");
  assert.equal(html(">>> all\nof\n\nthis"), "<blockquote><p>all<br>of</p><br><p>this</p></blockquote>");
  assert.equal(html("> > inner"), "<blockquote><p>&gt; inner</p></blockquote>");
  assert.equal(html(">no space"), "<p>&gt;no space</p>");
  assert.equal(html("> **bold** in a quote"), "<blockquote><p><strong>bold</strong> in a quote</p></blockquote>");
});

test("lists and headings", () => {
  assert.equal(html("- one\n- two"), "<ul><li>one</li><li>two</li></ul>");
  assert.equal(html("* star"), "<ul><li>star</li></ul>");
  assert.equal(html("1. first\n2. second"), "<ol><li>first</li><li>second</li></ol>");
  assert.equal(html("# Big\n## Medium\n### Small"), "<h1>Big</h1><h2>Medium</h2><h3>Small</h3>");
  assert.equal(html("#### too deep"), "<p>#### too deep</p>");
  assert.equal(html("#nospace"), "<p>#nospace</p>");
  assert.equal(html("-# quiet words"), '<p class="subtext">quiet words</p>');
  // Not Discord: tables, rules, setext headings, images, task boxes, indented code.
  assert.equal(render("a | b\n--- | ---\n1 | 2").querySelector("table"), null);
  assert.equal(render("text\n---").querySelector("hr, h2"), null);
  assert.equal(render("    indented").querySelector("pre"), null);
  assert.equal(render("- [ ] task").querySelector("input"), null);
});

test("spoilers hide until revealed", () => {
  const hidden = render("a ||secret **bold**|| b").querySelector(".spoiler");
  assert.equal(hidden.dataset.action, "reveal-spoiler");
  assert.equal(hidden.dataset.message, ctx.messageId);
  assert.equal(hidden.dataset.spoiler, "0");
  assert.equal(hidden.getAttribute("role"), "button");
  assert.equal(hidden.querySelector(".spoiler-text strong").textContent, "bold");
  assert.ok(!hidden.classList.contains("revealed"));
  const two = render("||one|| and ||two||", { revealed: (i) => i === 1 }).querySelectorAll(".spoiler");
  assert.ok(!two[0].classList.contains("revealed"));
  assert.ok(two[1].classList.contains("revealed"));
  assert.equal(two[1].dataset.action, undefined, "a revealed spoiler's links work");
});

test("spoilers and code nest the way Discord reads them", () => {
  assert.equal(html("`a ||b|| c`"), "<p><code>a ||b|| c</code></p>");
  const inSpoiler = render("||x `code` y||").querySelector(".spoiler code");
  assert.equal(inSpoiler.textContent, "code");
  assert.ok(render("**||bold spoiler||**").querySelector("strong .spoiler"));
  const nested = render("||a ||b|| c||");
  assert.ok(nested.querySelectorAll(".spoiler").length >= 1);
  assert.ok(!nested.innerHTML.includes("<script"), nested.innerHTML);
  assert.equal(render("```\n||not a spoiler||\n```").querySelector(".spoiler"), null);
});

test("masked links and autolinks go only to http(s), in a new tab, showing the real address", () => {
  const a = render("[the docs](https://example.com/docs)").querySelector("a");
  assert.equal(a.getAttribute("href"), "https://example.com/docs");
  assert.equal(a.title, "https://example.com/docs");
  assert.equal(a.target, "_blank");
  assert.equal(a.rel, "noopener noreferrer");
  assert.equal(a.textContent, "the docs");
  const bare = render("see https://example.com/a_b?c=1.").querySelector("a");
  assert.equal(bare.getAttribute("href"), "https://example.com/a_b?c=1");
  assert.equal(render("<https://example.com>").querySelector("a").getAttribute("href"), "https://example.com");
  assert.equal(render("www.example.com and mail@example.com").querySelector("a"), null);
  assert.equal(render("ftp://example.com").querySelector("a"), null);
  assert.equal(html("![alt](https://example.com/x.png)"), '<p>!<a href="https://example.com/x.png" title="https://example.com/x.png" target="_blank" rel="noopener noreferrer">alt</a></p>');
});

test("mentions show names from the stores", () => {
  const div = render(`<@${ALICE}> <@!${BOB}> <@&${ROLE}> <#${CHAN}> @everyone @here`);
  const [alice, bob, role, channel, everyone, here] = div.querySelectorAll(".mention");
  assert.equal(alice.textContent, "@Alice");
  assert.ok(alice.classList.contains("me"));
  assert.equal(bob.textContent, "@Bob");
  assert.ok(!bob.classList.contains("me"));
  assert.equal(role.textContent, "@Moderators");
  assert.equal(role.style.getPropertyValue("color"), "rgb(255, 0, 0)");
  assert.equal(channel.textContent, "#general");
  assert.equal(channel.dataset.action, "select-channel");
  assert.equal(channel.dataset.channel, CHAN);
  assert.equal(everyone.textContent, "@everyone");
  assert.equal(here.textContent, "@here");
  assert.ok(here.classList.contains("me"));
  const unknown = render(`<@01HZZZZZZZZZZZZZZZZZZZZZZZ> <@&01HZZZZZZZZZZZZZZZZZZZZZZZ> <#01HZZZZZZZZZZZZZZZZZZZZZZZ>`);
  assert.deepEqual([...unknown.querySelectorAll(".mention")].map((e) => e.textContent), ["@unknown-user", "@deleted-role", "#unknown"]);
  assert.equal(unknown.querySelector("[data-action]"), null);
  assert.equal(render("mail a@here.com or x@everyone").querySelector(".mention"), null);
  assert.equal(render("`<@" + ALICE + ">`").querySelector(".mention"), null);
});

test("the same text renders with current names each time", () => {
  const text = `hi <@${BOB}>`;
  assert.equal(render(text).querySelector(".mention").textContent, "@Bob");
  assert.equal(render(text, { user: () => ({ name: "Robert", me: false }) }).querySelector(".mention").textContent, "@Robert");
  assert.equal(render(text).querySelector(".mention").textContent, "@Bob");
});

test("custom emoji are the guild emoji's pictures, as the app draws them", () => {
  const img = render(`nice <:party_blob:${EMOJI}>`).querySelector("img.emoji");
  assert.equal(img.getAttribute("src"), `/api/v1/files/${EMOJI}`);
  assert.equal(img.alt, ":party_blob:");
  assert.ok(render(`<a:spin:${EMOJI}>`).querySelector("img.emoji"));
  const named = (id, name) => Object.assign(document.createElement("span"), { className: "emoji-name", textContent: `:${name}:${id.slice(-5)}` });
  assert.equal(html(`nice <:party_blob:${EMOJI}>`, { customEmoji: named }), '<p>nice <span class="emoji-name">:party_blob:EMOJI</span></p>');
});

test("timestamps in the viewer's locale", () => {
  const noon = 1700049600; // 2023-11-15 12:00 UTC
  const stamps = render(`<t:${noon}:D> <t:${noon}:R> <t:${noon}:d> <t:${noon}>`, { now: (noon + 7200) * 1000 }).querySelectorAll("time");
  assert.equal(stamps[0].textContent, "November 15, 2023");
  assert.equal(stamps[1].textContent, "2 hours ago");
  assert.equal(stamps[2].textContent, "11/15/2023");
  assert.match(stamps[3].textContent, /^November 15, 2023/);
  assert.equal(stamps[0].getAttribute("datetime"), "2023-11-15T12:00:00.000Z");
  assert.match(stamps[0].title, /Wednesday, November 15, 2023/);
  assert.equal(md.formatTimestamp(noon, "R", { locale: "en-US", now: (noon - 86400 * 3) * 1000 }), "in 3 days");
  assert.equal(md.formatTimestamp(noon, "D", { locale: "de-DE" }), "15. November 2023");
  assert.equal(html("<t:notanumber>"), "<p>&lt;t:notanumber&gt;</p>");
});

test("emoji-only messages are shown large", () => {
  assert.ok(md.emojiOnly("😀"));
  assert.ok(md.emojiOnly("😀 👍🏽 🏳️‍🌈"));
  assert.ok(md.emojiOnly(`<:blob:${EMOJI}> 🎉`));
  assert.ok(!md.emojiOnly("hi 😀"));
  assert.ok(!md.emojiOnly("123"));
  assert.ok(!md.emojiOnly("😀".repeat(28)));
});

// ---- hostile input ------------------------------------------------------------------------------

const ATTACKS = [
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "<svg onload=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[click](  javascript:alert(1))",
  "[click](data:text/html,<script>alert(1)</script>)",
  "[click](vbscript:msgbox)",
  '[x](https://a.b" onmouseover="alert(1))',
  "[x](https://a.b 'onmouseover=alert(1)')",
  "<javascript:alert(1)>",
  "![x](javascript:alert(1))",
  "||<img src=x onerror=alert(1)>||",
  "**<img src=x onerror=alert(1)>**",
  "```\n</code></pre><img src=x onerror=alert(1)>\n```",
  "```html\n<script>alert(1)</script>\n```",
  "`<script>alert(1)</script>`",
  '<span data-action="delete" data-message="x">click</span>',
  '<@x" onclick="alert(1)>',
  '<:x" onerror="alert(1):01HZZZZZZZZZZZZZZZZZZEMOJI>',
  "<t:1\" onmouseover=\"alert(1)>",
  "> <iframe src=https://evil.example>",
  "# <style>*{display:none}</style>",
  "- <form action=https://evil.example><input name=p></form>",
  "&lt;img src=x onerror=alert(1)&gt;",
  "[<img src=x onerror=alert(1)>](https://a.b)",
];

test("no markup, script, handler or unsafe link gets through", async () => {
  await md.loadLanguage("html");
  for (const attack of ATTACKS) {
    const div = render(attack);
    const bad = div.querySelector("script, img:not(.emoji), svg, iframe, style, form, input, [onerror], [onload], [onclick], [onmouseover], [style]:not(.mention)");
    assert.equal(bad, null, `${attack} → ${div.innerHTML}`);
    for (const a of div.querySelectorAll("a")) assert.match(a.getAttribute("href"), /^https?:\/\//, attack);
    for (const el of div.querySelectorAll("[data-action]")) {
      assert.ok(["reveal-spoiler", "select-channel"].includes(el.dataset.action), `${attack} → ${div.innerHTML}`);
    }
  }
});

test("the sanitizer alone strips what the parser never makes", () => {
  const div = document.createElement("div");
  div.append(md.sanitize('<a href="javascript:alert(1)">a</a><img src="x" onerror="alert(1)"><span data-action="delete" style="color:red" onclick="x()">s</span><iframe></iframe><img src="https://evil.example/track.png">'));
  assert.equal(div.querySelector("iframe, [onerror], [onclick], [style], [data-action]"), null, div.innerHTML);
  assert.equal(div.querySelector("a").getAttribute("href"), null);
  assert.equal(div.querySelector("a").target, "_blank");
  for (const img of div.querySelectorAll("img")) assert.equal(img.getAttribute("src"), null, div.innerHTML);
});

test("plain lines take a shortcut that renders exactly as the parser would", () => {
  const plain = ["hello there", "it's 5 o'clock, right?", "x = y", "emoji 🎉 and ünïcödé", "   padded   ", "a.b.c"];
  const tricky = ["hi *there*", "line\nbreak", "see https://example.com", "a & b", "#tag", "a:b", "2 + 2", "a &amp; b"];
  for (const text of [...plain, ...tricky]) {
    const div = document.createElement("div");
    div.append(md.sanitize(md.toHtml(text)));
    for (const n of [...div.childNodes]) if (n.nodeType === 3 && !n.nodeValue.trim()) n.remove();
    assert.equal(html(text), div.innerHTML, text);
  }
});

test("a message's one-line summary names people and hides spoilers", () => {
  const app = {
    api: { base: "" },
    state: {
      self_user: { id: ALICE }, users: { [BOB]: { id: BOB, username: "bob", display_name: "Bob" } },
      members: {}, roles: {}, channels: { [CHAN]: { id: CHAN, name: "general" } },
    },
  };
  const message = { id: "01HZZZZZZZZZZZZZZZZZZZMSG2", content: `**hi** <@${BOB}> in <#${CHAN}>\n> ||secret|| <:blob:${EMOJI}>` };
  assert.equal(md.summaryText(app, message, null), "hi @Bob in #general ▮▮▮ :blob:");
  assert.equal(md.summaryText(app, { ...message, content: "x".repeat(150) }, null, 10), "xxxxxxxxx…");
});

test("hostile shapes render (no regex that backtracks without bound)", () => {
  const shapes = [
    "```\n" + "\n".repeat(3990), "```" + "a\n".repeat(1995), "|".repeat(4000), "|| a ".repeat(800), "> a\n".repeat(1000),
    "*a".repeat(2000), "[".repeat(4000), "<".repeat(4000), "@everyone".repeat(444), "a" + "\n".repeat(3998) + "b",
  ];
  for (const text of shapes) assert.ok(render(text).childNodes.length > 0, text.slice(0, 20));
  // Emoji that contain shorter emoji, then one character that is not: a linear scan says no.
  assert.equal(md.emojiOnly("👍🏽".repeat(26) + "x"), false);
  assert.equal(md.emojiOnly("👍🏽".repeat(27)), true);
  assert.equal(html("```\n\n\ncode\n\n\n```"), '<pre><code class="hljs">code</code></pre>');
});
