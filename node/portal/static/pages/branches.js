// Cooperative branches (кооперативные участки): every branch with its trustee, members and
// delegates; my branch and joining one; a trustee's check of an applicant of their branch.

import { addTexts, shortAddress, t } from "../i18n.js";
import { field, get, h, lazy, message, runner, section, sendTx, table } from "../ui.js";
import { needSignIn } from "./membership.js";

addTexts(
  {
    nav_branches: "Участки",
    branches_title: "Кооперативные участки",
    branches_intro: "Пайщики относятся к участкам. Собрание пайщиков участка избирает уполномоченных (делегатов) по норме представительства; если устав так говорит, общее собрание проводится как собрание уполномоченных.",
    branches_no: "№",
    branches_trustee: "Уполномоченный участка",
    branches_members: "Пайщиков",
    branches_delegates: "Делегаты",
    branches_mine: "Мой участок",
    branches_none: "Вы не выбрали участок.",
    branches_you_in: "Вы в участке №{n}",
    branches_you_delegate: "вы делегат участка",
    branches_join: "Вступить",
    branches_verify: "Проверка личности заявителя участка",
    branches_applicant: "Адрес заявителя",
    branches_record: "Хэш записи о проверке (0x…)",
    branches_verify_go: "Подтвердить личность",
  },
  {
    nav_branches: "Branches",
    branches_title: "Cooperative branches",
    branches_intro: "Members belong to branches. A branch meeting elects delegates by the norm of representation; where the charter says so, the general meeting is held as a meeting of delegates.",
    branches_no: "No.",
    branches_trustee: "Branch trustee",
    branches_members: "Members",
    branches_delegates: "Delegates",
    branches_mine: "My branch",
    branches_none: "You have chosen no branch.",
    branches_you_in: "You are in branch {n}",
    branches_you_delegate: "you are a delegate of the branch",
    branches_join: "Join",
    branches_verify: "Identity check of a branch applicant",
    branches_applicant: "Applicant's address",
    branches_record: "Hash of the check record (0x…)",
    branches_verify_go: "Attest the identity",
  },
);

export function render(ctx) {
  if (!ctx.has("signed")) return needSignIn(ctx);
  return h(
    "div",
    { class: "page", "data-testid": "branches-page" },
    h("h1", {}, t("branches_title")),
    h("p", { class: "muted" }, t("branches_intro")),
    lazy(() => load(ctx), ctx),
  );
}

async function load(ctx) {
  const [all, mine] = await Promise.all([get("/branches"), get("/branches/me")]);
  const out = h("div", { class: "outcome" });
  const join = (id) =>
    h("button", { type: "button", "data-join": id, onclick: () => runner(out)((p) => sendTx(ctx, `/branches/${id}/join`, {}, p)) }, t("branches_join"));
  const rows = table(
    [
      { key: "branch_id", label: t("branches_no") },
      { key: "trustee", label: t("branches_trustee"), render: (b) => (b.trustee ? h("span", { class: "mono", title: b.trustee }, shortAddress(b.trustee)) : t("none")) },
      { key: "members", label: t("branches_members") },
      { key: "delegates", label: t("branches_delegates"), render: (b) => b.delegates.map((d) => shortAddress(d.address)).join(", ") || t("none") },
      { key: "join", label: "", render: (b) => (b.branch_id === mine.branch_id ? "✓" : join(b.branch_id)) },
    ],
    all.data,
    { testid: "branches" },
  );
  const me = mine.branch_id
    ? message("info", t("branches_you_in", { n: mine.branch_id }), mine.delegate ? ` (${t("branches_you_delegate")})` : "")
    : message("info", t("branches_none"));
  const parts = [section(t("branches_title"), rows, out), section(t("branches_mine"), me)];
  if (all.data.some((b) => b.trustee && b.trustee.toLowerCase() === (ctx.state.address ?? "").toLowerCase())) {
    parts.push(verifyForm(ctx));
  }
  return h("div", {}, ...parts);
}

function verifyForm(ctx) {
  const applicant = field("branch-applicant", t("branches_applicant"), { pattern: "^0x[0-9a-fA-F]{40}$", required: true });
  const record = field("branch-record", t("branches_record"), { pattern: "^0x[0-9a-fA-F]{64}$", required: true });
  const out = h("div", { class: "outcome" });
  const form = h("form", { id: "branch-verify", novalidate: true }, applicant, record, h("button", { type: "submit" }, t("branches_verify_go")), out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    runner(out)((p) => sendTx(ctx, "/branches/verify", { applicant: applicant.input.value.trim(), check_record: record.input.value.trim() }, p));
  });
  return section(t("branches_verify"), form);
}
