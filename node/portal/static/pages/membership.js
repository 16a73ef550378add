// My membership: status, shares with their breakdown, documents I signed, history.

import { agreementsBlock } from "./agreements.js";
import { get } from "../api.js";
import { eventText, fmtAmount, fmtTime, shortAddress, t } from "../i18n.js";
import { asOf, h, lazy, message, section, table } from "../ui.js";
import { referencesSection, refundSection } from "./bank.js";

export function statusText(name) {
  return t(`status_${name ?? "none"}`);
}

export function needSignIn(ctx) {
  const out = h("div", { class: "session-msg" });
  return h(
    "div",
    { class: "page" },
    message("info", t("need_sign_in")),
    h("p", {}, h("button", { type: "button", onclick: () => ctx.signIn(out) }, t("connect"))),
    out,
  );
}

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  const me = ctx.state.address;
  // A new version of an agreement in force: asked here (the gateway refuses other acts until).
  const agreements = h("div", {});
  agreementsBlock(ctx, () => {})
    .then((block) => agreements.replaceChildren(block))
    .catch(() => {});
  const page = h("div", { class: "page" }, h("h1", {}, t("nav_membership")), agreements, lazy(() => load(me), ctx), referencesSection(ctx), ctx.has("member", "applicant") ? refundSection(ctx) : null);
  // An applicant sees the status change without reloading: poll while this page is shown.
  if (ctx.has("applicant")) {
    const timer = setInterval(async () => {
      if (!document.contains(page)) return clearInterval(timer);
      const m = await get(`/members/${me}`).catch(() => null);
      if (m && m.status_name !== "applicant") {
        clearInterval(timer);
        if (document.contains(page)) await ctx.refreshSession();
      }
    }, 2000);
  }
  return page;
}

async function load(me) {
  let member = null;
  try {
    member = await get(`/members/${me}`);
  } catch (e) {
    if (e.status !== 404) throw e;
  }
  const [history, docs] = await Promise.all([
    member ? get(`/members/${me}/history`) : Promise.resolve({ data: [] }),
    get("/documents", { limit: 500 }),
  ]);
  const mine = docs.data.filter((d) => d.signatures.some((s) => s.signer.toLowerCase() === me.toLowerCase()) || d.anchored_by.toLowerCase() === me.toLowerCase());
  const wrap = h("div", {});
  const sh = member?.shares ?? {};
  wrap.append(
    section(
      t("status"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("address")),
        h("dd", { class: "mono" }, me),
        h("dt", {}, t("status")),
        h("dd", { "data-testid": "member-status" }, statusText(member?.status_name)),
        member ? [h("dt", {}, t("kind")), h("dd", {}, t(`kind_${member.kind_name}`))] : null,
        member?.admitted_at ? [h("dt", {}, t("date")), h("dd", {}, fmtTime(member.admitted_at))] : null,
        member ? [h("dt", {}, t("shares")), h("dd", { "data-testid": "share-balance" }, fmtAmount(member.share_balance, 18, 2))] : null,
      ),
      member?.status_name === "applicant" ? message("info", t("waiting_admission")) : null,
      member ? null : h("p", {}, h("a", { href: "#/apply" }, t("nav_apply"))),
      member ? asOf(member) : null,
    ),
  );
  if (member) {
    wrap.append(
      section(
        t("shares_breakdown"),
        table(
          [
            { key: "k", label: t("shares") },
            { key: "v", label: t("amount") },
          ],
          [
            { k: t("share_entrance"), v: fmtAmount(sh.entrance_fee ?? 0, 18, 2) },
            { k: t("share_mandatory"), v: fmtAmount(sh.minimum_share ?? 0, 18, 2) },
            { k: t("share_voluntary"), v: fmtAmount(sh.voluntary_shares ?? 0, 18, 2) },
            { k: t("share_in_kind"), v: fmtAmount(sh.in_kind_shares ?? 0, 18, 2) },
            { k: t("share_off_chain"), v: fmtAmount(sh.paid_off_chain ?? 0, 18, 2) },
          ],
          { testid: "shares-table" },
        ),
      ),
    );
  }
  wrap.append(
    section(
      t("documents_signed"),
      table(
        [
          { key: "document", label: t("sha256"), render: (d) => h("span", { class: "mono" }, shortAddress(d.document)) },
          { key: "document_type_name", label: t("doc_type") },
          { key: "document", label: t("nav_verify"), render: (d) => h("a", { href: `#/verify?sha256=${d.document.slice(2)}` }, t("nav_verify")) },
          { key: "anchored_at", label: t("anchored_at"), render: (d) => fmtTime(d.anchored_at) },
        ],
        mine,
        { testid: "my-documents" },
      ),
    ),
    section(
      t("history"),
      table(
        [
          { key: "action", label: t("event"), render: (r) => eventText(r.action) },
          { key: "status_name", label: t("status"), render: (r) => statusText(r.status_name) },
          { key: "ts", label: t("date"), render: (r) => fmtTime(r.event?.timestamp) },
        ],
        history.data,
        { testid: "history" },
      ),
    ),
  );
  return wrap;
}
