/**
 * What sits in front of an Exo node in production answers with when things go wrong:
 * cloudflared (502 text), the Cloudflare edge (530 / error 1033 "Argo Tunnel error",
 * 52x pages) and Cloudflare Access (403 "Forbidden", 401, 302 to the login page).
 * These are HTML/text, never JSON, which is exactly what a probe must classify.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendText } from "./http-io.ts";

function rayId(): string {
  return randomBytes(8).toString("hex");
}

function edgeHeaders(): Record<string, string> {
  return { server: "cloudflare", "cf-ray": `${rayId()}-SJC` };
}

function cloudflareErrorPage(code: string, title: string, detail: string, ray: string): string {
  return `<!DOCTYPE html>
<html lang="en-US"><head><title>${title} | ${code}</title>
<meta charset="UTF-8" /><meta name="robots" content="noindex, nofollow" /></head>
<body><div id="cf-wrapper"><div id="cf-error-details" class="cf-error-details-wrapper">
<h1><span class="cf-error-type" data-translate="error">Error</span> <span class="code-label">${code}</span></h1>
<h2 class="cf-subheadline">${title}</h2>
<section><p>${detail}</p></section>
<p>Cloudflare Ray ID: <strong class="font-semibold">${ray}</strong></p>
</div></div></body></html>
`;
}

const ACCESS_FORBIDDEN = `<!DOCTYPE html>
<html><head><title>Forbidden</title><meta charset="utf-8" /></head>
<body><div class="access-denied"><h1>Forbidden</h1>
<p>You don't have permission to view this. Please contact your system administrator.</p>
<p>Cloudflare Access</p></div></body></html>
`;

/** Edge answers keyed by status; anything else falls back to the simulator's own error shape. */
export function sendEdgeStatus(res: ServerResponse, status: number, path: string): boolean {
  const headers = edgeHeaders();
  const ray = headers["cf-ray"] ?? rayId();
  switch (status) {
    case 502:
      sendText(
        res,
        502,
        "Unable to reach the origin service. The service may be down or it may not be responding to traffic from cloudflared\n",
        headers,
      );
      return true;
    case 530:
      sendHtml(
        res,
        530,
        cloudflareErrorPage(
          "1033",
          "Argo Tunnel error",
          "You've requested a page on a website that is on the Cloudflare network. The host is configured as a Cloudflare Tunnel, and Cloudflare is currently unable to resolve it.",
          ray,
        ),
        headers,
      );
      return true;
    case 521:
    case 522:
    case 523:
    case 524: {
      const titles: Record<number, string> = { 521: "Web server is down", 522: "Connection timed out", 523: "Origin is unreachable", 524: "A timeout occurred" };
      sendHtml(res, status, cloudflareErrorPage(String(status), titles[status] ?? "Error", `Cloudflare could not complete ${path}.`, ray), headers);
      return true;
    }
    case 403:
      sendHtml(res, 403, ACCESS_FORBIDDEN, { ...headers, "cf-access-domain": "exo.example.com" });
      return true;
    case 401:
      sendHtml(res, 401, ACCESS_FORBIDDEN.replaceAll("Forbidden", "Unauthorized"), headers);
      return true;
    default:
      return false;
  }
}

export function sendAccessRedirect(res: ServerResponse, team: string, host: string, path: string): void {
  const location =
    `https://${team}.cloudflareaccess.com/cdn-cgi/access/login/${encodeURIComponent(host)}` +
    `?kid=${rayId()}&redirect_url=${encodeURIComponent(path)}`;
  sendHtml(res, 302, `<a href="${location}">Found</a>.\n`, { ...edgeHeaders(), location });
}

function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string>): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { ...headers, "content-type": "text/html; charset=UTF-8", "content-length": Buffer.byteLength(html) });
  res.end(html);
}
