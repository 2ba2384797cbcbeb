// The service worker lives at /sw.js (served by Django so its scope is the whole
// site); registering it is all the page does.
export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      /* an old browser or a private window: the app still works online */
    });
  });
}
