// @ts-check
// Line icons drawn inline as SVG, so the interface looks the same on every system (no icon
// font, no emoji font, nothing fetched). Each icon is a list of SVG shapes on a 24×24 grid.

const SVG_NS = "http://www.w3.org/2000/svg";

const p = (d) => ["path", { d }];
const circle = (cx, cy, r) => ["circle", { cx, cy, r }];
const rect = (x, y, width, height, rx = 2) => ["rect", { x, y, width, height, rx }];

const MIC = [rect(9, 2, 6, 12, 3), p("M19 10v2a7 7 0 0 1-14 0v-2M12 19v3M8 22h8")];
const PHONES = [p("M3 18v-6a9 9 0 0 1 18 0v6"), p("M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z")];
const PEOPLE = [p("M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2"), circle(9, 7, 4)];

const ICONS = {
  hash: [p("M4 9h16M4 15h16M10 3 8 21M16 3l-2 18")],
  voice: [p("M11 5 6 9H2v6h4l5 4z"), p("M15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14")],
  announce: [p("M3 11v2a1 1 0 0 0 1 1h3l6 4V6L7 10H4a1 1 0 0 0-1 1z"), p("M17 9a4 4 0 0 1 0 6")],
  forum: [p("M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"), p("M7 8h10M7 12h6")],
  stage: MIC,
  at: [circle(12, 12, 4), p("M16 8v5a3 3 0 0 0 6 0v-1a10 10 0 1 0-3.9 7.9")],
  group: [...PEOPLE, p("M23 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8")],
  users: [...PEOPLE, p("M23 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8")],
  friend: [...PEOPLE, p("M20 8v6M23 11h-6")],
  search: [circle(11, 11, 7), p("m21 21-5-5")],
  bookmark: [p("M19 21l-7-5-7 5V5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2z")],
  pin: [p("M15 3 21 9l-3 1-4 4 1 4-2 2-4-4-5 5M9 15l-4-4 2-2 4 1 4-4z")],
  flag: [p("M5 22V3"), p("M5 3h12l-2.5 4.5L17 12H5")],
  bell: [p("M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"), p("M13.7 21a2 2 0 0 1-3.4 0")],
  calendar: [rect(3, 4, 18, 18), p("M16 2v4M8 2v4M3 10h18")],
  settings: [p("M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6")],
  apps: [rect(3, 3, 7, 7, 1), rect(14, 3, 7, 7, 1), rect(14, 14, 7, 7, 1), rect(3, 14, 7, 7, 1)],
  phone: [p("M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2")],
  mic: MIC,
  "mic-off": [...MIC, p("M2 2l20 20")],
  headphones: PHONES,
  deafened: [...PHONES, p("M2 2l20 20")],
  screen: [rect(2, 3, 20, 14), p("M8 21h8M12 17v4")],
  camera: [rect(2, 6, 14, 12), p("m16 10 6-4v12l-6-4")],
  broadcast: [circle(12, 12, 2), p("M16.2 7.8a6 6 0 0 1 0 8.5M7.8 16.2a6 6 0 0 1 0-8.5M19.1 4.9a10 10 0 0 1 0 14.2M4.9 19.1a10 10 0 0 1 0-14.2")],
  muted: [p("M11 5 6 9H2v6h4l5 4z"), p("M23 9l-6 6M17 9l6 6")],
  close: [p("M18 6 6 18M6 6l12 12")],
  reply: [p("M9 14 4 9l5-5"), p("M20 20v-7a4 4 0 0 0-4-4H4")],
  smile: [circle(12, 12, 10), p("M8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01")],
  edit: [p("M17 3a2.8 2.8 0 1 1 4 4L7.5 20.5 2 22l1.5-5.5z")],
  trash: [p("M3 6h18M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6M10 11v6M14 11v6M9 6V4h6v2")],
  thread: [p("M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z")],
  menu: [p("M3 6h18M3 12h18M3 18h18")],
  home: [rect(2, 4, 20, 16), p("M22 6l-10 7L2 6")],
  plus: [p("M12 5v14M5 12h14")],
  join: [p("M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3")],
  logout: [p("M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9")],
  lock: [rect(3, 11, 18, 11), p("M7 11V7a5 5 0 0 1 10 0v4")],
  crown: [p("M3 8l4 5 5-8 5 8 4-5-2 11H5z")],
  poll: [p("M18 20V10M12 20V4M6 20v-6")],
  shield: [p("M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z")],
  live: [circle(12, 12, 4)],
  eye: [p("M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z"), circle(12, 12, 3)],
};

/** An icon as an SVG element; decorative (the control around it carries the label). */
export function icon(name, cls = "") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", `i${cls ? ` ${cls}` : ""}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("data-icon", name);
  for (const [tag, attrs] of ICONS[name] ?? ICONS.hash) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}

export const CHANNEL_ICONS = {
  text: "hash", voice: "voice", announcement: "announce", forum: "forum", stage: "stage", dm: "at", group: "group",
};
