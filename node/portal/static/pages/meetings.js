// General meetings: notice, agenda with its documents, my signed ballot (gasless), results.

import { get, post } from "../api.js";
import { addTexts, fmtInt, fmtTime, shortAddress, stateText, t } from "../i18n.js";
import { asOf, errorBox, field, h, lazy, message, runner, section, signAndRelay, table } from "../ui.js";
import { needSignIn } from "./membership.js";
import { bi, previewThenSign } from "./officers.js";

addTexts(
  {
    meetings_convene: "Созвать общее собрание",
    meetings_notice_period: "Срок уведомления по уставу: {hours} ч; голосование может открыться не раньше {earliest}.",
    meetings_opens: "Открытие голосования",
    meetings_closes: "Закрытие голосования",
    meetings_secretary: "Секретарь (адрес)",
    meetings_chair: "Председательствующий (адрес; пусто — председатель кооператива)",
    meetings_add_question: "Добавить вопрос",
    meetings_remove_question: "Убрать вопрос",
    meetings_q_kind: "Вид вопроса",
    meetings_q_text: "Формулировка и проект решения",
    meetings_q_majority: "Большинство",
    meetings_q_account: "Пайщик (адрес)",
    meetings_preview: "Показать, что будет сделано",
    meetings_m_simple: "простое (> 1/2)",
    meetings_m_two_thirds: "2/3",
    meetings_m_three_quarters: "3/4",
    meetings_majority: "Большинство",
    meetings_close: "Закрыть собрание и подсчитать",
    meetings_protocol: "Сформировать и подписать протокол",
    meetings_execute: "Исполнить решение",
    meetings_executed: "исполнено",
    meetings_signatures: "Подписи протокола",
    meetings_secretary_signed: "секретарь",
    meetings_chair_signed: "председатель",
    meetings_quorum: "Участники / имеют право голоса",
    meetings_reconvene: "Созвать повторно (кворума не было)",
    meetings_demand: "Потребовать созыва внеочередного собрания",
    meetings_demand_hint: "По закону созыва может потребовать доля пайщиков (по уставу). Укажите документы вопросов (их SHA-256: загрузите или сформируйте проект решения) и большинство; та же повестка у других пайщиков — то же требование. Если совет не созовёт собрание в срок, его созывают сами потребовавшие.",
    meetings_demand_doc: "документ (SHA-256)",
    meetings_reconvene_hint: "Повестка и список голосующих — прежние; совет принимает решение о повторном созыве, затем оно исполняется.",
    meetings_delivery: "Лист рассылки уведомления о созыве",
    meetings_delivery_show: "Показать лист рассылки",
    meetings_delivery_sealed: "Лист закрыт; SHA-256 JSON: {sha}",
    meetings_delivery_open: "Уведомления ещё доставляются; лист будет закрыт не позже открытия голосования.",
    meetings_delivery_anchored: "Закреплён в реестре документов {time}, {by}",
    meetings_delivery_not_anchored: "Ещё не закреплён в реестре документов.",
    meetings_delivery_pdf: "Документ (PDF)",
    meetings_delivery_anchor: "Закрепить лист рассылки",
    meetings_delivery_member: "Пайщик",
    meetings_delivery_channel: "Способ",
    meetings_delivery_status: "Статус",
    meetings_delivery_when: "Направлено",
    meetings_delivery_in_time: "В срок",
    meetings_delivery_count: "Уведомлено {delivered} из {total}; направить не позднее {deadline}",
    meetings_delivery_yes: "да",
    meetings_delivery_no: "нет",
  },
  {
    meetings_convene: "Convene a general meeting",
    meetings_notice_period: "The charter's notice period: {hours} h; voting may open no sooner than {earliest}.",
    meetings_opens: "Voting opens",
    meetings_closes: "Voting closes",
    meetings_secretary: "Secretary (address)",
    meetings_chair: "Presiding chair (address; empty: the cooperative's chair)",
    meetings_add_question: "Add a question",
    meetings_remove_question: "Remove the question",
    meetings_q_kind: "Kind of question",
    meetings_q_text: "Wording and draft resolution",
    meetings_q_majority: "Majority",
    meetings_q_account: "Member (address)",
    meetings_preview: "Show what will happen",
    meetings_m_simple: "simple (> 1/2)",
    meetings_m_two_thirds: "2/3",
    meetings_m_three_quarters: "3/4",
    meetings_majority: "Majority",
    meetings_close: "Close the meeting and count",
    meetings_protocol: "Generate and sign the protocol",
    meetings_execute: "Execute the decision",
    meetings_executed: "executed",
    meetings_signatures: "Protocol signatures",
    meetings_secretary_signed: "secretary",
    meetings_chair_signed: "chair",
    meetings_quorum: "Participants / eligible",
    meetings_reconvene: "Reconvene (the quorum was missed)",
    meetings_demand: "Demand an extraordinary meeting",
    meetings_demand_hint: "The law lets a share of the members (set by the charter) demand a meeting. Give the questions' documents (their SHA-256: upload or generate the draft resolution first) and majorities; the same agenda typed by other members is the same demand. If the council does not convene it in time, those who demanded it do.",
    meetings_demand_doc: "document (SHA-256)",
    meetings_reconvene_hint: "The same agenda and register of voters; the council decides to reconvene, then the decision is executed.",
    meetings_delivery: "Delivery list of the meeting notice",
    meetings_delivery_show: "Show the delivery list",
    meetings_delivery_sealed: "Sealed; JSON SHA-256: {sha}",
    meetings_delivery_open: "Notices are still being delivered; the list is sealed at the latest when voting opens.",
    meetings_delivery_anchored: "Anchored in the document registry {time} by {by}",
    meetings_delivery_not_anchored: "Not anchored in the document registry yet.",
    meetings_delivery_pdf: "Document (PDF)",
    meetings_delivery_anchor: "Anchor the delivery list",
    meetings_delivery_member: "Member",
    meetings_delivery_channel: "Channel",
    meetings_delivery_status: "Status",
    meetings_delivery_when: "Sent",
    meetings_delivery_in_time: "In time",
    meetings_delivery_count: "{delivered} of {total} notified; to be sent no later than {deadline}",
    meetings_delivery_yes: "yes",
    meetings_delivery_no: "no",
  },
);

const MAJORITIES = ["simple", "two_thirds", "three_quarters"];

addTexts(
  {
    meetings_f_legend: "Фонд устава",
    meetings_f_id: "Фонд (№)",
    meetings_f_name: "Название фонда",
    meetings_f_share: "Доля дохода, %",
    meetings_f_rule: "Кто расходует",
    meetings_f_rule_council: "совет (подписанное решение)",
    meetings_f_rule_meeting: "только общее собрание",
    meetings_f_majority: "Большинство собрания для расходования и изменения",
    meetings_f_indivisible: "Неделимый (не возвращается при выходе; снять нельзя)",
    meetings_f_to: "Получатель (адрес)",
    meetings_f_amount: "Сумма (базовых единиц токена)",
  },
  {
    meetings_f_legend: "Named fund",
    meetings_f_id: "Fund (no.)",
    meetings_f_name: "Fund name",
    meetings_f_share: "Share of income, %",
    meetings_f_rule: "Who spends it",
    meetings_f_rule_council: "the council (a signed decision)",
    meetings_f_rule_meeting: "the general meeting only",
    meetings_f_majority: "Meeting majority to spend and to change it",
    meetings_f_indivisible: "Indivisible (never refunded on exit; cannot be cleared)",
    meetings_f_to: "Recipient (address)",
    meetings_f_amount: "Amount (token base units)",
  },
);

/** The fund fields of a named-fund question (`NamedFundFields`), shown for those kinds only. */
function fundFields(n) {
  const f = (name, label, attrs) => field(`q${n}-f-${name}`, t(label), { ...attrs, "data-f": name });
  const id = f("fund_id", "meetings_f_id", { pattern: "^[0-9]{1,2}$", inputmode: "numeric" });
  const name = f("name", "meetings_f_name", { maxlength: 64 });
  const share = f("share", "meetings_f_share", { pattern: "^[0-9]{1,3}([.,][0-9]{1,2})?$", inputmode: "decimal", value: "0" });
  const rule = f("rule", "meetings_f_rule", { tag: "select" });
  rule.input.append(h("option", { value: "council" }, t("meetings_f_rule_council")), h("option", { value: "meeting" }, t("meetings_f_rule_meeting")));
  const majority = f("majority", "meetings_f_majority", { tag: "select" });
  majority.input.append(...MAJORITIES.map((m) => h("option", { value: m }, t(`meetings_m_${m}`))));
  const indivisible = f("indivisible", "meetings_f_indivisible", { type: "checkbox" });
  const to = f("to", "meetings_f_to", { pattern: "^0x[0-9a-fA-F]{40}$", class: "mono" });
  const amount = f("amount", "meetings_f_amount", { pattern: "^[0-9]{1,39}$", inputmode: "numeric" });
  const box = h("fieldset", { class: "fund" }, h("legend", {}, t("meetings_f_legend")), id, name, share, rule, majority, indivisible, to, amount);
  // `.field` is display:flex, which would override the hidden attribute alone.
  const hide = (el, hidden) => {
    el.hidden = hidden;
    el.style.display = hidden ? "none" : "";
  };
  const show = (kind) => {
    const off = !kind.startsWith("named_fund_");
    const pay = kind === "named_fund_payout";
    hide(box, off);
    hide(id, kind === "named_fund_create");
    for (const x of [share, rule, majority, indivisible]) hide(x, pay || off);
    hide(name, kind !== "named_fund_create");
    hide(to, !pay);
    hide(amount, !pay);
  };
  const value = () => {
    const v = (k) => box.querySelector(`[data-f=${k}]`);
    const out = {};
    if (!id.hidden) out.fund_id = Number(v("fund_id").value);
    if (!name.hidden) out.name = v("name").value.trim();
    if (!share.hidden) {
      out.share_bps = Math.round(Number(v("share").value.replace(",", ".")) * 100);
      out.rule = v("rule").value;
      out.majority = out.rule === "meeting" ? v("majority").value : "simple";
      out.indivisible = v("indivisible").checked;
    }
    if (!to.hidden) Object.assign(out, { to: v("to").value.trim(), amount: v("amount").value.trim() });
    return out;
  };
  return { box, show, value };
}

const CHOICES = [
  [1, "vote_for"],
  [0, "vote_against"],
  [2, "vote_abstain"],
];

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h("div", { class: "page" }, h("h1", {}, t("nav_meetings")), lazy(() => load(ctx), ctx));
}

export function docLink(hash) {
  if (!hash || /^0x0+$/.test(hash)) return t("none");
  const sha = hash.replace(/^0x/, "");
  return h("a", { href: `#/verify?sha256=${sha}`, class: "mono", title: hash }, shortAddress(hash));
}

async function load(ctx) {
  const [page, council] = await Promise.all([get("/meetings"), ctx.has("council", "chair") ? get("/council") : null]);
  const root = h("div", {});
  const me = ctx.state.address.toLowerCase();
  ctx.coopChair = council?.chair?.toLowerCase();
  ctx.councilSeat = Boolean(council && council.members.some((a) => a.toLowerCase() === me) && !ctx.has("auditor"));
  if (ctx.councilSeat) {
    root.append(lazy(() => conveneForm(ctx), ctx));
  }
  if (ctx.has("member") && !ctx.has("auditor")) root.append(demandForm(ctx));
  if (!page.data.length) root.append(message("info", t("nothing")));
  for (const m of [...page.data].reverse()) root.append(meeting(ctx, m));
  root.append(asOf(page));
  return root;
}

function meeting(ctx, m) {
  const me = ctx.state.address.toLowerCase();
  const voted = m.ballots.some((b) => b.voter.toLowerCase() === me);
  const card = section(
    `${t("meeting")} № ${m.meeting_id} · ${stateText(m.state_name)}`,
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, t("opens")),
      h("dd", {}, fmtTime(m.opens_at)),
      h("dt", {}, t("closes")),
      h("dd", {}, fmtTime(m.closes_at)),
      h("dt", {}, t("notice")),
      h("dd", {}, `${t("block")} ${m.convened?.block_number ?? ""} · ${fmtTime(m.convened?.timestamp)}`),
    ),
    h("h3", {}, t("agenda")),
    table(
      [
        { key: "index", label: "№", render: (q) => q.index + 1 },
        { key: "document_hash", label: t("question"), render: (q) => docLink(q.document_hash) },
        { key: "majority", label: t("meetings_majority"), render: (q) => t(`meetings_m_${MAJORITIES[q.majority]}`) },
        { key: "for_votes", label: t("vote_for"), render: (q) => fmtInt(q.for_votes) },
        { key: "against_votes", label: t("vote_against"), render: (q) => fmtInt(q.against_votes) },
        { key: "abstain_votes", label: t("vote_abstain"), render: (q) => fmtInt(q.abstain_votes) },
        { key: "accepted", label: t("results"), render: (q) => (q.accepted ? "✓" : "—") },
        { key: "exec", label: "", render: (q) => executeCell(ctx, m, q) },
      ],
      m.questions,
      { testid: `agenda-${m.meeting_id}` },
    ),
  );
  card.dataset.meeting = m.meeting_id;
  card.append(
    h(
      "p",
      {},
      `${t("meetings_quorum")}: ${fmtInt(m.participants)} / ${fmtInt(m.eligible)} · ${t("meetings_signatures")}: `,
      h("span", { "data-testid": `signed-${m.meeting_id}` }, `${t("meetings_secretary_signed")} ${m.secretary_signed ? "✓" : "—"}, ${t("meetings_chair_signed")} ${m.chair_signed ? "✓" : "—"}`),
    ),
  );
  const officer = officerActions(ctx, m);
  if (officer) card.append(officer);
  const delivery = deliveryBlock(ctx, m);
  if (delivery) card.append(delivery);
  if (m.state_name === "quorum_missed" && ctx.councilSeat) card.append(reconveneForm(ctx, m));
  if (voted) {
    card.append(message("ok", t("voted")));
  } else if (m.state_name === "open" && ctx.has("member")) {
    card.append(ballotForm(ctx, m));
  }
  return card;
}

function ballotForm(ctx, m) {
  const out = h("div", { class: "outcome" });
  const form = h("form", { class: "ballot", id: `ballot-${m.meeting_id}` }, h("h3", {}, t("my_ballot")));
  for (const q of m.questions) {
    form.append(
      h(
        "fieldset",
        {},
        h("legend", {}, `${t("question")} ${q.index + 1}`),
        CHOICES.map(([value, key]) =>
          h("label", { class: "inline" }, h("input", { type: "radio", name: `q${q.index}`, value, required: true, checked: value === 1 }), " ", t(key)),
        ),
      ),
    );
  }
  form.append(h("button", { type: "submit" }, t("sign_ballot")), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const choices = m.questions.map((q) => Number(form.querySelector(`input[name=q${q.index}]:checked`).value));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const ok = await runner(out)((p) =>
      signAndRelay(ctx, `/meetings/${m.meeting_id}/ballots/typed-data`, { choices }, (signature) =>
        post(`/meetings/${m.meeting_id}/ballots`, { voter: ctx.state.address, choices, signature }), p),
    );
    if (!ok) button.disabled = false;
  });
  return form;
}

function stepButton(ctx, label, attrs, makeDraft) {
  const box = h("div", { class: "outcome" });
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", () => previewThenSign(ctx, box, makeDraft));
  return h("div", { class: "actions" }, b, box);
}

/** Close (once voting ended), the protocol (the meeting's secretary, then its presiding chair). */
function officerActions(ctx, m) {
  if (ctx.has("auditor")) return null;
  const me = ctx.state.address.toLowerCase();
  const presiding = (/^0x0+$/.test(m.chair) ? ctx.coopChair ?? "" : m.chair).toLowerCase();
  if (m.state_name === "ended") {
    return stepButton(ctx, t("meetings_close"), { "data-close": m.meeting_id }, () => post(`/meetings/${m.meeting_id}/close/tx`));
  }
  if (m.state_name === "held") {
    const secretaryDue = m.secretary.toLowerCase() === me && !m.secretary_signed;
    const chairDue = presiding === me && m.secretary_signed && !m.chair_signed;
    if (secretaryDue || chairDue) {
      return stepButton(ctx, t("meetings_protocol"), { "data-meeting-protocol": m.meeting_id }, () => post(`/meetings/${m.meeting_id}/protocol/draft`));
    }
  }
  return null;
}

/** Members' demand for an extraordinary meeting: the agenda as question documents (SHA-256 of a
 * draft resolution uploaded or generated first) and majorities; the same agenda typed by every
 * demanding member is one demand (its hash). Previewed (hash, how many demand it, the
 * threshold), then `demandMeeting` from the member's wallet. */
function demandForm(ctx) {
  const out = h("div", { "data-testid": "demand-draft" });
  const list = h("div", {});
  const row = (n) => {
    const doc = field(`demand-q${n}`, `${t("question")} ${n + 1}: ${t("meetings_demand_doc")}`, { required: true, pattern: "^(0x)?[0-9a-fA-F]{64}$", class: "mono", "data-demand": "doc" });
    const majority = field(`demand-q${n}-majority`, t("meetings_q_majority"), { tag: "select", "data-demand": "majority" });
    for (const m of MAJORITIES) majority.input.append(h("option", { value: m }, t(`meetings_m_${m}`)));
    return h("fieldset", { class: "question" }, doc, majority);
  };
  list.append(row(0));
  const add = h("button", { type: "button", class: "secondary" }, t("meetings_add_question"));
  add.addEventListener("click", () => list.append(row(list.children.length)));
  const form = h("form", { id: "demand-form" }, h("p", { class: "muted" }, t("meetings_demand_hint")), list, add, h("button", { type: "submit" }, t("meetings_preview")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const questions = [...list.children].map((fs) => {
      const hash = fs.querySelector("[data-demand=doc]").value.trim().replace(/^0x/, "");
      return { document_hash: `0x${hash.toLowerCase()}`, majority: fs.querySelector("[data-demand=majority]").value };
    });
    previewThenSign(ctx, out, () => post("/meetings/demands", { questions }));
  });
  return section(t("meetings_demand"), form);
}

/** A meeting that missed its quorum, convened again by a council decision (`reconvene`: the same
 * agenda and register; the notice period shown and checked by the gateway): the draft is
 * previewed, then proposed from the council member's wallet. */
function reconveneForm(ctx, m) {
  const id = m.meeting_id;
  const out = h("div", { "data-testid": `reconvene-draft-${id}` });
  const form = h("form", { id: `reconvene-${id}`, class: "reconvene" }, h("h3", {}, t("meetings_reconvene")));
  const note = h("p", { class: "muted" });
  const opens = field(`reconvene-${id}-opens`, t("meetings_opens"), { type: "datetime-local", required: true });
  const closes = field(`reconvene-${id}-closes`, t("meetings_closes"), { type: "datetime-local", required: true });
  const secretary = field(`reconvene-${id}-secretary`, t("meetings_secretary"), { required: true, pattern: "^0x[0-9a-fA-F]{40}$", class: "mono", value: m.secretary });
  const chair = field(`reconvene-${id}-chair`, t("meetings_chair"), { pattern: "^0x[0-9a-fA-F]{40}$", class: "mono" });
  get("/meetings/rules")
    .then((rules) => {
      const earliest = Number(rules.earliest_opening) + 300;
      opens.input.value = localInput(earliest);
      closes.input.value = localInput(earliest + 7 * 86400);
      note.textContent = t("meetings_notice_period", { hours: Math.round(Number(rules.notice_period) / 360) / 10, earliest: fmtTime(rules.earliest_opening) });
    })
    .catch(() => {});
  form.append(h("p", {}, t("meetings_reconvene_hint")), note, opens, closes, secretary, chair, h("button", { type: "submit" }, t("meetings_preview")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const body = {
      kind: "reconvene",
      meeting_id: id,
      opens_at: Math.floor(new Date(opens.input.value).getTime() / 1000),
      closes_at: Math.floor(new Date(closes.input.value).getTime() / 1000),
      secretary: secretary.input.value.trim(),
    };
    if (chair.input.value.trim()) body.chair = chair.input.value.trim();
    previewThenSign(ctx, out, () => post("/council/decisions", body));
  });
  return form;
}

/** The delivery list of the meeting's notice (a legal act), for auditors and officers: who, by
 * which channel, when, in time or not; sealed, its PDF, anchored or not; the anchor button for
 * an officer the gateway says may anchor it (`may_anchor`). */
function deliveryBlock(ctx, m) {
  const me = ctx.state.address.toLowerCase();
  if (!ctx.has("auditor", "council", "chair") && m.secretary.toLowerCase() !== me) return null;
  const out = h("div", { "aria-live": "polite", "data-testid": `delivery-${m.meeting_id}` });
  const show = h("button", { type: "button", class: "secondary", "data-delivery": m.meeting_id }, t("meetings_delivery_show"));
  show.addEventListener("click", async () => {
    try {
      out.replaceChildren(deliveryView(ctx, m, await get(`/meetings/${m.meeting_id}/notice-delivery`)));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  });
  return h("div", { class: "delivery" }, h("h3", {}, t("meetings_delivery")), show, out);
}

function deliveryView(ctx, m, d) {
  const doc = d.document;
  const parts = [d.sealed ? message("ok", t("meetings_delivery_sealed", { sha: d.sha256 })) : message("info", t("meetings_delivery_open"))];
  if (doc) {
    parts.push(h("p", {}, t("meetings_delivery_count", { delivered: fmtInt(doc.delivered_count), total: fmtInt(doc.recipient_count), deadline: fmtTime(doc.deadline) })));
  }
  if (d.pdf_sha256) parts.push(h("p", {}, `${t("meetings_delivery_pdf")}: `, h("span", { "data-testid": "delivery-pdf" }, docLink(`0x${d.pdf_sha256}`))));
  parts.push(
    d.anchor
      ? message("ok", t("meetings_delivery_anchored", { time: fmtTime(d.anchor.anchored_at), by: d.anchor.anchored_by }))
      : message("info", t("meetings_delivery_not_anchored")),
  );
  const rows = (doc?.recipients ?? []).flatMap((r) => r.deliveries.map((x) => ({ account: r.account, ...x })));
  parts.push(
    table(
      [
        { key: "account", label: t("meetings_delivery_member"), render: (r) => h("span", { class: "mono", title: r.account }, shortAddress(r.account)) },
        { key: "channel", label: t("meetings_delivery_channel") },
        { key: "status", label: t("meetings_delivery_status") },
        { key: "sent_at", label: t("meetings_delivery_when"), render: (r) => (r.sent_at ? fmtTime(r.sent_at) : "—") },
        { key: "in_time", label: t("meetings_delivery_in_time"), render: (r) => t(r.in_time ? "meetings_delivery_yes" : "meetings_delivery_no") },
      ],
      rows,
      { testid: `delivery-rows-${m.meeting_id}` },
    ),
  );
  if (d.sealed && !d.anchor && d.may_anchor) {
    parts.push(stepButton(ctx, t("meetings_delivery_anchor"), { "data-anchor-delivery": m.meeting_id }, () => post(`/meetings/${m.meeting_id}/notice-delivery/anchor/tx`)));
  }
  return h("div", {}, ...parts);
}

function executeCell(ctx, m, q) {
  if (q.executed) return t("meetings_executed");
  if (m.state_name !== "held" || !q.accepted || !q.targets?.length || ctx.has("auditor")) return "";
  if (!(m.secretary_signed && m.chair_signed)) return "";
  return stepButton(ctx, t("meetings_execute"), { "data-execute-question": `${m.meeting_id}-${q.index}` }, () =>
    post(`/meetings/${m.meeting_id}/questions/${q.index}/execution/tx`),
  );
}

function localInput(seconds) {
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The convening form: schedule (the notice period shown and checked), secretary, questions
 * with the law's majority prefilled per kind (a lower one cannot be chosen). */
async function conveneForm(ctx) {
  const rules = await get("/meetings/rules");
  const kinds = Object.fromEntries(rules.question_kinds.map((k) => [k.kind, k]));
  const earliest = Number(rules.earliest_opening) + 300;
  const opens = field("convene-opens", t("meetings_opens"), { type: "datetime-local", required: true, value: localInput(earliest) });
  const closes = field("convene-closes", t("meetings_closes"), { type: "datetime-local", required: true, value: localInput(earliest + 7 * 86400) });
  const secretary = field("convene-secretary", t("meetings_secretary"), { required: true, pattern: "^0x[0-9a-fA-F]{40}$", class: "mono" });
  const chair = field("convene-chair", t("meetings_chair"), { pattern: "^0x[0-9a-fA-F]{40}$", class: "mono" });
  const list = h("div", { "data-testid": "convene-questions" });
  const addQuestion = () => {
    const n = list.children.length;
    const kind = field(`q${n}-kind`, t("meetings_q_kind"), { tag: "select", "data-q": "kind" });
    for (const k of rules.question_kinds) kind.input.append(h("option", { value: k.kind }, bi(k.title)));
    const text = field(`q${n}-text`, t("meetings_q_text"), { tag: "textarea", rows: 2, required: true, maxlength: 2000, "data-q": "text" });
    const majority = field(`q${n}-majority`, t("meetings_q_majority"), { tag: "select", "data-q": "majority" });
    const account = field(`q${n}-account`, t("meetings_q_account"), { pattern: "^0x[0-9a-fA-F]{40}$", class: "mono", "data-q": "account" });
    const fund = fundFields(n);
    const sync = () => {
      const k = kinds[kind.input.value];
      const least = MAJORITIES.indexOf(k.majority);
      majority.input.replaceChildren(...MAJORITIES.map((m, i) => h("option", { value: m, disabled: i < least }, t(`meetings_m_${m}`))));
      majority.input.value = k.majority;
      account.hidden = !k.needs_account;
      account.input.required = k.needs_account;
      fund.show(k.kind);
    };
    kind.input.addEventListener("change", sync);
    sync();
    // A fund spent by a 2/3 meeting is created (and changed) by 2/3 at least: raise the
    // question's majority with the fund's (the gateway and the Treasury check it again).
    fund.box.addEventListener("change", () => {
      const k = kinds[kind.input.value];
      if (k.kind !== "named_fund_create" && k.kind !== "named_fund_change") return;
      const f = fund.value();
      const least = Math.max(MAJORITIES.indexOf(k.majority), MAJORITIES.indexOf(f.majority ?? "simple"));
      if (MAJORITIES.indexOf(majority.input.value) < least) majority.input.value = MAJORITIES[least];
    });
    const remove = h("button", { type: "button", class: "link-button" }, t("meetings_remove_question"));
    const box = h("fieldset", { class: "question" }, h("legend", {}, `${t("question")} ${n + 1}`), kind, text, majority, account, fund.box, remove);
    box.fundValue = fund.value;
    remove.addEventListener("click", () => box.remove());
    list.append(box);
  };
  addQuestion();
  const out = h("div", { "data-testid": "convene-draft" });
  const form = h(
    "form",
    { id: "convene-form" },
    h("p", { "data-testid": "notice-period" }, t("meetings_notice_period", { hours: Math.round(Number(rules.notice_period) / 360) / 10, earliest: fmtTime(rules.earliest_opening) })),
    opens,
    closes,
    secretary,
    chair,
    list,
    h("button", { type: "button", onclick: addQuestion, id: "convene-add" }, t("meetings_add_question")),
    " ",
    h("button", { type: "submit" }, t("meetings_preview")),
    out,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const body = {
      opens_at: Math.floor(new Date(opens.input.value).getTime() / 1000),
      closes_at: Math.floor(new Date(closes.input.value).getTime() / 1000),
      secretary: secretary.input.value.trim(),
      chair: chair.input.value.trim() || null,
      questions: [...list.querySelectorAll("fieldset.question")].map((fs) => {
        const get_ = (k) => fs.querySelector(`[data-q=${k}]`).value.trim();
        const q = { kind: get_("kind"), text: get_("text"), majority: get_("majority") };
        if (kinds[q.kind].needs_account) q.account = get_("account");
        if (q.kind.startsWith("named_fund_")) q.fund = fs.fundValue();
        return q;
      }),
    };
    previewThenSign(ctx, out, () => post("/meetings/convocation", body));
  });
  return section(t("meetings_convene"), form);
}
