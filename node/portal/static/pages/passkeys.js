// My passkeys (a passkey session): the passkeys that control my account, and one more added:
// made on this device, then added on chain by a passkey the account already has.

import { get, post, request } from "../api.js";
import { addTexts, fmtTime, t } from "../i18n.js";
import { execute, registerAnother } from "../passkey.js";
import { errorBox, field, h, lazy, message, progress, section, table } from "../ui.js";
import { needSignIn } from "./membership.js";

addTexts(
  {
    nav_passkeys: "Ключи доступа",
    passkeys_remove: "Удалить ключ",
    passkeys_remove_note: "Ключ перестанет управлять счётом; подтвердите другим ключом этого счёта (или этим же, если он у вас). Последний ключ удалить нельзя.",
    passkeys_remove_confirm: "Подтвердить удаление ключом доступа",
    passkeys_removed: "Ключ удалён и больше ничего не подписывает.",
    passkeys_forget: "Убрать из списка",
    passkeys_last: "последний ключ: не удаляется",
  },
  {
    nav_passkeys: "Passkeys",
    passkeys_remove: "Remove the passkey",
    passkeys_remove_note: "The passkey will no longer control the account; confirm with another passkey of the account (or this one, if you hold it). The last passkey cannot be removed.",
    passkeys_remove_confirm: "Confirm the removal with a passkey",
    passkeys_removed: "The passkey is removed and signs nothing any more.",
    passkeys_forget: "Forget it",
    passkeys_last: "the last passkey: cannot be removed",
  },
);

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  const list = h("div", {});
  const reload = () => list.replaceChildren(lazy(() => load(ctx, reload), ctx));
  reload();
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
        reload();
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

async function load(ctx, reload) {
  const rows = await get("/passkeys/mine");
  const active = rows.filter((r) => r.active).length;
  return table(
    [
      { key: "label", label: t("passkey_label"), render: (r) => r.label ?? "—" },
      { key: "active", label: t("status"), render: (r) => (r.active ? t("passkey_active") : t("passkey_pending")) },
      { key: "created_at", label: t("passkey_created_at"), render: (r) => fmtTime(r.created_at) },
      { key: "remove", label: "", render: (r) => removeCell(ctx, r, active, reload) },
    ],
    rows,
    { testid: "passkeys" },
  );
}

/** Remove a passkey that controls the account (never the last: the gateway answers 409 and
 * the account refuses it too), signed by a passkey of the account; one that no longer
 * controls it (removed, or never added) is forgotten. */
function removeCell(ctx, r, active, reload) {
  const id = encodeURIComponent(r.credential_id);
  const out = h("div", { class: "outcome", "aria-live": "polite" });
  if (!r.active) {
    const forget = h("button", { type: "button", class: "secondary", "data-forget": r.credential_id }, t("passkeys_forget"));
    forget.addEventListener("click", async () => {
      forget.disabled = true;
      try {
        await request("DELETE", `/passkeys/mine/${id}`);
        reload();
      } catch (e) {
        out.replaceChildren(errorBox(e, ctx));
        forget.disabled = false;
      }
    });
    return h("div", {}, forget, out);
  }
  if (active <= 1) return h("span", { class: "muted" }, t("passkeys_last"));
  const p = progress();
  const remove = h("button", { type: "button", class: "secondary", "data-remove": r.credential_id }, t("passkeys_remove"));
  remove.addEventListener("click", async () => {
    remove.disabled = true;
    try {
      const removal = await post(`/passkeys/mine/${id}/removal`, {});
      const go = h("button", { type: "button", "data-remove-confirm": r.credential_id }, t("passkeys_remove_confirm"));
      go.addEventListener("click", async () => {
        go.disabled = true;
        try {
          await execute(removal.call, p);
          out.replaceChildren(message("ok", t("passkeys_removed")));
          reload();
        } catch (e) {
          p.fail();
          out.replaceChildren(errorBox(e, ctx), go);
          go.disabled = false;
        }
      });
      out.replaceChildren(message("info", t("passkeys_remove_note")), go);
    } catch (e) {
      out.replaceChildren(errorBox(e, ctx));
      remove.disabled = false;
    }
  });
  return h("div", {}, remove, p, out);
}
