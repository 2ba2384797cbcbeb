// The lesson player: one <video> per `.player` slot rendered by
// templates/courses/blocks/video.html. hls.js (its light build, loaded only here)
// plays HLS where Media Source Extensions exist; iOS Safari without MSE plays the
// playlist natively. Every text the learner reads comes from the page (translated by
// Django), so the bundle holds no strings.
import { enqueue, sendOnExit, type ProgressEventBody } from "../progress/queue";
import { newEventId } from "../progress/uuid";
import { WatchTracker } from "./tracker";

const REPORT_EVERY_MS = 15_000;
// Before the learner presses play, buffer only a segment or two: enough for the first
// frame to appear at once, not megabytes of mobile data for a video never watched.
const PRELOAD_SECONDS = 6;
const PLAYING_BUFFER_SECONDS = 30;
const SPEEDS = ["0.75", "1", "1.25", "1.5", "2"];

interface Local {
  p: number; // position
  at: number; // when (ms since epoch)
  f: number; // furthest point played
}

function readLocal(key: string): Local | null {
  try {
    const value = JSON.parse(localStorage.getItem(key) || "null");
    return value && typeof value.p === "number" ? (value as Local) : null;
  } catch {
    return null;
  }
}

function writeLocal(key: string, value: Local): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the server copy still resumes */
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export async function mountPlayer(slot: HTMLElement): Promise<HTMLVideoElement | null> {
  const data = slot.dataset;
  if (data.status !== "ready" || !data.hls) return null;
  const figure = slot.closest("figure") || slot;
  const bar = figure.querySelector<HTMLElement>(".player-bar");
  const message = figure.querySelector<HTMLElement>(".player-message");
  const say = (text: string | undefined) => {
    if (message && text) message.textContent = text;
  };

  const lesson = Number(data.lesson);
  const videoId = Number(data.video);
  const user = document.body.dataset.user || "";
  const storeKey = `onramp:resume:${user}:${lesson}:${videoId}`;
  const duration = Number(data.duration) || 0;

  // The server's resume point is the truth across devices, unless this phone has a
  // newer one that is still waiting in the offline queue.
  const local = readLocal(storeKey);
  const serverAt = Date.parse(data.resumeAt || "") || 0;
  let resume = Number(data.resume) || 0;
  if (local && local.at > serverAt) resume = local.p;
  if (duration && resume > duration - 3) resume = 0; // finished last time: start over
  const tracker = new WatchTracker(Math.max(Number(data.furthest) || 0, local?.f || 0, resume));
  const noSkip = data.noSkip !== undefined;

  const video = document.createElement("video");
  video.className = "player-video";
  video.controls = true;
  video.playsInline = true;
  video.preload = "metadata";
  if (data.poster) video.poster = data.poster;
  const tracks = slot.querySelector<HTMLTemplateElement>("template.player-tracks");
  if (tracks) video.append(tracks.content.cloneNode(true));
  slot.prepend(video);
  slot.classList.add("is-mounted");
  if (bar) bar.hidden = false;

  // --- source: hls.js where MSE exists, native HLS otherwise ----------------------
  const hasMse = "MediaSource" in window || "ManagedMediaSource" in window;
  const native = video.canPlayType("application/vnd.apple.mpegurl") !== "";
  type HlsModule = typeof import("hls.js/light");
  let hls: InstanceType<HlsModule["default"]> | null = null;
  let Hls: HlsModule["default"] | null = null;
  if (hasMse) {
    try {
      Hls = (await import("hls.js/light")).default;
    } catch {
      Hls = null; // the chunk did not load (offline before it was cached)
    }
  }
  if (Hls && Hls.isSupported()) {
    hls = new Hls({
      // Start on the lowest rung and let the bandwidth estimate climb: the first frame
      // comes quickly on a slow network, and a fast one moves up within seconds.
      startLevel: 0,
      capLevelToPlayerSize: true,
      startPosition: resume > 0 ? resume : -1,
      maxBufferLength: PRELOAD_SECONDS,
      backBufferLength: 30,
    });
    hls.loadSource(data.hls);
    hls.attachMedia(video);
    const errors = Hls.Events.ERROR;
    let recovered = 0;
    hls.on(errors, (_event, info) => {
      if (!info.fatal || !hls || !Hls) return;
      if (info.type === Hls.ErrorTypes.MEDIA_ERROR && recovered++ < 2) {
        hls.recoverMediaError();
      } else if (info.type === Hls.ErrorTypes.NETWORK_ERROR) {
        say(data.msgError);
        // Try again when the connection is back; buffered video keeps playing meanwhile.
        window.addEventListener("online", () => hls?.startLoad(video.currentTime), { once: true });
      } else {
        say(data.msgError);
      }
    });
  } else if (native) {
    video.src = data.hls;
    video.addEventListener(
      "loadedmetadata",
      () => {
        if (resume > 0) video.currentTime = resume;
      },
      { once: true },
    );
  } else {
    say(data.msgError);
    return video;
  }
  if (resume > 0) say(`${data.msgResumed || ""} · ${clock(resume)}`);
  video.addEventListener(
    "play",
    () => {
      if (hls) hls.config.maxBufferLength = PLAYING_BUFFER_SECONDS;
    },
    { once: true },
  );
  video.addEventListener("loadeddata", () => {
    slot.querySelector<HTMLElement>(".player-poster")?.setAttribute("hidden", "");
  });

  // --- progress: watched ranges and the position, as event batches -----------------
  let lastPosition = round(resume);
  let lastSaved = 0;
  const saveLocal = () => {
    writeLocal(storeKey, { p: round(video.currentTime), at: Date.now(), f: round(tracker.furthest) });
  };
  const report = (exiting: boolean) => {
    const now = new Date().toISOString();
    const events: ProgressEventBody[] = tracker.take().map(([start, end]) => ({
      id: newEventId(),
      type: "video.watched",
      client_time: now,
      lesson,
      video: videoId,
      start,
      end,
    }));
    const position = round(video.currentTime);
    if (events.length || position !== lastPosition) {
      events.push({ id: newEventId(), type: "video.position", client_time: now, lesson, video: videoId, position });
      lastPosition = position;
    }
    if (events.length) saveLocal();
    // Leaving: the beacon also carries what this page queued and was not acknowledged.
    if (exiting) sendOnExit(events);
    else if (events.length) void enqueue(events);
  };

  video.addEventListener("timeupdate", () => {
    if (!video.paused && !video.seeking) tracker.played(video.currentTime);
    const now = Date.now();
    if (now - lastSaved > 1000) {
      lastSaved = now;
      saveLocal();
    }
  });
  video.addEventListener("playing", () => tracker.began(video.currentTime));
  video.addEventListener("seeking", () => {
    tracker.interrupt();
    if (noSkip && video.currentTime > tracker.furthest + 1) {
      // Back to the furthest point watched; seeking backwards is always allowed.
      video.currentTime = tracker.furthest;
      say(data.msgNoSkip);
    }
  });
  video.addEventListener("pause", () => {
    tracker.interrupt();
    report(false);
  });
  video.addEventListener("ended", () => {
    tracker.interrupt();
    report(false);
  });
  window.setInterval(() => {
    if (!video.paused) report(false);
  }, REPORT_EVERY_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") report(true);
  });
  window.addEventListener("pagehide", () => report(true));

  // --- controls: captions, speed, quality ------------------------------------------
  if (bar) bindControls(bar, video, hls, Hls, data.msgQualityAuto || "Auto");
  return video;
}

type HlsClass = typeof import("hls.js/light").default;
type HlsInstance = InstanceType<HlsClass>;

function bindControls(
  bar: HTMLElement,
  video: HTMLVideoElement,
  hls: HlsInstance | null,
  Hls: HlsClass | null,
  autoLabel: string,
): void {
  const cc = bar.querySelector<HTMLButtonElement>(".player-cc");
  const captionTracks = () =>
    Array.from(video.textTracks).filter((t) => t.kind === "captions" || t.kind === "subtitles");
  if (cc && video.querySelector("track")) {
    cc.hidden = false;
    const lang = document.documentElement.lang.toLowerCase();
    const wanted = localStorage.getItem("onramp:captions") === "on";
    const setCaptions = (on: boolean) => {
      const list = captionTracks();
      const pick = list.find((t) => t.language.toLowerCase().startsWith(lang.slice(0, 2))) || list[0];
      list.forEach((t) => {
        t.mode = on && t === pick ? "showing" : "disabled";
      });
      cc.setAttribute("aria-pressed", String(on));
      try {
        localStorage.setItem("onramp:captions", on ? "on" : "off");
      } catch {
        /* ignore */
      }
    };
    cc.addEventListener("click", () => setCaptions(cc.getAttribute("aria-pressed") !== "true"));
    // Track elements become textTracks as the video element parses them.
    window.setTimeout(() => setCaptions(wanted), 0);
  }

  const speed = bar.querySelector<HTMLSelectElement>(".player-speed");
  if (speed) {
    const saved = localStorage.getItem("onramp:speed");
    if (saved && SPEEDS.includes(saved)) speed.value = saved;
    const apply = () => {
      video.playbackRate = Number(speed.value) || 1;
      try {
        localStorage.setItem("onramp:speed", speed.value);
      } catch {
        /* ignore */
      }
    };
    speed.addEventListener("change", apply);
    // A new source resets the rate; apply it again once there is one.
    video.addEventListener("loadedmetadata", () => {
      video.playbackRate = Number(speed.value) || 1;
    });
    apply();
  }

  const quality = bar.querySelector<HTMLSelectElement>(".player-quality");
  if (quality && hls && Hls) {
    const field = quality.closest<HTMLElement>(".player-field");
    const auto = quality.options[0];
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      if (!hls) return;
      hls.levels.forEach((level, index) => {
        const option = document.createElement("option");
        option.value = String(index);
        option.textContent = level.height ? `${level.height}p` : `${Math.round(level.bitrate / 1000)} kbps`;
        quality.append(option);
      });
      if (field && hls.levels.length > 1) field.hidden = false;
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_e, info) => {
      const level = hls?.levels[info.level];
      auto.textContent = level?.height && hls?.autoLevelEnabled ? `${autoLabel} (${level.height}p)` : autoLabel;
    });
    quality.addEventListener("change", () => {
      if (!hls) return;
      // -1 hands the choice back to the bandwidth estimate.
      hls.currentLevel = Number(quality.value);
    });
  }
}
