// Verify any file: its SHA-256 computed in the browser (crypto.subtle), never uploaded; only
// the hash goes to the gateway, which answers whether it is anchored, when, and who signed it.

import { get } from "../api.js";
import { fmtTime, t } from "../i18n.js";
import { errorBox, h, message, section } from "../ui.js";

export async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function render(ctx) {
  const out = h("div", { id: "verify-result", "aria-live": "polite" });
  const input = h("input", { type: "file", id: "verify-file" });
  const drop = h(
    "div",
    { class: "drop", id: "drop-zone" },
    h("label", { for: "verify-file" }, t("choose_file")),
    input,
    h("p", { class: "muted" }, t("drop_here")),
  );
  const check = async (file) => {
    out.replaceChildren(h("p", { "aria-busy": "true" }, t("loading")));
    try {
      const sha = await sha256Hex(await file.arrayBuffer());
      await lookup(sha, out, file.name);
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  };
  input.addEventListener("change", () => input.files?.[0] && check(input.files[0]));
  drop.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    const file = ev.dataTransfer?.files?.[0];
    if (file) check(file);
  });
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const given = params.get("sha256");
  if (given && /^[0-9a-f]{64}$/.test(given)) lookup(given, out, null).catch((e) => out.replaceChildren(errorBox(e, ctx)));
  return h("div", { class: "page" }, h("h1", {}, t("verify_title")), section(t("verify_title"), h("p", {}, t("verify_intro")), drop, out));
}

async function lookup(sha, out, name) {
  const info = await get(`/audit/documents/${sha}`);
  const facts = h("dl", { class: "facts" }, h("dt", {}, t("sha256")), h("dd", { class: "mono", "data-testid": "sha256" }, sha));
  if (name) facts.prepend(h("dt", {}, t("choose_file")), h("dd", {}, name));
  if (!info.anchored) {
    out.replaceChildren(facts, message("error", t("not_anchored")));
    out.dataset.anchored = "false";
    return;
  }
  const c = info.chain ?? {};
  const signers = c.signers ?? [];
  facts.append(
    h("dt", {}, t("anchored_at")),
    h("dd", { "data-testid": "anchored-at" }, `${fmtTime(c.anchored_at)} · ${t("block")} ${info.anchor?.event?.block_number ?? "—"}`),
    h("dt", {}, t("anchored_by")),
    h("dd", { class: "mono", "data-testid": "anchored-by" }, c.anchored_by ?? "—"),
    h("dt", {}, t("doc_type")),
    h("dd", {}, c.document_type ?? "—"),
    h("dt", {}, t("signers")),
    h("dd", { "data-testid": "signers" }, signers.length ? h("ul", {}, signers.map((s) => h("li", { class: "mono" }, s))) : t("none")),
  );
  out.replaceChildren(message("ok", t("anchored")), facts);
  out.dataset.anchored = "true";
}
