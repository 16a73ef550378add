// Small DOM helpers shared by the pages: elements without innerHTML, tables, forms,
// messages, and the progress of a long operation (signed -> sent -> mined -> indexed).

import { get, mirrorBlock, post, sleep, trackRelay } from "./api.js";
import { fmtTime, t } from "./i18n.js";
import * as passkey from "./passkey.js";
import * as wallet from "./wallet.js";

/** h("p", {class: "x", onclick: f}, "text", child) -> an element (text is never parsed as HTML). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function section(title, ...children) {
  const id = `s-${Math.random().toString(36).slice(2, 8)}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** A table: columns [{key, label, render?}] and rows of objects. */
export function table(columns, rows, { caption, testid } = {}) {
  if (!rows?.length) return h("p", { class: "muted" }, t("nothing"));
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption ?? "" },
    h(
      "table",
      { "data-testid": testid },
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))),
      h(
        "tbody",
        {},
        rows.map((r) =>
          h("tr", {}, columns.map((c) => h("td", { "data-label": c.label }, c.render ? c.render(r) : r[c.key] ?? t("none")))),
        ),
      ),
    ),
  );
}

/** A labelled input; returns the wrapper with `.input` set to the field. */
export function field(id, label, attrs = {}) {
  const input = h(attrs.tag ?? "input", { id, name: id, ...attrs, tag: undefined });
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), input);
  wrap.input = input;
  return wrap;
}

export function message(kind, text, ...extra) {
  return h("div", { class: `msg msg-${kind}`, role: kind === "error" ? "alert" : "status" }, text, ...extra);
}

export function asOf(page) {
  const ref = page?.as_of;
  if (!ref) return null;
  return h("p", { class: "muted as-of" }, t("as_of", { block: ref.number, time: fmtTime(ref.timestamp) }));
}

export function errorBox(e, ctx) {
  const box = message("error", e.message ?? String(e));
  box.dataset.kind = e.kind ?? (e.status ? "api" : "error");
  if (e.kind === "wrong_chain" && ctx) {
    box.append(
      " ",
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            try {
              await wallet.switchChain(e.want);
              box.replaceWith(message("ok", "✓"));
            } catch (err) {
              box.replaceWith(errorBox(err, ctx));
            }
          },
        },
        t("switch_chain"),
      ),
    );
  }
  return box;
}

const STEPS = ["signed", "sent", "mined", "indexed"];

/** The progress of one operation; `.step(name)` marks it and the ones before as done. */
export function progress() {
  const items = STEPS.map((s) => h("li", { "data-step": s, "data-state": "todo" }, t(`step_${s}`)));
  const list = h("ol", { class: "progress", "aria-label": t("progress"), "aria-live": "polite" }, items);
  list.step = (name) => {
    const idx = STEPS.indexOf(name);
    items.forEach((li, i) => {
      li.dataset.state = i <= idx ? "done" : "todo";
    });
    list.dataset.state = name;
  };
  list.fail = () => {
    list.dataset.state = "failed";
  };
  list.reset = () => {
    items.forEach((li) => {
      li.dataset.state = "todo";
    });
    delete list.dataset.state;
  };
  return list;
}

/** Stage `i` of `n` of an operation made of several transactions, on one progress: the stage's
 * name is shown above the steps, which start again; only the last stage may reach "indexed"
 * (a person, and the tests, wait for that one). Returns what to pass as the progress. */
export function stage(p, i, n, label) {
  let el = p.previousElementSibling;
  if (!el?.classList?.contains("stage")) {
    el = h("p", { class: "stage", "aria-live": "polite" });
    p.before(el);
  }
  el.textContent = `${t("stage", { i, n })}: ${label}`;
  el.dataset.stage = String(i);
  p.reset();
  return i < n ? { step: (s) => p.step(s === "indexed" ? "mined" : s) } : p;
}

/** Run `fn(progressEl)` behind a button: disable it, show the progress and the outcome. */
export function runner(container) {
  return async (fn) => {
    const p = progress();
    const out = h("div", { class: "outcome" });
    container.replaceChildren(p, out);
    try {
      const result = await fn(p);
      out.replaceChildren(
        message(
          "ok",
          `✓ ${t("step_indexed")} `,
          h("button", { type: "button", class: "link-button", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, t("refresh")),
        ),
      );
      return result;
    } catch (e) {
      p.fail();
      out.replaceChildren(errorBox(e, true));
      return null;
    }
  };
}

/** A `.../tx` route: the member's own transaction, sent by the wallet, followed to the mirror. */
export async function sendTx(ctx, path, body, p) {
  await wallet.requireChain(ctx.state.chainId);
  const { transaction } = await post(path, body ?? {});
  return sendPrepared(ctx, transaction, p);
}

/** An unsigned transaction the gateway already gave (e.g. with an order's confirmation). */
export async function sendPrepared(ctx, transaction, p) {
  // A passkey session: the account makes the call itself, signed by the passkey, relayed.
  if (passkey.isPasskeySession()) return passkey.execute(transaction, p);
  await wallet.requireChain(ctx.state.chainId);
  const hash = await wallet.sendTransaction(transaction);
  p.step("sent");
  const receipt = await wallet.waitReceipt(hash);
  if (Number(receipt.status) !== 1) throw new Error(`${t("step_failed")}: ${hash}`);
  p.step("mined");
  const block = Number(receipt.blockNumber);
  for (let i = 0; i < 400 && (await mirrorBlock()) < block; i++) await sleep(250);
  p.step("indexed");
  return receipt;
}

/** A gasless action: the EIP-712 payload from `typedPath`, signed, relayed through `submit`. */
export async function signAndRelay(ctx, typedPath, typedBody, submit, p) {
  const payload = await post(typedPath, typedBody ?? {});
  const signature = await wallet.signTyped(ctx.state.address, payload.typed_data);
  p.step("signed");
  const relay = await submit(signature, payload);
  p.step(relay.status === "pending" ? "sent" : relay.status);
  return trackRelay(relay.id, (status) => {
    if (STEPS.includes(status)) p.step(status);
  });
}

/** Load `loader()` into a placeholder, replacing it with the result or an error. */
export function lazy(loader, ctx) {
  const box = h("div", { class: "lazy", "aria-busy": "true" }, t("loading"));
  loader()
    .then((node) => {
      box.replaceWith(node);
    })
    .catch((e) => {
      box.replaceWith(errorBox(e, ctx));
    });
  return box;
}

export { get, post };
