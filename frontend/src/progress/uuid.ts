// Event ids are made on the phone so that a resent batch counts once on the server.
// crypto.randomUUID exists only in secure contexts (https, localhost) and newer
// browsers; a plain-http intranet deployment still needs ids, so fall back to
// getRandomValues (available everywhere) and format a version-4 UUID by hand.
export function newEventId(): string {
  const c: Crypto | undefined = typeof crypto !== "undefined" ? crypto : undefined;
  if (c && typeof (c as Crypto & { randomUUID?: () => string }).randomUUID === "function") {
    return (c as Crypto & { randomUUID: () => string }).randomUUID();
  }
  const bytes = new Uint8Array(16);
  if (c && c.getRandomValues) {
    c.getRandomValues(bytes);
  } else {
    for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
