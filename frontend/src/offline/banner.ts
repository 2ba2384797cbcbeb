// Tells the learner when the phone is offline; the text comes from the page
// (translated by Django), so no strings live in the bundle.
export function watchConnection(banner: HTMLElement): void {
  const update = () => {
    banner.hidden = navigator.onLine;
  };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
}
