// @ts-check
// Channel apps: polls, live location shares, kanban boards, whiteboards (JSON, last writer
// wins by version), tic-tac-toe, activity sessions with watch-together and music parties,
// code snippets and widgets. Lists load over REST; the channel's events keep them live.

import { icon } from "./icons.js";
import { h } from "./dom.js";
import { displayName, kanbanCards, ofChannel } from "../state.js";

const TABS = [
  ["polls", "Poll", "polls"],
  ["locations", "Locations", "experimental"],
  ["kanban", "Kanban", "experimental"],
  ["whiteboard", "Whiteboard", "experimental"],
  ["games", "Tic-tac-toe", "games"],
  ["activities", "Activities", "activities"],
  ["snippets", "Snippets", "experimental"],
  ["widgets", "Widgets", "widgets"],
];

const base = (app) => `/channels/${app.ui.channelId}/experimental`;

export function view(app) {
  const tabs = TABS.filter(([, , feature]) => app.available(feature));
  const tab = tabs.some(([id]) => id === app.ui.featuresTab) ? app.ui.featuresTab : tabs[0]?.[0];
  if (!app.ui.channelId || !tab) return h("p.muted", "Nothing to show here.");
  return [
    h("div.tabs.wrap", { role: "tablist", "aria-label": "Apps" }, tabs.map(([id, label]) => h("button.tab", {
      "data-key": id, role: "tab", "aria-selected": String(tab === id), "data-action": "features-tab", "data-tab": id,
    }, label))),
    h("div.tab-body", { role: "tabpanel", "data-key": `apps-${tab}` }, SECTIONS[tab](app)),
  ];
}

// ---- polls --------------------------------------------------------------------------------------

function polls() {
  return h("form.stack.card", { "data-submit": "create-poll" },
    h("h3", "New poll"),
    h("label", "Question", h("input", { name: "question", required: true, maxlength: 300 })),
    h("label", "Options (one per line)", h("textarea", { name: "options", rows: 4, required: true, maxlength: 2000 })),
    h("label.check", h("input", { type: "checkbox", name: "multi_vote" }), "Allow several choices"),
    h("label.check", h("input", { type: "checkbox", name: "anonymous" }), "Anonymous"),
    h("button.primary", { type: "submit" }, "Post poll"));
}

// ---- locations ----------------------------------------------------------------------------------

function locations(app) {
  const shares = Object.values(app.state.locations[app.ui.channelId] ?? {});
  const me = app.state.self_user?.id;
  return [
    shares.length ? h("ul.settings-list", shares.map((l) => h("li", { "data-key": l.id },
      h("span.grow", h("strong", displayName(app.state, l.user_id)), ` ${l.label ? `“${l.label}” ` : ""}`,
        h("a", { href: `https://www.openstreetmap.org/?mlat=${l.latitude}&mlon=${l.longitude}#map=15/${l.latitude}/${l.longitude}`, target: "_blank", rel: "noopener noreferrer" },
          `${l.latitude.toFixed(5)}, ${l.longitude.toFixed(5)}`),
        l.accuracy ? h("small.muted", ` ±${Math.round(l.accuracy)} m`) : null,
        l.live ? h("span.tag.live", "live") : null),
      l.user_id === me ? h("button.link.danger", { "data-action": "stop-location", "data-id": l.id }, "Stop") : null)))
      : h("p.muted", "Nobody is sharing a location here."),
    h("form.stack.card", { "data-submit": "share-location" },
      h("h3", "Share a location"),
      h("div.row", h("label.grow", "Latitude", h("input", { name: "latitude", type: "number", step: "any", min: -90, max: 90, required: true, id: "loc-lat" })),
        h("label.grow", "Longitude", h("input", { name: "longitude", type: "number", step: "any", min: -180, max: 180, required: true, id: "loc-lon" }))),
      h("label", "Label (optional)", h("input", { name: "label", maxlength: 100 })),
      h("label.check", h("input", { type: "checkbox", name: "live", checked: true }), "Live (update as I move)"),
      h("div.row", h("button", { type: "button", "data-action": "use-my-location" }, "Use my position"), h("button.primary", { type: "submit" }, "Share"))),
  ];
}

// ---- kanban -------------------------------------------------------------------------------------

function kanban(app) {
  const boards = app.ui.lists[`kanban:${app.ui.channelId}`];
  const boardId = app.ui.boardId ?? boards?.[0]?.id;
  const board = boardId ? app.ui.lists[`board:${boardId}`] : null;
  const cards = boardId ? kanbanCards(app.state, app.ui.channelId, boardId) : [];
  const columns = board?.columns ?? [];
  return [
    boards?.length ? h("div.row.wrap", boards.map((b) => h("button.chip", { "data-key": b.id, "data-action": "open-board", "data-board": b.id, "aria-pressed": String(b.id === boardId) }, b.name))) : h("p.muted", "No boards yet."),
    board ? h("div.kanban", { "aria-label": board.name }, columns.map((col, ci) => h("section.kanban-col", { "data-key": col.id, "aria-label": col.name },
      h("h3", col.name),
      h("ul", cards.filter((c) => c.column_id === col.id).map((card) => h("li.kanban-card", { "data-key": card.id },
        h("strong", card.title), card.description ? h("p.muted", card.description) : null,
        h("div.row",
          ci > 0 ? h("button.icon.small", { "data-action": "move-card", "data-card": card.id, "data-column": columns[ci - 1].id, "aria-label": `Move ${card.title} to ${columns[ci - 1].name}` }, "←") : null,
          ci < columns.length - 1 ? h("button.icon.small", { "data-action": "move-card", "data-card": card.id, "data-column": columns[ci + 1].id, "aria-label": `Move ${card.title} to ${columns[ci + 1].name}` }, "→") : null)))),
      h("form.row", { "data-submit": "add-card", "data-column": col.id },
        h("label.sr-only", { for: `card-${col.id}` }, `New card in ${col.name}`),
        h("input.grow", { id: `card-${col.id}`, name: "title", required: true, maxlength: 200, placeholder: "New card" }),
        h("button.icon.small", { type: "submit", "aria-label": "Add card" }, "+")))),
    h("form.row", { "data-submit": "add-column" },
      h("input.grow", { name: "name", required: true, maxlength: 100, placeholder: "New column", "aria-label": "New column" }),
      h("button", { type: "submit" }, "Add column"))) : null,
    h("form.row.card", { "data-submit": "create-board" },
      h("input.grow", { name: "name", required: true, maxlength: 100, placeholder: "Board name", "aria-label": "Board name" }),
      h("button.primary", { type: "submit" }, "New board")),
  ];
}

// ---- whiteboard ---------------------------------------------------------------------------------

function whiteboard(app) {
  const listed = app.ui.lists[`whiteboards:${app.ui.channelId}`] ?? [];
  const id = app.ui.whiteboardId ?? listed[0]?.id;
  const live = id ? app.state.whiteboards[id] : null;
  const loaded = listed.find((w) => w.id === id);
  const version = Math.max(live?.version ?? 0, loaded?.version ?? 0);
  const doc = live && live.version >= (loaded?.version ?? 0) ? live.state : loaded?.state ?? {};
  return [
    listed.length ? h("div.row.wrap", listed.map((w) => h("button.chip", { "data-key": w.id, "data-action": "open-whiteboard", "data-id": w.id, "aria-pressed": String(w.id === id) }, w.name))) : h("p.muted", "No whiteboards yet."),
    id ? h("form.stack.card", { "data-submit": "save-whiteboard", "data-id": id, "data-version": version },
      h("h3", `Version ${version}`, live ? h("small.muted", ` · last edit by ${displayName(app.state, live.user_id)}`) : null),
      h("label", "Board (JSON)", h("textarea.code", { name: "state", rows: 8, "data-sync-value": true, value: JSON.stringify(doc, null, 2) }, JSON.stringify(doc, null, 2))),
      h("button.primary", { type: "submit" }, "Save")) : null,
    h("form.row.card", { "data-submit": "create-whiteboard" },
      h("input.grow", { name: "name", required: true, maxlength: 100, placeholder: "Whiteboard name", "aria-label": "Whiteboard name" }),
      h("button.primary", { type: "submit" }, "New whiteboard")),
  ];
}

// ---- games --------------------------------------------------------------------------------------

function tictactoe(app, game) {
  const st = game.state ?? {};
  const board = st.board ?? [[null, null, null], [null, null, null], [null, null, null]];
  const players = st.players ?? [];
  const me = app.state.self_user?.id;
  const seat = players.indexOf(me);
  const mark = (cell) => (cell === 0 ? "X" : cell === 1 ? "O" : "");
  const myTurn = game.status === "active" && seat >= 0 && st.turn === seat;
  const winLine = new Set((st.line ?? []).map(([r, c]) => `${r},${c}`));
  const status = game.status === "waiting" ? "Waiting for a second player"
    : game.status === "active" ? (myTurn ? "Your turn" : `${displayName(app.state, players[st.turn] ?? "")}'s turn`)
      : st.winner_id ? `${displayName(app.state, st.winner_id)} wins` : "A draw";
  return h("section.game.card", { "data-key": game.id, "aria-label": "Tic-tac-toe" },
    h("header.row", h("strong", "Tic-tac-toe"), h("span.tag", game.status), h("span.muted", status)),
    h("div.ttt", { role: "grid", "aria-label": "Board" }, board.flatMap((row, r) => row.map((cell, c) => h("button.ttt-cell", {
      "data-key": `${r}-${c}`, role: "gridcell", "data-action": "game-move", "data-game": game.id, "data-cell": r * 3 + c,
      disabled: !myTurn || cell != null, class: winLine.has(`${r},${c}`) ? "win" : null,
      "aria-label": `Row ${r + 1}, column ${c + 1}: ${mark(cell) || "empty"}`,
    }, mark(cell))))),
    h("p.muted", players.map((p, i) => `${i === 0 ? "X" : "O"}: ${displayName(app.state, p)}`).join(" · ")),
    game.status === "waiting" && seat < 0 ? h("button.primary", { "data-action": "game-join", "data-game": game.id }, "Join game") : null);
}

function games(app) {
  const list = ofChannel(app.state.games, app.ui.channelId).filter((g) => g.game_type === "tictactoe").sort((a, b) => (a.id < b.id ? 1 : -1));
  return [
    h("button.primary", { "data-action": "game-new" }, "New tic-tac-toe game"),
    list.length ? list.slice(0, 5).map((g) => tictactoe(app, g)) : h("p.muted", "No games in this channel yet."),
  ];
}

// ---- activities ---------------------------------------------------------------------------------

function activities(app) {
  const s = app.state;
  const me = s.self_user?.id;
  const catalog = app.ui.lists.activities ?? [];
  const sessions = ofChannel(s.activities, app.ui.channelId);
  const watches = ofChannel(s.watch_together, app.ui.channelId);
  const parties = ofChannel(s.music_parties, app.ui.channelId);
  return [
    h("section.card", h("h3", "Running here"),
      !sessions.length && !watches.length && !parties.length ? h("p.muted", "Nothing is running in this channel.") : null,
      h("ul.settings-list",
        sessions.map((x) => h("li", { "data-key": x.id },
          h("span.grow", h("strong", catalog.find((a) => a.id === x.activity_id)?.name ?? "Activity"),
            h("small.muted", ` · ${x.participants.map((p) => displayName(s, p)).join(", ")}`),
            h("code.state", JSON.stringify(x.state))),
          x.participants.includes(me)
            ? h("button.link", { "data-action": "activity-leave", "data-session": x.id }, "Leave")
            : h("button.link", { "data-action": "activity-join", "data-session": x.id }, "Join"),
          x.host_id === me ? h("button.link.danger", { "data-action": "activity-end", "data-session": x.id }, "End") : null)),
        watches.map((w) => h("li", { "data-key": w.id }, h("span.grow", "Watching ", h("strong", w.title ?? w.video_url),
          h("small.muted", ` ${w.playing ? "playing" : "paused"} at ${Math.round(w.current_time_ms / 1000)} s ×${w.playback_rate}`)))),
        parties.map((p) => h("li", { "data-key": p.id }, h("span.grow", h("strong", `Music party by ${displayName(s, p.host_id)}`),
          h("small.muted", ` · ${p.queue.length} in queue${p.queue.length ? `: ${p.queue.map((t) => t.title).join(", ")}` : ""}`)),
          h("form.row", { "data-submit": "queue-track", "data-party": p.id },
            h("input", { name: "title", required: true, placeholder: "Title", "aria-label": "Track title", maxlength: 200 }),
            h("input", { name: "url", type: "url", required: true, placeholder: "https://…", "aria-label": "Track URL" }),
            h("button", { type: "submit" }, "Queue")))))),
    catalog.length ? h("section.card", h("h3", "Start an activity"), h("div.row.wrap", catalog.map((a) => h("button", { "data-key": a.id, "data-action": "activity-start", "data-activity": a.id }, a.name)))) : null,
    h("form.row.card", { "data-submit": "watch-start" },
      h("label.grow", "Watch together (video URL)", h("input", { name: "video_url", type: "url", required: true })),
      h("button.primary", { type: "submit" }, "Start")),
    h("div.row", h("button", { "data-action": "music-start" }, "Start a music party")),
  ];
}

// ---- snippets and widgets -------------------------------------------------------------------------

function snippets(app) {
  const list = ofChannel(app.state.snippets, app.ui.channelId).sort((a, b) => (a.id < b.id ? 1 : -1));
  return [
    list.map((sn) => h("article.card", { "data-key": sn.id }, h("header", h("strong", sn.title), h("span.tag", sn.language), h("small.muted", ` by ${displayName(app.state, sn.author_id)}`)),
      h("pre.code", h("code", sn.code)))),
    list.length ? null : h("p.muted", "No snippets yet."),
    h("form.stack.card", { "data-submit": "create-snippet" },
      h("div.row", h("label.grow", "Title", h("input", { name: "title", required: true, maxlength: 100 })),
        h("label", "Language", h("input", { name: "language", required: true, maxlength: 32, value: "text" }))),
      h("label", "Code", h("textarea.code", { name: "code", rows: 5, required: true })),
      h("button.primary", { type: "submit" }, "Post snippet")),
  ];
}

function widgets(app) {
  const list = Object.values(app.state.widgets[app.ui.channelId] ?? {}).sort((a, b) => a.position - b.position);
  return [
    list.length ? h("ul.settings-list", list.map((w) => h("li", { "data-key": w.id },
      h("span.grow", h("strong", w.title), h("span.tag", w.widget_type), h("code.state", JSON.stringify(w.config))),
      h("button.icon.small.danger", { "data-action": "delete-widget", "data-id": w.id, "aria-label": `Remove ${w.title}` }, icon("trash"))))) : h("p.muted", "No widgets in this channel."),
    h("form.row.card", { "data-submit": "create-widget" },
      h("input.grow", { name: "title", required: true, maxlength: 100, placeholder: "Note title", "aria-label": "Widget title" }),
      h("input.grow", { name: "text", maxlength: 500, placeholder: "Text", "aria-label": "Widget text" }),
      h("button.primary", { type: "submit" }, "Add note")),
  ];
}

const SECTIONS = { polls, locations, kanban, whiteboard, games, activities, snippets, widgets };

function loadTab(app, tab) {
  const c = app.ui.channelId;
  if (!c) return;
  if (tab === "locations") {
    app.loadList(`locations:${c}`, "experimental", `${base(app)}/locations`, (list) => {
      const box = (app.state.locations[c] ??= {});
      for (const l of list) box[l.id] = l;
    });
  }
  if (tab === "kanban") {
    app.loadList(`kanban:${c}`, "experimental", `${base(app)}/kanban`, (boards) => {
      const first = app.ui.boardId ?? boards[0]?.id;
      if (first) openBoard(app, first);
    });
  }
  if (tab === "whiteboard") app.loadList(`whiteboards:${c}`, "experimental", `${base(app)}/whiteboards`);
  if (tab === "snippets") {
    app.loadList(`snippets:${c}`, "experimental", `${base(app)}/code-snippets`, (list) => {
      for (const sn of list) app.state.snippets[sn.id] = sn;
    });
  }
  if (tab === "widgets") {
    app.loadList(`widgets:${c}`, "widgets", `/channels/${c}/widgets`, (list) => {
      const box = (app.state.widgets[c] ??= {});
      for (const w of list) box[w.id] = w;
    });
  }
  if (tab === "activities") app.loadList("activities", "activities", "/activities");
}

async function openBoard(app, boardId) {
  app.ui.boardId = boardId;
  await app.loadList(`board:${boardId}`, "experimental", `${base(app)}/kanban/${boardId}`, (board) => {
    for (const col of board.columns) for (const card of col.cards ?? []) app.state.kanban_cards[card.id] = { ...card };
  });
}

export function onOpen(app, panel) {
  if (panel === "features") loadTab(app, app.ui.featuresTab);
}

export const actions = {
  "features-tab"(app, data) {
    app.ui.featuresTab = data.tab;
    loadTab(app, data.tab);
    app.render();
  },
  "stop-location"(app, data) {
    return app.call("experimental", () => app.api.delete(`${base(app)}/location/${data.id}`), "Stopping failed");
  },
  "use-my-location"(app) {
    if (!navigator.geolocation) return app.toast("This browser cannot tell its position.", "info");
    navigator.geolocation.getCurrentPosition((pos) => {
      app.doc.getElementById("loc-lat").value = pos.coords.latitude.toFixed(6);
      app.doc.getElementById("loc-lon").value = pos.coords.longitude.toFixed(6);
    }, (err) => app.toast(`No position: ${err.message}`, "error"));
    return undefined;
  },
  "open-board"(app, data) {
    return openBoard(app, data.board);
  },
  "move-card"(app, data) {
    const card = app.state.kanban_cards[data.card];
    if (!card) return undefined;
    const position = kanbanCards(app.state, app.ui.channelId, card.board_id).filter((c) => c.column_id === data.column).length;
    return app.call("experimental", () => app.api.patch(`${base(app)}/kanban/${card.board_id}/cards/${card.id}/move`, { column_id: data.column, position }), "Moving the card failed");
  },
  "open-whiteboard"(app, data) {
    app.ui.whiteboardId = data.id;
    app.render();
  },
  async "game-new"(app) {
    const game = await app.call("games", () => app.api.post("/games", { channel_id: app.ui.channelId, game_type: "tictactoe" }), "Starting the game failed");
    if (game?.id && !app.state.games[game.id]) {
      app.state.games[game.id] = game;
      app.render();
    }
  },
  async "game-join"(app, data) {
    const game = await app.call("games", () => app.api.post(`/games/${data.game}/join`, {}), "Joining the game failed");
    if (game?.id && app.state.games[game.id]) {
      app.state.games[game.id] = game;
      app.render();
    }
  },
  "game-move"(app, data) {
    return app.call("games", () => app.api.post(`/games/${data.game}/move`, { move: Number(data.cell) }), "That move did not work");
  },
  "activity-start"(app, data) {
    return app.call("activities", () => app.api.post(`/activities/${data.activity}/sessions`, { channel_id: app.ui.channelId }), "Starting the activity failed");
  },
  "activity-join"(app, data) {
    return app.call("activities", () => app.api.post(`/activities/sessions/${data.session}/join`, {}), "Joining failed");
  },
  "activity-leave"(app, data) {
    return app.call("activities", () => app.api.post(`/activities/sessions/${data.session}/leave`, {}), "Leaving failed");
  },
  "activity-end"(app, data) {
    return app.call("activities", () => app.api.post(`/activities/sessions/${data.session}/end`, {}), "Ending failed");
  },
  "music-start"(app) {
    return app.call("activities", () => app.api.post("/music-party", { channel_id: app.ui.channelId }), "Starting the party failed");
  },
  "delete-widget"(app, data) {
    return app.call("widgets", () => app.api.delete(`/channels/${app.ui.channelId}/widgets/${data.id}`), "Removing the widget failed");
  },
};

export const forms = {
  async "create-poll"(app, f, form) {
    const options = f.options.split("\n").map((o) => o.trim()).filter(Boolean);
    if (options.length < 2) return app.toast("A poll needs at least two options.", "info");
    const body = { question: f.question.trim(), options, multi_vote: f.multi_vote === "on", anonymous: f.anonymous === "on" };
    const poll = await app.call("polls", () => app.api.post(`/channels/${app.ui.channelId}/polls`, body), "Posting the poll failed");
    if (poll) {
      form.reset();
      if (!app.state.polls[poll.id]) app.state.polls[poll.id] = poll;
      app.ui.panel = null;
      app.ui.stickBottom = true;
      app.render();
    }
    return undefined;
  },
  async "share-location"(app, f, form) {
    const body = { latitude: Number(f.latitude), longitude: Number(f.longitude), live: f.live === "on" };
    if (f.label?.trim()) body.label = f.label.trim();
    const ok = await app.call("experimental", () => app.api.post(`${base(app)}/location`, body), "Sharing failed");
    if (ok) form.reset();
  },
  async "create-board"(app, f, form) {
    const board = await app.call("experimental", () => app.api.post(`${base(app)}/kanban`, { name: f.name.trim() }), "Creating the board failed");
    if (!board) return;
    form.reset();
    app.ui.boardId = board.id;
    loadTab(app, "kanban");
  },
  async "add-column"(app, f, form) {
    const boardId = app.ui.boardId;
    const ok = await app.call("experimental", () => app.api.post(`${base(app)}/kanban/${boardId}/columns`, { name: f.name.trim() }), "Adding the column failed");
    if (ok) {
      form.reset();
      openBoard(app, boardId);
    }
  },
  async "add-card"(app, f, form) {
    const boardId = app.ui.boardId;
    const ok = await app.call("experimental", () => app.api.post(`${base(app)}/kanban/${boardId}/columns/${form.dataset.column}/cards`, { title: f.title.trim() }), "Adding the card failed");
    if (ok) form.reset();
  },
  async "create-whiteboard"(app, f, form) {
    const wb = await app.call("experimental", () => app.api.post(`${base(app)}/whiteboards`, { name: f.name.trim(), state: {} }), "Creating the whiteboard failed");
    if (!wb) return;
    form.reset();
    app.ui.whiteboardId = wb.id;
    loadTab(app, "whiteboard");
  },
  async "save-whiteboard"(app, f, form) {
    let doc;
    try {
      doc = JSON.parse(f.state);
    } catch {
      return app.toast("The board must be valid JSON.", "error");
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) return app.toast("The board must be a JSON object.", "error");
    const version = Number(form.dataset.version) + 1;
    await app.call("experimental", () => app.api.patch(`${base(app)}/whiteboards/${form.dataset.id}`, { state: doc, version }), "Saving failed (someone may have saved first)");
    return undefined;
  },
  async "create-snippet"(app, f, form) {
    const sn = await app.call("experimental", () => app.api.post(`${base(app)}/code-snippets`, { title: f.title.trim(), language: f.language.trim(), code: f.code }), "Posting the snippet failed");
    if (sn) {
      form.reset();
      app.state.snippets[sn.id] ??= sn;
      app.render();
    }
  },
  async "watch-start"(app, f, form) {
    const ok = await app.call("activities", () => app.api.post("/watch-together", { channel_id: app.ui.channelId, video_url: f.video_url.trim() }), "Starting failed");
    if (ok) form.reset();
  },
  async "queue-track"(app, f, form) {
    const ok = await app.call("activities", () => app.api.post(`/music-party/${form.dataset.party}/queue`, { track: { title: f.title.trim(), url: f.url.trim() } }), "Queueing failed");
    if (ok) form.reset();
  },
  async "create-widget"(app, f, form) {
    const ok = await app.call("widgets", () => app.api.post(`/channels/${app.ui.channelId}/widgets`, { widget_type: "note", title: f.title.trim(), config: { text: f.text?.trim() || f.title.trim() } }), "Adding the widget failed");
    if (ok) form.reset();
  },
};
