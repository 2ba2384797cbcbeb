// Onramp service worker ({{ version }}): the app shell and the pages a learner has
// seen stay available offline. Pages: network first, cache as fallback. Hashed
// static files: cache first (their names change when their content does).
//
// A phone is often shared. Pages are kept per person, in a cache named after the user
// the server says the page is for (the X-Onramp-User header of every signed-in page),
// and only the pages of the person the server last answered for are kept at all: a page
// answered for someone else, or for nobody (the sign-in page after signing out), drops
// every other person's pages. Offline, only that person's pages are shown. Pages marked
// no-store (profile, password) are never kept. The progress outbox is IndexedDB, which
// this worker never touches: unsent events wait there for their own person.
const STATIC_CACHE = "onramp-static-{{ version }}";
const USER_CACHE = "onramp-user-";
const USER_HEADER = "X-Onramp-User";
const SHELL = {{ shell|safe }};
const HOME = "/";

// What this worker never answers goes straight to the network without waking it
// (Chromium's static routing): posts, above all the player's progress and the beacon
// it sends as a page goes away (dispatched to a worker still busy caching, a beacon
// was seen held until long after the page had gone), the API, and video segments.
const ROUTES = [
  { condition: { requestMethod: "POST" }, source: "network" },
  { condition: { urlPattern: { pathname: "/api/*" } }, source: "network" },
  { condition: { urlPattern: { pathname: "/media/*" } }, source: "network" },
];

self.addEventListener("install", (event) => {
  const routed = event.addRoutes ? event.addRoutes(ROUTES).catch(() => undefined) : Promise.resolve();
  event.waitUntil(
    routed.then(() => caches.open(STATIC_CACHE)).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  // Old shells go, and so do the caches of earlier workers that kept everyone's pages
  // together ("onramp-<version>"); the current person's pages stay.
  const keep = (key) => key === STATIC_CACHE || key.startsWith(USER_CACHE);
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("onramp-") && !keep(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function userCaches() {
  return caches.keys().then((keys) => keys.filter((k) => k.startsWith(USER_CACHE)));
}

// Keep only the pages of `user` (nobody's when null).
function keepOnly(user) {
  const mine = user ? USER_CACHE + user : null;
  return userCaches().then((keys) => Promise.all(keys.filter((k) => k !== mine).map((k) => caches.delete(k))));
}

function isPage(response) {
  return response.type === "basic" && (response.headers.get("Content-Type") || "").startsWith("text/html");
}

function storable(response) {
  // Only a real page: never an error, a redirect, or a page marked never to be kept.
  return response.ok && !response.redirected && !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

// Learn from a page who is signed in; keep the page in that person's cache. The other
// caches are gone before the page is shown, so whoever opens the next page offline
// finds nothing of the previous person's.
function remember(event, response) {
  if (!isPage(response)) return Promise.resolve(response); // a download, a redirect: says nothing
  const user = response.headers.get(USER_HEADER);
  return keepOnly(user).catch(() => undefined).then(() => {
    if (user && storable(response)) {
      const copy = response.clone();
      event.waitUntil(caches.open(USER_CACHE + user).then((cache) => cache.put(event.request, copy)).catch(() => undefined));
    }
    return response;
  });
}

function offlinePage(request) {
  // Nobody's pages but the last person's are kept, so the one cache there is is theirs.
  return userCaches().then((keys) => {
    if (keys.length !== 1) return Response.error();
    // Vary (Cookie, Accept-Language) is ignored: the cache holds one person's pages, and
    // the path map is asked for by its URL alone, not with a navigation's headers.
    const options = { ignoreVary: true };
    return caches.open(keys[0]).then((cache) =>
      cache.match(request, options)
        .then((hit) => hit || cache.match(HOME, options))
        .then((hit) => hit || Response.error()),
    );
  });
}

function isSameOriginPage(request, url) {
  return request.mode === "navigate" && url.origin === self.location.origin &&
    !url.pathname.startsWith("/admin/") && !url.pathname.startsWith("/api/") && !url.pathname.startsWith("/media/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin === self.location.origin && url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })),
    );
    return;
  }
  if (!isSameOriginPage(request, url)) return;
  // Sign-in pages are never kept (no-store) but say who is signed in: nobody.
  const accounts = url.pathname.startsWith("/accounts/");
  event.respondWith(
    fetch(request)
      .then((response) => remember(event, response))
      .catch(() => (accounts ? Response.error() : offlinePage(request))),
  );
});
