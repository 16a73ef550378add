// Members' keys, addresses and signed applications for benchmarks/network_scenario.py.
//
// Python's pure secp256k1 (eth-keys without coincurve) takes ~5 ms a member for an address and
// an EIP-712 signature; ethers (a dependency in package.json) takes under 1 ms. One request per
// stdin line, one answer per stdout line, in order:
//   in:  {"seed": s, "coop": i, "start": j0, "count": n, "separator": "0x..", "deadline": d}
//   out: {"addresses": ["0x..", ...], "signatures": ["0x..(65 bytes)", ...]}
// Member j of cooperative i: key = keccak256(utf8(`${seed}/${i}/${j}`)); its application is
// Membership's `Application(applicant, kind 0, identityHash, applicationHash, nonce 0,
// deadline)` with identityHash = keccak256(utf8(`identity ${seed}/${i}/${j}`)) and
// applicationHash = keccak256(utf8(`application ${seed}/${i}/${j}`)).
"use strict";
const path = require("node:path");
const readline = require("node:readline");
const { ethers } = require(path.join(__dirname, "..", "node_modules", "ethers"));

const TYPEHASH = ethers.id(
  "Application(address applicant,uint8 kind,bytes32 identityHash,bytes32 applicationHash," +
    "uint256 nonce,uint256 deadline)",
);
const coder = ethers.AbiCoder.defaultAbiCoder();

function answer(req) {
  const addresses = [];
  const signatures = [];
  for (let j = req.start; j < req.start + req.count; j++) {
    const tag = `${req.seed}/${req.coop}/${j}`;
    const key = new ethers.SigningKey(ethers.id(tag));
    const applicant = ethers.computeAddress(key.publicKey);
    const struct = ethers.keccak256(
      coder.encode(
        ["bytes32", "address", "uint8", "bytes32", "bytes32", "uint256", "uint256"],
        [TYPEHASH, applicant, 0, ethers.id(`identity ${tag}`), ethers.id(`application ${tag}`), 0,
          req.deadline],
      ),
    );
    const digest = ethers.keccak256(ethers.concat(["0x1901", req.separator, struct]));
    addresses.push(applicant);
    signatures.push(key.sign(digest).serialized);
  }
  return { addresses, signatures };
}

// One request a turn of the event loop, so each answer is flushed to the pipe (asynchronous
// in Node) while the next is computed: the caller starts on cooperative 0 at once.
const queue = [];
let busy = false;
function next() {
  const line = queue.shift();
  if (line === undefined) {
    busy = false;
    return;
  }
  process.stdout.write(JSON.stringify(answer(JSON.parse(line))) + "\n", () => setImmediate(next));
}
const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
  if (!line.trim()) return;
  queue.push(line);
  if (!busy) {
    busy = true;
    setImmediate(next);
  }
});
