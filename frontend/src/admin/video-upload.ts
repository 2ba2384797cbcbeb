// The admin's video upload: the file goes to /api/v1/videos/uploads/ in checksummed chunks.
// A dropped connection is retried with back-off from the offset the server reports; an
// upload interrupted by closing the page resumes when the same file is chosen again
// (the session is remembered in localStorage by name, size and modification time).

import { sha256Hex } from "./sha256";

interface UploadSession {
  id: string;
  url: string;
  complete_url: string;
  offset: number;
  size: number;
}

interface Messages {
  [key: string]: string;
}

class UploadFailed extends Error {}

const RETRY_DELAYS = [1, 2, 4, 8, 15, 30]; // seconds; the last one repeats

function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/%\((\w+)\)s/g, (_m, key: string) => String(values[key] ?? ""));
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function csrfToken(): string {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.split("=")[1]);
  const config = document.getElementById("wagtail-config");
  return config ? (JSON.parse(config.textContent || "{}").CSRF_TOKEN as string) || "" : "";
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, seconds * 1000));
}

async function json(response: Response): Promise<Record<string, unknown>> {
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The reason in the API's error body, {"error": {"code", "message", …}}. */
function errorMessage(body: Record<string, unknown>, fallback: string): string {
  const error = body.error as { message?: unknown } | undefined;
  return String((error && error.message) || fallback);
}

function waitForOnline(): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("online", () => resolve(), { once: true }));
}

export class VideoUploader {
  private readonly root: HTMLElement;
  private readonly messages: Messages;
  private readonly createUrl: string;
  private readonly editUrl: string;
  private readonly chunkSize: number;
  private readonly maxBytes: number;
  private xhr: XMLHttpRequest | null = null;
  private session: UploadSession | null = null;
  private cancelled = false;

  constructor(root: HTMLElement) {
    this.root = root;
    const data = root.dataset;
    this.createUrl = data.createUrl || "";
    this.editUrl = data.editUrl || "";
    this.chunkSize = Number(data.chunkSize) || 8 * 1024 * 1024;
    this.maxBytes = Number(data.maxBytes) || Infinity;
    const script = root.querySelector<HTMLScriptElement>("#video-upload-messages");
    this.messages = script ? (JSON.parse(script.textContent || "{}") as Messages) : {};
  }

  private el<T extends HTMLElement>(name: string): T {
    return this.root.querySelector<T>(`[data-${name}]`) as T;
  }

  bind(): void {
    const form = this.el<HTMLFormElement>("upload-form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const file = this.el<HTMLInputElement>("upload-file").files?.[0];
      if (!file) return this.showError(this.messages.choose_file);
      if (file.size > this.maxBytes) {
        return this.showError(
          format(this.messages.too_big, {
            size: formatBytes(file.size),
            limit: formatBytes(this.maxBytes),
          }),
        );
      }
      void this.run(file, this.el<HTMLInputElement>("upload-title").value.trim());
    });
    this.el<HTMLButtonElement>("upload-cancel").addEventListener("click", () => void this.cancel());
  }

  private storageKey(file: File): string {
    return `onramp-video-upload:${file.name}:${file.size}:${file.lastModified}`;
  }

  private setBusy(busy: boolean): void {
    this.el<HTMLButtonElement>("upload-start").disabled = busy;
    this.el<HTMLInputElement>("upload-file").disabled = busy;
    this.el<HTMLButtonElement>("upload-cancel").hidden = !busy;
    window.onbeforeunload = busy ? () => true : null;
  }

  private showError(message: string): void {
    const error = this.el<HTMLElement>("upload-error");
    error.textContent = message;
    error.hidden = !message;
  }

  private showStatus(message: string): void {
    this.el<HTMLElement>("upload-status").textContent = message;
  }

  private showProgress(sent: number, total: number): void {
    const percent = total ? Math.min(100, (sent / total) * 100) : 0;
    const bar = this.el<HTMLElement>("progress-bar");
    (bar.firstElementChild as HTMLElement).style.width = `${percent.toFixed(1)}%`;
    bar.setAttribute("aria-valuenow", percent.toFixed(0));
    this.el<HTMLElement>("progress-percent").textContent = `${Math.floor(percent)}%`;
  }

  private async request(method: string, url: string, body?: unknown): Promise<Response> {
    return fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** The session remembered for this file, if the server still has it. */
  private async resumeSession(file: File): Promise<UploadSession | null> {
    const saved = window.localStorage.getItem(this.storageKey(file));
    if (!saved) return null;
    try {
      const url = (JSON.parse(saved) as UploadSession).url;
      const response = await this.request("GET", url);
      if (response.ok) return (await response.json()) as UploadSession;
    } catch {
      /* fall through: start afresh */
    }
    window.localStorage.removeItem(this.storageKey(file));
    return null;
  }

  private async startSession(file: File, title: string): Promise<UploadSession> {
    const response = await this.request("POST", this.createUrl, {
      filename: file.name,
      size: file.size,
      title,
    });
    const body = await json(response);
    if (!response.ok) throw new UploadFailed(errorMessage(body, response.statusText));
    return body as unknown as UploadSession;
  }

  private async offsetNow(session: UploadSession): Promise<number> {
    const response = await this.request("GET", session.url);
    const body = await json(response);
    if (!response.ok) throw new UploadFailed(errorMessage(body, response.statusText));
    return Number(body.offset);
  }

  /** One chunk through XHR, for progress within the chunk; resolves with the new offset. */
  private sendChunk(
    session: UploadSession,
    start: number,
    data: ArrayBuffer,
    checksum: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open("PUT", session.url);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Content-Range", `bytes ${start}-${start + data.byteLength - 1}/${session.size}`);
      xhr.setRequestHeader("X-Chunk-SHA256", checksum);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (event) => this.showProgress(start + event.loaded, session.size);
      xhr.onload = () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(xhr.responseText) as Record<string, unknown>;
        } catch {
          /* an HTML error page from a proxy */
        }
        resolve({ status: xhr.status, body });
      };
      xhr.onerror = () => reject(new Error("network"));
      xhr.ontimeout = () => reject(new Error("timeout"));
      xhr.onabort = () => reject(new Error("abort"));
      xhr.timeout = 5 * 60 * 1000;
      xhr.send(data);
    });
  }

  private async run(file: File, title: string): Promise<void> {
    this.cancelled = false;
    this.showError("");
    this.setBusy(true);
    this.el<HTMLElement>("upload-progress").hidden = false;
    this.el<HTMLElement>("upload-file-name").textContent = file.name;
    try {
      let session = await this.resumeSession(file);
      if (session && session.offset > 0) {
        this.showStatus(format(this.messages.resuming, { sent: formatBytes(session.offset) }));
      }
      session = session || (await this.startSession(file, title));
      this.session = session;
      window.localStorage.setItem(this.storageKey(file), JSON.stringify(session));
      let offset = session.offset;
      let failures = 0;
      this.showProgress(offset, file.size);
      while (offset < file.size) {
        if (this.cancelled) return;
        const end = Math.min(offset + this.chunkSize, file.size);
        const data = await file.slice(offset, end).arrayBuffer();
        const checksum = await sha256Hex(data);
        let result: { status: number; body: Record<string, unknown> } | null = null;
        try {
          result = await this.sendChunk(session, offset, data, checksum);
        } catch (error) {
          if (this.cancelled) return;
          result = null;
        }
        if (result && result.status === 200) {
          offset = Number(result.body.offset);
          failures = 0;
          this.showProgress(offset, file.size);
          this.showStatus(
            format(this.messages.sending, { sent: formatBytes(offset), total: formatBytes(file.size) }),
          );
          continue;
        }
        const status = result ? result.status : 0;
        if (result && status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429) {
          if (status === 404) window.localStorage.removeItem(this.storageKey(file));
          throw new UploadFailed(errorMessage(result.body, String(status)));
        }
        // Network gone, server busy or restarting, or out of step: wait, then ask the
        // server where to go on from.
        const delay = RETRY_DELAYS[Math.min(failures, RETRY_DELAYS.length - 1)];
        failures += 1;
        this.showStatus(
          navigator.onLine ? format(this.messages.retrying, { seconds: delay }) : this.messages.offline,
        );
        await waitForOnline();
        await sleep(delay);
        try {
          offset = await this.offsetNow(session);
          this.showProgress(offset, file.size);
        } catch (error) {
          if (error instanceof UploadFailed) throw error;
          /* still offline: the loop tries again */
        }
      }
      this.showStatus(this.messages.finishing);
      const response = await this.request("POST", session.complete_url);
      const body = await json(response);
      if (!response.ok) throw new UploadFailed(errorMessage(body, response.statusText));
      window.localStorage.removeItem(this.storageKey(file));
      this.showStatus(this.messages.done);
      this.setBusy(false);
      window.location.assign(this.editUrl.replace("{id}", String(body.id)));
    } catch (error) {
      this.setBusy(false);
      const reason = error instanceof Error ? error.message : String(error);
      this.showStatus("");
      this.showError(format(this.messages.failed, { reason }));
    }
  }

  private async cancel(): Promise<void> {
    this.cancelled = true;
    this.xhr?.abort();
    const session = this.session;
    const file = this.el<HTMLInputElement>("upload-file").files?.[0];
    if (file) window.localStorage.removeItem(this.storageKey(file));
    if (session) {
      try {
        await this.request("DELETE", session.url);
      } catch {
        /* removed later by the server's clean-up of idle uploads */
      }
    }
    this.session = null;
    this.setBusy(false);
    this.showProgress(0, 1);
    this.el<HTMLElement>("upload-progress").hidden = true;
    this.showStatus("");
    this.showError(this.messages.cancelled);
  }
}
