// The cashier's screen: import a bank statement, see what each payment pays (and what waits
// in the queue, with the reason), confirm the proposals and record them on chain with one
// transaction signed by the cashier's own wallet.

import { ApiError, get, post, token } from "../api.js";
import { t } from "../i18n.js";
import { errorBox, h, lazy, message, runner, section, sendPrepared, table } from "../ui.js";
import { needSignIn } from "./membership.js";

async function upload(file) {
  const response = await fetch(new URL("/bank/statements", location.origin), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/octet-stream", Authorization: `Bearer ${token()}` },
    body: await file.arrayBuffer(),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const COLUMNS = [
  { key: "booked", label: () => t("bank_date") },
  { key: "amount", label: () => t("bank_amount") },
  { key: "payer_name", label: () => t("bank_payer") },
  { key: "purpose", label: () => t("bank_purpose") },
];

function columns(extra) {
  return [...COLUMNS.map((c) => ({ ...c, label: c.label() })), ...extra];
}

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  if (!ctx.has("cashier")) return h("div", { class: "page" }, message("error", t("bank_cashier_only")));
  const status = h("div", { "aria-live": "polite", id: "bank-status" });
  const proposed = h("div", { id: "bank-proposed" });
  const queued = h("div", { id: "bank-queued" });
  const run = h("div", {});

  async function refresh() {
    try {
      const [p, q] = await Promise.all([get("/bank/lines", { status: "proposed" }), get("/bank/lines", { status: "queued" })]);
      const boxes = new Map();
      proposed.replaceChildren(
        table(
          columns([
            { key: "match", label: t("bank_pays"), render: (x) => `${x.match_purpose} ${x.match_account}` },
            {
              key: "pick",
              label: t("bank_confirm"),
              render: (x) => {
                const box = h("input", { type: "checkbox", checked: true, "aria-label": `${t("bank_confirm")} ${x.id}` });
                boxes.set(x.id, box);
                return box;
              },
            },
          ]),
          p,
          { testid: "bank-proposed" },
        ),
        p.length
          ? h(
              "button",
              {
                type: "button",
                id: "bank-confirm",
                onclick: () =>
                  runner(run)(async (progress) => {
                    const ids = [...boxes].filter(([, b]) => b.checked).map(([id]) => id);
                    const { transaction } = await post("/bank/confirm", { ids });
                    progress.step("signed");
                    const receipt = await sendPrepared(ctx, transaction, progress);
                    await post("/bank/sync");
                    await refresh();
                    return receipt;
                  }),
              },
              t("bank_confirm_all"),
            )
          : h("p", { class: "muted" }, t("bank_nothing")),
      );
      queued.replaceChildren(
        table(columns([{ key: "reason", label: t("bank_reason") }]), q, { testid: "bank-queued" }),
      );
    } catch (e) {
      status.replaceChildren(errorBox(e, ctx));
    }
  }

  const input = h("input", { type: "file", id: "bank-file", accept: ".txt,.xml" });
  const importButton = h("button", {
    type: "button",
    id: "bank-import",
    onclick: async () => {
      if (!input.files?.length) return;
      importButton.disabled = true;
      try {
        const r = await upload(input.files[0]);
        const m = await post("/bank/match");
        status.replaceChildren(
          message(
            "ok",
            r.already_imported ? t("bank_already") : t("bank_imported", { n: r.new_lines, p: m.proposed, q: m.queued }),
          ),
        );
        await refresh();
      } catch (e) {
        status.replaceChildren(errorBox(e, ctx));
      } finally {
        importButton.disabled = false;
      }
    },
  }, t("bank_import"));

  refresh();
  return h(
    "div",
    { class: "page" },
    h("h1", {}, t("nav_bank")),
    section(t("bank_statement"), h("label", { for: "bank-file" }, t("bank_file")), input, importButton, status),
    section(t("bank_proposed"), proposed, run),
    section(t("bank_queue"), queued),
  );
}

/** For every member: what to write in a bank transfer's purpose (shown on the membership page). */
export function referencesSection(ctx) {
  return lazy(async () => {
    const r = await get("/bank/references");
    if (!r.index) return h("div", {});
    return section(
      t("bank_references"),
      h("p", { class: "muted" }, t("bank_references_hint")),
      table(
        [
          { key: "code", label: t("bank_pays"), render: (x) => t(`bank_code_${x.code}`) },
          { key: "reference", label: t("bank_reference"), render: (x) => h("code", { "data-testid": `ref-${x.code}` }, x.reference) },
        ],
        r.references,
        { testid: "bank-references" },
      ),
    );
  }, ctx);
}
