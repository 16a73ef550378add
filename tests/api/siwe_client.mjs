// A third-party dapp signing in to the gateway with the reference EIP-4361 library (`siwe` on
// npm, which wallets build on) and ethers: fetch the gateway's message, parse it, sign it, verify
// it client-side, sign in, call an authenticated route. Prints one JSON line with what it saw.
//
// usage: node siwe_client.mjs <gateway base URL> <domain> <private key>
import { SiweMessage } from "siwe";
import { Wallet } from "ethers";

const [base, domain, key] = process.argv.slice(2);
const wallet = new Wallet(key);

async function call(path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(base + path, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

const nonce = await call("/auth/nonce", { address: wallet.address });
const message = new SiweMessage(nonce.message); // throws on anything outside the grammar
const signature = await wallet.signMessage(nonce.message);
const checked = await message.verify({ signature, domain, nonce: nonce.nonce });
const session = await call("/auth/verify", { message: nonce.message, signature });
const me = await call("/auth/me", undefined, session.token);
console.log(
  JSON.stringify({
    parsed: {
      domain: message.domain,
      address: message.address,
      statement: message.statement,
      uri: message.uri,
      version: message.version,
      chainId: message.chainId,
      nonce: message.nonce,
      issuedAt: message.issuedAt,
      expirationTime: message.expirationTime,
    },
    roundTrip: message.prepareMessage() === nonce.message,
    verified: checked.success,
    session: { address: session.address, roles: session.roles },
    me,
  }),
);
