// My passkeys (a passkey session): the passkeys that control my account, and one more added:
// made on this device, then added on chain by a passkey the account already has.

import { get } from "../api.js";
import { addTexts, fmtTime, t } from "../i18n.js";
import { execute, registerAnother } from "../passkey.js";
import { errorBox, field, h, lazy, message, progress, section, table } from "../ui.js";
import { needSignIn } from "./membership.js";

addTexts({ nav_passkeys: "Ключи доступа" }, { nav_passkeys: "Passkeys" });

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  const list = h("div", {}, lazy(() => load(), ctx));
  const label = field("passkey-label", t("passkey_label"), { maxlength: 100, placeholder: "ноутбук / laptop" });
  const out = h("div", { class: "outcome", "aria-live": "polite" });
  const p = progress();
  const button = h("button", { type: "submit", id: "passkey-add" }, t("passkey_add"));
  const form = h("form", { id: "passkey-add-form", novalidate: true }, label, button);
  const confirm = (added) => {
    const go = h("button", { type: "button", id: "passkey-confirm" }, t("passkey_confirm"));
    go.addEventListener("click", async () => {
      go.disabled = true;
      try {
        await execute(added.call, p);
        out.replaceChildren(message("ok", t("passkey_added")));
        list.replaceChildren(lazy(() => load(), ctx));
      } catch (e) {
        p.fail();
        out.replaceChildren(errorBox(e, ctx), go);
        go.disabled = false;
      }
    });
    out.replaceChildren(message("info", t("passkey_confirm_note")), go);
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    p.reset();
    try {
      confirm(await registerAnother(label.input.value.trim()));
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
    } finally {
      button.disabled = false;
    }
  });
  return h(
    "div",
    { class: "page" },
    h("h1", {}, t("passkey_title")),
    section(t("passkey_title"), h("p", {}, t("passkey_intro")), list, form, p, out),
  );
}

async function load() {
  const rows = await get("/passkeys/mine");
  return table(
    [
      { key: "label", label: t("passkey_label"), render: (r) => r.label ?? "—" },
      { key: "active", label: t("status"), render: (r) => (r.active ? t("passkey_active") : t("passkey_pending")) },
      { key: "created_at", label: t("passkey_created_at"), render: (r) => fmtTime(r.created_at) },
    ],
    rows,
    { testid: "passkeys" },
  );
}
