/**
 * The built single-page app (dist/web, made by `npm run build`): assets by path, and index.html
 * for every other path so that each page's URL can be opened directly. On a loopback bind the
 * token for POSTs is written into index.html (a page from another origin cannot read it: no CORS).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";

const here = dirname(fileURLToPath(import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/** dist/web beside this module (dist/server → dist/web; src/server → dist/web when run from source). */
export function defaultWebRoot(): string {
  const candidates = [resolve(here, "..", "web"), resolve(here, "..", "..", "dist", "web")];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[0]!;
}

export function staticHandler(webRoot: string, embedToken: string | null) {
  const root = resolve(webRoot);
  return (c: Context): Response => {
    const path = decodeURIComponent(new URL(c.req.url).pathname);
    const file = normalize(join(root, path));
    if (path.startsWith("/assets/") && file.startsWith(root + sep) && existsSync(file)) {
      return c.body(readFileSync(file), 200, {
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Cache-Control": "public, max-age=31536000, immutable",
      });
    }
    const index = join(root, "index.html");
    if (!existsSync(index)) {
      return c.text(`the dashboard is not built (${index} is missing): run npm run build`, 500);
    }
    let html = readFileSync(index, "utf8");
    if (embedToken !== null) {
      html = html.replace("</head>", `<meta name="mlloop-token" content="${embedToken}"></head>`);
    }
    return c.body(html, 200, { "Content-Type": TYPES[".html"]!, "Cache-Control": "no-store" });
  };
}
