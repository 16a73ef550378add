// "Мои задачи": what waits for the signed-in officer in each of their roles (GET /work, computed
// from the mirror), oldest first, each with a link to the page where it is done. The verifier's
// part is done here: the applicant's record is shown decrypted (only to that role, and the read
// is logged by the gateway), then the identity check is attested from the verifier's wallet.

import { get } from "../api.js";
import { addTexts, fmtTime, t } from "../i18n.js";
import { errorBox, h, lazy, message, runner, section, sendTx, table } from "../ui.js";
import { needSignIn } from "./membership.js";
import { bi } from "./officers.js";

addTexts(
  {
    nav_work: "Мои задачи",
    work_title: "Мои задачи",
    work_roles: "Мои роли",
    work_none: "Сейчас ничего не ждёт вашего решения.",
    work_task: "Задача",
    work_since: "Ждёт с",
    work_open: "Открыть",
    work_role: "Роль",
    work_r_council: "член совета",
    work_r_chair: "председатель",
    work_r_secretary: "секретарь",
    work_r_cashier: "кассир",
    work_r_verifier: "проверяющий личность",
    work_r_auditor: "ревизор",
    work_r_member: "пайщик",
    work_r_applicant: "заявитель",
    work_show_identity: "Показать анкету (чтение записывается в журнал)",
    work_attest_identity: "Подтвердить: документы проверены",
    work_identity_logged: "Анкета показана только вам; чтение записано в журнал раскрытий.",
    work_block: "по блоку {block}",
  },
  {
    nav_work: "My tasks",
    work_title: "My tasks",
    work_roles: "My roles",
    work_none: "Nothing waits for your decision now.",
    work_task: "Task",
    work_since: "Waiting since",
    work_open: "Open",
    work_role: "Role",
    work_r_council: "council member",
    work_r_chair: "chair",
    work_r_secretary: "secretary",
    work_r_cashier: "cashier",
    work_r_verifier: "identity verifier",
    work_r_auditor: "auditor",
    work_r_member: "member",
    work_r_applicant: "applicant",
    work_show_identity: "Show the record (the read is logged)",
    work_attest_identity: "Attest: the papers were checked",
    work_identity_logged: "Shown to you only; the read is recorded in the disclosure log.",
    work_block: "at block {block}",
  },
);

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h("div", { class: "page" }, h("h1", {}, t("work_title")), lazy(() => load(ctx), ctx));
}

function roleText(r) {
  return t(`work_r_${r}`);
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The verifier's step: the record decrypted for this role only (logged), then the attestation;
 * the check record's hash is the SHA-256 of what the verifier saw and when. */
function verifyCell(ctx, task) {
  const account = task.ref.slice("account:".length);
  const box = h("div", { class: "outcome" });
  const show = h("button", { type: "button", "data-show-identity": account }, t("work_show_identity"));
  show.addEventListener("click", async () => {
    show.disabled = true;
    try {
      const rec = await get(`/members/${account}/identity`);
      const rows = Object.entries(rec.identity ?? {}).filter(([, v]) => v !== null && v !== "");
      const attest = h("button", { type: "button", "data-attest-identity": account }, t("work_attest_identity"));
      const out = h("div", { class: "outcome" });
      attest.addEventListener("click", async () => {
        attest.disabled = true;
        const record = await sha256Hex(JSON.stringify({ account, identity_hash: rec.identity_hash, checked_by: ctx.state.address, at: Date.now() }));
        const ok = await runner(out)((p) => sendTx(ctx, `/members/${account}/identity-check/tx`, { record_hash: `0x${record}` }, p));
        if (!ok) attest.disabled = false;
      });
      box.replaceChildren(
        message("info", t("work_identity_logged")),
        h("dl", { class: "facts", "data-testid": `identity-${account}` }, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))])),
        attest,
        out,
      );
    } catch (e) {
      show.disabled = false;
      box.replaceChildren(errorBox(e, ctx));
    }
  });
  return h("div", {}, show, box);
}

async function load(ctx) {
  const work = await get("/work");
  const root = h("div", {});
  root.append(
    h("p", { "data-testid": "work-roles" }, `${t("work_roles")}: `, work.roles.map((r) => h("span", { class: "chip" }, roleText(r)))),
  );
  if (!work.tasks.length) {
    root.append(message("ok", t("work_none")));
  } else {
    root.append(
      section(
        t("work_title"),
        table(
          [
            { key: "role", label: t("work_role"), render: (w) => roleText(w.role) },
            { key: "title", label: t("work_task"), render: (w) => bi(w.title) },
            { key: "since", label: t("work_since"), render: (w) => (w.since ? fmtTime(w.since) : t("none")) },
            {
              key: "link",
              label: "",
              render: (w) => (w.kind === "verify_identity" ? verifyCell(ctx, w) : h("a", { href: w.link, "data-task": w.kind }, t("work_open"))),
            },
          ],
          work.tasks,
          { testid: "work-tasks" },
        ),
      ),
    );
  }
  if (work.block !== null) root.append(h("p", { class: "muted as-of" }, t("work_block", { block: work.block })));
  return root;
}
