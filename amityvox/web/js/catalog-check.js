// @ts-check
// Compares the handler table with the server's catalog (GET /api/v1/gateway/catalog).
// Run at startup in dev mode: a missing handler is an event the UI would drop silently.

/** Names the client must handle: everything but internal events (wire and client-local). */
export function expectedNames(catalog) {
  return catalog.filter((e) => e.audience !== "internal").map((e) => e.name);
}

export function compareWithCatalog(catalog, handlerNames) {
  const expected = new Set(expectedNames(catalog));
  const have = new Set(handlerNames);
  return {
    missing: [...expected].filter((n) => !have.has(n)).sort(),
    unknown: [...have].filter((n) => !expected.has(n)).sort(),
  };
}

/** Warn on the console when the table and the catalog differ; resolves with the comparison. */
export async function checkAgainstServer(api, handlerNames, log = console) {
  let catalog;
  try {
    catalog = await api.catalog();
  } catch (err) {
    log.warn(`could not load the event catalog: ${err.message}`);
    return null;
  }
  const result = compareWithCatalog(catalog, handlerNames);
  if (result.missing.length || result.unknown.length) {
    log.warn(
      `the handler table differs from the server's event catalog: missing ${JSON.stringify(result.missing)}, ` +
        `unknown ${JSON.stringify(result.unknown)}`,
    );
  }
  return result;
}

/** Dev mode: a loopback host, `?dev=1`, or localStorage "amityvox.dev". */
export function isDevMode(location = globalThis.location, storage = globalThis.localStorage) {
  try {
    if (new URLSearchParams(location?.search ?? "").get("dev") === "1") return true;
    if (storage?.getItem("amityvox.dev") === "1") return true;
  } catch {
    // no storage
  }
  return ["localhost", "127.0.0.1", "[::1]"].includes(location?.hostname);
}
