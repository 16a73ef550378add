// The council: items to vote on, protocols to sign, decisions to execute (council members and
// the chair), each a transaction from the member's own wallet.

import { get, post } from "../api.js";
import { addTexts, fmtInt, fmtTime, parseAmount, shortAddress, stateText, t } from "../i18n.js";
import { asOf, field, h, lazy, message, runner, section, sendTx, table } from "../ui.js";
import { docLink } from "./meetings.js";
import { needSignIn } from "./membership.js";
import { previewThenSign } from "./officers.js";

addTexts(
  {
    council_new_decision: "Новое решение совета",
    council_kind: "Вид решения",
    council_preview: "Показать, что будет сделано",
    council_reason: "Обоснование (в документ решения)",
    council_account: "Пайщик (адрес)",
    council_new_account: "Новый адрес",
    council_limit: "Кредитный лимит",
    council_units_unknown: "Не удалось узнать единицы сумм; обновите страницу.",
    council_fund: "Фонд",
    council_to: "Получатель (адрес)",
    council_amount: "Сумма",
    council_loan_id: "Номер займа",
    council_title: "Что за имущество",
    council_category: "Категория",
    council_custodian: "Хранитель (адрес)",
    council_valuation: "Оценка",
    council_token_id: "Номер имущества",
    council_union_units: "ВРЕ союза (адрес)",
    council_debtor: "Кооператив-должник (адрес казны)",
    council_due: "Срок оплаты",
    council_who_voted: "Кто голосовал",
    council_does: "Что сделает",
    council_sign_protocol_draft: "Протокол: сформировать и подписать",
    council_meeting_hint: "Созыв общего собрания — на странице «Собрания».",
    council_k_admission: "Приём в пайщики",
    council_k_block: "Блокировка пайщика",
    council_k_unblock: "Снятие блокировки",
    council_k_exit: "Выход / исключение с возвратом пая",
    council_k_key_recovery: "Восстановление ключа",
    council_k_credit_limit: "Кредитный лимит ВРЕ",
    council_k_payout: "Выплата из фонда",
    council_k_loan_approval: "Одобрить заём",
    council_k_loan_rejection: "Отказать в займе",
    council_k_guarantee_call: "Взыскать с поручителей",
    council_k_contribution_in_kind: "Взнос имуществом",
    council_k_property_mint: "Поставить имущество на учёт",
    council_k_property_revaluation: "Переоценка имущества",
    council_k_union_invoice: "Счёт кооперативу союза",
    council_f_share: "паевой",
    council_f_reserve: "резервный",
    council_f_mutual_aid: "взаимопомощи",
    council_f_development: "развития",
    council_c_land: "земля",
    council_c_building: "здание",
    council_c_equipment: "оборудование",
    council_c_vehicle: "транспорт",
    council_c_intellectual_property: "интеллектуальная собственность",
    council_c_other: "иное",
  },
  {
    council_new_decision: "New council decision",
    council_kind: "Kind of decision",
    council_preview: "Show what will happen",
    council_reason: "Reasons (go into the decision document)",
    council_account: "Member (address)",
    council_new_account: "New address",
    council_limit: "Credit limit",
    council_units_unknown: "The amounts' units could not be read; reload the page.",
    council_fund: "Fund",
    council_to: "Recipient (address)",
    council_amount: "Amount",
    council_loan_id: "Loan number",
    council_title: "What the property is",
    council_category: "Category",
    council_custodian: "Custodian (address)",
    council_valuation: "Valuation",
    council_token_id: "Asset number",
    council_union_units: "Union ВРЕ (address)",
    council_debtor: "Debtor cooperative (treasury address)",
    council_due: "Due date",
    council_who_voted: "Who voted",
    council_does: "What it does",
    council_sign_protocol_draft: "Protocol: generate and sign",
    council_meeting_hint: "Convening a general meeting: on the Meetings page.",
    council_k_admission: "Admission",
    council_k_block: "Block a member",
    council_k_unblock: "Unblock a member",
    council_k_exit: "Exit / exclusion with share refund",
    council_k_key_recovery: "Key recovery",
    council_k_credit_limit: "ВРЕ credit limit",
    council_k_payout: "Payout from a fund",
    council_k_loan_approval: "Approve a loan",
    council_k_loan_rejection: "Reject a loan",
    council_k_guarantee_call: "Call the guarantees",
    council_k_contribution_in_kind: "Contribution in kind",
    council_k_property_mint: "Register property",
    council_k_property_revaluation: "Revalue property",
    council_k_union_invoice: "Invoice to a union cooperative",
    council_f_share: "share",
    council_f_reserve: "reserve",
    council_f_mutual_aid: "mutual aid",
    council_f_development: "development",
    council_c_land: "land",
    council_c_building: "building",
    council_c_equipment: "equipment",
    council_c_vehicle: "vehicle",
    council_c_intellectual_property: "intellectual property",
    council_c_other: "other",
  },
);

addTexts(
  { council_k_named_fund_payout: "Выплата из фонда устава (расходуется советом)", council_fund_id: "Фонд устава (№)" },
  { council_k_named_fund_payout: "Payout from a named fund (the council's to spend)", council_fund_id: "Named fund (no.)" },
);

const ADDR = { pattern: "^0x[0-9a-fA-F]{40}$", required: true, class: "mono", autocomplete: "off" };
const UINT = { pattern: "^[0-9]{1,78}$", required: true, inputmode: "numeric" };
/** An amount typed as a person writes it ("12,5"), scaled by its token's decimals on sending
 * (`GET /council/decisions/units` names the unit of each `<kind>.<field>`). */
const AMOUNT = { required: true, inputmode: "decimal", autocomplete: "off", amount: true, placeholder: "12,5" };
const CATEGORY = ["land", "building", "equipment", "vehicle", "intellectual_property", "other"];
/** Each kind the gateway builds (`POST /council/decisions`) and its typed fields. */
const KINDS = {
  admission: [["account", ADDR]],
  block: [["account", ADDR]],
  unblock: [["account", ADDR]],
  exit: [["account", ADDR]],
  key_recovery: [["account", ADDR], ["new_account", ADDR]],
  credit_limit: [["account", ADDR], ["limit", AMOUNT]],
  payout: [["fund", { tag: "select", options: ["share", "reserve", "mutual_aid", "development"], prefix: "council_f_" }], ["to", ADDR], ["amount", AMOUNT]],
  loan_approval: [["loan_id", UINT]],
  loan_rejection: [["loan_id", UINT]],
  guarantee_call: [["loan_id", UINT]],
  contribution_in_kind: [["account", ADDR], ["amount", AMOUNT], ["title", { required: true, maxlength: 2000 }], ["category", { tag: "select", options: CATEGORY, prefix: "council_c_" }]],
  property_mint: [["custodian", ADDR], ["category", { tag: "select", options: CATEGORY, prefix: "council_c_" }], ["valuation", AMOUNT], ["title", { required: true, maxlength: 2000 }]],
  property_revaluation: [["token_id", UINT], ["valuation", AMOUNT]],
  union_invoice: [["union_units", ADDR], ["debtor", ADDR], ["amount", AMOUNT], ["due_date", { type: "date", required: true }]],
  named_fund_payout: [["fund_id", UINT], ["to", ADDR], ["amount", AMOUNT]],
};
const LABEL = { union_units: "council_union_units", due_date: "council_due", new_account: "council_new_account", loan_id: "council_loan_id", token_id: "council_token_id" };

function inputFor(name, spec, unit) {
  const id = `decision-${name}`;
  const label = t(LABEL[name] ?? `council_${name}`) + (spec.amount && unit ? `, ${unit.symbol}` : "");
  if (spec.tag === "select") {
    const wrap = field(id, label, { tag: "select" });
    for (const o of spec.options) wrap.input.append(h("option", { value: o }, t(`${spec.prefix}${o}`)));
    return wrap;
  }
  const { tag, options, prefix, amount, ...attrs } = spec;
  const wrap = field(id, label, attrs);
  if (amount && unit) wrap.input.dataset.decimals = unit.decimals;
  return wrap;
}

/** The typed decision form: kind, its fields, reasons; "show what will happen" asks the
 * gateway for the draft (document generated, actions encoded, simulated) and only then signs. */
export function decisionForm(ctx, preset = {}) {
  const out = h("div", { "data-testid": "decision-draft" });
  const fields = h("div", { class: "fields" });
  const kind = field("decision-kind", t("council_kind"), { tag: "select" });
  for (const k of Object.keys(KINDS)) kind.input.append(h("option", { value: k }, t(`council_k_${k}`)));
  const reason = field("decision-reason", t("council_reason"), { tag: "textarea", maxlength: 2000, rows: 2 });
  let units = {};
  const unitsReady = get("/council/decisions/units")
    .then((u) => {
      units = u;
      draw();
    })
    .catch(() => {});
  let drawn = null;
  const draw = () => {
    const k = kind.input.value;
    // Redrawn for the same kind (the units arrived): keep what was typed.
    const typed = k === drawn ? Object.fromEntries([...fields.querySelectorAll("input")].map((el) => [el.id, el.value])) : {};
    drawn = k;
    fields.replaceChildren(...KINDS[k].map(([name, spec]) => inputFor(name, spec, units[`${k}.${name}`])));
    for (const [id, v] of Object.entries(typed)) {
      const el = fields.querySelector(`#${id}`);
      if (el && v) el.value = v;
    }
    for (const [k, v] of Object.entries(preset)) {
      const el = fields.querySelector(`#decision-${k}`);
      if (el) el.value = v;
    }
  };
  kind.input.addEventListener("change", draw);
  if (preset.kind) kind.input.value = preset.kind;
  draw();
  const form = h(
    "form",
    { id: "decision-form", novalidate: false },
    kind,
    fields,
    reason,
    h("button", { type: "submit" }, t("council_preview")),
    out,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    await unitsReady;
    const body = { kind: kind.input.value, reason: reason.input.value };
    for (const [name, spec] of KINDS[body.kind]) {
      const el = fields.querySelector(`#decision-${name}`);
      body[name] = el.value.trim();
      if (spec.amount) {
        const unit = units[`${body.kind}.${name}`];
        if (!unit) {
          out.replaceChildren(message("error", t("council_units_unknown")));
          return;
        }
        try {
          body[name] = parseAmount(body[name], unit.decimals).toString();
        } catch (e) {
          out.replaceChildren(message("error", `${t(LABEL[name] ?? `council_${name}`)}: ${e.message}`));
          el.focus();
          return;
        }
      }
    }
    for (const n of ["loan_id", "token_id"]) if (n in body) body[n] = Number(body[n]);
    previewThenSign(ctx, out, () => post("/council/decisions", body));
  });
  return section(t("council_new_decision"), h("p", { class: "muted" }, t("council_meeting_hint")), form);
}

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  if (!ctx.has("council", "chair", "auditor")) {
    return h("div", { class: "page" }, message("info", t("need_role", { roles: `${t("role_council")}, ${t("role_chair")}` })));
  }
  return h("div", { class: "page" }, h("h1", {}, t("nav_council")), lazy(() => load(ctx), ctx));
}

function actionButton(ctx, label, path, body, attrs) {
  const out = h("div", { class: "outcome" });
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    const ok = await runner(out)((p) => sendTx(ctx, path, body, p));
    if (!ok) b.disabled = false;
  });
  return h("div", { class: "actions" }, b, out);
}

/** A council decision to admit `account`: the decision's document generated by the gateway,
 * then the item proposed from the council member's wallet. */
async function proposeAdmission(ctx, account, p) {
  const doc = await post("/documents/generate", {
    template: "council_decision",
    fields: { agenda: `Приём в пайщики / Admission: ${account}`, decision: `Принять ${account} в пайщики / Admit ${account}` },
  });
  return sendTx(ctx, "/council/items/tx", { document_hash: `0x${doc.sha256}`, actions: [{ type: "admit", account }] }, p);
}

function applications(ctx, open, isMember) {
  const proposed = new Set(
    open.flatMap((i) => i.calldatas.map((d) => d.slice(-104, -64).toLowerCase())),
  );
  const cell = (a) => {
    if (!isMember || ctx.has("auditor")) return t("none");
    if (proposed.has(a.account.slice(2).toLowerCase())) return t("already_proposed");
    const out = h("div", { class: "outcome" });
    const b = h("button", { type: "button", "data-propose": a.account }, t("propose_admission"));
    b.addEventListener("click", async () => {
      b.disabled = true;
      if (!(await runner(out)((p) => proposeAdmission(ctx, a.account, p)))) b.disabled = false;
    });
    return h("div", { class: "actions" }, b, out);
  };
  return async () => {
    // The application (its document) from /applications, the current flags from the record.
    const [page, records] = await Promise.all([get("/applications"), get("/members", { status: "applicant", limit: 500 })]);
    const now = new Map(records.data.map((m) => [m.account.toLowerCase(), m]));
    for (const a of page.data) {
      const m = now.get(a.account.toLowerCase());
      if (m) Object.assign(a, { identity_verified: m.identity_verified, fees_paid: m.fees_paid });
    }
    return section(
      t("applications"),
      table(
        [
          { key: "account", label: t("address"), render: (a) => h("span", { class: "mono", title: a.account }, shortAddress(a.account)) },
          { key: "applied_at", label: t("date"), render: (a) => fmtTime(a.applied_at) },
          { key: "identity_verified", label: t("identity_checked"), render: (a) => (a.identity_verified ? t("yes") : t("no")) },
          { key: "fees_paid", label: t("fees_paid"), render: (a) => (a.fees_paid ? t("yes") : t("no")) },
          { key: "document", label: t("apply_title"), render: (a) => docLink(a.document) },
          { key: "p", label: "", render: cell },
        ],
        page.data,
        { testid: "applications" },
      ),
    );
  };
}

async function load(ctx) {
  const [info, items] = await Promise.all([get("/council"), get("/council/items", { limit: 500 })]);
  const me = ctx.state.address.toLowerCase();
  const isMember = info.members.some((a) => a.toLowerCase() === me);
  const isChair = info.chair.toLowerCase() === me;
  const act = (i) => {
    if (ctx.has("auditor")) return t("none");
    const voted = i.votes.some((v) => v.member.toLowerCase() === me);
    const parts = [];
    if (i.state_name === "pending" && isMember && !voted) {
      parts.push(actionButton(ctx, t("vote"), `/council/items/${i.item_id}/votes/tx`, { support: 1 }, { "data-vote": i.item_id }));
      parts.push(actionButton(ctx, t("vote_no"), `/council/items/${i.item_id}/votes/tx`, { support: 0 }, { "data-vote-no": i.item_id }));
    }
    if (i.state_name === "passed" && isChair) {
      const box = h("div", { class: "outcome" });
      const b = h("button", { type: "button", "data-protocol": i.item_id }, t("council_sign_protocol_draft"));
      b.addEventListener("click", () => previewThenSign(ctx, box, () => post(`/council/items/${i.item_id}/protocol/draft`)));
      parts.push(h("div", { class: "actions" }, b, box));
    }
    if (i.state_name === "signed") {
      parts.push(actionButton(ctx, t("execute"), `/council/items/${i.item_id}/execution/tx`, {}, { "data-execute": i.item_id }));
    }
    return parts.length ? parts : t("none");
  };
  const open = items.data.filter((i) => ["pending", "passed", "signed"].includes(i.state_name));
  // What each open item will execute, decoded by the gateway: read before voting or executing.
  const does = (i) =>
    lazy(async () => {
      const actions = await get(`/council/items/${i.item_id}/actions`);
      if (!actions.length) return h("span", {}, t("none"));
      return h(
        "ul",
        { class: "plain", "data-actions": i.item_id },
        actions.map((a) => h("li", {}, h("code", {}, `${a.contract}.${a.function}`), ` (${a.args.map((x) => (x.length > 20 ? `${x.slice(0, 10)}…` : x)).join(", ")})`)),
      );
    }, ctx);
  const columns = [
    { key: "item_id", label: "№" },
    { key: "document_hash", label: t("item"), render: (i) => docLink(i.document_hash) },
    { key: "state_name", label: t("state"), render: (i) => stateText(i.state_name) },
    { key: "votes", label: t("votes"), render: (i) => `${fmtInt(i.for_votes)} / ${fmtInt(i.against_votes)} / ${fmtInt(i.abstain_votes)}` },
    { key: "expires_at", label: t("closes"), render: (i) => fmtTime(i.expires_at) },
    {
      key: "who",
      label: t("council_who_voted"),
      render: (i) =>
        i.votes.length
          ? i.votes.map((v) => h("span", { class: "mono chip", title: v.member, "data-voter": v.member }, `${shortAddress(v.member)} ${["✗", "✓", "○"][v.support] ?? ""}`))
          : t("none"),
    },
  ];
  return h(
    "div",
    {},
    section(
      t("nav_council"),
      h("p", {}, `${t("role_chair")}: `, h("span", { class: "mono", title: info.chair }, shortAddress(info.chair))),
      h("p", {}, `${t("role_council")}: `, info.members.map((a) => h("span", { class: "mono chip", title: a }, shortAddress(a)))),
    ),
    lazy(applications(ctx, open, isMember), ctx),
    isMember && !ctx.has("auditor") ? decisionForm(ctx) : null,
    section(
      t("council_items"),
      table([...columns, { key: "does", label: t("council_does"), render: does }, { key: "act", label: "", render: act }], open, { testid: "council-open" }),
    ),
    section(t("history"), table(columns, items.data.filter((i) => !open.includes(i)), { testid: "council-done" })),
    asOf(items),
  );
}
