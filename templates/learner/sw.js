// Onramp service worker ({{ version }}): the app shell and the pages a learner has
// seen stay available offline. Pages: network first, cache as fallback. Hashed
// static files: cache first (their names change when their content does).
const CACHE = "onramp-{{ version }}";
const SHELL = {{ shell|safe }};
const OFFLINE_PAGES = ["/"];

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
    routed.then(() => caches.open(CACHE)).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("onramp-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isCacheablePage(request, url) {
  return request.mode === "navigate" && url.origin === self.location.origin &&
    !url.pathname.startsWith("/admin/") && !url.pathname.startsWith("/accounts/") &&
    !url.pathname.startsWith("/api/") && !url.pathname.startsWith("/media/");
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
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })),
    );
    return;
  }
  if (isCacheablePage(request, url)) {
    event.respondWith(
      fetch(request).then((response) => {
        // Only a real page for this person: never a redirect to the sign-in page.
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      }).catch(() => caches.match(request).then((hit) => hit || caches.match(OFFLINE_PAGES[0]))),
    );
  }
});
