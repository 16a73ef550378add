"""Gas of passkey accounts: one P-256 verification with the P256VERIFY precompile and with
OpenZeppelin's Solidity fallback, and every member act signed by a passkey.

Run: ``.venv/bin/python benchmarks/bench_passkey.py``. Starts anvil 1.7.1 twice: with its
default hardfork (``latest``, Osaka: P256VERIFY at 0x100, EIP-7951) and with
``--hardfork prague`` (no precompile: `P256.verify` falls back to Solidity). On each it
measures `TestP256.verify` / `verifySolidity` (gas inside the call, from `gasleft()`), then
builds a governed cooperative and walks a passkey member through: account deployment by the
factory, the application (ERC-1271), a ballot, an invoice acceptance, a document signature, a
ВРЕ transfer by `execute` and adding a second passkey; beside each act, the same act by an
ordinary key (EOA signature) for comparison. Gas is each transaction's `gasUsed`. Writes
``benchmarks/passkey_results.md`` with the command that produced it.
"""

from __future__ import annotations

import hashlib
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from eth_account.messages import encode_typed_data

from node.accounts.client import PasskeyAccounts
from node.accounts.passkeys import P256_N, execute_typed_data
from node.chain.anvil import find_anvil
from node.chain.artifacts import Artifacts
from node.chain.client import Chain, Sent, TransactionReverted
from node.chain.devkeys import dev_accounts
from node.cooperative.client import DocumentType, MemberKind
from node.governance import Action, Choice, Convocation, Question, ballot_digest
from node.governance.ballots import SignedBallot
from node.governance.sandbox import generated_accounts, governed_cooperative, h, now, warp
from node.units.client import SettlementUnitsClient
from tests.accounts.authenticator import PasskeySigner, SoftPasskey, digest_of

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "passkey_results.md"
TOKEN = 10**18


def start_anvil(port: int, hardfork: str | None) -> subprocess.Popen[bytes]:
    cmd = [find_anvil(), "--host", "127.0.0.1", "--port", str(port), "--silent"]
    cmd += ["--gas-limit", "100000000"]
    if hardfork:
        cmd += ["--hardfork", hardfork]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def p256_gas(chain: Chain, deployer: Any) -> dict[str, int]:
    probe, _ = chain.deploy("TestP256", sender=deployer)
    key = ec.generate_private_key(ec.SECP256R1())
    digest = hashlib.sha256(b"coopnode").digest()
    r, s = decode_dss_signature(key.sign(b"coopnode", ec.ECDSA(hashes.SHA256())))
    s = min(s, P256_N - s)
    pub = key.public_key().public_numbers()
    args = [digest, r.to_bytes(32, "big"), s.to_bytes(32, "big")]
    args += [pub.x.to_bytes(32, "big"), pub.y.to_bytes(32, "big")]
    native_ok, native = probe.functions.verify(*args).call()
    solidity_ok, solidity = probe.functions.verifySolidity(*args).call()
    assert native_ok and solidity_ok
    return {"verify": int(native), "verifySolidity": int(solidity)}


def scenario(chain: Chain) -> dict[str, tuple[int | str, int | None]]:
    """(passkey gas, EOA gas) of every act."""
    dev = dev_accounts(10)
    sb = governed_cooperative(chain, dev, 3, label="bench")
    relayer, coop = sb.deployer, sb.cooperative
    factory, _ = chain.deploy("PasskeyAccountFactory", sender=relayer)
    accounts = PasskeyAccounts(chain, factory.address)
    phone, laptop = SoftPasskey(), SoftPasskey()
    address = accounts.address_of(phone.qx, phone.qy)
    signer = PasskeySigner(phone, address, chain.chain_id)
    (eoa,) = generated_accounts(1, "bench eoa")
    chain.w3.provider.make_request("anvil_setBalance", [eoa.address, hex(10**20)])  # type: ignore[arg-type]
    out: dict[str, tuple[int | str, int | None]] = {}

    def gas(sent: Sent) -> int:
        return int(sent.receipt["gasUsed"])

    out["account deployment (factory.createAccount)"] = (
        gas(chain.transact(accounts.create_fn(phone.qx, phone.qy), relayer)),
        None,
    )
    # Application.
    for who, s in ((address, signer), (eoa.address, eoa)):
        sig, nonce, until = coop.sign_application(
            s, MemberKind.INDIVIDUAL, h(f"id {who}"), h(f"app {who}")
        )  # type: ignore[arg-type]
        sent = coop.apply_with_sig(
            relayer, who, MemberKind.INDIVIDUAL, h(f"id {who}"), h(f"app {who}"), nonce, until, sig
        )
        out.setdefault("application (applyToJoinWithSig)", (gas(sent), None))
        if who == eoa.address:
            out["application (applyToJoinWithSig)"] = (
                out["application (applyToJoinWithSig)"][0],
                gas(sent),
            )
        coop.attest_identity(sb.chair, who, h(f"check {who}"))
        coop.attest_payment(sb.deployer, who, h(f"paid {who}"))
    units = SettlementUnitsClient(chain, coop.settlement_units.address)
    actions = [
        Action.call(coop.membership, "admit", a, h(f"admit {a}")) for a in (address, eoa.address)
    ]
    actions += [
        Action.call(units.contract, "setCreditLimit", a, 100 * TOKEN)
        for a in (address, eoa.address)
    ]
    sb.governance.council.decide(sb.council[0], sb.council[:2], sb.chair, h("admit bench"), actions)
    # Ballot.
    meeting = sb.governance.meeting
    opens = now(chain) + meeting.notice_period() + 60
    convocation = Convocation(
        opens_at=opens,
        closes_at=opens + 7 * 86400,
        secretary=sb.secretary.address,
        questions=(Question(h("bench q")),),
        chair="0x" + "00" * 20,
    )
    meeting_id = sb.governance.convene(
        sb.council[0], sb.council[:2], sb.chair, convocation, h("convene bench")
    )
    warp(chain, opens)
    digest = ballot_digest(meeting.domain(), meeting_id, address, [Choice.FOR])
    ballot = SignedBallot(meeting_id, address, (Choice.FOR,), signer.sign_digest(digest))
    try:
        pk: int | str = gas(meeting.cast_ballot_by_sig(relayer, ballot))
    except TransactionReverted as exc:  # GeneralMeeting gives ERC-1271 100,000 gas at most
        pk = f"refused ({exc.error})"
    eo = gas(
        meeting.cast_ballot_by_sig(relayer, meeting.sign_ballot(eoa, meeting_id, [Choice.FOR]))
    )
    out["ballot (castBallotBySig)"] = (pk, eo)
    # Invoice acceptance.
    creditor = sb.members[0]
    res = []
    for who, s in ((address, signer), (eoa.address, None)):
        oid, _ = units.issue(creditor, who, 10 * TOKEN)
        until = int(chain.w3.eth.get_block("latest")["timestamp"]) + 3600
        sig = (
            signer.sign_digest(units.accept_digest(oid, until))
            if s
            else units.sign_acceptance(eoa, oid, until)
        )
        res.append(gas(units.accept_with_signature(relayer, oid, until, sig)))
    out["invoice acceptance (acceptObligationWithSignature)"] = (res[0], res[1])
    # Document signature.
    res = []
    for who, s in ((address, signer), (eoa.address, eoa)):
        doc = h(f"doc {who}")
        coop.anchor(sb.chair, doc, DocumentType.CONTRACT)
        res.append(
            gas(
                coop.sign_document_with_sig(relayer, doc, who, coop.document_signature(s, doc, who))
            )
        )  # type: ignore[arg-type]
    out["document signature (signWithSig)"] = (res[0], res[1])

    # ВРЕ transfer by execute (the EOA sends its own transfer).
    def execute(passkey: SoftPasskey, target: str, data: bytes) -> int:
        nonce = accounts.nonce(address)
        until = int(chain.w3.eth.get_block("latest")["timestamp"]) + 3600
        typed = execute_typed_data(chain.chain_id, address, target, 0, data, nonce, until)
        sig = passkey.signature(digest_of(encode_typed_data(full_message=typed)))
        return gas(accounts.execute(relayer, address, target, 0, data, nonce, until, sig))

    transfer = bytes.fromhex(
        units.contract.encode_abi("transfer", args=[creditor.address, 5 * TOKEN])[2:]
    )
    pk = execute(phone, units.address, transfer)
    eo = gas(chain.transact(units.contract.functions.transfer(creditor.address, 5 * TOKEN), eoa))
    out["ВРЕ transfer (execute -> transfer)"] = (pk, eo)
    account = accounts.account(address)
    add = bytes.fromhex(account.encode_abi("addPasskey", args=[laptop.qx, laptop.qy])[2:])
    out["add a passkey (execute -> addPasskey)"] = (execute(phone, address, add), None)
    return out


def _n(value: int | str | None) -> str:
    return "" if value is None else value if isinstance(value, str) else f"{value:,}"


def main() -> int:
    artifacts = Artifacts(ROOT / ".build" / "__local__.json")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    load = os.getloadavg()
    results: dict[str, dict[str, Any]] = {}
    for i, (name, hardfork) in enumerate((("osaka (default)", None), ("prague", "prague"))):
        port = 18700 + i + os.getpid() % 100 * 2
        node = start_anvil(port, hardfork)
        try:
            chain = Chain(f"http://127.0.0.1:{port}", artifacts)
            chain.wait_ready()
            deployer = dev_accounts(1)[0]
            results[name] = {"p256": p256_gas(chain, deployer), "acts": scenario(chain)}
        finally:
            node.terminate()
            node.wait()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    osaka, prague = results["osaka (default)"], results["prague"]
    lines = [
        "# Passkey accounts: gas",
        "",
        f"Command: `{shlex.join(['python', *sys.argv])}` (anvil 1.7.1; {platform.machine()}, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; wall {wall:.1f} s, CPU "
        f"{cpu:.1f} s here + {children.ru_utime + children.ru_stime:.1f} s in anvil).",
        "",
        "## One P-256 verification",
        "",
        "anvil 1.7.1's default hardfork is `latest` (Osaka), which has the P256VERIFY precompile "
        "at `0x100` (EIP-7951, the standardised RIP-7212); `--hardfork prague` (or cancun) has "
        "none. "
        "Gas inside the call (`gasleft()` before and after):",
        "",
        "| chain | `P256.verify` | `P256.verifySolidity` |",
        "|---|---:|---:|",
        f"| anvil, Osaka (precompile) | {_n(osaka['p256']['verify'])} "
        f"| {_n(osaka['p256']['verifySolidity'])} |",
        "| anvil, `--hardfork prague` (no precompile: fallback) "
        f"| {_n(prague['p256']['verify'])} | {_n(prague['p256']['verifySolidity'])} |",
        "",
        "## Every act of a passkey member (transaction gasUsed)",
        "",
        "The passkey column adds the account's WebAuthn check (type, challenge, flags, two "
        "SHA-256, P-256) and the ERC-1271 call; the EOA column is the same act signed by an "
        "ordinary key.",
        "",
        "| act | passkey, Osaka | passkey, prague (fallback) | EOA, Osaka |",
        "|---|---:|---:|---:|",
    ]
    for act, (pk, eo) in osaka["acts"].items():
        fallback = prague["acts"][act][0]
        lines.append(f"| {act} | {_n(pk)} | {_n(fallback)} | {_n(eo)} |")
    lines += [
        "",
        "Without the precompile a passkey ballot is refused: `GeneralMeeting` gives an ERC-1271 "
        "check at most 100,000 gas (so that one wallet cannot make a batch of ballots costly), and "
        "the Solidity P-256 alone takes about 250,000. Passkey members need a chain with "
        "P256VERIFY (Ethereum since Osaka, the L2s with RIP-7212, anvil by default) to vote.",
        "",
        "The relayer pays all of it (the member holds no ETH). The account deployment is paid "
        "once, with the member's first act (an EIP-1167 clone of the factory's implementation).",
        "",
    ]
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
