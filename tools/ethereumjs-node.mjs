// Runs npm's @ethereumjs/client (its own command line, arguments unchanged) with two fixes
// without which a Clique (proof-of-authority) chain of @ethereumjs/client 0.10.5 executes no
// contract call at all, and a third without which a follower stops syncing. Used by
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
//    difficulty passes it, no peer is "best" ("Waiting for best peer" every 5 s, forever) and
//    the follower imports nothing more except a NewBlock that is the child of its head. It
//    then stalls a few blocks after it connected: behind by more than one block, every
//    announced block is ignored. When no peer qualifies by that figure, the peer whose latest
//    header (asked over the wire, as the fetcher does) is above the follower's head is taken.
const best = FullSynchronizer.prototype.best;
FullSynchronizer.prototype.best = async function (...args) {
  const found = await best.apply(this, args);
  if (found !== undefined) return found;
  let ahead;
  let height = this.chain.blocks.height;
  for (const peer of this.pool.peers.filter((p) => this.syncable(p))) {
    if (peer.eth?.status === undefined) continue;
    try {
      const latest = await peer.latest();
      if (latest !== undefined && latest.number > height) {
        ahead = peer;
        height = latest.number;
      }
    } catch {
      // a peer that does not answer is not ahead
    }
  }
  return ahead;
};

// 4. The sync loop runs every 8 s (hard-coded, no option): a follower of a chain sealed every
//    second is then up to two rounds (8-24 s) behind, and each NewBlock it is sent is more than
//    one block ahead of its head and ignored. The loop (and the fetcher that inherits the
//    figure) runs every second here; a round that finds no peer ahead still waits 5 s.
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
