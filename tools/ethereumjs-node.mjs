// Runs npm's @ethereumjs/client (its own command line, arguments unchanged) with two fixes
// without which a Clique (proof-of-authority) chain of @ethereumjs/client 0.10.5 executes no
// contract call at all. Used by node/chain/ethereumjs.py; nothing else differs.
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

await import(new URL("../node_modules/@ethereumjs/client/dist/esm/bin/cli.js", import.meta.url));
