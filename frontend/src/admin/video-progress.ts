// The live progress bar on a video's edit page: polls the small JSON status endpoint every
// two seconds (less often while the tab is hidden) and reloads the page once the video
// is ready or failed, so the poster, renditions or the failure reason appear.

interface VideoStatus {
  status: string;
  label: string;
  percent: number;
  eta_text: string;
  finished: boolean;
  stale: boolean;
}

const VISIBLE_INTERVAL = 2000;
const HIDDEN_INTERVAL = 10000;

export function watchVideoProgress(root: HTMLElement): void {
  const url = root.dataset.statusUrl;
  if (!url) return;
  const bar = root.querySelector<HTMLElement>("[data-progress-bar]");
  const fill = bar?.firstElementChild as HTMLElement | null;
  const percent = root.querySelector<HTMLElement>("[data-progress-percent]");
  const label = root.querySelector<HTMLElement>("[data-progress-label]");
  const eta = root.querySelector<HTMLElement>("[data-progress-eta]");
  const stale = root.querySelector<HTMLElement>("[data-progress-stale]");
  const retry = root.querySelector<HTMLElement>("[data-progress-retry]");

  const render = (state: VideoStatus): void => {
    const value = Math.max(0, Math.min(100, state.percent));
    if (fill) fill.style.width = `${value}%`;
    bar?.setAttribute("aria-valuenow", value.toFixed(0));
    // Before the encode starts (queued, checking) the bar only shows that work is pending.
    bar?.classList.toggle("onramp-video__bar--waiting", state.status !== "transcoding");
    if (percent) percent.textContent = `${Math.floor(value)}%`;
    if (label) {
      // The heading already says "Processing"; the label only adds the stage before it.
      label.textContent = state.label;
      label.hidden = state.status === "transcoding";
    }
    if (eta) eta.textContent = state.eta_text;
    if (stale) stale.hidden = !state.stale;
    if (retry) retry.hidden = !state.stale;
  };

  const poll = async (): Promise<void> => {
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      });
      if (response.ok) {
        const state = (await response.json()) as VideoStatus;
        render(state);
        if (state.finished) {
          window.location.reload();
          return;
        }
      } else if (response.status === 404) {
        return; // deleted meanwhile
      }
    } catch {
      /* offline for a moment: try again */
    }
    window.setTimeout(() => void poll(), document.hidden ? HIDDEN_INTERVAL : VISIBLE_INTERVAL);
  };
  window.setTimeout(() => void poll(), VISIBLE_INTERVAL);
}
