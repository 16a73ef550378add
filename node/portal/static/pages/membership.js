// My membership: status, shares with their breakdown, documents I signed, history; and the
// member's own forms: leaving (what blocks it, as the contracts answer), ВРЕ invoices outside the
// exchange (pay, reject, cancel; issuing and accepting are on the ВРЕ page), my decisions.

import { agreementsBlock } from "./agreements.js";
import { get, post } from "../api.js";
import { addTexts, eventText, fmtAmount, fmtTime, lang, parseAmount, shortAddress, stateText, t } from "../i18n.js";
import { asOf, errorBox, h, lazy, message, runner, section, sendTx, table } from "../ui.js";
import { referencesSection, refundSection } from "./bank.js";

addTexts(
  {
    member_exit: "Выход из кооператива",
    member_exit_check: "Проверить, что мешает выходу",
    member_exit_free: "Препятствий нет: вы можете подать заявление о выходе. Совет рассмотрит его и вернёт паевой взнос.",
    member_exit_apply: "Подать заявление о выходе",
    member_exit_preview: "Будет сформировано «Заявление о выходе из кооператива», затем вы подпишете транзакцию requestExit своим кошельком. С этого момента вы не голосуете и не пользуетесь ВРЕ; выход завершает решение совета.",
    member_blocker_source: "Источник обязательств",
    member_blocker_blocks: "Мешает",
    member_kind_settlement_units: "ВРЕ (счета и баланс)",
    member_kind_mutual_aid_fund: "Касса взаимопомощи (займы и поручительства)",
    member_kind_other: "Другое",
    member_units_balance: "Баланс ВРЕ",
    member_open_invoices: "Принятые счета (оплатите, дождитесь взаимозачёта или отмены)",
    member_open_loans: "Непогашенные займы",
    member_invoices: "Мои счета вне биржи",
    member_invoices_note: "Выставить и принять счёт — на странице ВРЕ.",
    member_pay: "Оплатить",
    member_reject: "Отклонить",
    member_cancel: "Отменить счёт",
    member_role: "Я",
    member_role_debtor: "плательщик",
    member_role_creditor: "получатель",
    member_actions: "Действия",
    member_decisions: "Решения, которые меня касаются",
    member_decision_kind: "Что",
    member_decision_council_item: "Вопрос совета",
    member_decision_meeting_question: "Вопрос собрания",
    member_decision_my_ballot: "Мой голос на собрании",
    member_decision_no: "№",
    member_decision_result: "Итог",
    member_yes: "да",
    member_no: "нет",
  },
  {
    member_exit: "Leaving the cooperative",
    member_exit_check: "Check what blocks my exit",
    member_exit_free: "Nothing blocks it: you may apply to leave. The council decides and refunds your share.",
    member_exit_apply: "Apply to leave",
    member_exit_preview: "An «Exit application» document is made, then you sign the requestExit transaction in your wallet. From then on you do not vote or use ВРЕ; a council decision completes the exit.",
    member_blocker_source: "Obligation source",
    member_blocker_blocks: "Blocks",
    member_kind_settlement_units: "ВРЕ (invoices and balance)",
    member_kind_mutual_aid_fund: "Mutual-aid fund (loans and guarantees)",
    member_kind_other: "Other",
    member_units_balance: "ВРЕ balance",
    member_open_invoices: "Accepted invoices (pay, wait for a clearing or a cancellation)",
    member_open_loans: "Unpaid loans",
    member_invoices: "My invoices outside the exchange",
    member_invoices_note: "Issuing and accepting an invoice: on the ВРЕ page.",
    member_pay: "Pay",
    member_reject: "Reject",
    member_cancel: "Cancel the invoice",
    member_role: "Me",
    member_role_debtor: "payer",
    member_role_creditor: "payee",
    member_actions: "Actions",
    member_decisions: "Decisions that concern me",
    member_decision_kind: "What",
    member_decision_council_item: "Council item",
    member_decision_meeting_question: "Meeting question",
    member_decision_my_ballot: "My vote at a meeting",
    member_decision_no: "No.",
    member_decision_result: "Outcome",
    member_yes: "yes",
    member_no: "no",
  },
);

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
  const forms = ctx.has("member") ? [lazy(() => memberForms(ctx, me), ctx)] : [];
  const page = h("div", { class: "page" }, h("h1", {}, t("nav_membership")), agreements, lazy(() => load(me), ctx), ...forms, referencesSection(ctx), ctx.has("member", "applicant") ? refundSection(ctx) : null);
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

// -- the member's own forms ------------------------------------------------------------------

const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

async function memberForms(ctx, me) {
  const [obligations, decisions] = await Promise.all([get("/units/obligations", { limit: 500 }), get(`/members/${me}/decisions`)]);
  return h("div", {}, exitSection(ctx, me), invoicesSection(ctx, me, obligations), decisionsSection(decisions));
}

function exitSection(ctx, me) {
  const out = h("div", { "data-testid": "exit-check" });
  const check = h("button", { type: "button", id: "exit-check" }, t("member_exit_check"));
  check.addEventListener("click", async () => {
    check.disabled = true;
    try {
      out.replaceChildren(exitAnswer(ctx, me, await get(`/members/${me}/exit-check`)));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    } finally {
      check.disabled = false;
    }
  });
  return section(t("member_exit"), h("p", {}, check), out);
}

function exitAnswer(ctx, me, c) {
  const reason = lang() === "en" ? c.reason_en : c.reason_ru;
  const wrap = h("div", {});
  wrap.append(c.can_request ? message("ok", t("member_exit_free")) : message("error", `${reason} (${c.error})`));
  wrap.append(
    table(
      [
        { key: "kind", label: t("member_blocker_source"), render: (s) => t(`member_kind_${s.kind}`) },
        { key: "blocks", label: t("member_blocker_blocks"), render: (s) => (s.blocks ? t("member_yes") : t("member_no")) },
      ],
      c.sources,
      { testid: "exit-blockers" },
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("member_units_balance")),
      h("dd", {}, `${fmtAmount(c.units_balance, 18, 2)} ВРЕ`),
      h("dt", {}, t("member_open_invoices")),
      h("dd", {}, c.open_invoices.length ? c.open_invoices.map((id) => `№ ${id}`).join(", ") : t("none")),
      h("dt", {}, t("member_open_loans")),
      h("dd", {}, c.open_loans.length ? c.open_loans.map((id) => `№ ${id}`).join(", ") : t("none")),
    ),
  );
  if (c.can_request) {
    const out = h("div", { class: "outcome" });
    const apply = h("button", { type: "button", id: "exit-apply" }, t("member_exit_apply"));
    apply.addEventListener("click", async () => {
      apply.disabled = true;
      const ok = await runner(out)(async (p) => {
        const doc = await post("/documents/generate", { template: "exit_application" });
        return sendTx(ctx, `/members/${me}/exit/tx`, { application_hash: `0x${doc.sha256}` }, p);
      });
      if (!ok) apply.disabled = false;
    });
    wrap.append(h("p", { class: "preview" }, t("member_exit_preview")), apply, out);
  }
  return wrap;
}

function invoiceAction(ctx, label, run) {
  const out = h("div", { class: "outcome" });
  const b = h("button", { type: "button" }, label);
  b.addEventListener("click", async () => {
    b.disabled = true;
    const ok = await runner(out)(run);
    if (!ok) b.disabled = false;
  });
  return h("div", {}, b, out);
}

function payForm(ctx, o) {
  const out = h("div", { class: "outcome" });
  const amount = h("input", { name: "amount", inputmode: "decimal", size: 8, "aria-label": t("amount"), value: fmtAmount(o.outstanding, 18, 18).replace(/\s/g, "") });
  const form = h("form", { class: "inline", "data-pay": o.obligation_id }, amount, h("button", { type: "submit" }, t("member_pay")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    let units;
    try {
      units = parseAmount(amount.value, 18);
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
      return;
    }
    await runner(out)((p) => sendTx(ctx, `/units/invoices/${o.obligation_id}/payment/tx`, { amount: units.toString() }, p));
  });
  return form;
}

function invoicesSection(ctx, me, obligations) {
  const mine = obligations.data.filter(
    (o) => (same(o.debtor, me) || same(o.creditor, me)) && ["issued", "accepted"].includes(o.status_name),
  );
  const actions = (o) => {
    const cells = [];
    if (same(o.debtor, me) && o.status_name === "accepted") cells.push(payForm(ctx, o));
    if (same(o.debtor, me) && o.status_name === "issued") {
      cells.push(invoiceAction(ctx, t("member_reject"), (p) => sendTx(ctx, `/units/invoices/${o.obligation_id}/rejection/tx`, {}, p)));
    }
    if (same(o.creditor, me)) {
      cells.push(invoiceAction(ctx, t("member_cancel"), (p) => sendTx(ctx, `/units/invoices/${o.obligation_id}/cancellation/tx`, {}, p)));
    }
    return h("div", { "data-obligation": o.obligation_id }, cells);
  };
  return section(
    t("member_invoices"),
    h("p", { class: "muted" }, t("member_invoices_note"), " ", h("a", { href: "#/units" }, t("nav_units"))),
    table(
      [
        { key: "obligation_id", label: "№" },
        { key: "role", label: t("member_role"), render: (o) => t(same(o.debtor, me) ? "member_role_debtor" : "member_role_creditor") },
        { key: "other", label: t("address"), render: (o) => { const x = same(o.debtor, me) ? o.creditor : o.debtor; return h("span", { class: "mono", title: x }, shortAddress(x)); } },
        { key: "outstanding", label: t("amount"), render: (o) => fmtAmount(o.outstanding, 18, 2) },
        { key: "status_name", label: t("status"), render: (o) => stateText(o.status_name) },
        { key: "actions", label: t("member_actions"), render: actions },
      ],
      mine,
      { testid: "member-invoices" },
    ),
  );
}

function decisionsSection(decisions) {
  const result = (d) => {
    if (d.kind === "my_ballot") return (d.my_choices ?? []).map((c) => t(["vote_against", "vote_for", "vote_abstain"][c])).join(", ");
    if (d.accepted !== null && d.accepted !== undefined) return d.accepted ? stateText("accepted") : stateText(d.state_name);
    return stateText(d.state_name);
  };
  return section(
    t("member_decisions"),
    table(
      [
        { key: "kind", label: t("member_decision_kind"), render: (d) => t(`member_decision_${d.kind}`) },
        { key: "number", label: t("member_decision_no"), render: (d) => (d.question_index !== null && d.question_index !== undefined ? `${d.number}.${d.question_index + 1}` : String(d.number)) },
        { key: "result", label: t("member_decision_result"), render: result },
        { key: "document_hash", label: t("sha256"), render: (d) => (d.document_hash ? h("a", { href: `#/verify?sha256=${d.document_hash.slice(2)}`, class: "mono" }, shortAddress(d.document_hash)) : t("none")) },
        { key: "when", label: t("date"), render: (d) => fmtTime(d.event?.timestamp) },
      ],
      decisions.data,
      { testid: "member-decisions" },
    ),
    asOf(decisions),
  );
}
