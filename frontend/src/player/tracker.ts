// Which seconds of the video were actually played. A range grows while time advances
// in small steps during playback; a seek, a jump or a pause closes it. The server
// merges ranges, so the same second reported twice still counts once.

// Time between two timeupdate events: ~0.25 s at 1x, more at 2x or in a busy tab.
const MAX_STEP = 4;
// The server rejects ranges longer than 120 s; keep well under it.
const MAX_RANGE = 100;
const MIN_RANGE = 0.2;

export type Range = [number, number];

export class WatchTracker {
  private start: number | null = null;
  private last = 0;
  private closed: Range[] = [];
  furthest: number;

  constructor(furthest = 0) {
    this.furthest = furthest;
  }

  /** Playback (re)started at this time: the range begins here, not at the next tick. */
  began(time: number): void {
    this.interrupt();
    this.start = time;
    this.last = time;
  }

  /** A timeupdate while the video is playing. */
  played(time: number): void {
    if (this.start === null) {
      this.start = time;
      this.last = time;
      return;
    }
    const step = time - this.last;
    if (step > 0 && step <= MAX_STEP) {
      this.last = time;
      if (time > this.furthest) this.furthest = time;
      if (this.last - this.start >= MAX_RANGE) this.close(time);
    } else if (step !== 0) {
      this.close(time);
    }
  }

  /** Playback stopped or jumped: what was played so far is one range. */
  interrupt(): void {
    if (this.start !== null && this.last - this.start >= MIN_RANGE) {
      this.closed.push([this.start, this.last]);
    }
    this.start = null;
  }

  private close(restartAt: number): void {
    this.interrupt();
    this.start = restartAt;
    this.last = restartAt;
  }

  /** Ranges played since the last call; the open range continues from where it ends. */
  take(): Range[] {
    const out = this.closed;
    this.closed = [];
    if (this.start !== null && this.last - this.start >= MIN_RANGE) {
      out.push([this.start, this.last]);
      this.start = this.last;
    }
    return out.map(([a, b]) => [round(a), round(b)] as Range);
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
