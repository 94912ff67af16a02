// @ts-check
// Entry point: start the app on this page; in dev mode, check the handler table against the
// server's event catalog and say so on the console when they differ.

import { App } from "./app.js";
import { checkAgainstServer, isDevMode } from "./catalog-check.js";
import { handlers } from "./handlers.js";
import { handledNames } from "./state.js";

const app = new App(document);
// The app object is the console's way in (and the browser tests').
globalThis.amityvox = { app, handledNames, handlers };
app.start();

if (isDevMode()) {
  checkAgainstServer(app.api, Object.keys(handlers)).then((result) => {
    globalThis.amityvox.catalogCheck = result;
  });
}
