/** Calls to the dashboard's API: the token (from the page or the URL the server printed) on every call. */

function readToken(): string | null {
  const fromHash = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)?.[1];
  if (fromHash !== undefined) {
    sessionStorage.setItem("mlloop-token", fromHash);
    // keep the token out of the address bar, history and screenshots
    history.replaceState(null, "", window.location.pathname + window.location.search);
    return fromHash;
  }
  const meta = document.querySelector<HTMLMetaElement>('meta[name="mlloop-token"]')?.content;
  return meta || sessionStorage.getItem("mlloop-token");
}

const token = readToken();

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly kind: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return token === null ? extra : { ...extra, Authorization: `Bearer ${token}` };
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = (body as { error?: { message?: string; kind?: string } } | null)?.error;
    throw new ApiError(err?.message ?? `HTTP ${res.status}`, res.status, err?.kind ?? "http");
  }
  return body as T;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return parse<T>(await fetch(path, { headers: headers(), signal }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body),
    }),
  );
}

/** EventSource cannot send headers: the token goes in the query string (GET only). */
export function eventSource(path: string): EventSource {
  const sep = path.includes("?") ? "&" : "?";
  return new EventSource(token === null ? path : `${path}${sep}token=${encodeURIComponent(token)}`);
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") s.set(k, String(v));
  const t = s.toString();
  return t === "" ? "" : `?${t}`;
}

/** A URL for the browser to load itself (img src, download link): the token in the query when needed. */
export function apiUrl(path: string): string {
  if (token === null || document.querySelector('meta[name="mlloop-token"]') !== null) return path;
  const sep = path.includes("?") ? "&" : "?";
  return `${path}${sep}token=${encodeURIComponent(token)}`;
}
