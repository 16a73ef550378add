// The mutual-aid fund (contribute, request a loan, my position, my loans with their schedule,
// repay) and the property register, read from `/fund` and `/property` (a cooperative without
// them gets a clear message). Amounts of the fund are in its payment token, whose decimals and
// symbol come from `GET /fund/token`.

import { get } from "../api.js";
import { fmtAmount, fmtDate, fmtInt, parseAmount, shortAddress, stateText, t } from "../i18n.js";
import { asOf, field, h, lazy, message, runner, section, sendTx, stage, table } from "../ui.js";
import { docLink } from "./meetings.js";
import { sha256Hex } from "./verify.js";
import { needSignIn } from "./membership.js";
import { rubleLoansSection } from "./bank.js";

/** Property valuations are in the cooperative's accounting unit (18 decimals, like ВРЕ). */
const PROPERTY_DECIMALS = 18;

/** The first of `paths` the gateway answers (404: not there, or no fund in this cooperative). */
export async function firstOf(paths, query) {
  for (const p of paths) {
    try {
      return { path: p, page: await get(p, query) };
    } catch (e) {
      if (e.status !== 404 && e.status !== 405) throw e;
    }
  }
  return null;
}

/** The fund's payment token `{address, symbol, decimals}` (null: no fund). */
export async function paymentToken() {
  return (await firstOf(["/fund/token"]))?.page ?? null;
}

export function render(ctx, name) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  if (name === "property") return h("div", { class: "page" }, h("h1", {}, t("property")), lazy(() => property(ctx), ctx));
  return h("div", { class: "page" }, h("h1", {}, t("fund")), lazy(() => fund(ctx), ctx), rubleLoansSection(ctx));
}

async function fund(ctx) {
  const me = ctx.state.address;
  const funds = await get("/cooperative/funds");
  const root = h(
    "div",
    {},
    section(
      t("nav_fund"),
      h(
        "dl",
        { class: "facts" },
        ["share", "reserve", "mutual_aid", "development"].map((k) => [h("dt", {}, t(`fund_${k}`)), h("dd", {}, fmtAmount(funds[k] ?? 0, 18, 2))]),
      ),
      asOf(funds),
    ),
  );
  const token = await paymentToken();
  const pool = token && (await firstOf(["/fund"]));
  if (!pool) {
    root.append(message("info", t("not_available", { what: "GET /fund" })));
    return root;
  }
  const money = (v) => `${fmtAmount(v ?? 0, token.decimals, 2)} ${token.symbol}`;
  const position = (await firstOf([`/fund/members/${me}/position`]))?.page ?? {};
  root.append(
    section(
      t("fund"),
      h(
        "dl",
        { class: "facts", "data-testid": "fund-position" },
        h("dt", {}, t("fund_token")),
        h("dd", { "data-testid": "fund-token" }, `${token.symbol} · ${t("decimals", { n: token.decimals })}`),
        h("dt", {}, t("fund_cash")),
        h("dd", { "data-testid": "fund-cash" }, money(pool.page.cash)),
        h("dt", {}, t("fund_lent")),
        h("dd", {}, money(pool.page.lent)),
        h("dt", {}, t("fund_my_balance")),
        h("dd", { "data-testid": "fund-balance" }, money(position.balance)),
        h("dt", {}, t("fund_withdrawable")),
        h("dd", {}, money(position.withdrawable)),
        h("dt", {}, t("fund_borrowed")),
        h("dd", { "data-testid": "fund-borrowed" }, money(position.borrowed)),
        h("dt", {}, t("fund_max_loan")),
        h("dd", { "data-testid": "fund-max-loan" }, money(position.max_loan)),
      ),
      asOf(pool.page),
    ),
  );
  if (ctx.has("member")) root.append(contributeForm(ctx, token), loanForm(ctx, token));
  const loans = (await firstOf([`/fund/members/${me}/loans`]))?.page?.data ?? [];
  const details = await Promise.all(loans.map((l) => get(`/fund/loans/${l.loan_id}`).catch(() => null)));
  root.append(
    section(
      t("my_loans"),
      loans.length
        ? loans.map((l, i) =>
            h(
              "div",
              { class: "loan", "data-loan": l.loan_id },
              h("h3", {}, `№ ${l.loan_id} · ${stateText(l.state_name)} · ${money(l.principal)}`),
              h(
                "dl",
                { class: "facts" },
                h("dt", {}, t("loan_interest")),
                h("dd", {}, money(l.interest)),
                h("dt", {}, t("loan_repaid")),
                h("dd", {}, money(l.repaid)),
                h("dt", {}, t("loan_outstanding")),
                h("dd", { "data-testid": `outstanding-${l.loan_id}` }, money(l.outstanding)),
              ),
              h("h4", {}, t("my_schedule")),
              table(
                [
                  { key: "index", label: "№" },
                  { key: "due_at", label: t("due_date"), render: (r) => (Number(r.due_at) ? fmtDate(r.due_at) : t("after_disbursement")) },
                  { key: "cumulative_due", label: t("cumulative_due"), render: (r) => money(r.cumulative_due) },
                ],
                details[i]?.schedule ?? [],
                { testid: `schedule-${l.loan_id}` },
              ),
              l.state_name === "active" && ctx.has("member") ? repayForm(ctx, token, l) : null,
            ),
          )
        : h("p", { class: "muted" }, t("nothing")),
    ),
  );
  return root;
}

/** Approve the fund to pull `units`, then the action itself: two transactions, one progress. */
async function approveThen(ctx, p, units, label, path, body) {
  await sendTx(ctx, "/fund/approval/tx", { amount: units.toString() }, stage(p, 1, 2, t("stage_approve")));
  return sendTx(ctx, path, body, stage(p, 2, 2, label));
}

function amountOf(input, token, out) {
  try {
    return parseAmount(input.value, token.decimals);
  } catch (e) {
    out.replaceChildren(message("error", e.message));
    return null;
  }
}

function contributeForm(ctx, token) {
  const amount = field("contribute-amount", `${t("amount")}, ${token.symbol}`, { required: true, inputmode: "decimal", autocomplete: "off" });
  const out = h("div", { class: "outcome" });
  const form = h("form", { id: "contribute-form", novalidate: true }, amount, h("button", { type: "submit" }, t("contribute")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const units = amountOf(amount.input, token, out);
    if (units === null) return;
    await runner(out)((p) => approveThen(ctx, p, units, t("contribute"), "/fund/contributions/tx", { amount: units.toString() }));
  });
  return section(t("contribute"), h("p", { class: "muted" }, t("contribute_help")), form);
}

function repayForm(ctx, token, loan) {
  const id = `repay-${loan.loan_id}`;
  const amount = field(`${id}-amount`, `${t("amount")}, ${token.symbol}`, { required: true, inputmode: "decimal", autocomplete: "off" });
  const out = h("div", { class: "outcome" });
  const form = h("form", { id, class: "inline-form", novalidate: true }, amount, h("button", { type: "submit" }, t("repay")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const units = amountOf(amount.input, token, out);
    if (units === null) return;
    if (units > BigInt(loan.outstanding)) {
      out.replaceChildren(message("error", t("repay_too_much", { max: fmtAmount(loan.outstanding, token.decimals) })));
      return;
    }
    await runner(out)((p) => approveThen(ctx, p, units, t("repay"), `/fund/loans/${loan.loan_id}/repayments/tx`, { amount: units.toString() }));
  });
  return form;
}

function loanForm(ctx, token) {
  const amount = field("loan-amount", `${t("amount")}, ${token.symbol}`, { required: true, inputmode: "decimal", autocomplete: "off" });
  const months = field("loan-months", t("loan_months"), { type: "number", min: 1, max: 120, value: 12, required: true });
  const instalments = field("loan-instalments", t("loan_instalments"), { type: "number", min: 1, max: 255, value: 12, required: true });
  const purpose = field("loan-purpose", t("loan_purpose"), { tag: "textarea", required: true, maxlength: 2000, rows: 3 });
  const out = h("div", { class: "outcome" });
  const form = h("form", { id: "loan-form", novalidate: true }, amount, months, instalments, purpose, h("button", { type: "submit" }, t("request_loan")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const units = amountOf(amount.input, token, out);
    if (units === null) return;
    const n = Number.parseInt(instalments.input.value, 10);
    const m = Number.parseInt(months.input.value, 10);
    const text = purpose.input.value.trim();
    if (!(m >= 1 && m <= 120)) return out.replaceChildren(message("error", t("field_required", { field: t("loan_months") })));
    if (!(n >= 1 && n <= 255)) return out.replaceChildren(message("error", t("field_required", { field: t("loan_instalments") })));
    if (!text) return out.replaceChildren(message("error", t("field_required", { field: t("loan_purpose") })));
    // The purpose statement's SHA-256 goes on chain; the text itself stays with the member.
    const hash = `0x${await sha256Hex(new TextEncoder().encode(text))}`;
    await runner(out)((p) =>
      sendTx(ctx, "/fund/loans/tx", { amount: units.toString(), term: m * 30 * 86_400, instalments: n, purpose: hash }, p),
    );
  });
  return section(t("request_loan"), h("p", { class: "muted" }, t("loan_help")), form);
}

async function property() {
  const found = await firstOf(["/property/assets"], { limit: 500 });
  if (!found) return message("info", t("not_available", { what: "GET /property/assets" }));
  return section(
    t("property"),
    table(
      [
        { key: "token_id", label: "№" },
        { key: "category_name", label: t("category"), render: (a) => t(`cat_${a.category_name}`) },
        { key: "title", label: t("title_col"), render: (a) => docLink(a.title) },
        { key: "valuation", label: t("valuation"), render: (a) => fmtAmount(a.valuation, PROPERTY_DECIMALS, 2) },
        { key: "custodian", label: t("custodian"), render: (a) => h("span", { class: "mono", title: a.custodian }, shortAddress(a.custodian)) },
        { key: "acquired_at", label: t("date"), render: (a) => fmtDate(a.acquired_at) },
        { key: "encumbered", label: t("pledged"), render: (a) => (a.encumbered ? t("yes") : t("no")) },
      ],
      found.page.data ?? [],
      { testid: "property" },
    ),
    h("p", { class: "muted" }, `${t("total")}: ${fmtInt(found.page.count ?? 0)}`),
    asOf(found.page),
  );
}
