// What the officers' forms share: the gateway's bilingual strings in the chosen language, and
// "show what will happen, then sign": a draft from the gateway (who, what, how much, which
// document) shown before the wallet is asked for anything.

import { addTexts, lang, shortAddress, t } from "../i18n.js";
import { errorBox, h, message, runner, sendPrepared, stage, table } from "../ui.js";

addTexts(
  {
    officers_preview: "Проверьте перед подписью",
    officers_sign_send: "Подписать и отправить",
    officers_document: "Документ",
    officers_actions: "Что исполнит решение",
    officers_contract: "Контракт",
    officers_function: "Функция",
    officers_args: "Параметры",
    officers_open_doc: "открыть документ",
    officers_what: "Что",
    officers_value: "Значение",
  },
  {
    officers_preview: "Check before signing",
    officers_sign_send: "Sign and send",
    officers_document: "Document",
    officers_actions: "What the decision will execute",
    officers_contract: "Contract",
    officers_function: "Function",
    officers_args: "Arguments",
    officers_open_doc: "open the document",
    officers_what: "What",
    officers_value: "Value",
  },
);

/** "Русский / English" from the gateway: the half in the chosen language. */
export function bi(text) {
  if (typeof text !== "string") return text;
  const i = text.indexOf(" / ");
  if (i < 0) return text;
  return lang() === "en" ? text.slice(i + 3) : text.slice(0, i);
}

function valueCell(v) {
  const s = String(v);
  if (/^0x[0-9a-fA-F]{40}$/.test(s)) return h("span", { class: "mono", title: s }, s);
  if (/^[0-9a-f]{64}$/.test(s)) {
    return h("a", { href: `#/verify?sha256=${s}`, class: "mono", title: s }, shortAddress(`0x${s}`));
  }
  return bi(s);
}

/** A refusal from the gateway in the reader's language: the problem's detail (the contract's
 * reason, decoded from its custom error, when the chain refused), with the error's name. */
export function refusal(e, ctx) {
  const detail = e?.problem?.detail;
  if (!detail) return errorBox(e, ctx);
  const box = message("error", bi(detail), e.code ? h("code", { class: "muted" }, ` ${e.code}`) : null);
  box.dataset.kind = "api";
  return box;
}

/** The summary of a draft: its title, the lines, the document and the actions. */
export function summary(draft) {
  const box = h("div", { class: "card preview", "data-testid": "preview" }, h("h3", {}, `${t("officers_preview")}: ${bi(draft.title ?? draft.description)}`));
  box.append(
    table(
      [
        { key: "label", label: t("officers_what"), render: (l) => bi(l.label) },
        { key: "value", label: t("officers_value"), render: (l) => valueCell(l.value) },
      ],
      draft.lines ?? [],
      { testid: "preview-lines" },
    ),
  );
  const doc = draft.document ?? draft.notice;
  if (doc) {
    box.append(h("p", {}, `${t("officers_document")}: `, h("a", { href: `#/verify?sha256=${doc}`, "data-testid": "preview-doc", class: "mono" }, doc)));
  }
  if (draft.before?.length) {
    box.append(h("ol", { class: "steps", "data-testid": "preview-steps" }, [...draft.before, draft].map((s) => h("li", {}, bi(s.description)))));
  }
  if (draft.actions?.length) {
    box.append(
      h("h4", {}, t("officers_actions")),
      table(
        [
          { key: "contract", label: t("officers_contract") },
          { key: "function", label: t("officers_function"), render: (a) => h("code", {}, a.function) },
          { key: "args", label: t("officers_args"), render: (a) => a.args.map((x) => valueCell(x)).flatMap((x, i) => (i ? [", ", x] : [x])) },
        ],
        draft.actions,
        { testid: "preview-actions" },
      ),
    );
  }
  return box;
}

/** Ask the gateway for a draft (`makeDraft()`), show it, and sign it only when the officer
 * presses "sign and send". Refusals (422/403 with the contract's reason) show in place. */
export async function previewThenSign(ctx, container, makeDraft, { onDone } = {}) {
  container.replaceChildren();
  let draft;
  try {
    draft = await makeDraft();
  } catch (e) {
    container.replaceChildren(refusal(e, ctx));
    return null;
  }
  const out = h("div", { class: "outcome" });
  const go = h("button", { type: "button", "data-sign": "1" }, t("officers_sign_send"));
  go.addEventListener("click", async () => {
    go.disabled = true;
    const ok = await runner(out)(async (p) => {
      // Steps the decision needs first (anchor or sign its document), then the main one.
      const steps = [...(draft.before ?? []), draft];
      for (const [i, s] of steps.entries()) {
        const target = steps.length > 1 ? stage(p, i + 1, steps.length, bi(s.description)) : p;
        await sendPrepared(ctx, s.transaction, target);
      }
      return true;
    });
    if (!ok) go.disabled = false;
    else if (onDone) onDone(draft);
  });
  container.replaceChildren(summary(draft), h("div", { class: "actions" }, go), out);
  return draft;
}
