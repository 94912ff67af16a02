// @ts-check
// The application: one cache (state.js), one gateway connection, the UI state, and the
// glue between them. Views are functions of (app) that `draw()` patches into fixed regions
// of index.html; controls name their action in `data-action` / `data-submit`.

import { Api, ApiError } from "./api.js";
import { GatewayClient } from "./gateway.js";
import { apply, createState, ingestGuildEvents, ingestMessages, ingestPolls, presenceOf } from "./state.js";
import { NO_MESSAGES } from "./stores.js";
import { patch } from "./ui/dom.js";
import { effects } from "./effects.js";
import * as account from "./ui/account.js";
import * as admin from "./ui/admin.js";
import * as auditLog from "./ui/audit-log.js";
import * as integrations from "./ui/integrations.js";
import * as authorize from "./ui/authorize.js";
import * as avatar from "./ui/avatar.js";
import * as banners from "./ui/banners.js";
import * as bots from "./ui/bots.js";
import * as call from "./ui/call.js";
import * as channelName from "./ui/channel-name.js";
import * as chat from "./ui/chat.js";
import * as composer from "./ui/composer.js";
import * as emoji from "./ui/emoji.js";
import * as features from "./ui/features.js";
import * as guildNotifications from "./ui/guild-notifications.js";
import * as imageUpload from "./ui/image-upload.js";
import * as invite from "./ui/invite.js";
import * as jump from "./ui/jump.js";
import * as login from "./ui/login.js";
import * as markdown from "./ui/markdown.js";
import * as media from "./ui/media.js";
import * as members from "./ui/members.js";
import * as overwrites from "./ui/overwrites.js";
import * as panels from "./ui/panels.js";
import * as rail from "./ui/rail.js";
import * as reports from "./ui/reports.js";
import * as roles from "./ui/roles.js";
import * as saved from "./ui/saved.js";
import * as search from "./ui/search.js";
import * as security from "./ui/security.js";
import * as settings from "./ui/settings.js";
import * as sidebar from "./ui/sidebar.js";
import * as slash from "./ui/slash.js";
import * as theme from "./ui/theme.js";
import * as webhooks from "./ui/webhooks.js";
import * as eventWebhooks from "./ui/event-webhooks.js";

const PAGE = 50; // messages per history page
const TYPING_EVERY_MS = 8000; // op 8 at most this often per channel (typing lasts 10 s)
const SERVER_TYPING_THROTTLE_MS = 5200; // the server drops a typer's repeats within 5 s

/** @type {import("./types.js").UiModule[]} */
const MODULES = [account, admin, auditLog, authorize, banners, bots, call, chat, composer, emoji, features, guildNotifications, imageUpload, integrations, invite, jump, login, markdown, media, members, overwrites, panels, rail, reports, roles, saved, search, security, settings, sidebar, slash, theme, webhooks, eventWebhooks];

export class App {
  constructor(doc, { api = new Api(), storage = globalThis.localStorage } = {}) {
    this.doc = doc;
    this.api = api;
    this.storage = storage;
    this.state = createState({ max_messages: 5000 });
    this.gateway = null;
    this.voice = null; // the voice and video of the channel or call we are in (voice.js)
    this.ui = {
      view: "login", // login | app
      authMode: "login", // login | register | forgot (ask for a reset link) | reset (the mailed link's page)
      authTicket: null, // the first step of a two-factor login passed: a code is asked for next
      authError: null,
      authNotice: null,
      busy: false,
      guildId: null, // null: home (DMs and friends)
      channelId: null,
      panel: null, // pins | notifications | events | settings | features | friends | profile | create-guild | join
      panelArgs: {},
      navOpen: false,
      membersOpen: !globalThis.matchMedia?.("(max-width: 900px)").matches,
      replyTo: null,
      editing: null,
      reactPicker: null,
      history: {}, // channel → {loading, exhausted, loaded}
      pins: {}, // channel → pinned messages (GET /pins)
      starters: {}, // thread → its starter message when the parent's history lacks it (null: deleted)
      toasts: [],
      unavailable: new Set(), // feature areas whose routes answered 404 "no such route"
      lists: {}, // what panels loaded over REST: invites, bans, automod rules, activities, boards …
      dismissed: new Set(JSON.parse(this.read("amityvox.dismissed") ?? "[]")),
      voice: null, // {channelId, guildId, mute, deaf, screen, camera, broadcast}; its media: this.voice
      settingsTab: "overview",
      featuresTab: "locations",
      friendsTab: "all",
      instanceAdmin: null, // GET /instance/me answered true: the administration panel is offered (ui/admin.js)
      admin: null, // what the administration panel loaded
      instance: null, // GET /instance: the server's name, whether it sends e-mail, its deletion grace period
      resetToken: null, // the token of the password reset link the page was opened at
      afterSignIn: null, // a panel a mailed link asked for, opened once signed in
      emailVerified: false, // the address was confirmed in this page (the self user says so from the next READY)
      exports: null, // the user's data exports while the security panel shows them (ui/account.js)
      exportPoll: undefined, // the timer asking again while an export is being prepared
    };
    this.actions = {};
    this.forms = {};
    for (const m of MODULES) {
      Object.assign(this.actions, m.actions ?? {});
      Object.assign(this.forms, m.forms ?? {});
    }
    this.frame = null;
    this.lastTyping = new Map();
    this.toastSeq = 0;
  }

  read(key) {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  write(key, value) {
    try {
      if (value == null) this.storage?.removeItem(key);
      else this.storage?.setItem(key, value);
    } catch {
      // storage unavailable: the setting lasts this page only
    }
  }

  $(id) {
    return this.doc.getElementById(id);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  start() {
    this.bindEvents();
    this.api.onUnauthorized = () => this.signedOut("Your session has ended. Please sign in again.");
    this.api.get("/instance").then((found) => {
      this.ui.instance = found;
      this.render();
    }, () => {});
    if (account.fromAddress(this)) {
      this.draw();
      return;
    }
    const inviteLink = this.doc.location.pathname.match(/^\/invite\/([^/]+)/);
    if (inviteLink) invite.open(this, decodeURIComponent(inviteLink[1]));
    authorize.fromAddress(this);
    if (this.api.token) {
      this.connect();
      account.afterSignIn(this);
    } else this.draw();
  }

  async connect() {
    this.ui.view = "app";
    this.ui.authError = null;
    this.draw();
    let url;
    try {
      url = await this.api.gatewayUrl();
    } catch (err) {
      this.toast(`Cannot reach the server: ${err.message}`, "error");
      url = `${this.doc.location.protocol === "https:" ? "wss" : "ws"}://${this.doc.location.host}/ws`;
    }
    this.gateway?.close();
    const gateway = new GatewayClient({ url, token: this.api.token });
    this.gateway = gateway;
    gateway.onEvent((name, d) => {
      if (this.gateway === gateway) this.onEvent(name, d);
    });
    gateway.start();
  }

  onEvent(name, d) {
    apply(this.state, name, d);
    effects(this, name, d);
    this.render();
  }

  signedOut(notice) {
    sidebar.stopVoice(this);
    this.gateway?.close();
    this.gateway = null;
    this.readyOnce = false;
    this.api.token = null;
    this.state = createState({ max_messages: 5000 });
    Object.assign(this.ui, {
      view: "login", authMode: "login", authTicket: null, authError: null, authNotice: notice, guildId: null, channelId: null, panel: null, history: {}, pins: {},
      voice: null, replyTo: null, editing: null, lists: {}, admin: null, instanceAdmin: null,
    });
    this.draw();
  }

  // ---- rendering ------------------------------------------------------------------------------

  render() {
    if (this.frame != null) return;
    const raf = globalThis.requestAnimationFrame ?? ((fn) => setTimeout(fn, 16));
    this.frame = raf(() => {
      this.frame = null;
      this.draw();
    });
  }

  draw() {
    const doc = this.doc;
    const signedIn = this.ui.view === "app";
    const stuck = chat.atBottom(this.$("messages")); // before the layout below changes
    theme.apply(this);
    doc.body.classList.toggle("signed-in", signedIn);
    doc.body.classList.toggle("nav-open", this.ui.navOpen);
    doc.body.classList.toggle("members-open", this.ui.membersOpen && signedIn && this.ui.guildId != null);
    doc.body.classList.toggle("panel-open", this.ui.panel != null);
    doc.body.classList.toggle("panel-wide", this.ui.panel === "admin");
    doc.body.classList.toggle("invite-open", signedIn && (this.ui.invite != null || this.ui.authorize != null));
    patch(this.$("banners"), banners.view(this));
    patch(this.$("toasts"), banners.toasts(this));
    if (!signedIn) {
      patch(this.$("login"), login.view(this));
      return;
    }
    patch(this.$("login"), this.ui.invite ? invite.page(this) : this.ui.authorize ? authorize.page(this) : []);
    patch(this.$("rail"), rail.view(this));
    patch(this.$("sidebar"), sidebar.view(this));
    patch(this.$("chat-header"), chat.header(this));
    patch(this.$("call-stage"), call.stage(this));
    call.attach(this, this.$("call-stage"));
    chat.drawMessages(this, this.$("messages"), stuck);
    jump.afterDraw(this);
    patch(this.$("typing"), chat.typing(this));
    patch(this.$("composer-bar"), [chat.composerBar(this), media.tray(this)].flat());
    patch(this.$("lightbox"), media.lightbox(this));
    chat.syncComposer(this, this.$("composer"));
    composer.draw(this);
    slash.draw(this);
    patch(this.$("members"), members.view(this));
    patch(this.$("panel"), panels.view(this));
  }

  // ---- navigation -----------------------------------------------------------------------------

  /** Show a guild (or home when null) and a channel in it; the address follows. */
  select(guildId, channelId = null) {
    const s = this.state;
    if (guildId != null && !s.guilds[guildId]) guildId = null;
    if (channelId != null && !s.channels[channelId]) channelId = null;
    if (channelId == null && guildId != null) {
      channelId = this.read(`amityvox.last.${guildId}`);
      const c = s.channels[channelId];
      if (!c || c.guild_id !== guildId || NO_MESSAGES.has(c.channel_type)) {
        channelId = Object.values(s.channels)
          .filter((c2) => c2.guild_id === guildId && !NO_MESSAGES.has(c2.channel_type) && !c2.parent_channel_id)
          .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1))[0]?.id ?? null;
      }
    }
    const guildChanged = guildId !== this.ui.guildId;
    this.ui.guildId = guildId;
    this.ui.channelId = channelId;
    this.ui.replyTo = null;
    this.ui.editing = null;
    this.ui.reactPicker = null;
    this.ui.navOpen = false;
    if (guildChanged && ["settings", "events", "profile"].includes(this.ui.panel)) this.ui.panel = null;
    if (guildId && channelId) this.write(`amityvox.last.${guildId}`, channelId);
    const hash = channelId ? `#/channels/${guildId ?? "@me"}/${channelId}` : guildId ? `#/channels/${guildId}` : "#/channels/@me";
    if (this.doc.location.hash !== hash) history.replaceState(null, "", `${this.doc.location.pathname}${this.doc.location.search}${hash}`);
    if (guildChanged && guildId) this.loadGuild(guildId);
    if (channelId) this.openChannel(channelId);
    this.render();
  }

  /** The selection written in the address, if it still exists. */
  selectFromAddress() {
    // A link to /channels/… (served as this page) becomes the same address after #.
    const loc = this.doc.location;
    if (jump.parseLink(loc.pathname)) history.replaceState(null, "", `/${loc.search}#${loc.pathname}`);
    const link = jump.parseLink(loc.hash);
    if (link?.messageId && this.state.channels[link.channelId]) return jump.jumpTo(this, link.channelId, link.messageId);
    const m = this.doc.location.hash.match(/^#\/channels\/([^/]+)(?:\/([^/]+))?/);
    if (m) {
      const guildId = m[1] === "@me" ? null : m[1];
      if (guildId == null || this.state.guilds[guildId]) return this.select(guildId, m[2] ?? null);
    }
    const first = Object.keys(this.state.guilds).sort()[0] ?? null;
    return this.select(first);
  }

  loadGuild(guildId) {
    this.gateway?.requestMembers(guildId, "", 100);
    this.loadList(`events:${guildId}`, "events", `/guilds/${guildId}/events`, (list) =>
      ingestGuildEvents(this.state, guildId, list));
  }

  openChannel(channelId) {
    const channel = this.state.channels[channelId];
    if (!channel || NO_MESSAGES.has(channel.channel_type)) return;
    jump.channelOpened(this, channelId);
    const h = this.ui.history[channelId];
    if (channel.parent_channel_id && this.threadStarter(channelId) === undefined) this.loadStarter(channelId);
    if (!h || !h.loaded) this.loadHistory(channelId, { initial: true });
    else this.ackIfRead();
    this.ui.stickBottom = true;
    this.gateway?.subscribe([channelId]);
  }

  async loadHistory(channelId, { initial = false } = {}) {
    const h = (this.ui.history[channelId] ??= { loading: false, exhausted: false, loaded: false });
    if (h.loading || (!initial && h.exhausted)) return;
    h.loading = true;
    this.render();
    const box = this.state.messages[channelId] ?? {};
    const oldest = initial ? null : Object.keys(box).sort()[0] ?? null;
    try {
      const page = await this.api.get(`/channels/${channelId}/messages`, { limit: PAGE, before: oldest });
      ingestMessages(this.state, channelId, page);
      h.exhausted = page.length < PAGE;
      // The polls posted among these messages (the whole past once history is exhausted).
      await this.loadPolls(channelId, { after: h.exhausted ? null : page.at(-1)?.id, before: oldest });
      h.loaded = true;
      if (!initial) this.ui.keepScroll = true;
      else this.ui.stickBottom = true;
    } catch (err) {
      this.fail(err, "Loading messages failed");
    } finally {
      h.loading = false;
      this.render();
    }
    if (initial) this.ackIfRead();
  }

  /** A thread's starter message: from the parent's cached history when there, else as fetched
   * (null: deleted; undefined: not known yet). */
  threadStarter(threadId) {
    const parentId = this.state.channels[threadId]?.parent_channel_id;
    const cached = Object.values(this.state.messages[parentId] ?? {}).find((m) => m.thread_id === threadId);
    return cached ?? this.ui.starters[threadId];
  }

  async loadStarter(threadId) {
    try {
      this.ui.starters[threadId] = await this.api.get(`/channels/${threadId}/starter-message`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.ui.starters[threadId] = null;
    }
    this.render();
  }

  /** The channel's polls posted between two message ids (null: no bound), into the stores. */
  async loadPolls(channelId, { after = null, before = null } = {}) {
    if (!this.available("polls")) return;
    try {
      ingestPolls(this.state, await this.api.get(`/channels/${channelId}/polls`, { after, before }));
    } catch (err) {
      if (!this.missingRoute(err, "polls") && err.status !== 403) this.fail(err, "Loading polls failed");
    }
  }

  /** Mark the open channel read up to its newest message when the user can see it. */
  ackIfRead() {
    const channelId = this.ui.channelId;
    if (!channelId || this.doc.visibilityState === "hidden") return;
    const rs = this.state.read_state[channelId];
    const channel = this.state.channels[channelId];
    const newest = channel?.last_message_id ?? Object.keys(this.state.messages[channelId] ?? {}).sort().at(-1);
    if (!newest || !rs || (!rs.unread_count && !rs.mention_count && rs.last_message_id >= newest)) return;
    if (this.acking === `${channelId}:${newest}`) return;
    this.acking = `${channelId}:${newest}`;
    this.api.post(`/channels/${channelId}/ack`, { message_id: newest })
      .catch(() => {})
      .finally(() => {
        this.acking = null;
      });
  }

  /**
   * op 8 while typing: every 8 s per channel (an indicator lasts 10 s). After a message the
   * others' indicator has ended, so the next one goes as soon as the server takes it again
   * (it drops a typer's repeats within 5 s) — later if needed, while the text is still there.
   */
  typed(channelId) {
    const now = Date.now();
    const t = this.lastTyping.get(channelId) ?? { sent: 0, fresh: true, timer: null };
    this.lastTyping.set(channelId, t);
    const due = t.sent + (t.fresh ? SERVER_TYPING_THROTTLE_MS : TYPING_EVERY_MS);
    const fire = () => {
      t.timer = null;
      t.sent = Date.now();
      t.fresh = false;
      if (!this.gateway?.sendTyping(channelId)) this.api.post(`/channels/${channelId}/typing`).catch(() => {});
    };
    if (now >= due) fire();
    else if (t.fresh && !t.timer) {
      t.timer = setTimeout(() => {
        const box = this.doc.getElementById("composer-input");
        if (this.ui.channelId === channelId && box?.value.trim()) fire();
        else t.timer = null;
      }, due - now);
    }
  }

  /** A message was sent: the indicator others showed for us has ended. */
  sentMessage(channelId) {
    const t = this.lastTyping.get(channelId);
    if (!t) return;
    t.fresh = true;
    clearTimeout(t.timer);
    t.timer = null;
  }

  // ---- REST helpers for panels ----------------------------------------------------------------

  /** Marks a feature unavailable when its route does not exist on this server. */
  missingRoute(err, feature) {
    if (err instanceof ApiError && ((err.status === 404 && err.message === "no such route") || err.status === 405)) {
      this.ui.unavailable.add(feature);
      this.render();
      return true;
    }
    return false;
  }

  /** A user's status as shown: for the self user, what they chose while connected. */
  presence(uid) {
    const s = this.state;
    if (uid === s.self_user?.id && s.connection.connected) {
      const chosen = s.presences[uid]?.status ?? this.ui.status ?? "online";
      return chosen === "invisible" ? "offline" : chosen;
    }
    return presenceOf(s, uid);
  }

  available(feature) {
    return !this.ui.unavailable.has(feature);
  }

  /** GET a list for a panel into `ui.lists[key]`; a missing route hides the feature. */
  async loadList(key, feature, path, into = null) {
    if (!this.available(feature)) return null;
    try {
      const data = await this.api.get(path);
      this.ui.lists[key] = data;
      into?.(data);
      this.render();
      return data;
    } catch (err) {
      if (!this.missingRoute(err, feature) && err.status !== 403) this.fail(err, "Loading failed");
      this.ui.lists[key] = null;
      this.render();
      return null;
    }
  }

  /** Run a REST call from a control; errors become toasts, a missing route hides the feature. */
  async call(feature, fn, failure = "That did not work") {
    try {
      return await fn();
    } catch (err) {
      if (feature && this.missingRoute(err, feature)) {
        this.toast("That feature is not available on this server.", "info");
      } else {
        this.fail(err, failure);
      }
      return undefined;
    }
  }

  fail(err, what) {
    const detail = err instanceof ApiError ? err.message : String(err?.message ?? err);
    this.toast(`${what}: ${detail}`, "error");
  }

  toast(text, kind = "info", extra = {}) {
    const id = ++this.toastSeq;
    this.ui.toasts.push({ id, text, kind, ...extra });
    if (this.ui.toasts.length > 5) this.ui.toasts.shift();
    setTimeout(() => {
      this.ui.toasts = this.ui.toasts.filter((t) => t.id !== id);
      this.render();
    }, extra.sticky ? 30000 : 6000);
    this.render();
  }

  openPanel(panel, args = {}) {
    this.ui.panel = panel;
    this.ui.panelArgs = args;
    for (const m of MODULES) m.onOpen?.(this, panel, args);
    // Drawn and focused now, not a frame later: a late draw or focus would land after the
    // user's next click or keystroke and take them somewhere else.
    this.draw();
    const panelEl = this.$("panel");
    const first = panelEl?.querySelector("[data-autofocus]") ?? panelEl?.querySelector("input, textarea, select, button");
    first?.focus();
    if (first?.dataset.autofocus === "select" && "select" in first) first.select();
  }

  closeTopmost() {
    const ui = this.ui;
    if (ui.lightbox) ui.lightbox = null;
    else if (ui.reactPicker) ui.reactPicker = null;
    else if (ui.panel) ui.panel = null;
    else if (ui.navOpen) ui.navOpen = false;
    else if (ui.editing) ui.editing = null;
    else if (ui.replyTo) ui.replyTo = null;
    else if (ui.membersOpen && this.doc.defaultView?.matchMedia?.("(max-width: 900px)").matches) ui.membersOpen = false;
    else return false;
    this.render();
    return true;
  }

  // ---- events from the page -------------------------------------------------------------------

  bindEvents() {
    const doc = this.doc;
    doc.addEventListener("click", (event) => {
      const el = event.target.closest("[data-action]");
      if (!el || el.disabled) return;
      const fn = this.actions[el.dataset.action];
      if (!fn) return;
      event.preventDefault();
      fn(this, el.dataset, el, event);
    });
    doc.addEventListener("submit", (event) => {
      const form = event.target.closest("form[data-submit]");
      if (!form) return;
      event.preventDefault();
      const fn = this.forms[form.dataset.submit];
      if (fn) fn(this, Object.fromEntries(new FormData(form)), form, event);
    });
    doc.addEventListener("change", (event) => {
      const el = event.target.closest("[data-change]");
      if (el) this.actions[el.dataset.change]?.(this, el.dataset, el, event);
    });
    doc.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.closeTopmost()) {
        event.preventDefault();
        return;
      }
      chat.keydown(this, event);
    });
    doc.addEventListener("input", (event) => chat.input(this, event));
    media.bind(this);
    jump.bind(this);
    search.bind(this);
    markdown.bind(this);
    avatar.bind(this);
    composer.bind(this);
    slash.bind(this);
    roles.bind(this);
    channelName.bind(this);
    theme.bind(this);
    doc.addEventListener("visibilitychange", () => this.ackIfRead());
    this.$("messages")?.addEventListener("scroll", (event) => chat.scrolled(this, event.target), { passive: true });
    globalThis.addEventListener?.("focus", () => this.ackIfRead());
    globalThis.setInterval?.(() => {
      // Typing indicators expire on their own; redraw so they disappear on time.
      if (this.ui.channelId && Object.keys(this.state.typing[this.ui.channelId] ?? {}).length) this.render();
    }, 2000);
  }
}
