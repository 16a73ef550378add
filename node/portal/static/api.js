// The gateway's HTTP API (same origin): JSON that keeps big integers exact, problem+json
// errors, the session token, and tracking of relayed actions.

import { t } from "./i18n.js";

const TOKEN_KEY = "coop.session";
const SCOPE_KEY = "coop.scope";

/** The cooperative the portal works with, of those the node serves: "" is the node's default
 * one, else its slug (the API's `/c/{slug}` prefix). One session serves them all. */
export function scope() {
  return sessionStorage.getItem(SCOPE_KEY) ?? "";
}

export function setScope(slug) {
  if (slug) sessionStorage.setItem(SCOPE_KEY, slug);
  else sessionStorage.removeItem(SCOPE_KEY);
}

/** A gateway path of the chosen cooperative (`/members` -> `/c/{slug}/members`). */
export function apiPath(path) {
  const slug = scope();
  if (!slug || !path.startsWith("/") || path.startsWith("/c/") || path.startsWith("/portal/")) return path;
  return `/c/${encodeURIComponent(slug)}${path}`;
}

export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem?.detail || problem?.title || String(status);
    super(t("err_api", { status, detail }));
    this.status = status;
    this.problem = problem;
    this.code = problem?.error ?? null;
  }
}

/** JSON.parse, except that integers too large for a double arrive as decimal strings.
 * Amounts (uint256) must never pass through a JS number. */
export function parseJson(text) {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(text[j])) j++;
      const token = text.slice(i, j);
      const digits = token.replace("-", "");
      out += /^-?\d+$/.test(token) && digits.length > 15 ? `"${token}"` : token;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Call the gateway; `body` is JSON unless it is a Blob/ArrayBuffer (sent as is). */
export async function request(method, path, { body, query, auth = true } = {}) {
  const url = new URL(apiPath(path), location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  const headers = { Accept: "application/json" };
  if (auth && token()) headers.Authorization = `Bearer ${token()}`;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload });
  } catch (e) {
    throw new Error(t("err_network", { detail: e.message }));
  }
  const text = await response.text();
  const data = text ? safeParse(text) : null;
  if (!response.ok) {
    if (response.status === 401 && auth) setToken(null);
    throw new ApiError(response.status, data);
  }
  return data;
}

function safeParse(text) {
  try {
    return parseJson(text);
  } catch {
    return { detail: text.slice(0, 300) };
  }
}

export const get = (path, query) => request("GET", path, { query });
export const post = (path, body) => request("POST", path, { body: body ?? {} });
export const put = (path, body) => request("PUT", path, { body });

/** The mirror's current block (every list says where it is current). */
export async function mirrorBlock() {
  const page = await get("/documents", { limit: 1 });
  return Number(page.as_of?.number ?? page.block ?? 0);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Follow a relayed action until indexed (or failed); `onStep` gets each status. */
export async function trackRelay(id, onStep, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  for (;;) {
    const r = await get(`/relay/${id}`);
    if (r.status !== last) {
      last = r.status;
      onStep(r.status, r);
    }
    if (r.status === "indexed") return r;
    if (r.status === "failed") {
      throw new Error(`${t("step_failed")}: ${r.error ?? ""} ${r.detail ?? ""}`.trim());
    }
    if (Date.now() > deadline) throw new Error(`${t("step_failed")}: timeout`);
    await sleep(250);
  }
}

/** Rows as CSV (RFC 4180, ; is not used: a comma and quotes), with a BOM for spreadsheet apps. */
export function toCsv(columns, rows) {
  const cell = (v) => {
    const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map(cell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(","));
  return "\ufeff" + lines.join("\r\n") + "\r\n";
}

export function download(filename, text, type = "text/csv;charset=utf-8") {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
