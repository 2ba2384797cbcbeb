// The progress outbox. Every event is written to IndexedDB *before* it is sent and
// deleted only when the server acknowledges it, so a dropped connection, a failing
// server or a tab closed while offline loses nothing: the next page load (or the
// "online" event) sends what is left, oldest first. Resending is safe because the
// server ignores event ids it has already seen.
//
// A phone may be shared: each event is stored with the person whose page queued it
// (the page's data-user), only that person's pages send it, and every send names that
// person (X-Onramp-User, or "user" in the beacon) so that a page of A still open while B
// has signed in is refused (409) instead of crediting B with A's events.

export interface ProgressEventBody {
  id: string;
  type: "video.watched" | "video.position" | "lesson.viewed" | "checklist.ticked";
  client_time: string;
  lesson?: number;
  video?: number;
  start?: number;
  end?: number;
  position?: number;
  item?: number;
}

interface Stored {
  id: string;
  user: string;
  seq: number;
  event: ProgressEventBody;
}

interface Ack {
  id: string;
  status: "applied" | "duplicate" | "rejected";
  reason: string;
}

const DB_NAME = "onramp-progress";
const STORE = "outbox";
const BATCH_SIZE = 100; // the server takes up to 500; smaller batches finish on 2G too
const MAX_RETRY_MS = 60_000;

let seq = Date.now() * 1000;
let dbPromise: Promise<IDBDatabase | null> | null = null;
// Without IndexedDB (some private modes) the queue lives in memory for this page only.
const memory = new Map<string, Stored>();
// Events this page queued that the server has not acknowledged yet, oldest first: the
// exit beacon carries them too, so a batch that failed just before the learner left is
// not stranded until the next visit.
const unacked = new Map<string, ProgressEventBody>();
// sendBeacon refuses bodies over 64 KB; an event is about 200 bytes.
const BEACON_MAX_EVENTS = 200;

function openDb(): Promise<IDBDatabase | null> {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve(null);
    let request: IDBOpenDBRequest;
    try {
      request = indexedDB.open(DB_NAME, 1);
    } catch {
      return resolve(null);
    }
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "id" });
      store.createIndex("seq", "seq");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
  return dbPromise;
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

async function put(records: Stored[]): Promise<void> {
  const db = await openDb();
  if (!db) {
    records.forEach((r) => memory.set(r.id, r));
    return;
  }
  const tx = db.transaction(STORE, "readwrite");
  const store = tx.objectStore(STORE);
  records.forEach((r) => store.put(r));
  await done(tx);
}

async function oldest(user: string, limit: number): Promise<Stored[]> {
  const db = await openDb();
  if (!db) {
    return [...memory.values()].filter((r) => r.user === user).sort((a, b) => a.seq - b.seq).slice(0, limit);
  }
  const tx = db.transaction(STORE, "readonly");
  const index = tx.objectStore(STORE).index("seq");
  const found: Stored[] = [];
  await new Promise<void>((resolve, reject) => {
    const cursor = index.openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c || found.length >= limit) return resolve();
      const record = c.value as Stored;
      // Events of someone else who used this phone wait for that person's next sign-in.
      if (record.user === user) found.push(record);
      c.continue();
    };
    cursor.onerror = () => reject(cursor.error);
  });
  return found;
}

async function remove(ids: string[]): Promise<void> {
  const db = await openDb();
  if (!db) {
    ids.forEach((id) => memory.delete(id));
    return;
  }
  const tx = db.transaction(STORE, "readwrite");
  const store = tx.objectStore(STORE);
  ids.forEach((id) => store.delete(id));
  await done(tx);
}

/** Events not yet acknowledged by the server, for this user. */
export async function pendingCount(): Promise<number> {
  const config = readConfig();
  if (!config) return 0;
  return (await oldest(config.user, 100_000)).length;
}

interface Config {
  user: string;
  eventsUrl: string;
  beaconUrl: string;
}

function readConfig(): Config | null {
  const body = document.body;
  const user = body?.dataset.user;
  const eventsUrl = body?.dataset.eventsUrl;
  const beaconUrl = body?.dataset.beaconUrl;
  if (!user || !eventsUrl || !beaconUrl) return null;
  return { user, eventsUrl, beaconUrl };
}

function csrfToken(): string {
  const input = document.querySelector<HTMLInputElement>("input[name=csrfmiddlewaretoken]");
  if (input?.value) return input.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

let flushing: Promise<void> | null = null;
let retryTimer: number | undefined;
const FIRST_RETRY_MS = 2_000;
const OFFLINE_POLL_MS = 5_000;
let retryDelay = FIRST_RETRY_MS;

function scheduleRetry(fixedDelay?: number): void {
  if (retryTimer !== undefined) return;
  retryTimer = window.setTimeout(() => {
    retryTimer = undefined;
    void flush();
  }, fixedDelay ?? retryDelay);
  if (fixedDelay === undefined) retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);
}

async function sendOnce(config: Config): Promise<"empty" | "sent" | "failed" | "not-theirs"> {
  const batch = await oldest(config.user, BATCH_SIZE);
  if (!batch.length) return "empty";
  let response: Response;
  try {
    response = await fetch(config.eventsUrl, {
      method: "POST",
      credentials: "same-origin",
      // keepalive lets a batch started just before the page goes away still arrive.
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Onramp-User": config.user },
      body: JSON.stringify({ events: batch.map((r) => r.event) }),
    });
  } catch {
    return "failed"; // offline, or the connection dropped
  }
  // Someone else has signed in since this page was loaded: keep the events for their
  // owner's next page, and stop asking.
  if (response.status === 409) return "not-theirs";
  if (!response.ok) return "failed"; // signed out, server trouble: keep and retry
  let acks: Ack[] = [];
  try {
    acks = ((await response.json()) as { acks: Ack[] }).acks || [];
  } catch {
    return "failed";
  }
  // Applied and duplicate are both "the server has it"; a rejected event would be
  // rejected again, so it leaves the queue too (the reason goes to the console).
  const acked = new Set(acks.map((a) => a.id));
  acks.filter((a) => a.status === "rejected").forEach((a) => console.warn("progress event rejected", a));
  const gone = batch.map((r) => r.id).filter((id) => acked.has(id));
  gone.forEach((id) => unacked.delete(id));
  await remove(gone);
  return gone.length ? "sent" : "failed";
}

/** Send what is queued, oldest first, until the queue is empty or a send fails. */
export function flush(): Promise<void> {
  if (flushing) return flushing;
  const config = readConfig();
  if (!config) return Promise.resolve();
  const run = async () => {
    for (;;) {
      if (!navigator.onLine) {
        // Some phones' web views never fire "online": look again now and then.
        scheduleRetry(OFFLINE_POLL_MS);
        return;
      }
      const result = await sendOnce(config);
      if (result === "empty" || result === "not-theirs") {
        retryDelay = FIRST_RETRY_MS;
        return;
      }
      if (result === "failed") {
        scheduleRetry();
        return;
      }
    }
  };
  // Cleared in .finally (always asynchronous), never inside run(): a run that ends
  // before its first await would otherwise clear it before it is even set.
  flushing = run().finally(() => {
    flushing = null;
  });
  return flushing;
}

function stored(user: string, events: ProgressEventBody[]): Stored[] {
  return events.map((event) => ({ id: event.id, user, seq: ++seq, event }));
}

/** Queue events (durably first), then try to send them. */
export async function enqueue(events: ProgressEventBody[]): Promise<void> {
  const config = readConfig();
  if (!config || !events.length) return;
  events.forEach((event) => unacked.set(event.id, event));
  try {
    await put(stored(config.user, events));
  } catch {
    for (const r of stored(config.user, events)) memory.set(r.id, r);
  }
  void flush();
}

/**
 * The page is going away: queue the events (IndexedDB usually completes even now) and
 * also hand them to sendBeacon, which the browser delivers after the page is gone.
 * sendBeacon cannot set the X-CSRFToken header, so it posts a form with the token in
 * the body to the learner beacon view; whichever copy arrives second is a duplicate.
 */
export function sendOnExit(events: ProgressEventBody[]): void {
  const config = readConfig();
  if (!config) return;
  if (events.length) void put(stored(config.user, events)).catch(() => undefined);
  events.forEach((event) => unacked.set(event.id, event));
  const pending = [...unacked.values()].slice(0, BEACON_MAX_EVENTS);
  if (!pending.length) return;
  if (!navigator.onLine || typeof navigator.sendBeacon !== "function") return;
  const form = new URLSearchParams();
  form.set("csrfmiddlewaretoken", csrfToken());
  form.set("user", config.user);
  form.set("events", JSON.stringify(pending));
  navigator.sendBeacon(config.beaconUrl, form);
}

/** Send leftovers now and whenever the connection comes back. */
export function startOutbox(): void {
  if (!readConfig()) return;
  window.addEventListener("online", () => {
    retryDelay = FIRST_RETRY_MS;
    if (retryTimer !== undefined) window.clearTimeout(retryTimer);
    retryTimer = undefined;
    void flush();
  });
  void flush();
}
