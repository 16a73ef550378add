// Notices: the member's inbox, and how they want to be told (inbox, e-mail confirmed by a
// mailed code, a signed webhook for another system). Everything here is the signed-in
// member's own: the gateway takes the account from the session, never from the page.
// Auditors also look up the delivery list of a meeting's notice (its hash, its anchor).

import { get, post, put } from "../api.js";
import { addTexts, fmtTime, lang, t } from "../i18n.js";
import { errorBox, field, h, lazy, message, section, table } from "../ui.js";
import { needSignIn } from "./membership.js";

addTexts(
  {
    notices_nav: "Уведомления",
    notices_inbox: "Входящие",
    notices_unread: "Непрочитанных: {n}",
    notices_mark_read: "Прочитано",
    notices_channels: "Как сообщать",
    notices_channel_inbox: "Входящие портала",
    notices_channel_email: "Электронная почта",
    notices_channel_webhook: "Webhook (другая система)",
    notices_all_kinds: "обо всём",
    notices_kinds_hint: "Уведомление о созыве общего собрания приходит во входящие и на подтверждённый адрес всегда: этого требует закон.",
    notices_save: "Сохранить",
    notices_saved: "Сохранено",
    notices_email: "Адрес электронной почты",
    notices_email_send: "Прислать код",
    notices_email_sent: "Код отправлен на {address}. Введите его ниже.",
    notices_email_confirmed: "Адрес подтверждён",
    notices_email_unconfirmed: "Адрес не подтверждён: на него ничего не отправляется",
    notices_code: "Код из письма",
    notices_confirm: "Подтвердить",
    notices_webhook_url: "Адрес webhook (https://…)",
    notices_webhook_save: "Подключить",
    notices_webhook_secret: "Секрет для проверки подписи X-Coop-Signature (показан один раз, сохраните его): {secret}",
    notices_delivery: "Лист рассылки уведомления о собрании",
    notices_meeting_id: "Номер собрания",
    notices_show: "Показать",
    notices_sealed: "Закрыт; SHA-256 {sha}",
    notices_not_sealed: "Уведомления ещё доставляются",
    notices_anchored: "Закреплён в реестре документов {time}, {by}",
    notices_not_anchored: "Хэш ещё не закреплён",
    notices_recipient: "Пайщик",
    notices_deliveries: "Доставка",
    notices_when: "Когда",
  },
  {
    notices_nav: "Notices",
    notices_inbox: "Inbox",
    notices_unread: "Unread: {n}",
    notices_mark_read: "Read",
    notices_channels: "How to tell me",
    notices_channel_inbox: "Portal inbox",
    notices_channel_email: "E-mail",
    notices_channel_webhook: "Webhook (another system)",
    notices_all_kinds: "everything",
    notices_kinds_hint: "The notice of a general meeting always reaches the inbox and a confirmed address: the law requires it.",
    notices_save: "Save",
    notices_saved: "Saved",
    notices_email: "E-mail address",
    notices_email_send: "Send me a code",
    notices_email_sent: "A code was sent to {address}. Type it below.",
    notices_email_confirmed: "Address confirmed",
    notices_email_unconfirmed: "Address not confirmed: nothing is sent to it",
    notices_code: "Code from the e-mail",
    notices_confirm: "Confirm",
    notices_webhook_url: "Webhook URL (https://…)",
    notices_webhook_save: "Connect",
    notices_webhook_secret: "Secret to check X-Coop-Signature (shown once, keep it): {secret}",
    notices_delivery: "Delivery list of a meeting notice",
    notices_meeting_id: "Meeting number",
    notices_show: "Show",
    notices_sealed: "Sealed; SHA-256 {sha}",
    notices_not_sealed: "Notices are still being delivered",
    notices_anchored: "Anchored in the document registry {time} by {by}",
    notices_not_anchored: "The hash is not anchored yet",
    notices_recipient: "Member",
    notices_deliveries: "Delivery",
    notices_when: "When",
  },
);

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h("div", { class: "page" }, h("h1", {}, t("notices_nav")), lazy(() => load(ctx), ctx));
}

async function load(ctx) {
  const [inbox, prefs] = await Promise.all([get("/notices/inbox", { limit: 50 }), get("/notices/preferences")]);
  return h("div", {}, inboxSection(ctx, inbox), channelsSection(ctx, prefs), emailSection(ctx, prefs), webhookSection(ctx, prefs), deliverySection(ctx));
}

function inboxSection(ctx, inbox) {
  const items = inbox.data.map((n) => {
    const read = h("button", { type: "button", class: "link-button", "data-testid": `notice-read-${n.id}` }, t("notices_mark_read"));
    read.addEventListener("click", async () => {
      try {
        await post(`/notices/inbox/${n.id}/read`);
        item.classList.remove("unread");
        read.remove();
      } catch (e) {
        item.append(errorBox(e, ctx));
      }
    });
    const item = h(
      "li",
      { class: n.read_at ? "notice" : "notice unread", "data-kind": n.kind },
      h("h3", {}, n.title, " ", h("small", { class: "muted" }, fmtTime(n.created_at))),
      h("pre", { class: "notice-text" }, n.text),
      n.read_at ? null : read,
    );
    return item;
  });
  return section(
    t("notices_inbox"),
    h("p", { class: "muted", "data-testid": "notices-unread" }, t("notices_unread", { n: inbox.unread })),
    items.length ? h("ul", { class: "notices", "data-testid": "notices-inbox" }, items) : h("p", { class: "muted" }, t("nothing")),
  );
}

function channelsSection(ctx, prefs) {
  const out = h("div", { "aria-live": "polite" });
  const rows = prefs.channels.map((c) => {
    const enabled = h("input", { type: "checkbox", id: `notices-on-${c.channel}`, checked: c.enabled || undefined });
    const all = h("input", { type: "checkbox", id: `notices-all-${c.channel}`, checked: c.kinds === null || undefined });
    const kinds = prefs.kinds.map((k) =>
      h(
        "label",
        { class: "kind" },
        h("input", { type: "checkbox", value: k.kind, checked: c.kinds === null || c.kinds.includes(k.kind) || undefined }),
        " ",
        lang() === "en" ? k.title_en : k.title_ru,
      ),
    );
    const box = h("fieldset", { "data-channel": c.channel }, h("legend", {}, h("label", {}, enabled, " ", t(`notices_channel_${c.channel}`))), h("label", {}, all, " ", t("notices_all_kinds")), h("div", { class: "kinds" }, kinds));
    box.read = () => ({
      channel: c.channel,
      enabled: enabled.checked,
      kinds: all.checked ? null : [...box.querySelectorAll(".kinds input:checked")].map((i) => i.value),
    });
    return box;
  });
  const save = h("button", { type: "button", "data-testid": "notices-save" }, t("notices_save"));
  save.addEventListener("click", async () => {
    try {
      await put("/notices/preferences", { channels: rows.map((r) => r.read()) });
      out.replaceChildren(message("ok", t("notices_saved")));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  });
  return section(t("notices_channels"), h("p", { class: "muted" }, t("notices_kinds_hint")), ...rows, save, out);
}

function emailSection(ctx, prefs) {
  const out = h("div", { "aria-live": "polite" });
  const address = field("notices-email", t("notices_email"), { type: "email", value: prefs.email?.address ?? "", autocomplete: "email" });
  const code = field("notices-code", t("notices_code"), { inputmode: "numeric", pattern: "[0-9]{6}", maxlength: "6" });
  const send = h("button", { type: "button", "data-testid": "notices-email-send" }, t("notices_email_send"));
  const confirm = h("button", { type: "button", "data-testid": "notices-email-confirm" }, t("notices_confirm"));
  send.addEventListener("click", async () => {
    try {
      const r = await post("/notices/email", { address: address.input.value });
      out.replaceChildren(message("info", t("notices_email_sent", { address: r.address })));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  });
  confirm.addEventListener("click", async () => {
    try {
      await post("/notices/email/confirm", { code: code.input.value });
      out.replaceChildren(message("ok", t("notices_email_confirmed")));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  });
  const state = prefs.email ? message(prefs.email.confirmed ? "ok" : "info", t(prefs.email.confirmed ? "notices_email_confirmed" : "notices_email_unconfirmed")) : null;
  return section(t("notices_channel_email"), state, address, send, code, confirm, out);
}

function webhookSection(ctx, prefs) {
  const out = h("div", { "aria-live": "polite" });
  const url = field("notices-webhook", t("notices_webhook_url"), { type: "url", value: prefs.webhook?.url ?? "" });
  const save = h("button", { type: "button" }, t("notices_webhook_save"));
  save.addEventListener("click", async () => {
    try {
      const r = await put("/notices/webhook", { url: url.input.value });
      out.replaceChildren(message("ok", t("notices_webhook_secret", { secret: r.secret })));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  });
  return section(t("notices_channel_webhook"), url, save, out);
}

function deliverySection(ctx) {
  const out = h("div", { "aria-live": "polite" });
  const id = field("notices-meeting", t("notices_meeting_id"), { type: "number", min: "0" });
  const show = h("button", { type: "button" }, t("notices_show"));
  show.addEventListener("click", async () => {
    try {
      const d = await get(`/meetings/${Number(id.input.value)}/notice-delivery`);
      const head = d.sealed ? message("ok", t("notices_sealed", { sha: d.sha256 })) : message("info", t("notices_not_sealed"));
      const anchor = d.anchor ? message("ok", t("notices_anchored", { time: fmtTime(d.anchor.anchored_at), by: d.anchor.anchored_by })) : message("info", t("notices_not_anchored"));
      const rows = (d.document?.recipients ?? []).map((r) => ({
        account: r.account,
        deliveries: r.deliveries.map((x) => `${x.channel}: ${x.status}`).join(", "),
        when: r.deliveries.map((x) => (x.sent_at ? fmtTime(x.sent_at) : "—")).join(", "),
      }));
      out.replaceChildren(
        head,
        anchor,
        table(
          [
            { key: "account", label: t("notices_recipient") },
            { key: "deliveries", label: t("notices_deliveries") },
            { key: "when", label: t("notices_when") },
          ],
          rows,
          { testid: "notices-delivery" },
        ),
      );
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    }
  });
  return section(t("notices_delivery"), id, show, out);
}
