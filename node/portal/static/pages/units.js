// ВРЕ: balance and credit limit, transfer, invoices to issue and accept, clearings (what each
// cleared for me), balances and the obligation graph before and after clearing.

import { get, post } from "../api.js";
import { barChart, obligationGraph } from "../charts.js";
import { fmtAmount, fmtTime, parseAmount, shortAddress, stateText, t } from "../i18n.js";
import { asOf, field, h, lazy, message, runner, section, sendTx, signAndRelay, table } from "../ui.js";
import { needSignIn } from "./membership.js";
import { tokenDecimals } from "../wallet.js";

/** ВРЕ decimals: read from the token (`decimals()`) through the wallet; 18 until then. */
export let DECIMALS = 18;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const same = (a, b) => a?.toLowerCase() === b?.toLowerCase();

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h("div", { class: "page" }, h("h1", {}, t("nav_units")), lazy(() => load(ctx), ctx));
}

/** A form with an address and an amount; `action(to, units, progressEl)`. */
function addressAmountForm(id, addressLabel, submitLabel, action) {
  const to = field(`${id}-to`, addressLabel, { required: true, autocomplete: "off", spellcheck: "false", placeholder: "0x…", maxlength: 42 });
  const amount = field(`${id}-amount`, `${t("amount")}, ВРЕ`, { required: true, inputmode: "decimal", autocomplete: "off" });
  const out = h("div", { class: "outcome" });
  const form = h("form", { id, novalidate: true }, to, amount, h("button", { type: "submit" }, submitLabel), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const address = to.input.value.trim();
    if (!ADDRESS.test(address)) {
      out.replaceChildren(message("error", t("invalid_address")));
      to.input.focus();
      return;
    }
    let units;
    try {
      units = parseAmount(amount.input.value, DECIMALS);
    } catch (e) {
      out.replaceChildren(message("error", e.message));
      amount.input.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    await runner(out)((p) => action(address, units, p));
    button.disabled = false;
  });
  return form;
}

async function load(ctx) {
  const me = ctx.state.address;
  if (ctx.state.unitDecimals === undefined) {
    ctx.state.unitDecimals = await tokenDecimals(ctx.state.coop.contracts.settlement_units).catch(() => null);
  }
  DECIMALS = ctx.state.unitDecimals ?? 18;
  const [dash, obligations, clearings, members] = await Promise.all([
    get(`/members/${me}/dashboard`),
    get("/units/obligations", { limit: 500 }),
    get(`/history/members/${me}/clearings`),
    get("/members", { limit: 500, status: "member" }),
  ]);
  const m = dash.member ?? {};
  const root = h("div", {});
  root.append(
    section(
      t("balance"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("balance")),
        h("dd", { "data-testid": "units-balance" }, `${fmtAmount(m.units_balance ?? 0, DECIMALS)} ВРЕ`),
        h("dt", {}, t("credit_limit")),
        h("dd", { "data-testid": "credit-limit" }, `${fmtAmount(m.credit_limit ?? 0, DECIMALS)} ВРЕ`),
      ),
      asOf(dash),
    ),
  );
  root.append(
    section(
      t("transfer"),
      addressAmountForm("transfer-form", t("recipient"), t("send"), async (to, units, p) => {
        await sendTx(ctx, "/units/transfers/tx", { to, amount: units.toString() }, p);
      }),
    ),
    section(
      t("issue_invoice"),
      addressAmountForm("invoice-form", t("debtor"), t("issue_invoice"), async (debtor, units, p) => {
        await sendTx(ctx, "/units/invoices/tx", { debtor, amount: units.toString() }, p);
      }),
    ),
  );
  const toAccept = obligations.data.filter((o) => same(o.debtor, me) && o.status_name === "issued");
  const acceptCell = (o) => {
    const out = h("div", { class: "outcome" });
    const b = h("button", { type: "button", "data-obligation": o.obligation_id }, t("accept"));
    b.addEventListener("click", async () => {
      b.disabled = true;
      const ok = await runner(out)((p) =>
        signAndRelay(ctx, `/units/invoices/${o.obligation_id}/acceptance/typed-data`, {}, (signature, payload) =>
          post(`/units/invoices/${o.obligation_id}/acceptance`, { deadline: payload.typed_data.message.deadline, signature }), p),
      );
      if (!ok) b.disabled = false;
    });
    return h("div", {}, b, out);
  };
  const columns = [
    { key: "obligation_id", label: "№" },
    { key: "creditor", label: t("creditor"), render: (o) => h("span", { class: "mono", title: o.creditor }, shortAddress(o.creditor)) },
    { key: "debtor", label: t("debtor_col"), render: (o) => h("span", { class: "mono", title: o.debtor }, shortAddress(o.debtor)) },
    { key: "amount", label: t("amount"), render: (o) => fmtAmount(o.amount, DECIMALS) },
    { key: "outstanding", label: t("outstanding"), render: (o) => fmtAmount(o.outstanding, DECIMALS) },
    { key: "status_name", label: t("status"), render: (o) => stateText(o.status_name) },
  ];
  root.append(
    section(t("invoices_to_accept"), table([...columns, { key: "a", label: t("accept"), render: acceptCell }], toAccept, { testid: "to-accept" })),
    section(
      t("invoices"),
      table(
        columns,
        obligations.data.filter((o) => same(o.debtor, me) || same(o.creditor, me)),
        { testid: "my-invoices" },
      ),
    ),
  );
  // What each clearing cleared for me: the `ObligationCleared` lines of each clearing's
  // transaction on my invoices (GET /history/members/{me}/clearings). A set-off keeps every
  // net position, so what it cleared of my debts equals what it cleared of my claims.
  const lines = clearings.data.flatMap((c) => c.lines.map((x) => ({ ...x, when: c.event.timestamp })));
  root.append(
    section(
      t("clearings"),
      table(
        [
          { key: "when", label: t("date"), render: (c) => fmtTime(c.event.timestamp) },
          { key: "total_cleared", label: t("amount"), render: (c) => fmtAmount(c.total_cleared, DECIMALS) },
          { key: "entries", label: "#" },
          { key: "mine", label: t("cleared_for_me"), render: (c) => fmtAmount(c.cleared_as_debtor, DECIMALS) },
        ],
        clearings.data,
        { testid: "clearings" },
      ),
      h("h3", {}, t("cleared_lines")),
      table(
        [
          { key: "when", label: t("date"), render: (x) => fmtTime(x.when) },
          { key: "obligation_id", label: "№" },
          { key: "role", label: t("side"), render: (x) => (same(x.debtor, me) ? t("i_owe") : t("owed_to_me")) },
          {
            key: "counterparty",
            label: t("counterparty"),
            render: (x) => {
              const other = same(x.debtor, me) ? x.creditor : x.debtor;
              return h("span", { class: "mono", title: other }, shortAddress(other));
            },
          },
          { key: "amount", label: t("amount"), render: (x) => fmtAmount(x.amount, DECIMALS) },
          { key: "outstanding", label: t("remaining"), render: (x) => fmtAmount(x.outstanding, DECIMALS) },
        ],
        lines,
        { testid: "cleared-lines" },
      ),
      asOf(clearings),
    ),
  );
  // Pictures: balances of members, the obligation graph before and after clearing.
  const bars = members.data
    .filter((x) => BigInt(x.units_balance ?? 0) !== 0n || same(x.account, me))
    .slice(0, 20)
    .map((x) => ({
      label: same(x.account, me) ? "я / me" : shortAddress(x.account),
      value: Number(BigInt(x.units_balance ?? 0) / 10n ** 14n) / 1e4,
      text: fmtAmount(x.units_balance ?? 0, DECIMALS, 2),
    }));
  const open = obligations.data.filter((o) => ["accepted", "settled"].includes(o.status_name));
  const nodes = [...new Set(open.flatMap((o) => [o.debtor, o.creditor]))];
  const edge = (o, v) => ({ from: o.debtor, to: o.creditor, value: Number(BigInt(v) / 10n ** 14n) / 1e4 });
  const before = open.map((o) => edge(o, o.amount));
  const after = open.filter((o) => BigInt(o.outstanding) > 0n).map((o) => edge(o, o.outstanding));
  const label = (a) => (same(a, me) ? "я" : a.slice(2, 6));
  root.append(
    section(t("balances_chart"), h("figure", {}, barChart(t("balances_chart"), bars))),
    section(
      t("obligation_graph"),
      h(
        "div",
        { class: "pair" },
        h("figure", {}, obligationGraph(`${t("obligation_graph")}: ${t("before")}`, nodes, before, { label }), h("figcaption", {}, t("before"))),
        h("figure", {}, obligationGraph(`${t("obligation_graph")}: ${t("after")}`, nodes, after, { label }), h("figcaption", {}, t("after"))),
      ),
    ),
  );
  return root;
}

