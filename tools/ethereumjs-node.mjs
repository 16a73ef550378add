// Runs npm's @ethereumjs/client (its own command line, arguments unchanged) with two fixes
// without which a Clique (proof-of-authority) chain of @ethereumjs/client 0.10.5 executes no
// contract call at all (1, 2), and two without which a follower stops syncing a few blocks
// after it connects (3) or trails the sealer by 8 s and more (4). Used by
// node/chain/ethereumjs.py; nothing else differs.
//
// 1. The EVM needs a `cliqueSigner` function on Clique (for COINBASE), and the client gives
//    none to the EVMs it creates (block execution, eth_call, eth_estimateGas): "Must include
//    cliqueSigner function if clique/poa is being used for consensus type". Every EVM created
//    here gets @ethereumjs/block's `cliqueSigner` unless it was given one.
// 2. The sealer runs each transaction of the block it assembles in a header not yet sealed,
//    whose signer (who is paid the priority fees on Clique) cannot be recovered: it fails
//    ("extraData must be 97 bytes") and every transaction is skipped, or, with an empty seal,
//    pays the zero address, and the sealed block's state root is then refused. While it runs
//    a transaction, the builder's header names the sealer as its coinbase and the header is
//    read as a plain (non-Clique) one, which pays the coinbase: the fees go where the sealed
//    block's execution sends them. The sealed header is built as before (coinbase zero: on
//    Clique a coinbase is a vote).
import { cliqueSigner } from "@ethereumjs/block";
import { EVM } from "@ethereumjs/evm";
import { createAddressFromPrivateKey } from "@ethereumjs/util";
import { BlockBuilder } from "@ethereumjs/vm";

const client = new URL("../node_modules/@ethereumjs/client/dist/esm/", import.meta.url);
const { FullSynchronizer } = await import(new URL("src/sync/fullsync.js", client));
const { Service } = await import(new URL("src/service/service.js", client));

const addTransaction = BlockBuilder.prototype.addTransaction;
BlockBuilder.prototype.addTransaction = async function (...args) {
  const common = this.vm.common;
  const key = this.blockOpts.cliqueSigner;
  if (common.consensusType() !== "poa" || key === undefined) {
    return addTransaction.apply(this, args);
  }
  const coinbase = this.headerData.coinbase;
  this.headerData.coinbase = createAddressFromPrivateKey(key);
  common.consensusType = () => "pow";
  common.consensusAlgorithm = () => "ethash";
  try {
    return await addTransaction.apply(this, args);
  } finally {
    delete common.consensusType;
    delete common.consensusAlgorithm;
    this.headerData.coinbase = coinbase;
  }
};

Object.defineProperty(EVM.prototype, "_optsCached", {
  configurable: true,
  set(opts) {
    const value = opts && opts.cliqueSigner === undefined ? { ...opts, cliqueSigner } : opts;
    Object.defineProperty(this, "_optsCached", {
      value,
      writable: true,
      configurable: true,
      enumerable: true,
    });
  },
});

// 3. A follower picks the peer to sync from by the total difficulty the peer announced in its
//    status handshake, which is never updated afterwards; once the follower's own total
//    difficulty passes it, no peer is "best" ("Waiting for best peer" every 5 s, forever).
//    Nor does it learn the peer's head: a sealer announces none of its blocks (only blocks
//    received are relayed), and `peer.latest()` asks for the block at the sync target or at
//    the last known head plus one block per 12 s of its age, so even a peer still "best" is
//    synced to the block already known. The follower stalls a few blocks after it connected.
//    Here each peer is asked instead for up to 256 headers after the follower's head; the one
//    with the highest is taken and its last header recorded as its head (the sync that
//    follows goes up to it). Where none is ahead, it asks again every second for up to 4 s
//    before the client's own 5 s wait, so a follower that caught up sees the next blocks
//    within a second or two. Total difficulty is not weighed: on a chain with several sealers
//    the longest chain a peer serves is followed, not the heaviest (a follower for the test).
const aheadOf = async (sync) => {
  let ahead;
  let height = sync.chain.blocks.height;
  for (const peer of sync.pool.peers.filter((p) => sync.syncable(p))) {
    // One request at a time per peer: the client matches a reply to its request by message
    // code only, and a second request while one is in flight can hang both for good.
    if (peer.eth?.status === undefined || !peer.idle) continue;
    peer.idle = false;
    try {
      const reply = await peer.eth.getBlockHeaders({ block: height + 1n, max: 256 });
      const headers = Array.isArray(reply) ? reply[1] : [];
      const last = headers[headers.length - 1];
      if (last !== undefined && last.number > height) {
        peer.eth.updatedBestHeader = last;
        ahead = peer;
        height = last.number;
      }
    } catch {
      // a peer that does not answer is not ahead
    } finally {
      peer.idle = true;
    }
  }
  return ahead;
};
FullSynchronizer.prototype.best = async function () {
  for (let tries = 0; this.running && tries < 5; tries++) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    const ahead = await aheadOf(this);
    if (ahead !== undefined) return ahead;
  }
  return undefined;
};

// 4. The sync loop waits 8 s between rounds (hard-coded, no option), and a fetcher that has
//    done its jobs as long again before it ends: a follower of a chain sealed every second
//    trails it by 8 to 24 s. The loop (and the fetcher, which inherits the figure) waits a
//    second here; once no peer has been ahead for 4 s, the client's own 5 s wait follows.
Object.defineProperty(Service.prototype, "interval", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "interval", {
      value: Math.min(value, 1000),
      writable: true,
      configurable: true,
      enumerable: true,
    });
  },
});

await import(new URL("bin/cli.js", client));
