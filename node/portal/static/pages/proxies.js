// Proxies (доверенности): give a member a proxy for one meeting (the document is made, then signed
// in the wallet and relayed without gas), revoke it, see the proxies I gave and received, and vote
// for a principal whose proxy I hold.

import { get, post } from "../api.js";
import { addTexts, fmtTime, shortAddress, t } from "../i18n.js";
import { asOf, h, lazy, message, runner, section, signAndRelay, table } from "../ui.js";
import { needSignIn } from "./membership.js";

addTexts(
  {
    proxy_nav: "Доверенности",
    proxy_title: "Доверенности на голосование",
    proxy_intro:
      "Пайщик может поручить другому пайщику проголосовать за него на одном общем собрании. Доверенность подписывается вашим кошельком, её хеш записывается в блокчейн; её можно отменить, пока представитель не проголосовал. Если вы проголосуете сами, доверенность теряет силу.",
    proxy_give: "Выдать доверенность",
    proxy_meeting: "Собрание",
    proxy_holder: "Адрес представителя (пайщика)",
    proxy_expires: "Действует до",
    proxy_preview: "Пайщик {holder} сможет проголосовать за вас на собрании № {meeting} до {until}. Будет сформирован документ «Доверенность на голосование», вы подпишете его в кошельке (без платы за газ).",
    proxy_sign: "Сформировать и подписать доверенность",
    proxy_given: "Выданные мной",
    proxy_received: "Полученные мной",
    proxy_principal: "Доверитель",
    proxy_status: "Статус",
    proxy_document: "Документ",
    proxy_status_active: "действует",
    proxy_status_revoked: "отменена",
    proxy_status_used: "использована",
    proxy_status_expired: "истекла",
    proxy_revoke: "Отменить",
    proxy_vote_for: "Проголосовать за доверителя",
    proxy_no_meetings: "Нет собраний, на которые можно выдать доверенность.",
    proxy_bad_holder: "Укажите адрес пайщика-представителя (0x…, 40 знаков).",
    proxy_err_MeetingProxiesCapReached: "Представитель уже представляет предельное по уставу число пайщиков на этом собрании.",
    proxy_err_MeetingProxiesNotVoter: "Доверитель и представитель должны быть действующими пайщиками, включёнными в список голосующих на этом собрании.",
    proxy_err_MeetingProxiesSelfProxy: "Нельзя выдать доверенность самому себе.",
    proxy_err_MeetingProxiesAlreadyGiven: "Вы уже выдали доверенность на это собрание; сначала отмените её.",
    proxy_err_MeetingProxiesAlreadyVoted: "Пайщик уже проголосовал на этом собрании (сам или через представителя).",
    proxy_err_MeetingProxiesExpired: "Срок доверенности истёк.",
    proxy_err_MeetingProxiesNoProxy: "Действующей доверенности нет (отменена, использована или выдана другому).",
    proxy_err_MeetingProxiesPrincipalLeft: "Доверитель больше не пайщик: голосовать за него нельзя.",
    proxy_err_MeetingProxiesMeetingNotOpen: "Собрание уже не принимает голоса.",
    proxy_err_MeetingProxiesInvalidExpiry: "Срок действия должен быть в будущем.",
    proxy_err_MeetingProxiesInvalidSignature: "Подпись не подходит (устарела или сделана другим кошельком).",
    proxy_err_GeneralMeetingAlreadyVoted: "Этот пайщик уже проголосовал.",
    proxy_err_GeneralMeetingNotOpen: "Голосование на собрании сейчас не идёт.",
  },
  {
    proxy_nav: "Proxies",
    proxy_title: "Proxies to vote",
    proxy_intro:
      "A member may let another member vote for them at one general meeting. The proxy is signed in your wallet and its hash goes on chain; you can revoke it until the holder has voted. If you vote yourself, the proxy is void.",
    proxy_give: "Give a proxy",
    proxy_meeting: "Meeting",
    proxy_holder: "Holder's address (a member)",
    proxy_expires: "Valid until",
    proxy_preview: "Member {holder} will be able to vote for you at meeting No. {meeting} until {until}. A «Proxy to vote» document is made and you sign it in your wallet (no gas).",
    proxy_sign: "Make and sign the proxy",
    proxy_given: "Given by me",
    proxy_received: "Received by me",
    proxy_principal: "Principal",
    proxy_status: "Status",
    proxy_document: "Document",
    proxy_status_active: "active",
    proxy_status_revoked: "revoked",
    proxy_status_used: "used",
    proxy_status_expired: "expired",
    proxy_revoke: "Revoke",
    proxy_vote_for: "Vote for the principal",
    proxy_no_meetings: "No meeting to give a proxy for.",
    proxy_bad_holder: "Give the holder's member address (0x…, 40 hex digits).",
    proxy_err_MeetingProxiesCapReached: "The holder already represents the charter's maximum of members at this meeting.",
    proxy_err_MeetingProxiesNotVoter: "Principal and holder must be active members on this meeting's register.",
    proxy_err_MeetingProxiesSelfProxy: "You cannot give yourself a proxy.",
    proxy_err_MeetingProxiesAlreadyGiven: "You already gave a proxy for this meeting; revoke it first.",
    proxy_err_MeetingProxiesAlreadyVoted: "The member has already voted at this meeting (in person or by proxy).",
    proxy_err_MeetingProxiesExpired: "The proxy has expired.",
    proxy_err_MeetingProxiesNoProxy: "No live proxy (revoked, used or given to someone else).",
    proxy_err_MeetingProxiesPrincipalLeft: "The principal is no longer a member: nobody may vote for them.",
    proxy_err_MeetingProxiesMeetingNotOpen: "The meeting no longer takes votes.",
    proxy_err_MeetingProxiesInvalidExpiry: "The expiry must be in the future.",
    proxy_err_MeetingProxiesInvalidSignature: "The signature does not fit (stale, or another wallet's).",
    proxy_err_GeneralMeetingAlreadyVoted: "This member has already voted.",
    proxy_err_GeneralMeetingNotOpen: "The meeting is not taking votes now.",
  },
);

const CHOICES = [
  [1, "vote_for"],
  [0, "vote_against"],
  [2, "vote_abstain"],
];

/** The contract's refusal in the member's language (the error's name kept for support). */
function explained(e) {
  const key = `proxy_err_${e.code}`;
  const text = e.code ? t(key) : key;
  if (text === key) return e;
  return Object.assign(new Error(`${text} (${e.code})`), { status: e.status, code: e.code });
}

async function explain(fn) {
  try {
    return await fn();
  } catch (e) {
    throw explained(e);
  }
}

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h(
    "div",
    { class: "page" },
    h("h1", {}, t("proxy_title")),
    h("p", { class: "muted" }, t("proxy_intro")),
    lazy(() => load(ctx), ctx),
  );
}

async function load(ctx) {
  const [meetings, mine] = await Promise.all([get("/meetings"), get("/proxies")]);
  const root = h("div", {});
  const upcoming = meetings.data.filter((m) => m.state_name === "scheduled" || m.state_name === "open");
  root.append(giveForm(ctx, upcoming, mine));
  root.append(givenSection(ctx, mine.given));
  root.append(receivedSection(ctx, mine.received, meetings.data));
  root.append(asOf(mine));
  return root;
}

function statusText(p) {
  return h("span", { "data-status": p.status }, t(`proxy_status_${p.status}`));
}

function docLink(hash) {
  if (!hash) return t("none");
  return h("a", { href: `#/verify?sha256=${hash.replace(/^0x/, "")}`, class: "mono", title: hash }, shortAddress(hash));
}

function giveForm(ctx, upcoming) {
  if (!upcoming.length) return section(t("proxy_give"), message("info", t("proxy_no_meetings")));
  const out = h("div", { class: "outcome" });
  const select = h(
    "select",
    { id: "proxy-meeting", name: "meeting" },
    upcoming.map((m) => h("option", { value: m.meeting_id }, `№ ${m.meeting_id} · ${fmtTime(m.opens_at)}`)),
  );
  const holder = h("input", { id: "proxy-holder", name: "holder", autocomplete: "off", placeholder: "0x…", required: true });
  const until = h("input", { id: "proxy-expires", name: "expires", type: "datetime-local", required: true });
  const preview = h("p", { class: "preview", "data-testid": "proxy-preview" });
  const meetingOf = () => upcoming.find((m) => String(m.meeting_id) === select.value);
  const defaultUntil = () => {
    const d = new Date(Number(meetingOf().closes_at) * 1000);
    until.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  };
  const expiresAt = () => Math.floor(new Date(until.value).getTime() / 1000);
  const showPreview = () => {
    preview.textContent = t("proxy_preview", {
      holder: holder.value || "—",
      meeting: select.value,
      until: until.value ? fmtTime(expiresAt()) : "—",
    });
  };
  defaultUntil();
  showPreview();
  select.addEventListener("change", () => {
    defaultUntil();
    showPreview();
  });
  holder.addEventListener("input", showPreview);
  until.addEventListener("input", showPreview);
  const form = h(
    "form",
    { id: "proxy-give" },
    h("label", { for: "proxy-meeting" }, t("proxy_meeting")),
    select,
    h("label", { for: "proxy-holder" }, t("proxy_holder")),
    holder,
    h("label", { for: "proxy-expires" }, t("proxy_expires")),
    until,
    preview,
    h("button", { type: "submit" }, t("proxy_sign")),
    out,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!/^0x[0-9a-fA-F]{40}$/.test(holder.value.trim())) {
      out.replaceChildren(message("error", t("proxy_bad_holder")));
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const meetingId = Number(select.value);
    const expires = expiresAt();
    const to = holder.value.trim();
    const ok = await runner(out)((p) =>
      explain(async () => {
        const doc = await post("/documents/generate", {
          template: "proxy",
          meeting_id: meetingId,
          fields: { holder: to, expires_at: expires },
        });
        const draft = { meeting_id: meetingId, holder: to, expires_at: expires, document_hash: `0x${doc.sha256}` };
        return signAndRelay(ctx, "/proxies/typed-data", draft, (signature, payload) =>
          post("/proxies", { ...draft, nonce: payload.typed_data.message.nonce, signature }), p);
      }),
    );
    if (!ok) button.disabled = false;
  });
  return section(t("proxy_give"), form);
}

function givenSection(ctx, given) {
  return section(
    t("proxy_given"),
    table(
      [
        { key: "meeting_id", label: t("proxy_meeting"), render: (p) => `№ ${p.meeting_id}` },
        { key: "holder", label: t("proxy_holder"), render: (p) => h("span", { class: "mono", title: p.holder }, shortAddress(p.holder)) },
        { key: "expires_at", label: t("proxy_expires"), render: (p) => fmtTime(p.expires_at) },
        { key: "status", label: t("proxy_status"), render: statusText },
        { key: "document_hash", label: t("proxy_document"), render: (p) => docLink(p.document_hash) },
        { key: "revoke", label: "", render: (p) => (p.status === "active" ? revokeButton(ctx, p) : "") },
      ],
      given,
      { testid: "proxies-given" },
    ),
  );
}

function revokeButton(ctx, p) {
  const out = h("div", { class: "outcome" });
  const button = h("button", { type: "button", "data-revoke": p.meeting_id }, t("proxy_revoke"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    const ok = await runner(out)((pr) =>
      explain(() =>
        signAndRelay(ctx, `/proxies/${p.meeting_id}/revocation/typed-data`, {}, (signature, payload) =>
          post(`/proxies/${p.meeting_id}/revocation`, { nonce: payload.typed_data.message.nonce, signature }), pr),
      ),
    );
    if (!ok) button.disabled = false;
  });
  return h("div", {}, button, out);
}

function receivedSection(ctx, received, meetings) {
  const wrap = section(
    t("proxy_received"),
    table(
      [
        { key: "meeting_id", label: t("proxy_meeting"), render: (p) => `№ ${p.meeting_id}` },
        { key: "principal", label: t("proxy_principal"), render: (p) => h("span", { class: "mono", title: p.principal }, shortAddress(p.principal)) },
        { key: "expires_at", label: t("proxy_expires"), render: (p) => fmtTime(p.expires_at) },
        { key: "status", label: t("proxy_status"), render: statusText },
        { key: "document_hash", label: t("proxy_document"), render: (p) => docLink(p.document_hash) },
      ],
      received,
      { testid: "proxies-received" },
    ),
  );
  for (const p of received) {
    const m = meetings.find((x) => x.meeting_id === p.meeting_id && x.contract === p.meeting_contract);
    if (p.status === "active" && m?.state_name === "open") wrap.append(proxyBallot(ctx, m, p));
  }
  return wrap;
}

function proxyBallot(ctx, m, p) {
  const out = h("div", { class: "outcome" });
  const id = `proxy-ballot-${m.meeting_id}-${p.principal}`;
  const form = h(
    "form",
    { class: "ballot", id, "data-principal": p.principal },
    h("h3", {}, `${t("proxy_vote_for")} ${shortAddress(p.principal)} · № ${m.meeting_id}`),
  );
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
    const body = { principal: p.principal, choices };
    const ok = await runner(out)((pr) =>
      explain(() =>
        signAndRelay(ctx, `/proxies/${m.meeting_id}/ballots/typed-data`, body, (signature) =>
          post(`/proxies/${m.meeting_id}/ballots`, { ...body, signature }), pr),
      ),
    );
    if (!ok) button.disabled = false;
  });
  return form;
}
