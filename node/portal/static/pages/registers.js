// Auditor pages: every register with filters and CSV export. Amounts in the CSV are base units
// (exact decimal strings), times are unix seconds: the export is for recomputation.

import { download, get, toCsv } from "../api.js";
import { addTexts, fmtAmount, fmtTime, lang, shortAddress, stateText, t } from "../i18n.js";
import { asOf, errorBox, field, h, message, section, table } from "../ui.js";
import { firstOf } from "./fund.js";
import { needSignIn } from "./membership.js";

addTexts(
  {
    named_fund_row: "Фонд «{name}»: {share} % дохода, расходуется {rule}{ind}",
    named_rule_council: "решением совета",
    named_rule_meeting: "решением общего собрания ({majority})",
    named_indivisible: ", неделимый (не возвращается при выходе)",
  },
  {
    named_fund_row: "Fund «{name}»: {share} % of income, spent by {rule}{ind}",
    named_rule_council: "a council decision",
    named_rule_meeting: "a general-meeting decision ({majority})",
    named_indivisible: ", indivisible (never refunded on exit)",
  },
);

/** The funds the charter names, as rows of the funds register (none: an older gateway). */
async function namedFundRows() {
  const named = await firstOf(["/cooperative/funds/named"]);
  return (named?.page?.data ?? []).map((f) => ({
    fund: t("named_fund_row", {
      name: f.name,
      share: (f.share_bps / 100).toFixed(2),
      rule: f.rule === "meeting" ? t("named_rule_meeting", { majority: f.majority }) : t("named_rule_council"),
      ind: f.indivisible ? t("named_indivisible") : "",
    }),
    amount: f.balance,
  }));
}

const flat = (o, prefix = "", out = {}) => {
  for (const [k, v] of Object.entries(o ?? {})) {
    if (v && typeof v === "object" && !Array.isArray(v)) flat(v, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = Array.isArray(v) ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join(" ") : v;
  }
  return out;
};

// Column headings (ru, en); the CSV keeps the API's field names.
const HEADINGS = {
  address: ["Адрес", "Address"],
  status: ["Статус", "Status"],
  kind: ["Вид", "Kind"],
  admitted_at: ["Принят", "Admitted"],
  share_balance: ["Паи", "Shares"],
  units_balance: ["Баланс ВРЕ", "ВРЕ balance"],
  entrance_fee: ["Вступительный", "Entrance fee"],
  minimum_share: ["Обязательный", "Mandatory"],
  voluntary_shares: ["Добровольный", "Voluntary"],
  in_kind_shares: ["Натуральный", "In kind"],
  paid_off_chain: ["Вне цепочки", "Off chain"],
  debtor: ["Должник", "Debtor"],
  creditor: ["Кредитор", "Creditor"],
  amount: ["Сумма", "Amount"],
  outstanding: ["Остаток", "Outstanding"],
  issued: ["Выставлен", "Issued"],
  sha256: ["SHA-256", "SHA-256"],
  type: ["Тип", "Type"],
  anchored_by: ["Закрепил", "Anchored by"],
  anchored_at: ["Когда", "When"],
  signers: ["Подписали", "Signed by"],
  state: ["Состояние", "State"],
  document: ["Документ", "Document"],
  protocol: ["Протокол", "Protocol"],
  for: ["За", "For"],
  against: ["Против", "Against"],
  proposed: ["Внесён", "Proposed"],
  opens_at: ["Начало", "Opens"],
  closes_at: ["Окончание", "Closes"],
  questions: ["Вопросов", "Questions"],
  ballots: ["Бюллетеней", "Ballots"],
  participants: ["Участников", "Participants"],
  fund: ["Фонд", "Fund"],
  borrower: ["Заёмщик", "Borrower"],
  title: ["Название", "Title"],
  category: ["Категория", "Category"],
  valuation: ["Оценка", "Valuation"],
  custodian: ["Хранитель", "Custodian"],
  pledged: ["В залоге", "Pledged"],
};
const heading = (k) => HEADINGS[k]?.[lang() === "en" ? 1 : 0] ?? k;
const amount = (k, label = k) => ({ key: k, label: heading(label), render: (r) => fmtAmount(r[k], 18, 2) });
const addr = (k, label = k) => ({ key: k, label: heading(label), render: (r) => h("span", { class: "mono", title: r[k] }, shortAddress(r[k])) });
const time = (k, label = k) => ({ key: k, label: heading(label), render: (r) => fmtTime(r[k]) });
const plain = (k, label = k) => ({ key: k, label: heading(label) });
const state = (k) => ({ key: k, label: heading(k === "status_name" ? "status" : "state"), render: (r) => stateText(r[k]) });

// name -> {load(filters) -> {rows, page}, columns, filters: [{id, options?}]}; built per render
// so that the headings follow the language switch.
const registers = () => ({
  members: {
    filters: [{ id: "status", options: ["", "applicant", "member", "exiting", "exited", "blocked"] }],
    load: async (f) => {
      const page = await get("/members", { limit: 500, status: f.status });
      return { page, rows: page.data.map((m) => flat(m)) };
    },
    columns: [addr("account", "address"), state("status_name"), plain("kind_name", "kind"), time("admitted_at"), amount("share_balance"), amount("units_balance")],
  },
  shares: {
    filters: [],
    load: async () => {
      const page = await get("/members", { limit: 500 });
      return { page, rows: page.data.map((m) => ({ account: m.account, share_balance: m.share_balance, ...m.shares })) };
    },
    columns: [addr("account", "address"), amount("entrance_fee"), amount("minimum_share"), amount("voluntary_shares"), amount("in_kind_shares"), amount("paid_off_chain"), amount("share_balance")],
  },
  obligations: {
    filters: [{ id: "status", options: ["", "issued", "accepted", "settled", "cancelled", "disputed"] }, { id: "debtor" }, { id: "creditor" }],
    load: async (f) => {
      const page = await get("/units/obligations", { limit: 500, status: f.status, debtor: f.debtor, creditor: f.creditor });
      return { page, rows: page.data.map((o) => flat(o)) };
    },
    columns: [{ key: "obligation_id", label: "№" }, addr("debtor"), addr("creditor"), amount("amount"), amount("outstanding"), state("status_name"), time("issued.timestamp", "issued")],
  },
  documents: {
    filters: [{ id: "document_type" }],
    load: async (f) => {
      const page = await get("/documents", { limit: 500, document_type: f.document_type });
      return { page, rows: page.data.map((d) => ({ ...flat(d), signers: d.signatures.map((s) => s.signer).join(" ") })) };
    },
    columns: [addr("document", "sha256"), plain("document_type_name", "type"), addr("anchored_by"), time("anchored_at"), { key: "signers", label: heading("signers"), render: (r) => (r.signers ? r.signers.split(" ").map(shortAddress).join(", ") : "—") }],
  },
  council: {
    filters: [],
    load: async () => {
      const page = await get("/council/items", { limit: 500 });
      return { page, rows: page.data.map((i) => ({ ...flat(i), votes: i.votes.map((v) => `${v.member}:${v.support}`).join(" ") })) };
    },
    columns: [{ key: "item_id", label: "№" }, state("state_name"), addr("document_hash", "document"), addr("protocol_hash", "protocol"), plain("for_votes", "for"), plain("against_votes", "against"), time("proposed.timestamp", "proposed")],
  },
  meetings: {
    filters: [],
    load: async () => {
      const page = await get("/meetings");
      return { page, rows: page.data.map((m) => ({ ...flat(m), questions: m.questions.length, ballots: m.ballots.length })) };
    },
    columns: [{ key: "meeting_id", label: "№" }, state("state_name"), time("opens_at"), time("closes_at"), plain("questions"), plain("ballots"), plain("participants")],
  },
  fund: {
    filters: [],
    load: async () => {
      const funds = await get("/cooperative/funds");
      const loans = await firstOf(["/fund/loans"], { limit: 500 });
      const rows = ["share", "reserve", "mutual_aid", "development", "pending_income"].map((k) => ({ fund: k, amount: funds[k] }));
      rows.push(...(await namedFundRows()));
      for (const l of loans?.page?.data ?? []) rows.push({ fund: `loan ${l.loan_id} ${l.state_name}`, amount: l.outstanding, borrower: l.borrower });
      return { page: funds, rows };
    },
    columns: [plain("fund"), amount("amount"), addr("borrower")],
  },
  property: {
    filters: [],
    load: async () => {
      const found = await firstOf(["/property/assets"], { limit: 500, include_disposed: true });
      if (!found) throw new Error(t("not_available", { what: "GET /property" }));
      return { page: found.page, rows: (found.page.data ?? []).map((a) => flat(a)) };
    },
    columns: [{ key: "token_id", label: "№" }, plain("title"), plain("category_name", "category"), amount("valuation"), addr("custodian"), plain("encumbered", "pledged")],
  },
});

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  if (!ctx.has("auditor", "council", "chair")) {
    return h("div", { class: "page" }, message("info", t("need_role", { roles: `${t("role_auditor")}, ${t("role_council")}` })));
  }
  const REGISTERS = registers();
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const current = REGISTERS[params.get("r")] ? params.get("r") : "members";
  const tabs = h(
    "ul",
    { class: "tabs" },
    Object.keys(REGISTERS).map((name) =>
      h("li", {}, h("a", { href: `#/registers?r=${name}`, "aria-current": name === current ? "page" : null }, t(`reg_${name}`))),
    ),
  );
  return h("div", { class: "page" }, h("h1", {}, t("registers")), h("nav", { "aria-label": t("registers") }, tabs), register(ctx, current, REGISTERS[current]));
}

function register(ctx, name, reg) {
  const inputs = reg.filters.map((f) =>
    f.options
      ? (() => {
          const sel = h("select", { id: `f-${f.id}`, name: f.id }, f.options.map((o) => h("option", { value: o }, o ? stateText(o) : "—")));
          const w = h("div", { class: "field" }, h("label", { for: `f-${f.id}` }, heading(f.id)), sel);
          w.input = sel;
          return w;
        })()
      : field(`f-${f.id}`, heading(f.id === "document_type" ? "type" : f.id), { placeholder: f.id === "document_type" ? "contract" : "0x…", autocomplete: "off" }),
  );
  const text = field("f-text", t("filter"), { type: "search", autocomplete: "off" });
  const body = h("div", {});
  const form = h("form", { class: "filters", id: "register-filters" }, inputs, text, h("button", { type: "submit" }, t("filter")), h("button", { type: "button", id: "export-csv" }, t("export_csv")));
  let rows = [];
  const filtered = () => {
    const needle = text.input.value.trim().toLowerCase();
    return needle ? rows.filter((r) => Object.values(r).some((v) => String(v ?? "").toLowerCase().includes(needle))) : rows;
  };
  const show = () => body.replaceChildren(table(reg.columns, filtered(), { testid: `register-${name}` }));
  const reload = async () => {
    const f = Object.fromEntries(reg.filters.map((x, i) => [x.id, inputs[i].input.value.trim() || undefined]));
    try {
      const res = await reg.load(f);
      rows = res.rows;
      show();
      body.append(asOf(res.page) ?? "");
    } catch (e) {
      body.replaceChildren(errorBox(e, ctx));
    }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    reload();
  });
  text.input.addEventListener("input", show);
  form.querySelector("#export-csv").addEventListener("click", () => {
    const data = filtered();
    const columns = [...new Set(data.flatMap((r) => Object.keys(r)))];
    download(`${name}.csv`, toCsv(columns, data));
  });
  reload();
  return section(t(`reg_${name}`), form, body);
}

